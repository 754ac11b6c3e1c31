// CloudWatch metrics and SNS alerts through the real SDK clients and their
// real wire protocols (CloudWatch's AWS JSON 1.0 with gzip bodies, SNS's
// query protocol) against a recording stand-in: what arrives, how it is
// batched, and that CloudWatch or SNS being down never reaches the caller.
import t from 'tap'
import { rm } from 'node:fs/promises'
import pino from 'pino'
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch'
import { ConfirmSubscriptionCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns'
import { awsClientConfig } from '../src/aws/client-config.ts'
import { CloudWatchMetrics } from '../src/monitor/cloudwatch-metrics.ts'
import { SnsAlertChannel, snsSubject } from '../src/monitor/sns-alerts.ts'
import { ChannelAlerter } from '../src/monitor/alerter.ts'
import { createMonitoring } from '../src/monitor/monitoring.ts'
import { DiscardingMetrics, type MetricDatum } from '../src/ports/metrics.ts'
import type { Alert } from '../src/ports/alerts.ts'
import type { Mailer } from '../src/ports/mailer.ts'
import { faults, startAwsRecorder, type AwsCall, type AwsRecorder } from './support/aws-recorder.ts'
import { emulatorCredentials } from './support/emulators.ts'
import { testConfig, until } from './support/harness.ts'

type Teardown = { teardown(fn: () => unknown): void }

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:hireflow-alerts'

interface LogLine {
  level: number
  msg: string
  [key: string]: unknown
}

function capturingLog() {
  const lines: LogLine[] = []
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) })
  return { log, lines, warnings: () => lines.filter((line) => line.level >= 40) }
}

function cloudwatchOn(test: Teardown, recorder: AwsRecorder, timing: { requestTimeoutMs?: number; maxAttempts?: number } = {}) {
  const client = new CloudWatchClient(
    awsClientConfig({
      region: 'us-east-1',
      endpoint: recorder.endpoint,
      requestTimeoutMs: timing.requestTimeoutMs ?? 2_000,
      maxAttempts: timing.maxAttempts ?? 2,
      credentials: emulatorCredentials,
    }),
  )
  test.teardown(() => client.destroy())
  return client
}

function sinkOn(
  test: Teardown,
  recorder: AwsRecorder,
  options: { requestTimeoutMs?: number; maxAttempts?: number; maxBuffered?: number; closeTimeoutMs?: number; flushSeconds?: number } = {},
) {
  const { log, lines, warnings } = capturingLog()
  const metrics = new CloudWatchMetrics(cloudwatchOn(test, recorder, options), {
    flushSeconds: options.flushSeconds ?? 3600,
    log,
    maxBuffered: options.maxBuffered,
    closeTimeoutMs: options.closeTimeoutMs,
  })
  test.teardown(() => metrics.close())
  return { metrics, lines, warnings }
}

interface SentDatum {
  MetricName: string
  Value: number
  Unit: string
  Timestamp: number
  Dimensions?: { Name: string; Value: string }[]
}

const dataOf = (call: AwsCall) => call.params.MetricData as SentDatum[]
const point = (value: number, namespace = 'Hireflow'): MetricDatum => ({ namespace, name: 'CandidatesReceived', value, unit: 'Count' })

t.test('data points arrive with namespace, name, value, unit, dimensions and timestamp', async (t) => {
  const recorder = await startAwsRecorder(t)
  const { metrics } = sinkOn(t, recorder)
  const measuredAt = new Date(Date.now() - 60_000)
  const before = Date.now()
  metrics.record({ namespace: 'TaskManagerIntegration', name: 'Health', value: 1, unit: 'None', dimensions: { Provider: 'clickup' } })
  metrics.record({ namespace: 'TaskManagerIntegration', name: 'ProbeLatency', value: 182.5, unit: 'Milliseconds', timestamp: measuredAt })
  metrics.record({
    namespace: 'Hireflow',
    name: 'CandidatesFailed',
    value: 2,
    unit: 'Count',
    dimensions: { Reason: 'unreadable', Step: 'parsed' },
  })
  t.same(metrics.stats(), { sent: 0, dropped: 0, buffered: 3 }, 'buffered until flushed')
  await metrics.flush()

  const calls = recorder.succeeded('PutMetricData')
  t.equal(calls.length, 2, 'one request per namespace')
  for (const call of calls) {
    t.equal(call.protocol, 'json', 'AWS JSON 1.0')
    t.equal(call.service, 'monitoring', 'signed for CloudWatch')
    t.equal(call.region, 'us-east-1')
  }
  const integration = calls.find((call) => call.params.Namespace === 'TaskManagerIntegration')!
  const [health, latency] = dataOf(integration)
  t.match(health, { MetricName: 'Health', Value: 1, Unit: 'None', Dimensions: [{ Name: 'Provider', Value: 'clickup' }] })
  t.ok(
    health!.Timestamp * 1000 >= before - 1000 && health!.Timestamp * 1000 <= Date.now() + 1000,
    'timestamp defaults to when it was recorded',
  )
  t.match(latency, { MetricName: 'ProbeLatency', Value: 182.5, Unit: 'Milliseconds', Timestamp: measuredAt.getTime() / 1000 })
  t.notOk('Dimensions' in latency!, 'no dimensions sent when there are none')
  const pipeline = calls.find((call) => call.params.Namespace === 'Hireflow')!
  t.same(dataOf(pipeline)[0]!.Dimensions, [
    { Name: 'Reason', Value: 'unreadable' },
    { Name: 'Step', Value: 'parsed' },
  ])
  t.same(metrics.stats(), { sent: 3, dropped: 0, buffered: 0 })
})

t.test('batching: at most 1000 per request, one namespace per request, gzip bodies, under 1 MB', async (t) => {
  const recorder = await startAwsRecorder(t)
  const { metrics } = sinkOn(t, recorder)
  for (let i = 0; i < 2500; i++) metrics.record(point(i))
  for (let i = 0; i < 10; i++) metrics.record({ namespace: 'EmailServerIntegration', name: 'Health', value: 1, unit: 'None' })
  await metrics.flush()

  const calls = recorder.succeeded('PutMetricData')
  const pipeline = calls.filter((call) => call.params.Namespace === 'Hireflow')
  t.same(
    pipeline.map((call) => dataOf(call).length),
    [1000, 1000, 500],
    '2 500 points: three requests',
  )
  t.same(
    pipeline.flatMap((call) => dataOf(call).map((datum) => datum.Value)),
    Array.from({ length: 2500 }, (_, i) => i),
    'every point once, in order',
  )
  t.ok(
    pipeline.every((call) => call.gzip),
    'large bodies arrive gzipped and are decoded',
  )
  const mailbox = calls.filter((call) => call.params.Namespace === 'EmailServerIntegration')
  t.same(
    mailbox.map((call) => dataOf(call).length),
    [10],
    'the other namespace in a request of its own',
  )
  t.equal(calls.length, recorder.calls.length, 'no request was refused')
  t.same(metrics.stats(), { sent: 2510, dropped: 0, buffered: 0 })

  // 30 dimensions of 1 000 characters: a few hundred points already pass CloudWatch's 1 MB.
  const wide = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`D${i}`, `${i}`.padEnd(1000, 'x')]))
  for (let i = 0; i < 100; i++) metrics.record({ ...point(i, 'Wide'), dimensions: wide })
  await metrics.flush()
  const wideCalls = recorder.calls.filter((call) => call.params.Namespace === 'Wide')
  t.ok(wideCalls.length >= 3, `split by size (${wideCalls.length} requests)`)
  t.ok(
    wideCalls.every((call) => call.outcome === 'ok' && call.bytes <= 1_048_576),
    'each request under 1 MB, all accepted',
  )
  t.equal(
    wideCalls.reduce((sum, call) => sum + dataOf(call).length, 0),
    100,
  )
})

t.test('a full batch is sent without waiting for the timer, and record() never waits', async (t) => {
  const recorder = await startAwsRecorder(t)
  const { metrics } = sinkOn(t, recorder, { flushSeconds: 3600 })
  const started = performance.now()
  for (let i = 0; i < 1000; i++) metrics.record(point(i))
  t.ok(performance.now() - started < 200, 'recording 1 000 points returns at once')
  t.equal(recorder.calls.length, 0, 'nothing sent on the caller’s turn')
  const call = await until('the early flush', async () => recorder.succeeded('PutMetricData')[0])
  t.equal(dataOf(call).length, 1000)
})

t.test(
  'CloudWatch answering 500: the batch is dropped and counted, one warning, nothing thrown; after recovery new points go',
  async (t) => {
    const recorder = await startAwsRecorder(t)
    const { metrics, warnings } = sinkOn(t, recorder, { maxAttempts: 2 })
    recorder.fail('PutMetricData', faults.serverError)

    const started = performance.now()
    for (let i = 0; i < 10; i++) metrics.record(point(i))
    t.ok(performance.now() - started < 50, 'record() returns at once while CloudWatch is down')
    await t.resolves(metrics.flush(), 'flush does not throw')
    t.equal(recorder.calls.length, 2, 'the SDK retried once (bounded attempts), then gave up')
    t.same(metrics.stats(), { sent: 0, dropped: 10, buffered: 0 })

    for (let i = 10; i < 15; i++) metrics.record(point(i))
    await metrics.flush()
    t.same(metrics.stats(), { sent: 0, dropped: 15, buffered: 0 })
    t.equal(warnings().length, 1, 'one warning, not one per batch or per point')
    t.match(warnings()[0], { msg: /CloudWatch did not take a metrics batch/, lost: 10, err: { name: 'InternalFailure' } })

    recorder.recover()
    for (let i = 100; i < 103; i++) metrics.record(point(i))
    await metrics.flush()
    const [sent] = recorder.succeeded('PutMetricData')
    t.same(
      dataOf(sent!).map((datum) => datum.Value),
      [100, 101, 102],
      'the next flush sends the new points',
    )
    t.same(metrics.stats(), { sent: 3, dropped: 15, buffered: 0 })
  },
)

t.test('throttling is retried by the SDK and the batch still arrives', async (t) => {
  const recorder = await startAwsRecorder(t)
  const { metrics } = sinkOn(t, recorder, { maxAttempts: 3 })
  recorder.fail('PutMetricData', faults.throttling, 1)
  metrics.record(point(7))
  await metrics.flush()
  t.same(
    recorder.calls.map((call) => call.outcome),
    ['error', 'ok'],
  )
  t.same(metrics.stats(), { sent: 1, dropped: 0, buffered: 0 })
})

t.test(
  'CloudWatch hanging: the call times out, the batch is dropped; a second flush waits for the first instead of doubling it',
  async (t) => {
    const recorder = await startAwsRecorder(t)
    const { metrics } = sinkOn(t, recorder, { requestTimeoutMs: 300, maxAttempts: 2 })
    recorder.fail('PutMetricData', 'hang')
    metrics.record(point(1))
    metrics.record(point(2))
    const first = metrics.flush()
    await until('the hung request', async () => recorder.calls[0])
    const started = performance.now()
    metrics.record(point(3))
    t.ok(performance.now() - started < 50, 'record() returns at once while a call hangs')
    t.same(metrics.stats(), { sent: 0, dropped: 0, buffered: 3 }, 'points in flight still count as buffered')
    const second = metrics.flush()
    t.equal(metrics.flush(), second, 'callers waiting behind a flush share the one that follows it')
    await first
    t.same(metrics.stats().dropped, 2, 'the hung batch is dropped after the timeout and one retry')
    recorder.recover()
    await second
    t.same(
      recorder.calls.map((call) => [call.outcome, dataOf(call).length]),
      [
        ['hang', 2],
        ['hang', 2],
        ['ok', 1],
      ],
      'one request at a time: the second flush sent only what came in meanwhile, after the first ended',
    )
    t.same(metrics.stats(), { sent: 1, dropped: 2, buffered: 0 })
  },
)

t.test('the buffer is bounded: the oldest points go first and are counted', async (t) => {
  const recorder = await startAwsRecorder(t)
  const { metrics, warnings } = sinkOn(t, recorder, { maxBuffered: 100 })
  for (let i = 0; i < 150; i++) metrics.record(point(i))
  t.same(metrics.stats(), { sent: 0, dropped: 50, buffered: 100 })
  t.equal(warnings().length, 1, 'one warning for the overflow')
  await metrics.flush()
  const values = recorder.succeeded('PutMetricData').flatMap((call) => dataOf(call).map((datum) => datum.Value))
  t.same(
    values,
    Array.from({ length: 100 }, (_, i) => 50 + i),
  )
})

t.test('a point CloudWatch would refuse is dropped alone, not with its batch', async (t) => {
  const recorder = await startAwsRecorder(t)
  const { metrics } = sinkOn(t, recorder)
  metrics.record(point(Number.NaN))
  metrics.record({ ...point(1), dimensions: { Requisition: '' } })
  metrics.record(point(Infinity))
  metrics.record({ ...point(4), timestamp: new Date(Date.now() - 15 * 24 * 3600 * 1000) })
  metrics.record(point(5))
  await metrics.flush()
  t.same(
    recorder.calls.map((call) => [call.outcome, dataOf(call).map((datum) => datum.Value)]),
    [['ok', [5]]],
  )
  t.same(metrics.stats(), { sent: 1, dropped: 4, buffered: 0 })
})

t.test('close() sends what is buffered and stops; it does not hang when CloudWatch does', async (t) => {
  const recorder = await startAwsRecorder(t)
  const { metrics } = sinkOn(t, recorder)
  metrics.record(point(1))
  await metrics.close()
  t.equal(recorder.succeeded('PutMetricData').length, 1, 'the last points were flushed')
  metrics.record(point(2))
  t.same(metrics.stats(), { sent: 1, dropped: 1, buffered: 0 }, 'a point after close is counted as dropped')

  const hung = await startAwsRecorder(t)
  const { metrics: stuck, warnings } = sinkOn(t, hung, { requestTimeoutMs: 30_000, closeTimeoutMs: 400 })
  hung.fail('PutMetricData', 'hang')
  stuck.record(point(1))
  stuck.record(point(2))
  const started = performance.now()
  await stuck.close()
  const took = performance.now() - started
  t.ok(took >= 350 && took < 2_000, `close() gave up at its deadline (${Math.round(took)} ms), not the 30 s request timeout`)
  t.equal(hung.calls.length, 1, 'the call was abandoned, not retried')
  t.same(stuck.stats(), { sent: 0, dropped: 2, buffered: 0 })
  t.match(
    warnings().map((line) => line.msg),
    [/did not take a metrics batch/, /within 400 ms of shutdown/],
  )
})

function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    key: 'integration:TaskManager',
    kind: 'unhealthy',
    subject: 'TaskManager is unhealthy',
    message: 'TaskManager (clickup) failed 2 probes since 10:02 UTC.\nLast error: 401 Unauthorized.\nCheck CLICKUP_TOKEN.',
    ...overrides,
  }
}

function snsOn(t: Teardown, recorder: AwsRecorder, maxAttempts = 2) {
  const client = new SNSClient(
    awsClientConfig({
      region: 'eu-west-1',
      endpoint: recorder.endpoint,
      requestTimeoutMs: 2_000,
      maxAttempts,
      credentials: emulatorCredentials,
    }),
  )
  t.teardown(() => client.destroy())
  return client
}

interface SentAttributes {
  entry: { Name: string; Value: { DataType: string; StringValue: string } }[]
}

t.test('SNS Publish carries the topic, a sanitized subject, the message and the attributes', async (t) => {
  const recorder = await startAwsRecorder(t)
  const channel = new SnsAlertChannel(snsOn(t, recorder), TOPIC)
  t.equal(channel.name, 'sns')
  const subject = `Résumé store "ResumeStore" is unhealthy:\r\nS3 said\tAccessDenied ✗ ${'x'.repeat(120)}`
  await channel.send(alert({ subject }))

  const [call] = recorder.succeeded('Publish')
  t.equal(call!.protocol, 'query')
  t.equal(call!.service, 'sns')
  t.equal(call!.params.TopicArn, TOPIC)
  t.equal(call!.params.Message, alert().message, 'the message as written, line breaks included')
  const sent = call!.params.Subject as string
  t.ok(sent.length <= 99, `subject shortened (${sent.length} characters)`)
  t.match(sent, /^Resume store "ResumeStore" is unhealthy: S3 said AccessDenied \? x+\.\.\.$/, 'ASCII, one line, accents folded')
  t.same(
    (call!.params.MessageAttributes as SentAttributes).entry,
    [
      { Name: 'kind', Value: { DataType: 'String', StringValue: 'unhealthy' } },
      { Name: 'key', Value: { DataType: 'String', StringValue: 'integration:TaskManager' } },
    ],
    'kind and key as String attributes, for subscription filter policies',
  )

  // The stand-in applies SNS's subject rule: the raw subject is refused, which is why it is sanitized.
  await t.rejects(snsOn(t, recorder).send(new PublishCommand({ TopicArn: TOPIC, Subject: 'line one\nline two', Message: 'x' })), {
    name: 'InvalidParameter',
  })
  t.equal(snsSubject('   '), 'hireflow alert', 'an empty subject gets a default')
  t.equal(snsSubject('TaskManager recovered'), 'TaskManager recovered', 'a plain subject is kept as it is')
})

t.test('an SNS error rejects send; through the alerter it is logged, not thrown', async (t) => {
  const recorder = await startAwsRecorder(t)
  const channel = new SnsAlertChannel(snsOn(t, recorder), TOPIC)
  recorder.fail('Publish', { status: 403, code: 'AuthorizationError', message: 'User is not authorized to perform SNS:Publish' })
  await t.rejects(channel.send(alert()), { name: 'AuthorizationError', message: /not authorized/ })
  t.equal(recorder.calls.length, 1, 'a refusal is not retried')

  recorder.recover()
  recorder.fail('Publish', faults.serverError)
  await t.rejects(channel.send(alert()), { name: 'InternalFailure' })
  t.equal(recorder.calls.length, 3, 'a 500 is retried once, then given up')

  const { log, lines } = capturingLog()
  const alerter = new ChannelAlerter(log, channel)
  await t.resolves(alerter.raise(alert()))
  t.match(
    lines.map((line) => line.msg),
    ['alert: TaskManager is unhealthy', 'could not send an alert'],
  )
})

t.test('the stand-in confirms SNS subscriptions in the query protocol', async (t) => {
  const recorder = await startAwsRecorder(t)
  const sns = snsOn(t, recorder)
  const { SubscriptionArn } = await sns.send(new ConfirmSubscriptionCommand({ TopicArn: TOPIC, Token: 'token-1' }))
  t.match(SubscriptionArn, new RegExp(`^${TOPIC}:[0-9a-f-]{36}$`))
  t.match(recorder.succeeded('ConfirmSubscription')[0]?.params, { TopicArn: TOPIC, Token: 'token-1' })
  await t.rejects(sns.send(new ConfirmSubscriptionCommand({ TopicArn: TOPIC, Token: '' })), { name: 'InvalidParameter' })
})

t.test('createMonitoring: METRICS=cloudwatch and ALERT_TOPIC_ARN (in its own region, before ALERT_EMAIL)', async (t) => {
  const recorder = await startAwsRecorder(t)
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY }
  process.env.AWS_ACCESS_KEY_ID = emulatorCredentials.accessKeyId
  process.env.AWS_SECRET_ACCESS_KEY = emulatorCredentials.secretAccessKey
  t.teardown(() => {
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID
    else process.env.AWS_ACCESS_KEY_ID = saved.id
    if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY
    else process.env.AWS_SECRET_ACCESS_KEY = saved.secret
  })
  const mailed: string[] = []
  const mailer: Mailer = {
    async send(mail) {
      mailed.push(mail.subject)
      return { messageId: 'm' }
    },
    async ping() {},
  }
  const { log } = capturingLog()

  const { config, dataDir } = await testConfig({
    AWS_REGION: 'us-west-2',
    METRICS: 'cloudwatch',
    CLOUDWATCH_ENDPOINT: recorder.endpoint,
    ALERT_TOPIC_ARN: TOPIC,
    SNS_ENDPOINT: recorder.endpoint,
    ALERT_EMAIL: 'ops@example.com',
  })
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const monitoring = createMonitoring(config, mailer, log)
  t.ok(monitoring.metrics instanceof CloudWatchMetrics)
  t.equal(monitoring.alerter.channel, 'sns', 'SNS is preferred to email')
  monitoring.metrics.record({ namespace: 'QueueIntegration', name: 'Health', value: 0, unit: 'None' })
  await monitoring.alerter.raise(alert())
  await monitoring.close()
  t.match(recorder.succeeded('PutMetricData'), [{ region: 'us-west-2', params: { Namespace: 'QueueIntegration' } }], 'flushed on close')
  t.match(recorder.succeeded('Publish'), [{ region: 'eu-west-1', params: { TopicArn: TOPIC } }], 'published in the topic’s region')
  t.same(mailed, [])

  const embedded = await testConfig({ ALERT_EMAIL: 'ops@example.com' })
  t.teardown(() => rm(embedded.dataDir, { recursive: true, force: true }))
  const local = createMonitoring(embedded.config, mailer, log)
  t.ok(local.metrics instanceof DiscardingMetrics, 'METRICS=prometheus sends nothing to CloudWatch')
  t.equal(local.alerter.channel, 'email')
  await local.alerter.raise(alert())
  await local.close()
  t.equal(mailed.length, 1)
  t.equal(recorder.calls.length, 2, 'the embedded defaults made no AWS call')
})
