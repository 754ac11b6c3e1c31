// bench/intake: resumes uploaded through the HTTP API until every one is
// `notified`, on the embedded defaults (SQLite, local folder, .eml outbox).
// Baseline, measured in the same run on the same files: text extraction alone
// (extractText, one file at a time). The ratio says how much of the raw
// extraction speed the whole service (HTTP, storage, queues, scoring, email)
// keeps.
//
// These machines are noisy (another tenant can halve a run), so the two are
// measured in alternating rounds: each service round is set against
// extraction rounds over the same files just before and just after it, and
// the median of those ratios is the result. Every round uploads
// resumes of its own, so the content-addressed resume store writes each one.
// Both sides are warmed up first, unrecorded, on the same 300 files: the
// parsers on this thread, and the service through to `notified` (its
// extraction thread, its serializers, its queues). A long-running service is
// measured warm: after ten warm-up uploads V8 was still optimising code first
// reached in the measured rounds (1,667 compilations, 1.2 s of compiler time,
// in three rounds; 755 and 0.6 s after 300), and on two cores the compiler
// takes its time from the service.
//
// Where the CPU goes is printed too: per candidate, each kind of thread of
// this process (Linux only) and the Redis server, and per file for extraction
// alone, so a ratio below the goal says what it is spent on.
//
//   node bench/intake.ts     (BENCH_N=100 uploads per round, BENCH_ROUNDS=3, BENCH_CONCURRENCY=8 at once)
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { Agent, request as httpRequest } from 'node:http'
import pino from 'pino'
import { loadConfig } from '../src/config.ts'
import { start } from '../src/runtime.ts'
import { extractText } from '../src/pipeline/extract.ts'
import { dropPrefix, multipartBody } from '../test/support/harness.ts'
import { Redis } from 'ioredis'
import { cpuByThread, cpuSince, filesPerSecond, makeResumeFiles, median, percentile, type ResumeFile } from './support.ts'

const N = Number(process.env.BENCH_N ?? 100)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8)
const WARMUP = 300
const KINDS = ['pdf', 'docx'] as const
const API_KEY = randomBytes(16).toString('hex')

const extraction = (files: ResumeFile[]) => filesPerSecond(files, (file) => extractText(file.content, file.kind))

/** Seconds of CPU the Redis server has used (user and system), from INFO. */
async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu')
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0)
  return field('used_cpu_sys') + field('used_cpu_user')
}

/** `ms` of CPU per item, by thread kind, for a line of the report. */
const perItem = (used: [string, number][], items: number) => used.map(([name, ms]) => `${name} ${(ms / items).toFixed(2)}`).join(', ')

/** hireflow on its embedded defaults, API and workers in this process; uploads a round of files and waits for every one to be notified. */
async function service() {
  const dataDir = await mkdtemp(join(tmpdir(), 'hireflow-bench-'))
  const config = loadConfig({
    DATA_DIR: dataDir,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/15',
    QUEUE_PREFIX: `hireflow-bench-${randomBytes(4).toString('hex')}`,
    API_KEYS: API_KEY,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    PROCESS_CONCURRENCY: process.env.PROCESS_CONCURRENCY ?? '2',
  })
  const running = await start(config, 'all', { logger: pino({ level: 'silent' }) })
  // The uploads go through node:http with kept-alive connections: fetch's web streams cost this process (which is
  // also the service) more CPU per request than the upload route it measures.
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  const close = async () => {
    agent.destroy()
    await running.close()
    await dropPrefix(config.queuePrefix, config.redisUrl)
    await rm(dataDir, { recursive: true, force: true })
  }
  const address = running.app!.server.address() as { port: number }
  const base = `http://127.0.0.1:${address.port}`
  const headers = { authorization: `Bearer ${API_KEY}` }

  // The notify worker's `completed` event fires once the candidate is recorded `notified`.
  const notifiedAt = new Map<string, number>()
  let round: { ids: Set<string>; uploaded: boolean; resolve(): void; reject(error: Error): void } | undefined
  const roundDone = () => round?.uploaded && [...round.ids].every((id) => notifiedAt.has(id))
  const notifyWorker = running.workers!.workers.find((worker) => worker.name === 'notify')
  notifyWorker!.on('completed', (job) => {
    notifiedAt.set(job.data.candidateId, performance.now())
    if (roundDone()) round!.resolve()
  })
  for (const worker of running.workers!.workers) {
    worker.on('failed', (job, error) => round?.reject(new Error(`job ${job?.id} failed: ${error.message}`)))
  }

  function upload(requisitionId: string, file: ResumeFile): Promise<{ id: string; at: number }> {
    const body = multipartBody({ requisitionId }, { filename: file.filename, content: file.content })
    const at = performance.now()
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        `${base}/candidates`,
        { method: 'POST', agent, headers: { ...headers, ...body.headers, 'content-length': String(body.payload.length) } },
        (response) => {
          const chunks: Buffer[] = []
          response.on('data', (chunk: Buffer) => chunks.push(chunk))
          response.on('error', reject)
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8')
            if (response.statusCode !== 202) reject(new Error(`upload answered ${response.statusCode}: ${text}`))
            else resolve({ id: (JSON.parse(text) as { id: string }).id, at })
          })
        },
      )
      request.on('error', reject)
      request.end(body.payload)
    })
  }

  async function run(files: ResumeFile[]) {
    const requisition = (await (
      await fetch(`${base}/requisitions`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({
          title: 'Bench Engineer',
          mustHaveSkills: ['TypeScript', 'PostgreSQL'],
          niceToHaveSkills: ['Kubernetes', 'AWS'],
          minYearsExperience: 2,
          advanceAtOrAbove: 70,
          rejectBelow: 30,
        }),
      })
    ).json()) as { id: string }
    const done = new Promise<void>((resolve, reject) => (round = { ids: new Set(), uploaded: false, resolve, reject }))
    const uploadedAt = new Map<string, number>()
    const started = performance.now()
    let next = 0
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < files.length) {
          const { id, at } = await upload(requisition.id, files[next++]!)
          uploadedAt.set(id, at)
          round!.ids.add(id)
        }
      }),
    )
    round!.uploaded = true
    if (roundDone()) round!.resolve()
    await done
    const elapsed = (performance.now() - started) / 1000
    const latencies = [...uploadedAt].map(([id, at]) => notifiedAt.get(id)! - at).sort((a, b) => a - b)
    return { throughput: files.length / elapsed, p50: percentile(latencies, 50), p95: percentile(latencies, 95), elapsed }
  }
  return { run, close }
}

const warmup = await makeResumeFiles(WARMUP, 'warmup', KINDS)
const rounds = await Promise.all(Array.from({ length: ROUNDS }, (_, i) => makeResumeFiles(N, `round${i + 1}`, KINDS)))
const hireflow = await service()
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/15', { lazyConnect: true, maxRetriesPerRequest: 1 })
const lines = [`bench/intake: ${ROUNDS} rounds of ${N} uploads (${CONCURRENCY} at once, PDF and DOCX), embedded defaults`]
const ratios: number[] = []
const p50s: number[] = []
const p95s: number[] = []
const services: number[] = []
const extractions: number[] = []
// CPU summed over the measured rounds: the service's per candidate, extraction's per file.
const serviceCpu = new Map<string, number>()
const extractionCpu = new Map<string, number>()
const addTo = (sum: Map<string, number>, used: [string, number][]) => used.forEach(([name, ms]) => sum.set(name, (sum.get(name) ?? 0) + ms))
async function measured<T>(sum: Map<string, number>, run: () => Promise<T>, withRedis = false): Promise<T> {
  const threads = cpuByThread()
  const redisBefore = withRedis ? await redisCpuSeconds(redis) : 0
  const result = await run()
  addTo(sum, cpuSince(threads, cpuByThread()))
  if (withRedis) addTo(sum, [['Redis server', ((await redisCpuSeconds(redis)) - redisBefore) * 1000]])
  return result
}
try {
  await redis.connect()
  await extraction(warmup)
  await hireflow.run(warmup)
  for (const [i, files] of rounds.entries()) {
    const before = await measured(extractionCpu, () => extraction(files))
    const round = await measured(serviceCpu, () => hireflow.run(files), true)
    const after = await measured(extractionCpu, () => extraction(files))
    const ratio = round.throughput / ((before + after) / 2)
    ratios.push(ratio)
    p50s.push(round.p50)
    p95s.push(round.p95)
    services.push(round.throughput)
    extractions.push(before, after)
    lines.push(
      `  extraction  ${before.toFixed(1).padStart(6)} files/s`,
      `  service #${i + 1}  ${round.throughput.toFixed(1).padStart(6)} candidates/s upload-to-notified (${round.elapsed.toFixed(1)} s, ` +
        `p50 ${round.p50.toFixed(0)} ms, p95 ${round.p95.toFixed(0)} ms)   ratio ${ratio.toFixed(2)}`,
      `  extraction  ${after.toFixed(1).padStart(6)} files/s`,
    )
  }
} finally {
  await hireflow.close()
  redis.disconnect()
}
const byUse = (sum: Map<string, number>) => [...sum].sort((a, b) => b[1] - a[1])
const total = (sum: Map<string, number>, items: number) => [...sum.values()].reduce((a, b) => a + b, 0) / items
const candidates = N * ROUNDS
lines.push(
  `service: ${median(services).toFixed(1)} candidates/s upload-to-notified (median), latency p50 ${median(p50s).toFixed(0)} ms, p95 ${median(p95s).toFixed(0)} ms`,
  `baseline: ${median(extractions).toFixed(1)} files/s text extraction alone, same files, one at a time (median)`,
)
if (serviceCpu.size > 1) {
  lines.push(
    `cpu per candidate, service: ${total(serviceCpu, candidates).toFixed(1)} ms (${perItem(byUse(serviceCpu), candidates)})`,
    `cpu per file, extraction alone: ${total(extractionCpu, 2 * candidates).toFixed(1)} ms (${perItem(byUse(extractionCpu), 2 * candidates)})`,
  )
}
lines.push(`ratio: ${median(ratios).toFixed(2)} (service throughput / extraction throughput, median of ${ROUNDS} rounds; goal >= 0.5)`)
console.log(lines.join('\n'))
