// End to end through a task manager: hireflow runs for real (HTTP API,
// workers, Redis, the embedded stores) against a provider's fake server, and
// every path the issue names is driven through the public routes and queues.
// Each provider's test file calls this with its fake.
import type tap from 'tap'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import type { Candidate } from '../../src/domain/candidate.ts'
import { sourceItemId } from '../../jobs/sources.ts'
import type { FakeProvider } from './fake-provider.ts'
import { AUTH, freePort, startHireflow, TEST_REDIS_URL, until, type TestHireflow } from './harness.ts'
import { resumePair } from './resumes.ts'

type Tap = Parameters<Parameters<typeof tap.test>[0]>[0]

/**
 * hireflow pointed at a stand-in (`fakeEnv`), listening on a free port that is
 * also its PUBLIC_URL, reconciling only when a test asks; stopped at teardown.
 */
export async function startAgainst(
  t: Tap,
  fakeEnv: Record<string, string>,
  env: Record<string, string> = {},
  role?: 'all' | 'api' | 'worker',
): Promise<TestHireflow> {
  const port = await freePort()
  const hireflow = await startHireflow({
    role,
    env: {
      ...fakeEnv,
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      // Reconciliation is triggered by the tests; the schedule stays out of the way.
      POLL_INTERVAL_SECONDS: '3600',
      ...env,
    },
  })
  t.teardown(() => hireflow.stop())
  return hireflow
}

/**
 * Redis loses its data between an arrival and its processing: every job and hint
 * `api` queued is gone. A worker then starts on the same stores and one
 * reconciliation of `provider` is queued: it alone must finish the work, once.
 */
export async function flushQueuesThenReconcile(t: Tap, api: TestHireflow, provider: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL)
  const keys = await redis.keys(`${api.config.queuePrefix}:*`)
  if (keys.length > 0) await redis.del(...keys)
  redis.disconnect()
  const worker = await startHireflow({ role: 'worker', config: api.config, dataDir: api.dataDir })
  t.teardown(() => worker.stop())
  await worker.queues.enqueueReconcile(provider)
}

const startWithFake = (t: Tap, fake: FakeProvider, env: Record<string, string> = {}, role?: 'all' | 'api' | 'worker') =>
  startAgainst(t, fake.env, env, role)

/** The candidates taken in from one task, once there are `count` of them in one of `statuses`. */
async function candidatesOf(hireflow: TestHireflow, fake: FakeProvider, taskId: string, count: number, statuses: Candidate['status'][]) {
  // What the last look found, so a timeout says where the candidates stopped.
  let seen = 'none'
  try {
    return await until(`${count} candidates of task ${taskId} in ${statuses.join('|')}`, async () => {
      const found = await hireflow.services.candidates.findBySourceItem('task-manager', sourceItemId(fake.provider, taskId))
      seen =
        found.map((candidate) => `${candidate.status}${candidate.failure ? ` (${candidate.failure.reason})` : ''}`).join(', ') || 'none'
      return found.length === count && found.every((candidate) => statuses.includes(candidate.status)) ? found : undefined
    })
  } catch (error) {
    const counts = await hireflow.queues.process.getJobCounts().catch(() => ({}))
    throw new Error(`${(error as Error).message}; last seen: ${seen}; process queue: ${JSON.stringify(counts)}`, { cause: error })
  }
}

async function outbox(hireflow: TestHireflow): Promise<string[]> {
  const names = (await readdir(hireflow.config.outboxDir).catch(() => [])).filter((name) => name.endsWith('.eml'))
  return Promise.all(names.map((name) => readFile(join(hireflow.config.outboxDir, name), 'utf8')))
}

async function resumeTask(fake: FakeProvider, name: string) {
  return fake.addTask({
    title: `${name} – Backend Engineer`,
    labels: ['candidate'],
    creator: 'Alex Recruiter',
    attachments: await resumePair(name),
  })
}

export function sourceEndToEnd(t: Tap, startFake: (t: Tap) => Promise<FakeProvider>): void {
  t.test('webhook: a task with a PDF and a DOCX gives two candidates, HR emailed, the task tagged and commented', async (t) => {
    const fake = await startFake(t)
    const hireflow = await startWithFake(t, fake)
    const registered = await hireflow.app!.inject({ method: 'POST', url: '/integrations/task-manager/webhooks', headers: AUTH })
    t.equal(registered.statusCode, 201, registered.body)
    t.equal(fake.webhooks().length, 1, 'one webhook at the provider')
    const again = await hireflow.app!.inject({ method: 'POST', url: '/integrations/task-manager/webhooks', headers: AUTH })
    t.equal(again.statusCode, 201)
    t.equal(fake.webhooks().length, 1, 'registering twice changes nothing')

    const task = await resumeTask(fake, 'Wendy Webhook')
    t.same(await fake.deliver(task.id), [202])
    const candidates = await candidatesOf(hireflow, fake, task.id, 2, ['acknowledged'])
    t.same(candidates.map((c) => c.resume.mediaType).sort(), [
      'application/pdf',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    ])
    for (const candidate of candidates)
      t.match(candidate.origin, { provider: fake.provider, itemId: task.id, title: 'Wendy Webhook – Backend Engineer' })
    const view = fake.task(task.id)
    t.ok(view.labels.includes('hireflow-processed'), 'tagged processed')
    t.equal(
      view.comments.filter((comment) => /recommendation: (advance|review|reject)/.test(comment)).length,
      2,
      'one outcome comment per candidate',
    )
    const mails = await outbox(hireflow)
    t.equal(mails.length, 2, 'HR emailed once per resume')
    for (const mail of mails) t.match(mail, /Source: /, 'the email names the task')
  })

  t.test('webhooks off: reconciliation alone finds the task', async (t) => {
    const fake = await startFake(t)
    const hireflow = await startWithFake(t, fake)
    const task = await resumeTask(fake, 'Rita Reconcile')
    await hireflow.queues.enqueueReconcile(fake.provider)
    await candidatesOf(hireflow, fake, task.id, 2, ['acknowledged'])
    t.equal((await outbox(hireflow)).length, 2)
    const state = await hireflow.services.candidates.getSourceState(fake.provider)
    t.ok(state?.cursor, 'the cursor is stored in the candidate store')
  })

  t.test('ten duplicate deliveries: one candidate per resume and one email each', async (t) => {
    const fake = await startFake(t)
    const hireflow = await startWithFake(t, fake)
    await hireflow.app!.inject({ method: 'POST', url: '/integrations/task-manager/webhooks', headers: AUTH })
    const task = await resumeTask(fake, 'Dan Duplicate')
    const statuses = (await Promise.all(Array.from({ length: 10 }, () => fake.deliver(task.id)))).flat()
    t.ok(
      statuses.every((status) => status === 202),
      'every delivery answered 202',
    )
    await candidatesOf(hireflow, fake, task.id, 2, ['acknowledged'])
    await new Promise((resolve) => setTimeout(resolve, 500))
    t.equal((await outbox(hireflow)).length, 2)
    t.equal((await hireflow.services.candidates.findBySourceItem('task-manager', sourceItemId(fake.provider, task.id))).length, 2)
  })

  t.test('forged and tampered deliveries are 401 and take nothing in', async (t) => {
    const fake = await startFake(t)
    const hireflow = await startWithFake(t, fake)
    await hireflow.app!.inject({ method: 'POST', url: '/integrations/task-manager/webhooks', headers: AUTH })
    const task = await resumeTask(fake, 'Fiona Forged')
    t.same(await fake.deliver(task.id, { tamper: true }), [401])
    t.same(await fake.deliver(task.id, { unsigned: true }), [401])
    await new Promise((resolve) => setTimeout(resolve, 500))
    t.same(await hireflow.services.candidates.findBySourceItem('task-manager', sourceItemId(fake.provider, task.id)), [])
  })

  t.test('Redis flushed between delivery and processing: the next reconciliation finishes it, once', async (t) => {
    const fake = await startFake(t)
    const api = await startWithFake(t, fake, {}, 'api')
    await api.app!.inject({ method: 'POST', url: '/integrations/task-manager/webhooks', headers: AUTH })
    const task = await resumeTask(fake, 'Fred Flushed')
    t.same(await fake.deliver(task.id), [202])
    // The queued look at the task is lost with Redis' data.
    await flushQueuesThenReconcile(t, api, fake.provider)
    await candidatesOf(api, fake, task.id, 2, ['acknowledged'])
    t.equal((await outbox(api)).length, 2)
  })

  t.test('an attachment URL at 169.254.169.254 is refused and recorded on a failed candidate', async (t) => {
    const fake = await startFake(t)
    const hireflow = await startWithFake(t, fake)
    const task = await fake.addTask({
      title: 'Mallory Metadata',
      labels: ['resume'],
      attachments: [{ filename: 'cv.pdf', bytes: Buffer.from('%PDF-1.4\n'), downloadUrl: 'http://169.254.169.254/latest/meta-data/' }],
    })
    await hireflow.queues.enqueueSourceItem(fake.provider, task.id)
    const [candidate] = await candidatesOf(hireflow, fake, task.id, 1, ['failed'])
    t.match(candidate!.failure, { reason: 'attachment_refused', step: 'intake' })
    const download = await hireflow.app!.inject({ method: 'GET', url: `/candidates/${candidate!.id}/resume`, headers: AUTH })
    t.equal(download.statusCode, 404)
    // The failed candidate is recorded before the task is commented on: wait for the comment rather than race it.
    await until('the task is told', async () =>
      fake.task(task.id).comments.some((comment) => /did not download cv\.pdf/.test(comment)) ? true : undefined,
    )
    t.pass('the task is told')
  })

  t.test('provider down: the item job backs off and catches up, nothing lost', async (t) => {
    const fake = await startFake(t)
    const hireflow = await startWithFake(t, fake, { JOB_ATTEMPTS: '8', JOB_BACKOFF_MS: '100' })
    const task = await resumeTask(fake, 'Olga Outage')
    fake.setDown(true)
    await hireflow.queues.enqueueSourceItem(fake.provider, task.id)
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    t.same(
      await hireflow.services.candidates.findBySourceItem('task-manager', sourceItemId(fake.provider, task.id)),
      [],
      'nothing while down',
    )
    fake.setDown(false)
    await candidatesOf(hireflow, fake, task.id, 2, ['acknowledged'])
    t.equal((await outbox(hireflow)).length, 2)
  })

  t.test('a task without a resume is marked processed and told so, once', async (t) => {
    const fake = await startFake(t)
    const hireflow = await startWithFake(t, fake)
    const task = await fake.addTask({ title: 'No file', labels: ['hiring'] })
    await hireflow.queues.enqueueSourceItem(fake.provider, task.id)
    await until('the processed mark', async () => (fake.task(task.id).labels.includes('hireflow-processed') ? true : undefined))
    await until('the comment', async () => (fake.task(task.id).comments.length > 0 ? true : undefined))
    await hireflow.queues.enqueueSourceItem(fake.provider, task.id)
    await new Promise((resolve) => setTimeout(resolve, 500))
    t.same(fake.task(task.id).comments.length, 1)
    t.match(fake.task(task.id).comments[0], /no resume/)
  })
}
