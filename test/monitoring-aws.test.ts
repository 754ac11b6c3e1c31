// The monitor on AWS' wire protocols: Health 1/0 per integration and the
// pipeline's metrics as batched PutMetricData (CloudWatch's JSON 1.0), alerts
// as SNS Publish (query protocol) — one per change to unhealthy, one on
// recovery; and CloudWatch down costs metrics, never a candidate.
import t from 'tap'
import { mkdir, rm } from 'node:fs/promises'
import { startAwsRecorder, faults, type AwsCall } from './support/aws-recorder.ts'
import { emulatorCredentials } from './support/emulators.ts'
import { injectUpload, startHireflow, until } from './support/harness.ts'
import { sampleResumeLines } from './support/resumes.ts'

process.env.AWS_ACCESS_KEY_ID = emulatorCredentials.accessKeyId
process.env.AWS_SECRET_ACCESS_KEY = emulatorCredentials.secretAccessKey

const resumeText = Buffer.from(sampleResumeLines('Ada Lovelace').join('\n'))
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:hireflow-alerts'

interface Datum {
  MetricName: string
  Value: number
  Unit: string
  Dimensions?: Array<{ Name: string; Value: string }>
}

/** Every data point CloudWatch accepted, with its namespace. */
function points(calls: AwsCall[]): Array<Datum & { namespace: string }> {
  return calls.flatMap((call) => {
    const params = call.params as { Namespace: string; MetricData: Datum[] }
    return params.MetricData.map((datum) => ({ ...datum, namespace: params.Namespace }))
  })
}

t.test('Health per integration in <Name>Integration, pipeline metrics in Hireflow, one SNS alert per change', async (t) => {
  const aws = await startAwsRecorder(t)
  const hireflow = await startHireflow({
    env: {
      METRICS: 'cloudwatch',
      CLOUDWATCH_ENDPOINT: aws.endpoint,
      METRICS_FLUSH_SECONDS: '1',
      ALERT_TOPIC_ARN: TOPIC,
      SNS_ENDPOINT: aws.endpoint,
      HEALTH_INTERVAL_SECONDS: '1',
      HEALTH_PROBE_TIMEOUT_MS: '2000',
    },
  })
  t.teardown(() => hireflow.stop())

  const configured = ['HREmail', 'ResumeStore', 'CandidateStore', 'Templates', 'Queue'].map((name) => `${name}Integration`)
  const namespaces = await until('Health from every configured integration', async () => {
    const seen = new Set(points(aws.succeeded('PutMetricData')).map((p) => p.namespace))
    return configured.every((namespace) => seen.has(namespace)) ? seen : undefined
  })
  const healthy = points(aws.succeeded('PutMetricData')).filter(
    (p) => p.namespace === 'CandidateStoreIntegration' && p.MetricName === 'Health',
  )
  t.match(healthy[0], { Value: 1, Unit: 'None' })
  t.notOk(namespaces.has('TaskManagerIntegration'), 'an integration not configured publishes nothing')
  t.ok(
    aws.succeeded('PutMetricData').every((call) => (call.params as { MetricData: unknown[] }).MetricData.length <= 1000),
    'batches of at most 1000',
  )
  const perCall = aws.succeeded('PutMetricData').map((call) => (call.params as { MetricData: unknown[] }).MetricData.length)
  t.ok(Math.max(...perCall) > 1, 'the data points of a flush go together, not one request each')

  // A resume through the whole pipeline: received, notified, and how long it took.
  const upload = await injectUpload(hireflow.app!, { filename: 'resume.txt', content: resumeText, contentType: 'text/plain' })
  await hireflow.waitFor(upload.json().id, 'notified')
  const pipeline = await until('the pipeline metrics', async () => {
    const found = points(aws.succeeded('PutMetricData')).filter((p) => p.namespace === 'Hireflow')
    const names = new Set(found.map((p) => p.MetricName))
    return ['CandidatesReceived', 'CandidatesNotified', 'UploadToNotifiedSeconds'].every((name) => names.has(name)) ? found : undefined
  })
  t.match(
    pipeline.find((p) => p.MetricName === 'CandidatesReceived'),
    { Value: 1, Unit: 'Count', Dimensions: [{ Name: 'Source', Value: 'upload' }] },
  )
  t.match(
    pipeline.find((p) => p.MetricName === 'UploadToNotifiedSeconds'),
    { Unit: 'Seconds' },
  )

  // The resume folder goes away: Health 0 at once, one alert after two failed rounds, none after.
  await rm(hireflow.config.resumeDir, { recursive: true, force: true })
  const alert = await until('the SNS alert', async () => aws.succeeded('Publish')[0])
  t.equal(alert.region, 'eu-west-1', 'published in the topic region')
  t.match(alert.params, { TopicArn: TOPIC, Subject: 'ResumeStore (local) is unhealthy', Message: /Last error: .*ENOENT/ })
  t.match(alert.params.Message, /What to check: RESUME_DIR exists/)
  t.ok(
    points(aws.succeeded('PutMetricData')).some(
      (p) => p.namespace === 'ResumeStoreIntegration' && p.MetricName === 'Health' && p.Value === 0,
    ),
    'Health 0 published',
  )
  const rounds = aws.succeeded('PutMetricData').length
  await until('three more rounds', async () => (aws.succeeded('PutMetricData').length >= rounds + 3 ? true : undefined))
  t.equal(aws.succeeded('Publish').length, 1, 'no alert storm while it stays down')

  await mkdir(hireflow.config.resumeDir, { recursive: true, mode: 0o700 })
  const recovery = await until('the recovery message', async () => aws.succeeded('Publish')[1])
  t.match(recovery.params, { Subject: 'ResumeStore (local) is healthy again' })
  const settled = aws.succeeded('PutMetricData').length
  await until('two more rounds', async () => (aws.succeeded('PutMetricData').length >= settled + 2 ? true : undefined))
  t.equal(aws.succeeded('Publish').length, 2, 'recovery is told once')
})

t.test('CloudWatch down: candidates still go through, metrics are dropped and counted', async (t) => {
  const aws = await startAwsRecorder(t)
  aws.fail('PutMetricData', faults.serverError)
  const hireflow = await startHireflow({
    env: { METRICS: 'cloudwatch', CLOUDWATCH_ENDPOINT: aws.endpoint, METRICS_FLUSH_SECONDS: '1', AWS_MAX_ATTEMPTS: '2' },
  })
  t.teardown(() => hireflow.stop())
  const upload = await injectUpload(hireflow.app!, { filename: 'resume.txt', content: resumeText, contentType: 'text/plain' })
  t.equal(upload.statusCode, 202)
  await hireflow.waitFor(upload.json().id, 'notified')
  const stats = await until('a dropped batch', async () => {
    const now = hireflow.app!.hiring.metrics.stats()
    return now.dropped > 0 ? now : undefined
  })
  t.ok(stats.dropped >= 1, `${stats.dropped} data points dropped`)
  t.equal(stats.sent, 0)
  t.ok(aws.calls.filter((call) => call.action === 'PutMetricData').length >= 2, 'CloudWatch was tried (and retried)')
})
