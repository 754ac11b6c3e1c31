// SIGTERM: the process stops taking work, finishes the job in flight and
// exits cleanly; the candidate is finished exactly once.
import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { rm } from 'node:fs/promises'
import { API_KEY, AUTH, dropPrefix, freePort, multipartBody, TEST_REDIS_URL, testConfig } from './support/harness.ts'
import { emulatorCredentials, startSes } from './support/emulators.ts'
import { startFlakyProxy } from './support/flaky-proxy.ts'
import { makePdfResume, sampleResumeLines } from './support/resumes.ts'
import { SqliteCandidateStore } from '../src/storage/sqlite-candidate-store.ts'

t.test('SIGTERM finishes the job in flight, then exits 0', async (t) => {
  const ses = await startSes()
  const proxy = await startFlakyProxy(ses.endpoint)
  t.teardown(async () => {
    await proxy.close()
    await ses.close()
  })
  const { config, dataDir } = await testConfig()
  t.teardown(async () => {
    await dropPrefix(config.queuePrefix)
    await rm(dataDir, { recursive: true, force: true })
  })
  const port = await freePort()
  const child = spawn(process.execPath, [fileURLToPath(new URL('../src/cli.ts', import.meta.url))], {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: config.queuePrefix,
      API_KEYS: API_KEY,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: process.env.TEST_CHILD_LOG_LEVEL ?? 'error',
      MAILER: 'ses',
      SES_ENDPOINT: proxy.endpoint,
      HR_EMAIL: 'hr@acme.test',
      SENDER_EMAIL: 'robot@acme.test',
      REPLY_TO_EMAIL: 'jobs@acme.test',
      AWS_ACCESS_KEY_ID: emulatorCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: emulatorCredentials.secretAccessKey,
      SHUTDOWN_GRACE_MS: '20000',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const exited = once(child, 'exit')
  const base = `http://127.0.0.1:${port}`
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`${base}/health`).then(
        () => true,
        () => false,
      )
    )
      break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }

  const held = proxy.holdNext()
  const body = multipartBody({}, { filename: 'term.pdf', content: await makePdfResume(sampleResumeLines('Terry Term')) })
  const response = await fetch(`${base}/candidates`, { method: 'POST', headers: { ...AUTH, ...body.headers }, body: body.payload })
  t.equal(response.status, 202)
  const { id } = (await response.json()) as { id: string }

  await held.arrived // the notify job is waiting on SES
  child.kill('SIGTERM')
  await new Promise((resolve) => setTimeout(resolve, 300))
  const during = await fetch(`${base}/health`).then(
    (r) => r.status,
    () => 'refused',
  )
  t.ok(during === 'refused' || during === 503, `no new work is taken while shutting down (${during})`)
  held.release()

  const [code] = await exited
  t.equal(code, 0, 'clean exit')
  const store = new SqliteCandidateStore(join(dataDir, 'hireflow.sqlite'))
  t.teardown(() => store.close())
  const candidate = await store.getCandidate(id)
  t.equal(candidate?.status, 'notified', 'the job in flight finished before exit')
  t.equal((await ses.emails()).filter((m) => m.subject.includes('Terry Term')).length, 1)
})
