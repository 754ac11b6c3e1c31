// Operations from the command line: retrying a failed candidate, the work of
// failed jobs, one reconciliation now, a resumable backfill. The command
// functions run in-process against a real hireflow (Redis, embedded stores,
// the fake ClickUp); the binary is run for its exit codes and one-line errors.
import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { dropPrefix, injectUpload, startHireflow, testConfig, TEST_REDIS_URL, until, type TestHireflow } from './support/harness.ts'
import { startFakeClickUp } from './support/fake-clickup.ts'
import { json, serve } from './support/recording-server.ts'
import { makeCorruptPdf, resumePair, sampleResumeLines } from './support/resumes.ts'
import { candidatesCommand } from '../src/cli-candidates.ts'
import { jobsCommand } from '../src/cli-jobs.ts'
import { backfillCommand, reconcileCommand } from '../src/cli-sources.ts'
import { Progress, type ProgressOutput } from '../src/cli-progress.ts'
import { parseSince } from '../src/sources/backfill.ts'
import { sourceItemId } from '../jobs/sources.ts'
import { createServices } from '../src/services.ts'
import type { Config } from '../src/config.ts'

const execute = promisify(execFile)
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url))

type Command = (
  config: Config,
  args: string[],
  out: (text: string) => void,
  err: (text: string) => void,
  progress: ProgressOutput,
) => Promise<number>

/** Runs a command function in-process, collecting what it prints (progress goes to a non-terminal that keeps nothing). */
async function call(command: Command, config: Config, ...args: string[]) {
  const out: string[] = []
  const err: string[] = []
  const quiet = { write: () => true, isTTY: false }
  const code = await command(
    config,
    args,
    (text) => out.push(text),
    (text) => err.push(text),
    quiet,
  )
  return { code, out: out.join('\n'), err }
}

/** Runs the real binary; resolves with its exit code and output whatever the code. */
async function binary(args: string[], env: NodeJS.ProcessEnv) {
  return execute(process.execPath, [cli, ...args], { env: { ...process.env, LOG_LEVEL: 'silent', ...env }, timeout: 30_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  )
}

const binaryEnv = (hireflow: TestHireflow): NodeJS.ProcessEnv => ({
  DATA_DIR: hireflow.dataDir,
  REDIS_URL: TEST_REDIS_URL,
  QUEUE_PREFIX: hireflow.config.queuePrefix,
})

/** The outbox folder turned into a file: every HR email fails until `mend()`. */
async function breakOutbox(hireflow: TestHireflow) {
  const dir = hireflow.config.outboxDir
  await rm(dir, { recursive: true, force: true })
  await writeFile(dir, 'not a folder')
  return {
    async mend() {
      await rm(dir, { force: true })
      await mkdir(dir, { recursive: true, mode: 0o700 })
    },
    emails: async () => (await readdir(dir)).filter((name) => name.endsWith('.eml')),
  }
}

async function upload(hireflow: TestHireflow, name: string, content: Buffer = Buffer.from(sampleResumeLines(name).join('\n'))) {
  const filename = content.subarray(0, 4).toString() === '%PDF' ? `${name}.pdf` : `${name}.txt`
  const response = await injectUpload(hireflow.app!, { filename, content })
  if (response.statusCode !== 202) throw new Error(`upload answered ${response.statusCode}: ${response.body}`)
  return (response.json() as { id: string }).id
}

t.test('candidates retry: a candidate whose HR email failed is run again from notify and reaches notified', async (t) => {
  const hireflow = await startHireflow({ env: { JOB_ATTEMPTS: '1' } })
  t.teardown(() => hireflow.stop())
  const outbox = await breakOutbox(hireflow)
  const id = await upload(hireflow, 'Retta Retry')
  const failed = await hireflow.waitFor(id, 'failed')
  t.match(failed.failure, { reason: 'notify_failed', step: 'notify' })

  const unknown = await call(candidatesCommand, hireflow.config, 'retry', 'no-such-candidate')
  t.equal(unknown.code, 1)
  t.same(unknown.err, ['candidate no-such-candidate not found'])

  await outbox.mend()
  const retried = await call(candidatesCommand, hireflow.config, 'retry', id)
  t.equal(retried.code, 0, retried.err.join('\n'))
  t.equal(retried.out, `retried candidate ${id}: failed (notify_failed) -> decided; its notify job is queued`)
  const notified = await hireflow.waitFor(id, 'notified')
  t.equal(notified.failure, null, 'the failure is cleared')
  t.match(
    notified.history.find((transition) => transition.by === 'cli'),
    { from: 'failed', to: 'decided', why: 'retried by an operator' },
  )
  t.equal((await outbox.emails()).length, 1, 'HR emailed once')

  const again = await call(candidatesCommand, hireflow.config, 'retry', id)
  t.equal(again.code, 1)
  t.same(again.err, [`candidate ${id} is notified, not failed: only a failed candidate is retried`])
})

t.test('candidates retry: an unreadable resume is read again only with --force', async (t) => {
  const hireflow = await startHireflow({ env: { JOB_ATTEMPTS: '1' } })
  t.teardown(() => hireflow.stop())
  const id = await upload(hireflow, 'Una Unreadable', makeCorruptPdf())
  const unreadable = await until('the unreadable-resume email', async () => {
    const candidate = await hireflow.services.candidates.getCandidate(id)
    return candidate?.notification ? candidate : undefined
  })
  t.match(unreadable, { status: 'failed', failure: { reason: 'unreadable_resume', step: 'parse' } })

  const refused = await call(candidatesCommand, hireflow.config, 'retry', id)
  t.equal(refused.code, 1)
  t.equal(refused.err.length, 1)
  t.match(refused.err[0], /failed at parse: unreadable_resume .* HR was emailed it; use --force to read it again/)

  const forced = await call(candidatesCommand, hireflow.config, 'retry', id, '--force')
  t.equal(forced.code, 0, forced.err.join('\n'))
  t.match(forced.out, /failed \(unreadable_resume\) -> stored; its process job is queued/)
  // Read again, unreadable again: HR hears of it again, since the retry started over.
  const reread = await until('the second unreadable-resume email', async () => {
    const candidate = await hireflow.services.candidates.getCandidate(id)
    return candidate?.notification && candidate.notification.sentAt !== unreadable.notification!.sentAt ? candidate : undefined
  })
  t.equal(reread.status, 'failed')
  t.equal(reread.history.filter((transition) => transition.from === 'failed' && transition.to === 'stored').length, 1)

  const usage = await call(candidatesCommand, hireflow.config, 'retry')
  t.equal(usage.code, 2)
  t.same(usage.err, ['usage: hireflow candidates retry <id> [--force] (the candidate id is missing)'])
})

t.test('jobs retry-failed (the binary): the work of failed jobs is queued again and failed candidates reopened', async (t) => {
  const hireflow = await startHireflow({ env: { JOB_ATTEMPTS: '1' } })
  t.teardown(() => hireflow.stop())
  const outbox = await breakOutbox(hireflow)
  const ids = [await upload(hireflow, 'Fay Failed'), await upload(hireflow, 'Gus Failed')]
  for (const id of ids) await hireflow.waitFor(id, 'failed')
  // A job about a candidate that does not exist fails for good, and no retry can help it.
  await hireflow.queues.enqueueNotify('ghost-candidate', 'decision')
  await until('three failed notify jobs', async () => ((await hireflow.queues.notify.getFailedCount()) === 3 ? true : undefined))

  // A job retried in place would find its candidate `failed` and do nothing: the output says what was done instead.
  await outbox.mend()
  const env = binaryEnv(hireflow)
  const retried = await binary(['jobs', 'retry-failed'], env)
  t.equal(retried.code, 0, retried.stderr)
  t.equal(
    retried.stdout,
    [
      'intake: no failed jobs',
      'process: no failed jobs',
      'notify: 3 failed jobs: 2 re-queued (2 candidates reopened), 1 left failed',
      '  left failed, the candidate no longer exists: ghost-candidate',
      'sources: no failed jobs',
      '',
    ].join('\n'),
  )
  for (const id of ids) await hireflow.waitFor(id, 'notified')
  t.equal((await outbox.emails()).length, 2, 'one email per candidate')
  t.equal(await hireflow.queues.notify.getFailedCount(), 1, 'the re-queued jobs left the failed set')

  const again = await binary(['jobs', 'retry-failed', '--queue', 'notify'], env)
  t.equal(again.code, 0)
  t.equal(
    again.stdout,
    'notify: 1 failed job: 0 re-queued, 1 left failed\n  left failed, the candidate no longer exists: ghost-candidate\n',
  )

  const usage = await binary(['jobs', 'retry-failed', '--queue', 'everything'], env)
  t.equal(usage.code, 2)
  t.equal(usage.stderr, 'hireflow: usage: hireflow jobs retry-failed [--queue intake|process|notify|sources] (no queue "everything")\n')
})

t.test('reconcile: one reconciliation now finds a task created at the provider, and its candidates appear', async (t) => {
  const fake = await startFakeClickUp()
  t.teardown(() => fake.close())
  const hireflow = await startHireflow({ role: 'worker', env: { ...fake.env, POLL_INTERVAL_SECONDS: '3600' } })
  t.teardown(() => hireflow.stop())
  // The schedule's first reconciliation runs at start; the next is an hour away.
  await until('the scheduled reconciliation', async () => (await hireflow.services.candidates.getSourceState('clickup'))?.reconciledAt)
  const task = await fake.addTask({ title: 'Rhea Reconcile', labels: ['candidate'], attachments: await resumePair('Rhea Reconcile') })

  const reconciled = await call(reconcileCommand, hireflow.config, '--source', 'clickup')
  t.equal(reconciled.code, 0, reconciled.err.join('\n'))
  t.equal(reconciled.out, 'reconciled clickup: 1 item seen, 1 queued for a look, 2 candidates (2 new)')
  const candidates = await hireflow.services.candidates.findBySourceItem('task-manager', sourceItemId('clickup', task.id))
  t.equal(candidates.length, 2, 'the task’s two resumes are candidates')

  const unknown = await call(reconcileCommand, hireflow.config, '--source', 'asana')
  t.equal(unknown.code, 1)
  t.same(unknown.err, ['no source "asana" is configured (configured: clickup)'])
  const usage = await call(reconcileCommand, hireflow.config, '--source', 'clickup', '--wait', 'forever')
  t.equal(usage.code, 2)
  t.match(usage.err, [/^usage: hireflow reconcile --source <provider> \[--wait <seconds>\] \(--wait forever is not/])
})

t.test('backfill: queues every item changed since, resumes after an interruption from the stored page, says when it is done', async (t) => {
  const fake = await startFakeClickUp({ pageSize: 2 })
  t.teardown(() => fake.close())
  const origin = new URL(fake.apiUrl).origin
  let refusePageOne = true
  // A stand-in in front of the fake that records each listing's query and refuses page 1 while asked to.
  const proxy = await serve(t, async (request, response, seen) => {
    const url = new URL(seen.url, origin)
    if (refusePageOne && url.pathname.endsWith('/task') && url.searchParams.get('page') === '1') {
      return json(response, 400, { err: 'Page refused for the test', ECODE: 'TEST_400' })
    }
    const answer = await fetch(`${origin}${seen.url}`, {
      method: seen.method,
      headers: { authorization: request.headers.authorization ?? '' },
    })
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' })
    response.end(Buffer.from(await answer.arrayBuffer()))
  })
  const listings = () => proxy.seen.filter((seen) => seen.url.includes('/task?')).map((seen) => new URL(seen.url, origin).searchParams)
  const { config, dataDir } = await testConfig({
    ...fake.env,
    TASK_MANAGER_BASE_URL: `${proxy.url}/api/v2`,
    TASK_FILTER_LABELS: 'candidate',
  })
  const redis = new Redis(TEST_REDIS_URL)
  const sources = new Queue('sources', { connection: redis, prefix: config.queuePrefix })
  const services = await createServices(config)
  t.teardown(async () => {
    await sources.close()
    redis.disconnect()
    await services.close()
    await dropPrefix(config.queuePrefix)
    await rm(dataDir, { recursive: true, force: true })
  })
  const tasks = []
  for (let i = 0; i < 5; i++) tasks.push(await fake.addTask({ title: `Backfilled ${i}`, labels: ['candidate'] }))
  const queuedItems = async () =>
    new Set((await sources.getJobs(['wait'])).filter((job) => job?.data.kind === 'item').map((job) => job.data.itemId as string))

  const interrupted = await call(backfillCommand, config, '--source', 'clickup', '--since', '7d')
  t.equal(interrupted.code, 1)
  t.equal(interrupted.err.length, 1, 'one line')
  t.match(interrupted.err[0], /400.*; the pages completed are kept: run the same command again to continue$/)
  t.same(
    listings().map((query) => query.get('page')),
    ['0', '1'],
    'page 0 listed, page 1 refused',
  )
  t.equal((await queuedItems()).size, 2, 'the items of page 0 are queued')
  const since = listings()[0]!.get('date_updated_gt')

  refusePageOne = false
  const before = listings().length
  const resumed = await call(backfillCommand, config, '--source', 'clickup', '--since', '7d')
  t.equal(resumed.code, 0, resumed.err.join('\n'))
  t.match(resumed.out, /^backfilled clickup since \S+: 6 pages, 5 items queued for a look \(resumed after page 1\); finished$/)
  const second = listings().slice(before)
  t.equal(second[0]!.get('page'), '1', 'the second run starts at page 1: page 0 is not listed again')
  t.equal(second[0]!.get('date_updated_gt'), since, 'from the time the first run began from')
  t.same(await queuedItems(), new Set(tasks.map((task) => task.id)), 'a look at every task is queued')
  t.equal(await services.candidates.getSourceState('clickup'), undefined, 'the reconciliation cursor is untouched')

  const done = await call(backfillCommand, config, '--source', 'clickup', '--since', '7d')
  t.equal(done.code, 0)
  t.match(done.out, /^the backfill of clickup since \S+ finished at \S+: 6 pages, 5 items queued for a look \(--restart runs it again\)$/)
  t.equal(listings().length, before + second.length, 'nothing listed again')

  const restarted = await call(backfillCommand, config, '--source', 'clickup', '--since', '7d', '--restart')
  t.equal(restarted.code, 0)
  t.equal(listings()[before + second.length]!.get('page'), '0', '--restart lists from the first page')

  const badSince = await call(backfillCommand, config, '--source', 'clickup', '--since', 'last week')
  t.equal(badSince.code, 2)
  t.same(badSince.err, [
    'usage: hireflow backfill --source <provider> --since <7d|48h|2026-11-01> [--restart] (--since "last week" is neither a duration like 7d or 48h nor a date like 2026-11-01)',
  ])
})

t.test('--since: durations back from now, dates at midnight UTC, times with their zone; nothing else', async (t) => {
  const now = new Date('2026-11-08T12:00:00Z')
  t.same(parseSince('7d', now), { since: new Date('2026-11-01T12:00:00Z'), key: '7d' })
  t.same(parseSince('48h', now), { since: new Date('2026-11-06T12:00:00Z'), key: '48h' })
  t.same(parseSince('2026-11-01', now), { since: new Date('2026-11-01T00:00:00Z'), key: '2026-11-01T00:00:00.000Z' })
  t.same(parseSince('2026-11-01T09:30:00+02:00', now), { since: new Date('2026-11-01T07:30:00Z'), key: '2026-11-01T07:30:00.000Z' })
  for (const bad of ['0d', '7', '7w', '2026-02-30', '2026-11-01T09:30', '2026-12-01', 'yesterday', '']) {
    t.ok('problem' in parseSince(bad, now), `${JSON.stringify(bad)} is refused`)
  }
})

t.test('progress: a bar redrawn in place on a terminal, a plain line now and then otherwise', async (t) => {
  let now = 0
  const clock = () => now
  const terminal: string[] = []
  const bar = new Progress({ write: (text: string) => terminal.push(text), isTTY: true, columns: 80 }, { clock })
  bar.update('looked at', 3, 12)
  now += 50
  bar.update('looked at', 4, 12)
  now += 100
  bar.update('looked at', 12, 12)
  bar.end()
  t.same(terminal, ['\rlooked at [######------------------] 3/12\x1b[K', '\rlooked at [########################] 12/12\x1b[K', '\r\x1b[K'])

  const log: string[] = []
  const plain = new Progress({ write: (text: string) => log.push(text), isTTY: false }, { clock, plainEveryMs: 1_000 })
  plain.update('items listed', 10)
  now += 1_000
  plain.update('items listed', 20)
  now += 10
  plain.update('items listed', 30)
  plain.end()
  t.same(log, ['items listed: 20\n'], 'no carriage returns, and nothing in the first interval')
})

t.test('usage is exit 2; Redis down is exit 1 with one line, through the binary and in-process alike', async (t) => {
  const usage = await binary(['backfill', '--source', 'clickup'], { REDIS_URL: TEST_REDIS_URL })
  t.equal(usage.code, 2)
  t.equal(
    usage.stderr,
    'hireflow: usage: hireflow backfill --source <provider> --since <7d|48h|2026-11-01> [--restart] (--since is missing)\n',
  )

  const down = await binary(['candidates', 'retry', 'some-id'], {
    REDIS_URL: 'redis://127.0.0.1:1',
    DATA_DIR: '/tmp/hireflow-cli-ops-test',
  })
  t.equal(down.code, 1)
  t.match(down.stderr, /^hireflow: Redis at REDIS_URL=redis:\/\/127\.0\.0\.1:1 did not answer .*; start Redis or set REDIS_URL\n$/)
  t.equal(down.stdout, '')

  const { config, dataDir } = await testConfig({ REDIS_URL: 'redis://127.0.0.1:1' })
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  for (const [command, args] of [
    [jobsCommand, ['retry-failed']],
    [reconcileCommand, ['--source', 'clickup']],
    [backfillCommand, ['--source', 'clickup', '--since', '7d']],
  ] as const) {
    const result = await call(command, config, ...args)
    t.equal(result.code, 1, args.join(' '))
    t.match(result.err, [/^Redis at REDIS_URL=redis:\/\/127\.0\.0\.1:1 did not answer .*; start Redis or set REDIS_URL$/])
    t.equal(result.out, '')
  }
})
