// One place for what every AWS SDK client here must have: a region, an
// optional endpoint override (local stand-ins), a timeout on every request and
// bounded retries with backoff (the SDK's standard retry strategy).
import { NodeHttpHandler } from '@smithy/node-http-handler'

export interface AwsClientOptions {
  region: string
  /** Override for local stand-ins (dynalite, s3rver, aws-ses-v2-local). */
  endpoint?: string
  /** Per-request socket timeout in milliseconds. */
  requestTimeoutMs: number
  /** Total attempts per call, first included. */
  maxAttempts: number
  /** Static credentials; when absent the SDK's default chain is used. */
  credentials?: { accessKeyId: string; secretAccessKey: string }
}

export function awsClientConfig(options: AwsClientOptions) {
  return {
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: options.maxAttempts,
    retryMode: 'standard' as const,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: Math.min(options.requestTimeoutMs, 5_000),
      requestTimeout: options.requestTimeoutMs,
      // Without this the handler only logs when requestTimeout passes, and a silent server hangs the call.
      throwOnRequestTimeout: true,
    }),
  }
}
