// bench/intake: N resumes uploaded through the HTTP API until every one is
// `notified`, on the embedded defaults (SQLite, local folder, .eml outbox).
// Baseline, measured in the same run on the same files: text extraction alone
// in a loop. The ratio says how much of the raw extraction speed the whole
// service (HTTP, storage, queues, scoring, email) keeps.
//
//   node bench/intake.ts            (BENCH_N=100 uploads, BENCH_CONCURRENCY=8 at once)
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import pino from 'pino'
import { loadConfig } from '../src/config.ts'
import { start } from '../src/runtime.ts'
import { extractText } from '../src/pipeline/extract.ts'
import { makeDocxResume, makePdfResume, sampleResumeLines } from '../test/support/resumes.ts'
import { dropPrefix, multipartBody } from '../test/support/harness.ts'

const N = Number(process.env.BENCH_N ?? 100)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8)
const API_KEY = randomBytes(16).toString('hex')

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN

async function makeFiles() {
  const files: { filename: string; content: Buffer; kind: 'pdf' | 'docx' }[] = []
  for (let i = 0; i < N; i++) {
    const lines = sampleResumeLines(`Candidate Number${i}`)
    files.push(
      i % 2 === 0
        ? { filename: `c${i}.pdf`, content: await makePdfResume(lines), kind: 'pdf' }
        : { filename: `c${i}.docx`, content: await makeDocxResume(lines), kind: 'docx' },
    )
  }
  return files
}

async function baseline(files: Awaited<ReturnType<typeof makeFiles>>) {
  const started = performance.now()
  for (const file of files) await extractText(file.content, file.kind)
  return files.length / ((performance.now() - started) / 1000)
}

async function service(files: Awaited<ReturnType<typeof makeFiles>>) {
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
  const address = running.app!.server.address() as { port: number }
  const base = `http://127.0.0.1:${address.port}`
  const headers = { authorization: `Bearer ${API_KEY}` }
  try {
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

    const uploadedAt = new Map<string, number>()
    const notifiedAt = new Map<string, number>()
    // The notify worker's `completed` event fires once the candidate is recorded `notified`.
    const [, , notifyWorker] = running.workers!.workers
    const allNotified = new Promise<void>((resolve, reject) => {
      notifyWorker!.on('completed', (job) => {
        notifiedAt.set(job.data.candidateId, performance.now())
        if (notifiedAt.size === files.length) resolve()
      })
      for (const worker of running.workers!.workers)
        worker.on('failed', (job, error) => reject(new Error(`job ${job?.id} failed: ${error.message}`)))
    })
    const started = performance.now()
    let next = 0
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < files.length) {
          const file = files[next++]!
          const body = multipartBody({ requisitionId: requisition.id }, { filename: file.filename, content: file.content })
          const t0 = performance.now()
          const response = await fetch(`${base}/candidates`, {
            method: 'POST',
            headers: { ...headers, ...body.headers },
            body: body.payload,
          })
          if (response.status !== 202) throw new Error(`upload answered ${response.status}: ${await response.text()}`)
          uploadedAt.set(((await response.json()) as { id: string }).id, t0)
        }
      }),
    )
    await allNotified
    const elapsed = (performance.now() - started) / 1000
    const latencies = [...notifiedAt].map(([id, at]) => at - uploadedAt.get(id)!).sort((a, b) => a - b)
    return { throughput: files.length / elapsed, p50: percentile(latencies, 50), p95: percentile(latencies, 95), elapsed }
  } finally {
    await running.close()
    await dropPrefix(config.queuePrefix, config.redisUrl)
    await rm(dataDir, { recursive: true, force: true })
  }
}

const files = await makeFiles()
await baseline(files.slice(0, Math.min(10, files.length))) // warm up the parsers
// The baseline is taken before and after the service run; the median of the three damps this machine's noise.
const before = [await baseline(files), await baseline(files)]
const result = await service(files)
const rounds = [...before, await baseline(files)].sort((a, b) => a - b)
const extraction = rounds[1]!
console.log(`bench/intake: ${N} uploads (${CONCURRENCY} at once), embedded defaults`)
console.log(`  service:   ${result.throughput.toFixed(1)} candidates/s upload-to-notified (${result.elapsed.toFixed(1)} s)`)
console.log(`  latency:   p50 ${result.p50.toFixed(0)} ms, p95 ${result.p95.toFixed(0)} ms`)
console.log(
  `  baseline:  ${extraction.toFixed(1)} files/s text extraction alone, same files, one at a time (median of ${rounds.map((r) => r.toFixed(1)).join(', ')})`,
)
console.log(`  ratio:     ${(result.throughput / extraction).toFixed(2)} (service throughput / extraction throughput)`)
