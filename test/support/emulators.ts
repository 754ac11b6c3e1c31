// Local stand-ins for AWS, started in-process on ephemeral loopback ports.
import { once } from 'node:events'
import { createServer, request as httpRequest } from 'node:http'
import type { AddressInfo, Server } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

export interface Emulator {
  endpoint: string
  close(): Promise<void>
}

function endpointOf(server: Server): string {
  const { port } = server.address() as AddressInfo
  return `http://127.0.0.1:${port}`
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    ;(server as Server & { closeAllConnections?: () => void }).closeAllConnections?.()
  })
}

/** DynamoDB (dynalite, in memory). */
export async function startDynalite(): Promise<Emulator> {
  const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { endpoint: endpointOf(server), close: () => closeServer(server) }
}

/** S3 (s3rver on a temp folder). Credentials must be S3RVER/S3RVER, path-style. */
export async function startS3rver(buckets: string[]): Promise<Emulator> {
  const S3rver = require('s3rver') as new (options: Record<string, unknown>) => {
    run(): Promise<AddressInfo>
    close(): Promise<void>
  }
  const directory = await mkdtemp(join(tmpdir(), 'hireflow-s3rver-'))
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  })
  const { port } = await server.run()
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      await server.close()
      await rm(directory, { recursive: true, force: true })
    },
  }
}

/**
 * A proxy in front of an S3 stand-in that answers 403 AccessDenied, as S3
 * does under a bucket policy, to every request `denied` matches and forwards
 * the rest untouched (the Host header too, which SigV4 signs).
 */
export async function startS3PolicyProxy(
  target: string,
  denied: (request: { method: string; path: string }) => boolean,
): Promise<Emulator & { deniedRequests: string[] }> {
  const upstream = new URL(target)
  const deniedRequests: string[] = []
  const server = createServer((incoming, response) => {
    const method = incoming.method ?? 'GET'
    const path = incoming.url ?? '/'
    if (denied({ method, path })) {
      deniedRequests.push(`${method} ${path}`)
      incoming.resume()
      response.writeHead(403, { 'content-type': 'application/xml' })
      response.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message>' +
          '<RequestId>policy-proxy</RequestId></Error>',
      )
      return
    }
    const forwarded = httpRequest({ host: upstream.hostname, port: upstream.port, method, path, headers: incoming.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(response)
    })
    forwarded.on('error', () => {
      response.writeHead(502)
      response.end()
    })
    incoming.pipe(forwarded)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { endpoint: endpointOf(server), deniedRequests, close: () => closeServer(server) }
}

export interface CapturedEmail {
  messageId: string
  from: string
  replyTo: string[]
  destination: { to: string[]; cc: string[]; bcc: string[] }
  subject: string
  body: { html?: string; text?: string }
  attachments: { content: string; contentType: string; filename?: string; size: number }[]
  at: number
}

/** SES (aws-ses-v2-local). Its captured mail is read back with `emails()`. */
export async function startSes(): Promise<Emulator & { emails(): Promise<CapturedEmail[]>; clear(): Promise<void> }> {
  const start = (require('aws-ses-v2-local') as { default: (config: { host: string; port: number }) => Promise<Server> }).default
  const server = await start({ host: '127.0.0.1', port: 0 })
  const endpoint = endpointOf(server)
  return {
    endpoint,
    close: () => closeServer(server),
    async emails() {
      const response = await fetch(`${endpoint}/store`)
      const body = (await response.json()) as { emails: CapturedEmail[] }
      return body.emails
    },
    async clear() {
      await fetch(`${endpoint}/clear-store`, { method: 'POST' })
    },
  }
}

/** Static credentials accepted by every emulator above. */
export const emulatorCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }

/**
 * A candidate table on `dynamo`, ready for hireflow: created with its indexes,
 * the SDK's default credential chain pointed at the emulator's, and the
 * environment that selects it.
 */
export async function candidateTableOn(dynamo: Emulator, tableName: string): Promise<Record<string, string>> {
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb')
  const { awsClientConfig } = await import('../../src/aws/client-config.ts')
  const { ensureCandidateTable } = await import('../../src/storage/dynamodb-candidate-store.ts')
  process.env.AWS_ACCESS_KEY_ID = emulatorCredentials.accessKeyId
  process.env.AWS_SECRET_ACCESS_KEY = emulatorCredentials.secretAccessKey
  const client = new DynamoDBClient(
    awsClientConfig({
      region: 'us-east-1',
      endpoint: dynamo.endpoint,
      requestTimeoutMs: 5_000,
      maxAttempts: 2,
      credentials: emulatorCredentials,
    }),
  )
  try {
    await ensureCandidateTable(client, tableName)
  } finally {
    client.destroy()
  }
  return { CANDIDATE_STORE: 'dynamodb', DYNAMODB_ENDPOINT: dynamo.endpoint, DYNAMODB_TABLE: tableName }
}
