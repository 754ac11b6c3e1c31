// bench/webhook: signed task-manager deliveries acknowledged per second by
// POST /webhooks/clickup (read the raw body, check the HMAC in constant time,
// queue a look at the task in Redis, answer 202), against a Fastify
// hello-world route taking the same body, measured in the same run with
// autocannon at the same concurrency. The baseline is measured before and
// after the service and averaged, because these machines are noisy.
//
//   node bench/webhook.ts     (BENCH_SECONDS=10 per run, BENCH_CONNECTIONS=50)
import { spawn } from 'node:child_process'
import { createHmac, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import Fastify from 'fastify'
import pino from 'pino'
import { loadConfig } from '../src/config.ts'
import { emptySourceState } from '../src/domain/source-state.ts'
import { start } from '../src/runtime.ts'
import { dropPrefix } from '../test/support/harness.ts'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
// The load runs in a child process of this script (so it never shares the server's event loop); it gets the secret from its parent.
const SECRET = process.env.BENCH_SECRET ?? randomBytes(32).toString('hex')
/** Deliveries name this many tasks in turn, as a busy hiring list would. */
const TASKS = 1_000
/**
 * Every delivery is a distinct change (its own history item), so none is
 * answered from the route's memory of recent delivery ids: each one is
 * verified and queued. More than a run sends, so none repeats.
 */
const DELIVERIES = 200_000

// ClickUp's documented delivery shape (developer.clickup.com/docs/webhooks).
const deliveries = Array.from({ length: DELIVERIES }, (_, i) => {
  const body = JSON.stringify({
    event: 'taskUpdated',
    history_items: [{ id: `${9_000_000 + i}`, type: 1, date: `${Date.now()}`, field: 'tag' }],
    task_id: `86bench${(i % TASKS).toString(36)}`,
    webhook_id: 'bench-webhook',
  })
  return { body, signature: createHmac('sha256', SECRET).update(body).digest('hex') }
})

/** Runs `load` in a child process: the server under test keeps its event loop to itself. */
async function loadFrom(url: string, signed: boolean): Promise<{ rps: number; p50: number; p99: number }> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_LOAD_URL: url, BENCH_SIGNED: signed ? '1' : '', BENCH_SECRET: SECRET },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
  const [code] = (await once(child, 'exit')) as [number | null]
  if (code !== 0) throw new Error(`the load generator exited with ${code}`)
  return JSON.parse(output) as { rps: number; p50: number; p99: number }
}

async function load(url: string, signed: boolean) {
  let next = 0
  const result = await autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => {
          const delivery = deliveries[next++ % deliveries.length]!
          return {
            ...request,
            body: delivery.body,
            headers: { ...request.headers, ...(signed ? { 'x-signature': delivery.signature } : {}) },
          }
        },
      },
    ],
  })
  const ok = result['2xx']
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors out of ${result.requests.total}`)
  }
  return { rps: ok / SECONDS, p99: result.latency.p99, p50: result.latency.p50 }
}

async function baseline() {
  const app = Fastify({ logger: false })
  app.post('/hello', async () => ({ hello: 'world' }))
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  try {
    return await loadFrom(`http://127.0.0.1:${port}/hello`, false)
  } finally {
    await app.close()
  }
}

async function service() {
  const dataDir = await mkdtemp(join(tmpdir(), 'hireflow-bench-'))
  const config = loadConfig({
    DATA_DIR: dataDir,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/15',
    QUEUE_PREFIX: `hireflow-bench-${randomBytes(4).toString('hex')}`,
    API_KEYS: randomBytes(16).toString('hex'),
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    TASK_MANAGER: 'clickup',
    TASK_MANAGER_TOKEN: 'pk_bench_token',
    HIRING_PROJECT_ID: '901',
    TASK_MANAGER_TEAM_ID: '1',
  })
  // Only the API: the bench measures acknowledging deliveries, not processing them.
  const running = await start(config, 'api', { logger: pino({ level: 'silent' }) })
  try {
    await running.services.candidates.putSourceState(
      {
        ...emptySourceState('clickup'),
        webhooks: [{ id: 'bench-webhook', callbackUrl: '', secret: SECRET, resource: 'list:901', createdAt: '', expiresAt: null }],
      },
      0,
    )
    const { port } = running.app!.server.address() as { port: number }
    return await loadFrom(`http://127.0.0.1:${port}/webhooks/clickup`, true)
  } finally {
    await running.close()
    await dropPrefix(config.queuePrefix, config.redisUrl)
    await rm(dataDir, { recursive: true, force: true })
  }
}

if (process.env.BENCH_LOAD_URL) {
  process.stdout.write(JSON.stringify(await load(process.env.BENCH_LOAD_URL, process.env.BENCH_SIGNED === '1')))
  process.exit(0)
}

const before = await baseline()
const measured = await service()
const after = await baseline()
const baselineRps = (before.rps + after.rps) / 2
const ratio = measured.rps / baselineRps
const line = (name: string, r: { rps: number; p50: number; p99: number }) =>
  `${name.padEnd(28)} ${r.rps.toFixed(0).padStart(7)} req/s   p50 ${r.p50.toFixed(1).padStart(5)} ms   p99 ${r.p99.toFixed(1).padStart(5)} ms`
process.stdout.write(
  [
    `bench/webhook: ${CONNECTIONS} connections, ${SECONDS} s per run, distinct deliveries over ${TASKS} tasks`,
    line('hello world (before)', before),
    line('signed ClickUp delivery', measured),
    line('hello world (after)', after),
    `ratio ${ratio.toFixed(2)} (goal >= 0.5), delivery p99 ${measured.p99.toFixed(1)} ms (goal <= 15 ms)`,
    '',
  ].join('\n'),
)
