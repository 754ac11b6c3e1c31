// `hireflow integrations`: the table GET /integrations answers, from the
// same state; exit 3 when an integration is unhealthy, 2 on bad arguments.
import t from 'tap'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { AUTH, startHireflow } from './support/harness.ts'
import { integrationsCommand, UNHEALTHY_EXIT_CODE } from '../src/cli-integrations.ts'
import type { Config } from '../src/config.ts'

const run = promisify(execFile)
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url))

async function call(config: Config, ...args: string[]) {
  const out: string[] = []
  const err: string[] = []
  const code = await integrationsCommand(
    config,
    args,
    (text) => void out.push(text),
    (text) => void err.push(text),
  )
  return { code, out: out.join('\n'), err: err.join('\n') }
}

t.test('the table, the same state as the REST route, and exit 3 once something is unhealthy', async (t) => {
  // Templates from a folder that is not there: the command builds its own stores, so a folder it would create
  // (the resume folder) cannot stand for a broken integration.
  const hireflow = await startHireflow({ role: 'api', env: { TEMPLATE_DIR: '/nonexistent/hireflow-templates' } })
  t.teardown(() => hireflow.stop())

  const first = await call(hireflow.config)
  t.equal(first.code, 0, first.err)
  const lines = first.out.split('\n')
  t.match(lines[0], /^INTEGRATION\s+STATUS\s+ADAPTER\s+SINCE\s+LATENCY\s+LAST ERROR$/)
  t.match(first.out, /^TaskManager\s+disabled\s+-/m)
  t.match(first.out, /^CandidateStore\s+healthy\s+sqlite\s+\d{4}-\d\d-\d\dT/m)
  t.match(first.out, /^Queue\s+healthy\s+redis/m)
  t.match(first.out, /^ {2}waiting=\d+ active=\d+ delayed=\d+ failed=\d+ oldestWaitingSeconds=\d+$/m, 'facts under their row')

  // The CLI probed what was never probed; the API reads the same state.
  const api = (await hireflow.app!.inject({ method: 'GET', url: '/integrations/CandidateStore', headers: AUTH })).json()
  t.equal(api.history.length, 1, 'the API sees the probe the command made')

  t.match(
    first.out,
    /^Templates\s+healthy\s+bundled\s+\S+\s+\d+ ms\s+ENOENT/m,
    'one failed probe is not yet unhealthy, but shows its error',
  )
  const down = await call(hireflow.config, '--probe')
  t.equal(down.code, UNHEALTHY_EXIT_CODE)
  t.match(down.out, /^Templates\s+unhealthy\s+bundled\s+\S+\s+\d+ ms\s+ENOENT/m)

  const json = await call(hireflow.config, '--json')
  t.equal(json.code, UNHEALTHY_EXIT_CODE)
  const parsed = JSON.parse(json.out)
  t.match(
    parsed.integrations.find((entry: { name: string }) => entry.name === 'Templates'),
    { status: 'unhealthy', adapter: 'bundled', consecutiveFailures: 2 },
  )
  const viaApi = (await hireflow.app!.inject({ method: 'GET', url: '/integrations', headers: AUTH })).json()
  t.same(viaApi, parsed, 'the same answer as GET /integrations')

  const usage = await call(hireflow.config, 'now')
  t.equal(usage.code, 2)
  t.equal(usage.err, 'usage: hireflow integrations [--probe] [--json] (unexpected "now")')
  t.equal((await call(hireflow.config, '--verbose')).code, 2)

  // Through the binary, as a script would run it.
  const env = {
    ...process.env,
    DATA_DIR: hireflow.dataDir,
    REDIS_URL: hireflow.config.redisUrl,
    QUEUE_PREFIX: hireflow.config.queuePrefix,
    TEMPLATE_DIR: '/nonexistent/hireflow-templates',
  }
  const failed = await run(process.execPath, [cli, 'integrations'], { env, timeout: 30_000 }).then(
    () => undefined,
    (error: { code: number; stdout: string }) => error,
  )
  t.equal(failed?.code, UNHEALTHY_EXIT_CODE, 'the binary exits 3 too')
  t.match(failed?.stdout, /^Templates\s+unhealthy/m)
})

t.test('Redis down: one line, exit 1', async (t) => {
  const { stdout, ...rest } = await run(process.execPath, [cli, 'integrations'], {
    env: { ...process.env, REDIS_URL: 'redis://127.0.0.1:1', DATA_DIR: '/tmp/hireflow-cli-integrations' },
    timeout: 30_000,
  }).then(
    () => ({ stdout: '', code: 0, stderr: '' }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  )
  t.equal(rest.code, 1)
  t.equal(stdout, '')
  t.match(rest.stderr, /^hireflow: Redis at REDIS_URL=redis:\/\/127\.0\.0\.1:1.* did not answer/)
  t.equal(rest.stderr.trim().split('\n').length, 1)
})
