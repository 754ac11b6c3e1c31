// bench/webhook: webhook deliveries acknowledged per second, against a
// Fastify hello-world route taking the same bodies, measured in the same run
// with autocannon at the same concurrency. Two kinds: signed ClickUp task
// deliveries to POST /webhooks/clickup (read the raw body, check the HMAC in
// constant time, queue a look at the task in Redis, answer 202), and
// Microsoft Graph change notifications to POST /webhooks/graph (parse, check
// clientState in constant time against the stored subscription, queue a look
// at the message, answer 202). These machines are noisy (another
// tenant can halve a run), so the two are measured in alternating rounds,
// hello world first and last; each delivery round is set against the
// hello-world rounds either side of it, and the median of those ratios (and
// of the delivery rounds' p99) is the result.
//
//   node bench/webhook.ts     (BENCH_ROUNDS=3 rounds of each kind, BENCH_SECONDS=5 per run after a 2 s warm-up of each, BENCH_CONNECTIONS=50)
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

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const WARMUP_SECONDS = 2
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

type Kind = 'clickup' | 'graph'
const CLIENT_STATE = process.env.BENCH_CLIENT_STATE ?? randomBytes(32).toString('base64url')
const SUBSCRIPTION_ID = '7f105c7d-2dc5-4530-97cd-4e7ae6534c07'

/**
 * The bodies of one kind, made in the load generator only, where they are
 * sent: ClickUp's documented delivery shape (developer.clickup.com/docs/webhooks)
 * with its X-Signature, or Graph's change notification
 * (learn.microsoft.com/graph/change-notifications-delivery-webhooks).
 */
function makeDeliveries(kind: Kind): Array<{ body: string; signature?: string }> {
  return Array.from({ length: DELIVERIES }, (_, i) => {
    if (kind === 'graph') {
      const id = `AAMkAGbench${(i % TASKS).toString(36)}AAA=`
      const body = JSON.stringify({
        value: [
          {
            subscriptionId: SUBSCRIPTION_ID,
            subscriptionExpirationDateTime: '2026-12-02T10:00:00.0000000Z',
            changeType: i % 2 === 0 ? 'created' : 'updated',
            resource: `Users/3b5ad4b4-2b5a-4b4c-9d6e-1f0e2d3c4b5a/Messages/${id}`,
            resourceData: {
              '@odata.type': '#Microsoft.Graph.Message',
              '@odata.id': `Users/3b5ad4b4-2b5a-4b4c-9d6e-1f0e2d3c4b5a/Messages/${id}`,
              '@odata.etag': `W/"CQAAABYAAAD${i.toString(36)}"`,
              id,
            },
            clientState: CLIENT_STATE,
            tenantId: '84bd8158-6d4d-4958-8b9f-9d6445542f95',
          },
        ],
      })
      return { body }
    }
    const body = JSON.stringify({
      event: 'taskUpdated',
      history_items: [{ id: `${9_000_000 + i}`, type: 1, date: `${Date.now()}`, field: 'tag' }],
      task_id: `86bench${(i % TASKS).toString(36)}`,
      webhook_id: 'bench-webhook',
    })
    return { body, signature: createHmac('sha256', SECRET).update(body).digest('hex') }
  })
}

/** Runs `load` in a child process: the server under test keeps its event loop to itself. */
async function loadFrom(url: string, kind: Kind, seconds = SECONDS): Promise<{ rps: number; p50: number; p99: number }> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
    env: {
      ...process.env,
      BENCH_SECONDS: String(seconds),
      BENCH_LOAD_URL: url,
      BENCH_KIND: kind,
      BENCH_SECRET: SECRET,
      BENCH_CLIENT_STATE: CLIENT_STATE,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
  const [code] = (await once(child, 'exit')) as [number | null]
  if (code !== 0) throw new Error(`the load generator exited with ${code}`)
  return JSON.parse(output) as { rps: number; p50: number; p99: number }
}

async function load(url: string, kind: Kind) {
  const deliveries = makeDeliveries(kind)
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
            headers: { ...request.headers, ...(delivery.signature ? { 'x-signature': delivery.signature } : {}) },
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

/** A Fastify hello-world route taking the same body; returns its URL and how to stop it. */
async function baseline() {
  const app = Fastify({ logger: false })
  app.post('/hello', async () => ({ hello: 'world' }))
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  return { url: `http://127.0.0.1:${port}/hello`, close: () => app.close() }
}

/** hireflow's API on its embedded defaults with a registered ClickUp webhook and a Graph subscription; returns its URLs and how to stop it. */
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
    MAILBOX: 'graph',
    GRAPH_TENANT_ID: '84bd8158-6d4d-4958-8b9f-9d6445542f95',
    GRAPH_CLIENT_ID: 'a1b2c3d4-0000-4000-8000-000000000001',
    GRAPH_CLIENT_SECRET: 'bench-secret',
    HIRING_MAILBOX: 'hiring@contoso.test',
  })
  // Only the API: the bench measures acknowledging deliveries, not processing them.
  const running = await start(config, 'api', { logger: pino({ level: 'silent' }) })
  const close = async () => {
    await running.close()
    await dropPrefix(config.queuePrefix, config.redisUrl)
    await rm(dataDir, { recursive: true, force: true })
  }
  try {
    await running.services.candidates.putSourceState(
      {
        ...emptySourceState('clickup'),
        webhooks: [{ id: 'bench-webhook', callbackUrl: '', secret: SECRET, resource: 'list:901', createdAt: '', expiresAt: null }],
      },
      0,
    )
    await running.services.candidates.putSourceState(
      {
        ...emptySourceState('graph'),
        webhooks: [
          {
            id: SUBSCRIPTION_ID,
            callbackUrl: '',
            secret: CLIENT_STATE,
            resource: "users/hiring@contoso.test/mailFolders('Inbox')/messages",
            createdAt: '',
            expiresAt: null,
          },
        ],
      },
      0,
    )
  } catch (error) {
    await close()
    throw error
  }
  const { port } = running.app!.server.address() as { port: number }
  return { urls: { clickup: `http://127.0.0.1:${port}/webhooks/clickup`, graph: `http://127.0.0.1:${port}/webhooks/graph` }, close }
}

if (process.env.BENCH_LOAD_URL) {
  process.stdout.write(JSON.stringify(await load(process.env.BENCH_LOAD_URL, process.env.BENCH_KIND as Kind)))
  process.exit(0)
}

type Run = { rps: number; p50: number; p99: number }
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const line = (name: string, r: Run) =>
  `${name.padEnd(28)} ${r.rps.toFixed(0).padStart(7)} req/s   p50 ${r.p50.toFixed(1).padStart(5)} ms   p99 ${r.p99.toFixed(1).padStart(5)} ms`

const hello = await baseline()
const hireflow = await service()
const lines = [
  `bench/webhook: ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s per kind, distinct deliveries over ${TASKS} items`,
]
const NAMES: Record<Kind, string> = { clickup: 'signed ClickUp delivery', graph: 'Graph change notification' }
const KINDS = ['clickup', 'graph'] as const
const ratios: Record<Kind, number[]> = { clickup: [], graph: [] }
const p99s: Record<Kind, number[]> = { clickup: [], graph: [] }
const helloP99s: number[] = []
try {
  // Unrecorded warm-up: both servers' code is compiled hot before anything counts.
  for (const kind of KINDS) {
    await loadFrom(hello.url, kind, WARMUP_SECONDS)
    await loadFrom(hireflow.urls[kind], kind, WARMUP_SECONDS)
  }
  for (let round = 1; round <= ROUNDS; round++) {
    // The kinds take turns going first, so neither always meets the machine in the same mood.
    for (const kind of round % 2 === 1 ? KINDS : [...KINDS].reverse()) {
      const before = await loadFrom(hello.url, kind)
      const measured = await loadFrom(hireflow.urls[kind], kind)
      const after = await loadFrom(hello.url, kind)
      const ratio = measured.rps / ((before.rps + after.rps) / 2)
      ratios[kind].push(ratio)
      p99s[kind].push(measured.p99)
      helloP99s.push(before.p99, after.p99)
      lines.push(
        line('hello world', before),
        `${line(`${NAMES[kind]} #${round}`, measured)}   ratio ${ratio.toFixed(2)}`,
        line('hello world', after),
      )
    }
  }
} finally {
  await hireflow.close()
  await hello.close()
}
const results = KINDS.map(
  (kind) =>
    `${NAMES[kind]}: ratio ${median(ratios[kind]).toFixed(2)} (median of ${ROUNDS}; goal >= 0.5), ` +
    `p99 ${median(p99s[kind]).toFixed(1)} ms (median; goal <= 15 ms)`,
)
results.push(`hello world p99 over the same run: ${median(helloP99s).toFixed(1)} ms (median), the machine's floor`)
process.stdout.write([...lines, ...results, ''].join('\n'))
