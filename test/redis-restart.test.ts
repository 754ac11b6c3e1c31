// Redis killed in the middle of uploads and restarted empty: the schedules
// (the recovery sweep among them) come back by themselves, and every
// candidate the API accepted reaches HR.
import t from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { rm } from 'node:fs/promises'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import pino from 'pino'
import { freePort, testConfig, injectUpload } from './support/harness.ts'
import { start, type StartOptions } from '../src/runtime.ts'
import { RECOVERY_SCHEDULE } from '../jobs/recover.ts'
import type { CandidateStatus } from '../src/domain/candidate.ts'

async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
  })
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
  probe.on('error', () => {})
  try {
    for (let i = 0; i < 100; i++) {
      if (
        await probe.connect().then(
          () => probe.ping().then(() => true),
          () => false,
        )
      )
        return server
      probe.disconnect()
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  } finally {
    probe.disconnect()
  }
  server.kill('SIGKILL')
  throw new Error(`redis-server did not start on port ${port}`)
}

type Test = Parameters<Parameters<typeof t.test>[0]>[0]

/** hireflow on a Redis server of its own, which the test may kill and flush. */
async function startOnOwnRedis(t: Test, timings: NonNullable<StartOptions['timings']>) {
  const port = await freePort()
  const { config, dataDir } = await testConfig({ REDIS_URL: `redis://127.0.0.1:${port}` })
  const redis = { server: await startRedis(port, dataDir) }
  t.teardown(async () => {
    if (redis.server.exitCode === null) {
      redis.server.kill('SIGKILL')
      await once(redis.server, 'exit')
    }
    await rm(dataDir, { recursive: true, force: true })
  })
  const hireflow = await start(config, 'all', { logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), timings })
  t.teardown(() => hireflow.close())
  const observer = new Redis(config.redisUrl, { maxRetriesPerRequest: null })
  observer.on('error', () => {})
  const maintenance = new Queue('maintenance', { connection: observer, prefix: config.queuePrefix })
  maintenance.on('error', () => {})
  t.teardown(async () => {
    await maintenance.close()
    observer.disconnect()
  })
  const restart = async () => {
    redis.server.kill('SIGKILL')
    await once(redis.server, 'exit')
    redis.server = await startRedis(port, dataDir)
  }
  /** Polls for the sweep's schedule, a few seconds at most. */
  const sweepScheduled = async () => {
    let scheduled = await maintenance.getJobScheduler(RECOVERY_SCHEDULE)
    for (let i = 0; i < 100 && !scheduled; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      scheduled = await maintenance.getJobScheduler(RECOVERY_SCHEDULE)
    }
    return Boolean(scheduled)
  }
  return { hireflow, observer, restart, sweepScheduled }
}

t.test('Redis restarted empty mid-upload: schedules return, every accepted candidate is notified', async (t) => {
  // The periodic pass is set far out: coming back is the reconnect's doing.
  const { hireflow, restart, sweepScheduled } = await startOnOwnRedis(t, {
    sweepEveryMs: 500,
    sweepQuietForMs: 1_000,
    reassertSchedulesEveryMs: 600_000,
  })
  t.ok(await sweepScheduled(), 'the sweep is scheduled at start')

  const accepted: string[] = []
  const upload = async (n: number) => {
    const content = Buffer.from(`Candidate Number ${n}\nTypeScript and Python developer, ${n} years\n`)
    const response = await injectUpload(hireflow.app!, { filename: `cv-${n}.txt`, content })
    if (response.statusCode === 202) accepted.push(response.json().id)
  }

  for (let n = 0; n < 10; n++) await upload(n)
  const restarted = restart()
  for (let n = 10; n < 20; n++) await upload(n)
  await restarted
  for (let n = 20; n < 30; n++) await upload(n)
  t.equal(accepted.length, 30, 'every upload was accepted, the outage notwithstanding')
  t.ok(await sweepScheduled(), 'the sweep is scheduled again on the empty Redis')

  const deadline = Date.now() + 30_000
  const statuses = new Map<string, CandidateStatus | undefined>()
  for (const id of accepted) {
    do {
      statuses.set(id, (await hireflow.services.candidates.getCandidate(id))?.status)
      if (statuses.get(id) === 'notified') break
      await new Promise((resolve) => setTimeout(resolve, 50))
    } while (Date.now() < deadline)
  }
  const unfinished = [...statuses].filter(([, status]) => status !== 'notified')
  t.same(unfinished, [], 'every accepted candidate reached HR')
})

t.test('Redis flushed without a reconnect: the periodic pass brings the schedules back', async (t) => {
  const { observer, sweepScheduled } = await startOnOwnRedis(t, { reassertSchedulesEveryMs: 200 })
  t.ok(await sweepScheduled(), 'the sweep is scheduled at start')
  await observer.flushall()
  t.ok(await sweepScheduled(), 'the sweep is scheduled again')
})
