// The integration monitor: probes, the alert rules (ALERT_AFTER_FAILURES,
// recovery once, reminders), hanging and flapping probes, Redis away, the
// REST routes and the scheduled rounds; and the pipeline's own alerts.
import t from 'tap'
import { readdir, readFile, rm } from 'node:fs/promises'
import { once } from 'node:events'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import pino from 'pino'
import { IntegrationMonitor, type Probe, type Probes } from '../src/monitor/integration-monitor.ts'
import { PipelineWatch } from '../src/monitor/pipeline-watch.ts'
import { INTEGRATION_NAMES, type IntegrationName } from '../src/monitor/integration.ts'
import type { Alert } from '../src/ports/alerts.ts'
import type { Mailer, OutgoingMail } from '../src/ports/mailer.ts'
import { MailAlertChannel } from '../src/monitor/alerter.ts'
import type { MetricDatum, MetricsSink } from '../src/ports/metrics.ts'
import { HiringQueues } from '../jobs/queues.ts'
import { producerConnection } from '../src/redis.ts'
import { startFakeClickUp } from './support/fake-clickup.ts'
import { AUTH, dropPrefix, startHireflow, TEST_REDIS_URL, uniquePrefix, until } from './support/harness.ts'

const silent = pino({ level: 'silent' })

/** A fail-fast connection like the monitor's, once it is ready (before that it refuses every command). */
async function connected(): Promise<Redis> {
  const redis = producerConnection(TEST_REDIS_URL)
  if (redis.status !== 'ready') await once(redis, 'ready')
  return redis
}

class RecordingMetrics implements MetricsSink {
  readonly data: MetricDatum[] = []
  record(datum: MetricDatum): void {
    this.data.push(datum)
  }
  async flush(): Promise<void> {}
  stats() {
    return { sent: 0, dropped: 0, buffered: this.data.length }
  }
  async close(): Promise<void> {}
}

function recordingAlerter() {
  const raised: Alert[] = []
  return { raised, raise: async (alert: Alert) => void raised.push(alert) }
}

/** Every integration disabled but the ones given. */
function probes(given: Partial<Record<IntegrationName, Probe>>): Probes {
  const all = Object.fromEntries(INTEGRATION_NAMES.map((name) => [name, { adapter: null, advice: '' }])) as unknown as Probes
  return { ...all, ...given }
}

async function monitorWith(
  t: { teardown(fn: () => unknown): void },
  given: Partial<Record<IntegrationName, Probe>>,
  options: { redis?: Redis; timeoutMs?: number } = {},
) {
  const prefix = uniquePrefix()
  const redis = options.redis ?? (await connected())
  redis.on('error', () => {})
  const clock = { now: Date.parse('2026-11-29T10:00:00Z') }
  const alerter = recordingAlerter()
  const metrics = new RecordingMetrics()
  const monitor = new IntegrationMonitor({
    probes: probes(given),
    redis,
    prefix,
    alerter,
    metrics,
    log: silent,
    policy: { afterFailures: 2, repeatMinutes: 60 },
    timeoutMs: options.timeoutMs ?? 2_000,
    now: () => clock.now,
  })
  t.teardown(async () => {
    await dropPrefix(prefix)
    redis.disconnect()
  })
  return { monitor, alerter, metrics, clock, prefix }
}

/** A probe whose next answers the test decides: true succeeds, false fails. */
function scripted(adapter = 'clickup') {
  const answers: boolean[] = []
  const probe: Probe = {
    adapter,
    advice: 'the token is valid',
    run: async () => {
      if (answers.shift() === false) throw new Error('clickup answered 401 to GET /team', { cause: new Error('Token invalid') })
      return { reconciledSecondsAgo: 12 }
    },
  }
  return { probe, answers }
}

t.test('one failed probe is a blip; the second in a row makes it unhealthy and alerts once; recovery alerts once', async (t) => {
  const { probe, answers } = scripted()
  const { monitor, alerter, metrics, clock } = await monitorWith(t, { TaskManager: probe })

  answers.push(true)
  let status = await monitor.probe('TaskManager')
  t.match(status, { name: 'TaskManager', adapter: 'clickup', status: 'healthy', lastError: null, facts: { reconciledSecondsAgo: 12 } })
  t.match(metrics.data, [
    { namespace: 'TaskManagerIntegration', name: 'Health', value: 1, unit: 'None' },
    { namespace: 'TaskManagerIntegration', name: 'ProbeLatency', unit: 'Milliseconds' },
  ])

  clock.now += 60_000
  answers.push(false)
  status = await monitor.probe('TaskManager')
  t.match(status, { status: 'healthy', consecutiveFailures: 1, lastError: 'clickup answered 401 to GET /team: Token invalid' })
  t.equal(metrics.data.at(-2)?.value, 0, 'Health 0 for the failed probe itself')
  t.same(alerter.raised, [], 'no alert for one blip')

  clock.now += 60_000
  answers.push(false)
  status = await monitor.probe('TaskManager')
  t.match(status, { status: 'unhealthy', since: '2026-11-29T10:01:00.000Z', consecutiveFailures: 2 })
  t.equal(alerter.raised.length, 1)
  t.match(alerter.raised[0], { key: 'integration:TaskManager', kind: 'unhealthy', subject: 'TaskManager (clickup) is unhealthy' })
  t.match(alerter.raised[0]?.message, /Unhealthy since: 2026-11-29T10:01:00\.000Z/)
  t.match(alerter.raised[0]?.message, /Last error: clickup answered 401/)
  t.match(alerter.raised[0]?.message, /What to check: the token is valid/)
  t.equal(status.facts.reconciledSecondsAgo, 12, 'the facts last seen are kept while it fails')

  for (let i = 0; i < 5; i++) {
    clock.now += 60_000
    answers.push(false)
    await monitor.probe('TaskManager')
  }
  t.equal(alerter.raised.length, 1, 'no new alert while it stays down within ALERT_REPEAT_MINUTES')
  clock.now += 60 * 60_000
  answers.push(false)
  await monitor.probe('TaskManager')
  t.equal(alerter.raised.length, 2)
  t.match(alerter.raised[1], { kind: 'reminder', subject: 'TaskManager (clickup) is still unhealthy' })

  clock.now += 60_000
  answers.push(true)
  status = await monitor.probe('TaskManager')
  t.match(status, { status: 'healthy', lastError: null, consecutiveFailures: 0, since: new Date(clock.now).toISOString() })
  t.equal(alerter.raised.length, 3)
  t.match(alerter.raised[2], { kind: 'recovered', subject: 'TaskManager (clickup) is healthy again' })
  t.match(alerter.raised[2]?.message, /unhealthy since 2026-11-29T10:01:00\.000Z/)
  answers.push(true)
  await monitor.probe('TaskManager')
  t.equal(alerter.raised.length, 3, 'recovery is told once')

  const detail = await monitor.get('TaskManager')
  t.equal(detail.history.length, 11)
  t.match(detail.history[0], { ok: true, error: null })
  t.match(detail.history[2], { ok: false, error: /401/ })
})

t.test('a flapping integration never pages', async (t) => {
  const { probe, answers } = scripted()
  const { monitor, alerter, clock } = await monitorWith(t, { TaskManager: probe })
  for (let i = 0; i < 20; i++) {
    clock.now += 30_000
    answers.push(i % 2 === 0)
    const status = await monitor.probe('TaskManager')
    t.equal(status.status, 'healthy')
  }
  t.same(alerter.raised, [])
})

t.test('a probe that hangs fails at its deadline, and two in a row alert', async (t) => {
  const hanging: Probe = { adapter: 'graph', advice: 'the app registration', run: () => new Promise(() => {}) }
  const { monitor, alerter } = await monitorWith(t, { EmailServer: hanging }, { timeoutMs: 200 })
  const started = Date.now()
  const first = await monitor.probe('EmailServer')
  t.ok(Date.now() - started < 2_000, 'the probe gave up at its deadline')
  t.match(first, { status: 'healthy', consecutiveFailures: 1, lastError: 'no answer within 200 ms' })
  const second = await monitor.probe('EmailServer')
  t.equal(second.status, 'unhealthy')
  t.match(alerter.raised, [{ kind: 'unhealthy', subject: 'EmailServer (graph) is unhealthy' }])
})

t.test('a probe already running is shared, not doubled', async (t) => {
  let calls = 0
  const slow: Probe = { adapter: 'ses', advice: '', run: () => new Promise((resolve) => setTimeout(() => resolve(void calls++), 50)) }
  const { monitor } = await monitorWith(t, { HREmail: slow })
  await Promise.all([monitor.probe('HREmail'), monitor.probe('HREmail'), monitor.probe('HREmail')])
  t.equal(calls, 1)
})

t.test('an integration not configured is disabled: never probed, never alerted, no metric', async (t) => {
  const { monitor, metrics, alerter } = await monitorWith(t, {})
  const all = await monitor.list()
  t.equal(all.length, INTEGRATION_NAMES.length)
  t.ok(all.every((integration) => integration.status === 'disabled' && integration.adapter === null))
  t.same(metrics.data, [])
  t.same(alerter.raised, [])
})

t.test('with Redis away the monitor still probes, keeps its state in memory and alerts', async (t) => {
  const gone = new Redis('redis://127.0.0.1:1', {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    lazyConnect: true,
    retryStrategy: () => null,
  })
  const failing: Probe = {
    adapter: 'redis',
    advice: 'Redis at REDIS_URL answers',
    run: async () => {
      await gone.ping()
    },
  }
  const { monitor, alerter } = await monitorWith(t, { Queue: failing }, { redis: gone })
  await monitor.probe('Queue')
  const status = await monitor.probe('Queue')
  t.equal(status.status, 'unhealthy')
  t.match(alerter.raised, [{ key: 'integration:Queue', kind: 'unhealthy' }])
  const detail = await monitor.get('Queue')
  t.equal(detail.history.length, 2, 'history from memory')
})

t.test('the state is shared through Redis: another process reads what this one probed', async (t) => {
  const { probe, answers } = scripted()
  const { monitor, prefix } = await monitorWith(t, { TaskManager: probe })
  answers.push(false)
  await monitor.probe('TaskManager')
  const redis = await connected()
  t.teardown(() => redis.disconnect())
  const reader = new IntegrationMonitor({
    probes: probes({
      TaskManager: {
        adapter: 'clickup',
        advice: '',
        run: async () => {
          t.fail('the reader must not probe')
        },
      },
    }),
    redis,
    prefix,
    alerter: recordingAlerter(),
    metrics: new RecordingMetrics(),
    log: silent,
    policy: { afterFailures: 2, repeatMinutes: 60 },
    timeoutMs: 1_000,
  })
  const detail = await reader.get('TaskManager')
  t.match(detail, { consecutiveFailures: 1, lastError: /401/ })
  t.equal(detail.history.length, 1)
})

t.test('the failure-rate and oldest-job alerts: on, reminded, resolved once', async (t) => {
  const prefix = uniquePrefix()
  const redis = await connected()
  const queues = new HiringQueues(redis, prefix, { attempts: 1, backoffMs: 10 })
  t.teardown(async () => {
    await queues.close()
    await dropPrefix(prefix)
    redis.disconnect()
  })
  const clock = { now: Date.now() }
  const alerter = recordingAlerter()
  const watch = new PipelineWatch({
    queues,
    redis,
    prefix,
    alerter,
    log: silent,
    failedPercent: 20,
    failedMinCandidates: 5,
    oldestJobMinutes: 30,
    repeatMinutes: 60,
    now: () => clock.now,
  })

  for (let i = 0; i < 8; i++) await queues.countOutcome('notified', null, clock.now)
  for (let i = 0; i < 4; i++) await queues.countOutcome('failed', 'unreadable_resume', clock.now)
  // One bucket per minute, each failure counted under its reason too, and the bucket expires on its own.
  const bucket = `${prefix}:outcomes:${Math.floor(clock.now / 60_000)}`
  t.same(await redis.hgetall(bucket), { notified: '8', failed: '4', 'failed:unreadable_resume': '4' })
  const ttl = await redis.ttl(bucket)
  t.ok(ttl > 2 * 3600 - 60 && ttl <= 2 * 3600, `the bucket expires in two hours (ttl ${ttl})`)
  await watch.check()
  t.same(alerter.raised, [], '4 failed: under ALERT_FAILED_MIN_CANDIDATES')
  await queues.countOutcome('failed', 'mail_rejected', clock.now)
  await watch.check()
  t.equal(alerter.raised.length, 1)
  t.match(alerter.raised[0], { key: 'failure-rate', kind: 'failure-rate', subject: '5 of 13 candidates failed in the last hour' })
  t.match(alerter.raised[0]?.message, /unreadable_resume: 4 \(resumes that cannot be read/)
  t.match(alerter.raised[0]?.message, /mail_rejected: 1/)
  await watch.check()
  t.equal(alerter.raised.length, 1, 'no repeat within ALERT_REPEAT_MINUTES')
  clock.now += 61 * 60_000
  await watch.check()
  t.match(alerter.raised.at(-1), { key: 'failure-rate', kind: 'recovered' }, 'an hour later the failures have aged out')

  // The failures counted above are an hour old on this clock; back on the real one they would count again.
  const jobs = new PipelineWatch({
    queues,
    redis,
    prefix,
    alerter,
    log: silent,
    failedPercent: 0,
    failedMinCandidates: 5,
    oldestJobMinutes: 30,
    repeatMinutes: 60,
    now: () => clock.now,
  })
  clock.now = Date.now()
  await queues.enqueueProcess('c0ffee')
  await jobs.check()
  t.equal(alerter.raised.length, 2, 'a job that has only just been queued is fine')
  clock.now += 31 * 60_000
  await jobs.check()
  t.match(alerter.raised.at(-1), { key: 'oldest-job', kind: 'oldest-job', subject: /a process job has waited 3\d minutes to start/ })
  await queues.process.obliterate({ force: true })
  await jobs.check()
  t.match(alerter.raised.at(-1), { key: 'oldest-job', kind: 'recovered' })
})

t.test('REST: every integration listed, one with its history, a probe on request; unknown names are 404', async (t) => {
  const hireflow = await startHireflow({ role: 'api', env: { ALERT_EMAIL: 'ops@example.com', HEALTH_PROBE_TIMEOUT_MS: '2000' } })
  t.teardown(() => hireflow.stop())
  const app = hireflow.app!

  const list = await app.inject({ method: 'GET', url: '/integrations', headers: AUTH })
  t.equal(list.statusCode, 200)
  const byName = Object.fromEntries((list.json().integrations as Array<{ name: string }>).map((entry) => [entry.name, entry]))
  t.same(Object.keys(byName), [...INTEGRATION_NAMES])
  t.match(byName.TaskManager, { status: 'disabled', adapter: null })
  t.match(byName.EmailServer, { status: 'disabled', adapter: null })
  t.match(byName.HREmail, { status: 'healthy', adapter: 'outbox', lastError: null })
  t.match(byName.ResumeStore, { status: 'healthy', adapter: 'local' })
  t.match(byName.CandidateStore, { status: 'healthy', adapter: 'sqlite' })
  t.match(byName.Templates, { status: 'healthy', adapter: 'bundled' })
  t.match(byName.Queue, { status: 'healthy', adapter: 'redis', facts: { waiting: Number, oldestWaitingSeconds: 0 } })

  // The resume folder disappears: two probes on request make it unhealthy, and ALERT_EMAIL hears of it.
  await rm(hireflow.config.resumeDir, { recursive: true, force: true })
  const first = await app.inject({ method: 'POST', url: '/integrations/ResumeStore/probe', headers: AUTH })
  t.match(first.json(), { name: 'ResumeStore', status: 'healthy', consecutiveFailures: 1, lastError: /ENOENT|no such file/ })
  const second = await app.inject({ method: 'POST', url: '/integrations/resumestore/probe', headers: AUTH })
  t.match(second.json(), { status: 'unhealthy', consecutiveFailures: 2 })

  const alertMail = await until('the alert email', async () => {
    const files = (await readdir(hireflow.config.outboxDir)).filter((name) => name.endsWith('.eml'))
    return files.length > 0 ? readFile(join(hireflow.config.outboxDir, files[0]!), 'utf8') : undefined
  })
  t.match(alertMail, /Subject: \[hireflow\] ResumeStore \(local\) is unhealthy/)
  t.match(alertMail, /To: ops@example\.com/)
  t.match(alertMail, /RESUME_DIR exists/)

  const detail = await app.inject({ method: 'GET', url: '/integrations/ResumeStore', headers: AUTH })
  t.equal(detail.statusCode, 200)
  t.match(detail.json(), { name: 'ResumeStore', status: 'unhealthy' })
  t.equal(detail.json().history.length, 3, 'the first listing and the two probes')

  const unknown = await app.inject({ method: 'GET', url: '/integrations/Payroll', headers: AUTH })
  t.equal(unknown.statusCode, 404)
  t.match(unknown.json().message, /no integration named "Payroll": use one of TaskManager, EmailServer/)
  t.equal((await app.inject({ method: 'POST', url: '/integrations/Payroll/probe', headers: AUTH })).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: '/integrations' })).statusCode, 401)
})

t.test('the workers probe every HEALTH_INTERVAL_SECONDS, one process per round', async (t) => {
  const hireflow = await startHireflow({ env: { HEALTH_INTERVAL_SECONDS: '1' } })
  t.teardown(() => hireflow.stop())
  const detail = await until('three rounds', async () => {
    const response = await hireflow.app!.inject({ method: 'GET', url: '/integrations/CandidateStore', headers: AUTH })
    const body = response.json()
    return body.history.length >= 3 ? body : undefined
  })
  t.match(detail, { status: 'healthy', adapter: 'sqlite' })
  const times = (detail.history as Array<{ at: string }>).map((entry) => Date.parse(entry.at))
  t.ok(times[0]! - times[1]! >= 500, 'rounds are spaced by the interval, not doubled')
})

t.test('a real task manager: facts from its registration and reconciliation; down at the provider, unhealthy with its error', async (t) => {
  const clickup = await startFakeClickUp()
  t.teardown(() => clickup.close())
  const hireflow = await startHireflow({ role: 'api', env: { ...clickup.env, PUBLIC_URL: 'https://hireflow.example.com' } })
  t.teardown(() => hireflow.stop())
  const app = hireflow.app!

  const registered = await app.inject({ method: 'POST', url: '/integrations/task-manager/webhooks', headers: AUTH })
  t.equal(registered.statusCode, 201, registered.body)
  const healthy = (await app.inject({ method: 'POST', url: '/integrations/TaskManager/probe', headers: AUTH })).json()
  t.match(healthy, {
    name: 'TaskManager',
    adapter: 'clickup',
    status: 'healthy',
    facts: { webhooksRegistered: 1, reconciledAt: null, cursorStored: false },
  })

  clickup.setDown(true)
  await app.inject({ method: 'POST', url: '/integrations/TaskManager/probe', headers: AUTH })
  const down = (await app.inject({ method: 'POST', url: '/integrations/TaskManager/probe', headers: AUTH })).json()
  t.match(down, {
    status: 'unhealthy',
    consecutiveFailures: 2,
    lastError: /^ClickUp: GET \/list answered 503/,
    facts: { webhooksRegistered: 1 },
  })
  const listed = (await app.inject({ method: 'GET', url: '/integrations', headers: AUTH })).json()
  t.match(
    listed.integrations.find((entry: { name: string }) => entry.name === 'TaskManager'),
    { status: 'unhealthy' },
    'the list shows the same',
  )
  clickup.setDown(false)
  t.match((await app.inject({ method: 'POST', url: '/integrations/TaskManager/probe', headers: AUTH })).json(), { status: 'healthy' })
})

t.test('an alert email carries its message as text and, escaped, as HTML', async (t) => {
  const sent: OutgoingMail[] = []
  const channel = new MailAlertChannel(
    { send: async (mail: OutgoingMail) => void sent.push(mail) } as unknown as Mailer,
    'hireflow@example.com',
    ['ops@example.com'],
  )
  await channel.send({
    subject: 'TaskManager (clickup) is unhealthy',
    message: 'last error: <script>alert("x")</script> & more\nline two',
  } as Alert)
  t.equal(sent[0]!.text, 'last error: <script>alert("x")</script> & more\nline two\n')
  t.match(sent[0]!.html, /last error: &lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; more\nline two<\/pre>$/)
  t.notMatch(sent[0]!.html, /<script>/)
})
