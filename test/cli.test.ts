import t from 'tap'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'

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
