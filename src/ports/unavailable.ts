// What a port's ping() throws when its dependency cannot serve. /health is an
// open route, so the message names the dependency and a reason of a few words
// and nothing else; the original error (paths, bucket, endpoint, stack) is the
// cause, for the log.

// Node system error codes, as file and socket calls report them.
const SYSTEM_REASONS: Record<string, string> = {
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file size limit reached',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'folder missing',
  ENOTDIR: 'not a folder',
  EISDIR: 'not a file',
  EIO: 'I/O error',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ETIMEDOUT: 'timed out',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
}

// AWS error names (the service's error code, or the SDK's own).
const AWS_REASONS: Record<string, string> = {
  NoSuchBucket: 'bucket not found',
  ResourceNotFoundException: 'table not found',
  AccessDenied: 'access denied',
  AccessDeniedException: 'access denied',
  Forbidden: 'access denied',
  AllAccessDisabled: 'access denied',
  InvalidAccessKeyId: 'credentials rejected',
  SignatureDoesNotMatch: 'credentials rejected',
  UnrecognizedClientException: 'credentials rejected',
  ExpiredToken: 'credentials expired',
  ExpiredTokenException: 'credentials expired',
  CredentialsProviderError: 'no credentials',
  TimeoutError: 'timed out',
  RequestTimeout: 'timed out',
  SlowDown: 'throttled',
  ThrottlingException: 'throttled',
  ProvisionedThroughputExceededException: 'throttled',
  ServiceUnavailable: 'service unavailable',
  InternalError: 'service error',
  InternalServerError: 'service error',
}

/** A few words for why `error` happened, never a path, host or identifier. */
export function unavailableReason(error: unknown): string {
  const { code, name, $metadata } = (error ?? {}) as { code?: unknown; name?: unknown; $metadata?: { httpStatusCode?: unknown } }
  if (typeof code === 'string' && SYSTEM_REASONS[code]) return SYSTEM_REASONS[code]
  if (typeof name === 'string') {
    if (AWS_REASONS[name]) return AWS_REASONS[name]
    // SSE-KMS failures surface from S3 as KMS.<code>.
    if (name.startsWith('KMS.')) return 'encryption key unusable'
  }
  const status = $metadata?.httpStatusCode
  if (typeof status === 'number') return `HTTP ${status}`
  return 'unexpected error'
}

export class DependencyUnavailableError extends Error {
  override name = 'DependencyUnavailableError'
  /** What an operator calls the dependency, e.g. "local resume store". */
  readonly dependency: string
  /** The few words after the colon in the message, e.g. "disk full". */
  readonly reason: string

  constructor(dependency: string, cause: unknown) {
    const reason = unavailableReason(cause)
    super(`${dependency} is unavailable: ${reason}`, { cause })
    this.dependency = dependency
    this.reason = reason
  }
}
