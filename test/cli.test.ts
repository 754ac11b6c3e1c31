import t from 'tap'
import { execFile, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from './support/harness.ts'
import { startFakeClickUp } from './support/fake-clickup.ts'

const run = promisify(execFile)
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url))

t.test('without Redis it says so in one line naming REDIS_URL and exits non-zero', async (t) => {
  const error = await run(process.execPath, [cli], {
    env: { ...process.env, REDIS_URL: 'redis://127.0.0.1:1', DATA_DIR: '/tmp/hireflow-cli-test' },
    timeout: 20_000,
  }).then(
    () => undefined,
    (e: { code: number; stderr: string }) => e,
  )
  t.ok(error, 'it exits with an error')
  t.not(error?.code, 0)
  t.match(error?.stderr, /^hireflow: Redis at REDIS_URL=redis:\/\/127\.0\.0\.1:1.* did not answer/)
  t.equal(error?.stderr.trim().split('\n').length, 1, 'one line')
})

t.test('a bad configuration is reported with the variable', async (t) => {
  const error = await run(process.execPath, [cli], { env: { ...process.env, PORT: 'x' }, timeout: 20_000 }).then(
    () => undefined,
    (e: { code: number; stderr: string }) => e,
  )
  t.not(error?.code, 0)
  t.match(error?.stderr, /PORT must be a whole number/)
})

t.test('without API_KEYS it listens on loopback only and says so', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'hireflow-cli-'))
  const prefix = uniquePrefix()
  t.teardown(async () => {
    await dropPrefix(prefix)
    await rm(dataDir, { recursive: true, force: true })
  })
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: '0.0.0.0',
    PORT: '0',
    DATA_DIR: dataDir,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
  }
  delete env.API_KEYS
  const child = spawn(process.execPath, [cli], { env, stdio: ['ignore', 'pipe', 'inherit'] })
  let output = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start line in: ${output}`)), 20_000)
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('hireflow started')) {
        clearTimeout(timer)
        resolve()
      }
    })
  })
  const exited = new Promise((resolve) => child.on('exit', resolve))
  child.kill('SIGTERM')
  t.equal(await exited, 0)
  t.match(output, /no API_KEYS configured: listening on loopback only \(127\.0\.0\.1\)/)
  t.match(output, /Server listening at http:\/\/127\.0\.0\.1:\d+/)
})

t.test('hireflow webhooks register|list|delete: the task manager webhook from a shell, with exit codes a script can rely on', async (t) => {
  const fake = await startFakeClickUp()
  const dataDir = await mkdtemp(join(tmpdir(), 'hireflow-cli-'))
  t.teardown(async () => {
    await fake.close()
    await rm(dataDir, { recursive: true, force: true })
  })
  const env = { ...process.env, ...fake.env, DATA_DIR: dataDir, PUBLIC_URL: 'https://hireflow.example.com' }
  const webhooks = (action: string, extra: NodeJS.ProcessEnv = {}) =>
    run(process.execPath, [cli, 'webhooks', action], { env: { ...env, ...extra }, timeout: 20_000 }).then(
      ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    )

  const registered = await webhooks('register')
  t.equal(registered.code, 0, registered.stderr)
  t.match(registered.stdout, /^registered \S+\thttps:\/\/hireflow\.example\.com\/webhooks\/clickup\t/)
  t.same(
    fake.webhooks().map((webhook) => webhook.callbackUrl),
    ['https://hireflow.example.com/webhooks/clickup'],
  )
  t.equal((await webhooks('register')).code, 0, 'registering again is fine')
  t.equal(fake.webhooks().length, 1, 'and changes nothing')

  const listed = await webhooks('list')
  t.equal(listed.code, 0)
  t.match(listed.stdout, /webhooks\/clickup\t\S+\tstored, at provider/)

  const deleted = await webhooks('delete')
  t.equal(deleted.code, 0)
  t.match(deleted.stdout, /^deleted /)
  t.same(fake.webhooks(), [])

  const usage = await webhooks('frobnicate')
  t.equal(usage.code, 2)
  t.match(usage.stderr, /^hireflow: usage: hireflow webhooks register\|list\|delete\n$/)

  const noPublicUrl = await webhooks('register', { PUBLIC_URL: '' })
  t.equal(noPublicUrl.code, 1)
  t.match(noPublicUrl.stderr, /^hireflow: PUBLIC_URL is not set/)
  t.equal(noPublicUrl.stderr.trim().split('\n').length, 1, 'one line')

  const noTaskManager = await webhooks('list', { TASK_MANAGER: '' })
  t.equal(noTaskManager.code, 1)
  t.match(noTaskManager.stderr, /no task manager is configured \(set TASK_MANAGER\)/)
})
