// Starts hireflow in-process for a test: a temp data folder, a Redis key
// prefix of its own (removed afterwards), fast retries, silent logs.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type AddressInfo } from 'node:net'
import { Redis } from 'ioredis'
import pino from 'pino'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { loadConfig, type Config } from '../../src/config.ts'
import { loggerOptions, start, type Role, type Running } from '../../src/runtime.ts'
import type { Candidate, CandidateStatus } from '../../src/domain/candidate.ts'
import type { Requisition } from '../../src/domain/requisition.ts'
import type { RequisitionInput } from '../../src/http/schemas.ts'

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15'
export const API_KEY = 'test-key-0123456789abcdef'
export const AUTH = { authorization: `Bearer ${API_KEY}` }

export interface TestHireflow extends Running {
  config: Config
  dataDir: string
  /** Polls GET /candidates/:id until the candidate reaches one of `statuses`. */
  waitFor(id: string, statuses: CandidateStatus | CandidateStatus[], timeoutMs?: number): Promise<Candidate>
  stop(): Promise<void>
  /** Every log line at trace level, when started with `captureLogs`. */
  logs: string[]
}

export function uniquePrefix(): string {
  return `hireflow-test-${randomBytes(4).toString('hex')}`
}

/** Deletes every Redis key under a queue prefix. */
export async function dropPrefix(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 })
  try {
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500)
      if (keys.length > 0) await redis.del(...keys)
      cursor = next
    } while (cursor !== '0')
  } finally {
    redis.disconnect()
  }
}

export async function testConfig(env: Record<string, string> = {}): Promise<{ config: Config; dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'hireflow-test-'))
  const config = loadConfig({
    DATA_DIR: dataDir,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: uniquePrefix(),
    API_KEYS: API_KEY,
    HOST: '127.0.0.1',
    PORT: '0',
    JOB_BACKOFF_MS: '50',
    JOB_ATTEMPTS: '4',
    LOG_LEVEL: 'silent',
    ...env,
  })
  return { config, dataDir }
}

export async function startHireflow(
  options: { env?: Record<string, string>; role?: Role; config?: Config; dataDir?: string; captureLogs?: boolean } = {},
): Promise<TestHireflow> {
  const { config, dataDir } =
    options.config && options.dataDir ? { config: options.config, dataDir: options.dataDir } : await testConfig(options.env)
  const logs: string[] = []
  const logger = options.captureLogs
    ? pino(loggerOptions('trace'), { write: (line: string) => void logs.push(line) })
    : pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' })
  const running = await start(config, options.role ?? 'all', { logger })
  let stopped = false
  return {
    ...running,
    config,
    dataDir,
    logs,
    async waitFor(id, statuses, timeoutMs = 20_000) {
      const wanted = Array.isArray(statuses) ? statuses : [statuses]
      const deadline = Date.now() + timeoutMs
      let last: Candidate | undefined
      while (Date.now() < deadline) {
        last = await running.services.candidates.getCandidate(id)
        if (last && wanted.includes(last.status)) return last
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
      throw new Error(`candidate ${id} did not reach ${wanted.join('|')} in ${timeoutMs} ms (last: ${last?.status ?? 'missing'})`)
    },
    async stop() {
      if (stopped) return
      stopped = true
      await running.close()
      await dropPrefix(config.queuePrefix)
      // A file still being renamed into place as the folder goes makes rmdir fail with ENOTEMPTY: try again.
      await rm(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })
    },
  }
}

/** A multipart/form-data body for inject or fetch. */
export function multipartBody(
  fields: Record<string, string>,
  file?: { field?: string; filename: string; content: Buffer; contentType?: string },
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----hireflow${randomBytes(8).toString('hex')}`
  const chunks: Buffer[] = []
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
  }
  if (file) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field ?? 'resume'}"; filename="${file.filename}"\r\n` +
          `Content-Type: ${file.contentType ?? 'application/octet-stream'}\r\n\r\n`,
      ),
      file.content,
      Buffer.from('\r\n'),
    )
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

/** POST /candidates through inject, with the API key: the upload most tests start with. */
export function injectUpload(
  app: FastifyInstance,
  file: Parameters<typeof multipartBody>[1],
  fields: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  const body = multipartBody(fields, file)
  return app.inject({ method: 'POST', url: '/candidates', headers: { ...AUTH, ...body.headers }, payload: body.payload })
}

/** The requisition a test screens against when it names nothing else. */
const REQUISITION: RequisitionInput = {
  title: 'Platform Engineer',
  mustHaveSkills: ['TypeScript'],
  niceToHaveSkills: [],
  minYearsExperience: 0,
  advanceAtOrAbove: 70,
  rejectBelow: 30,
  criteria: [],
  blind: false,
}

/** A stored requisition for tests that run a job step themselves: must-haves Kubernetes and Rust, nice-to-have TypeScript. */
export function screeningRequisition(fields: Partial<Requisition> = {}): Requisition {
  return {
    id: crypto.randomUUID(),
    title: 'Platform Engineer',
    mustHaveSkills: ['Kubernetes', 'Rust'],
    niceToHaveSkills: ['TypeScript'],
    minYearsExperience: 2,
    advanceAtOrAbove: 70,
    rejectBelow: 20,
    createdAt: new Date().toISOString(),
    ...fields,
  }
}

/** POST /requisitions through inject, with the API key; throws with the answer unless it was created (201). */
export async function createRequisition(app: FastifyInstance, fields: Partial<RequisitionInput> = {}): Promise<Requisition> {
  const response = await app.inject({ method: 'POST', url: '/requisitions', headers: AUTH, payload: { ...REQUISITION, ...fields } })
  if (response.statusCode !== 201) throw new Error(`POST /requisitions answered ${response.statusCode}: ${response.body}`)
  return response.json()
}

/** A TCP port free on loopback right now (for a server that must know its own address before it listens). */
export async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Polls `probe` until it gives a value; fails naming `what` after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await probe()
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}
