// The recovery sweep: the candidate store is the truth, the queues a means.
// Whatever happened to a job, the sweep can queue an unfinished candidate's
// next step again, never twice at once, and never one already done.
import { quietMonitoring } from './support/monitoring.ts'
import t from 'tap'
import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { once } from 'node:events'
import pino from 'pino'
import { dropPrefix, startHireflow, testConfig, injectUpload } from './support/harness.ts'
import { candidateTableOn, startDynalite } from './support/emulators.ts'
import { makeCorruptPdf } from './support/resumes.ts'
import { createServices } from '../src/services.ts'
import { workerConnection } from '../src/redis.ts'
import { extractText, UnreadableResumeError } from '../src/pipeline/extract.ts'
import { SqliteCandidateStore } from '../src/storage/sqlite-candidate-store.ts'
import { HiringQueues } from '../jobs/queues.ts'
import { HiringWorkers } from '../jobs/workers.ts'
import { requeueUnfinished } from '../jobs/recover.ts'
import type { CandidateStore } from '../src/ports/candidate-store.ts'
import type { Candidate, CandidateStatus } from '../src/domain/candidate.ts'
import type { ResumeKind } from '../src/pipeline/detect.ts'

const silent = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' })

async function statusReached(
  candidates: CandidateStore,
  id: string,
  wanted: CandidateStatus,
  timeoutMs = 15_000,
): Promise<CandidateStatus | undefined> {
  const deadline = Date.now() + timeoutMs
  let status: CandidateStatus | undefined
  while (Date.now() < deadline) {
    status = (await candidates.getCandidate(id))?.status
    if (status === wanted) break
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return status
}

function candidateAt(id: string, status: CandidateStatus, updatedAt: Date): Candidate {
  const at = updatedAt.toISOString()
  const sha256 = id.padEnd(64, '0')
  return {
    id,
    source: 'upload',
    sourceItemId: `none/${sha256}`,
    requisitionId: null,
    status,
    resume: { filename: 'cv.txt', mediaType: 'text/plain', extension: 'txt', size: 10, sha256, key: sha256 },
    profile: null,
    score: null,
    decision: null,
    failure: null,
    notification: null,
    createdAt: at,
    updatedAt: at,
    history: [{ at, from: null, to: status, by: 'test', why: null }],
  }
}

t.test('a failure the store could not record does not block the sweep', async (t) => {
  const { config, dataDir } = await testConfig({ JOB_ATTEMPTS: '1' })
  const api = await startHireflow({ role: 'api', config, dataDir })
  t.teardown(() => api.stop())

  // The store is down exactly when the worker records the failure.
  const services = await createServices(config)
  t.teardown(() => services.close())
  let storeDown = false
  const store = services.candidates
  const candidates: CandidateStore = {
    createRequisition: (requisition) => store.createRequisition(requisition),
    getRequisition: (id) => store.getRequisition(id),
    listRequisitions: (query) => store.listRequisitions(query),
    createCandidate: (candidate) => store.createCandidate(candidate),
    getCandidate: (id) => store.getCandidate(id),
    listCandidates: (query) => store.listCandidates(query),
    findBySourceItem: (source, itemId) => store.findBySourceItem(source, itemId),
    getSourceState: (source) => store.getSourceState(source),
    putSourceState: (state, expectedVersion) => store.putSourceState(state, expectedVersion),
    async transition(id, request) {
      if (storeDown && request.to === 'failed') throw new Error('candidate store unavailable')
      return store.transition(id, request)
    },
    ping: () => store.ping(),
    close: () => store.close(),
  }
  // The first extraction dies the way a crashed thread does; later ones work.
  let extractions = 0
  const extractor = {
    async extract(bytes: Buffer, kind: ResumeKind) {
      if (extractions++ === 0) {
        storeDown = true
        throw new Error('extraction thread exited')
      }
      storeDown = false
      return extractText(bytes, kind)
    },
  }
  const connection = workerConnection(config.redisUrl)
  const queues = new HiringQueues(connection, config.queuePrefix, { attempts: config.jobAttempts, backoffMs: config.jobBackoffMs })
  const context = {
    config,
    services: { ...services, candidates },
    queues,
    log: silent,
    extractor,
    sources: new Map(),
    ...quietMonitoring(),
  }
  const workers = new HiringWorkers(context, connection)
  t.teardown(async () => {
    await workers.close()
    await queues.close()
    connection.disconnect()
  })
  const processFailed = once(workers.workers[1]!, 'failed')

  const response = await injectUpload(api.app!, { filename: 'cv.txt', content: Buffer.from('Stuck Stella\nTypeScript developer\n') })
  t.equal(response.statusCode, 202)
  const id = response.json().id as string
  await processFailed
  t.equal((await candidates.getCandidate(id))?.status, 'stored', 'the failure was not recorded: the candidate looks unfinished')

  t.equal(await requeueUnfinished(context, { quietForMs: 0 }), 1)
  t.equal(await statusReached(candidates, id, 'notified'), 'notified', 'the sweep queued the candidate again and it finished')
  t.equal(extractions, 2)
})

t.test('a step is queued once while its job is waiting', async (t) => {
  const { config, dataDir } = await testConfig()
  const connection = workerConnection(config.redisUrl)
  const queues = new HiringQueues(connection, config.queuePrefix, { attempts: 1, backoffMs: 50 })
  t.teardown(async () => {
    await queues.close()
    connection.disconnect()
    await dropPrefix(config.queuePrefix)
    await rm(dataDir, { recursive: true, force: true })
  })
  const id = 'c'.repeat(32)
  for (let i = 0; i < 3; i++) {
    await queues.enqueueIntake({ source: 'upload', sourceItemId: `none/${'c'.repeat(64)}`, candidateId: id })
    await queues.enqueueProcess(id)
    await queues.enqueueNotify(id, 'decision')
  }
  t.equal(await queues.intake.getWaitingCount(), 1)
  t.equal(await queues.process.getWaitingCount(), 1)
  t.equal(await queues.notify.getWaitingCount(), 1)
})

t.test('the sweep leaves a candidate alone while it may still be at work', async (t) => {
  const { config, dataDir } = await testConfig()
  const store = new SqliteCandidateStore(join(dataDir, 'sweep.sqlite'))
  const connection = workerConnection(config.redisUrl)
  const queues = new HiringQueues(connection, config.queuePrefix, { attempts: 1, backoffMs: 50 })
  t.teardown(async () => {
    await queues.close()
    connection.disconnect()
    store.close()
    await dropPrefix(config.queuePrefix)
    await rm(dataDir, { recursive: true, force: true })
  })
  const now = new Date('2030-01-01T12:00:00Z')
  const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000)
  const busy = candidateAt('b'.repeat(32), 'parsed', minutesAgo(1))
  const quiet = candidateAt('a'.repeat(32), 'parsed', minutesAgo(3))
  for (const candidate of [busy, quiet]) await store.createCandidate(candidate)

  const context = { services: { candidates: store }, queues }
  t.equal(await requeueUnfinished(context, { quietForMs: 2 * 60_000, now: () => now }), 1, 'one candidate swept')
  const queued = await queues.process.getWaiting()
  t.same(
    queued.map((job) => job.data.candidateId),
    [quiet.id],
    'the one untouched for three minutes, not the one updated a minute ago',
  )
  // The default quiet period is the one documented: two minutes.
  await queues.process.obliterate({ force: true })
  t.equal(await requeueUnfinished(context, { now: () => minutesAgo(-0.5) }), 1)
  t.equal(await requeueUnfinished(context, { now: () => minutesAgo(-1.5) }), 2)
})

for (const storeKind of ['sqlite', 'dynamodb'] as const) {
  t.test(`${storeKind}: the unreadable-resume email is sent once, even after its job is gone`, async (t) => {
    const env: Record<string, string> = {}
    if (storeKind === 'dynamodb') {
      const dynamo = await startDynalite()
      t.teardown(() => dynamo.close())
      Object.assign(env, await candidateTableOn(dynamo, 'hireflow-recovery'))
    }
    const hireflow = await startHireflow({ env })
    t.teardown(() => hireflow.stop())
    const emails = async () => (await readdir(hireflow.config.outboxDir).catch(() => [])).filter((name) => name.endsWith('.eml'))

    const response = await injectUpload(hireflow.app!, { filename: 'broken.pdf', content: makeCorruptPdf() })
    t.equal(response.statusCode, 202)
    const id = response.json().id as string
    await hireflow.waitFor(id, 'failed')
    // The notification is recorded right after the send.
    const deadline = Date.now() + 10_000
    let candidate = await hireflow.services.candidates.getCandidate(id)
    while (!candidate?.notification && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25))
      candidate = await hireflow.services.candidates.getCandidate(id)
    }
    t.equal(candidate?.status, 'failed')
    t.equal(candidate?.notification?.kind, 'unreadable', 'the email is recorded on the candidate')
    t.equal((await emails()).length, 1, 'HR got one email')

    // The completed job expires (removed after a day): only the record remains to say the email went out.
    await hireflow.queues.notify.obliterate({ force: true })
    t.equal(await requeueUnfinished({ services: hireflow.services, queues: hireflow.queues }, { quietForMs: 0 }), 0, 'nothing to re-queue')
    // Whatever was queued has run before the emails are counted again.
    const drained = Date.now() + 10_000
    while (Date.now() < drained) {
      const counts = await hireflow.queues.notify.getJobCounts('waiting', 'active', 'delayed')
      if (counts.waiting + counts.active + counts.delayed === 0) break
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    t.equal((await emails()).length, 1, 'no second email')
  })
}

t.test('a resume too slow to read gets one more try, not every attempt, and HR then gets it unread', async (t) => {
  const { config, dataDir } = await testConfig({ JOB_ATTEMPTS: '8', JOB_BACKOFF_MS: '20' })
  const api = await startHireflow({ role: 'api', config, dataDir })
  t.teardown(() => api.stop())
  const services = await createServices(config)
  t.teardown(() => services.close())
  let extractions = 0
  const extractor = {
    async extract(): Promise<string> {
      extractions++
      throw new UnreadableResumeError('the PDF took longer than 25 s to read', { problem: 'too_slow' })
    },
  }
  const connection = workerConnection(config.redisUrl)
  const queues = new HiringQueues(connection, config.queuePrefix, { attempts: config.jobAttempts, backoffMs: config.jobBackoffMs })
  const workers = new HiringWorkers(
    { config, services, queues, log: silent, extractor, sources: new Map(), ...quietMonitoring() },
    connection,
  )
  t.teardown(async () => {
    await workers.close()
    await queues.close()
    connection.disconnect()
  })
  const response = await injectUpload(api.app!, { filename: 'slow.txt', content: Buffer.from('Slow Sam\nTypeScript developer\n') })
  const id = response.json().id as string
  t.equal(await statusReached(services.candidates, id, 'failed'), 'failed')
  const candidate = await services.candidates.getCandidate(id)
  t.match(candidate?.failure, { reason: 'unreadable_resume', step: 'parse' })
  t.equal(extractions, 2, 'the first attempt and one retry')
})
