// Faults in the middle of the pipeline: the mailer failing for a while, and a
// worker killed in the middle of a job. Each ends with exactly one email.
import t from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { startHireflow, testConfig, TEST_REDIS_URL, injectUpload } from './support/harness.ts'
import { emulatorCredentials, startSes } from './support/emulators.ts'
import { SES_UNAVAILABLE, startFlakyProxy } from './support/flaky-proxy.ts'
import { makePdfResume, sampleResumeLines } from './support/resumes.ts'
import { jobsOfCandidate } from './support/jobs.ts'

const ses = await startSes()
t.teardown(() => ses.close())

function sesEnv(endpoint: string): Record<string, string> {
  return {
    MAILER: 'ses',
    SES_ENDPOINT: endpoint,
    HR_EMAIL: 'hr@acme.test',
    SENDER_EMAIL: 'robot@acme.test',
    REPLY_TO_EMAIL: 'jobs@acme.test',
    // One attempt per SDK call, so the job's own retries are what is tested.
    AWS_MAX_ATTEMPTS: '1',
    AWS_ACCESS_KEY_ID: emulatorCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: emulatorCredentials.secretAccessKey,
  }
}

async function uploadResume(app: NonNullable<Awaited<ReturnType<typeof startHireflow>>['app']>, name: string) {
  const response = await injectUpload(app, { filename: `${name}.pdf`, content: await makePdfResume(sampleResumeLines(name)) })
  if (response.statusCode !== 202) throw new Error(response.body)
  return response.json().id as string
}

t.test('the mailer fails transiently: the notify job retries and the email goes out once', async (t) => {
  const proxy = await startFlakyProxy(ses.endpoint)
  t.teardown(() => proxy.close())
  process.env.AWS_ACCESS_KEY_ID = emulatorCredentials.accessKeyId
  process.env.AWS_SECRET_ACCESS_KEY = emulatorCredentials.secretAccessKey
  const hireflow = await startHireflow({ env: sesEnv(proxy.endpoint) })
  t.teardown(() => hireflow.stop())
  proxy.failNext(2, 503, SES_UNAVAILABLE)

  const id = await uploadResume(hireflow.app!, 'Transient Failure')
  const candidate = await hireflow.waitFor(id, 'notified')
  const sent = (await ses.emails()).filter((m) => m.subject.includes('Transient Failure'))
  t.equal(sent.length, 1, 'exactly one email')
  t.ok(proxy.seen >= 3, 'two failed sends, then the one that went out')
  t.equal(candidate.history.filter((h) => h.to === 'notified').length, 1)
  const jobs = await jobsOfCandidate(hireflow.queues.notify, id)
  t.same(
    jobs.map((job) => job.attemptsMade),
    [3],
    'one notify job, three attempts: two failed, the third sent it',
  )
})

t.test('a worker killed mid-job: the job is picked up again and finishes once', async (t) => {
  const proxy = await startFlakyProxy(ses.endpoint)
  t.teardown(() => proxy.close())
  const { config, dataDir } = await testConfig({ ...sesEnv(proxy.endpoint), JOB_LOCK_MS: '1500' })
  // The API in this process; the workers in child processes sharing its data folder and queues.
  const api = await startHireflow({ role: 'api', config, dataDir })
  t.teardown(() => api.stop())

  const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url))
  const env = {
    ...process.env,
    ...sesEnv(proxy.endpoint),
    DATA_DIR: dataDir,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: config.queuePrefix,
    JOB_LOCK_MS: '1500',
    JOB_BACKOFF_MS: '50',
    LOG_LEVEL: 'error',
    API_KEYS: 'unused-in-worker-role-000',
  }
  const worker = (): ChildProcess => spawn(process.execPath, [cli, 'worker'], { env, stdio: ['ignore', 'inherit', 'inherit'] })

  const first = worker()
  const held = proxy.hangNext()
  const id = await uploadResume(api.app!, 'Killed Worker')
  await held // the first worker is inside the notify job, waiting on SES
  first.kill('SIGKILL')
  await once(first, 'exit')

  const second = worker()
  t.teardown(async () => {
    second.kill('SIGTERM')
    await once(second, 'exit')
  })
  const candidate = await api.waitFor(id, 'notified', 30_000)
  const sent = (await ses.emails()).filter((m) => m.subject.includes('Killed Worker'))
  t.equal(sent.length, 1, 'exactly one email')
  t.equal(candidate.history.filter((h) => h.to === 'notified').length, 1)
})
