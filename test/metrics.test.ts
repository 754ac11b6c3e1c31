// GET /metrics and METRICS_PORT: behind the API key (the port on loopback
// without it), HTTP requests labelled by route pattern and never by id, queue
// depths read from Redis, job durations from the workers, refused webhook
// deliveries by source, integration health from the monitor's reader, and a
// scrape that answers even when Redis or the monitor does not.
import t from 'tap'
import { EventEmitter } from 'node:events'
import { networkInterfaces } from 'node:os'
import type { Job, Queue, Worker } from 'bullmq'
import type { LightMyRequestResponse } from 'fastify'
import { AUTH, freePort, injectUpload, startHireflow, until } from './support/harness.ts'
import { sampleResumeLines } from './support/resumes.ts'
import { PrometheusMetrics } from '../src/monitor/prometheus.ts'
import type { IntegrationStatus } from '../src/monitor/integration.ts'

/** The value of the first sample of `name` carrying every label given, or undefined when there is none. */
function sample(exposition: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!match || match[1] !== name) continue
    const given = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]))
    if (Object.entries(labels).every(([key, value]) => given[key] === value)) return Number(match[3])
  }
  return undefined
}

const integration = (
  name: IntegrationStatus['name'],
  status: IntegrationStatus['status'],
  latencyMs: number | null,
): IntegrationStatus => ({
  name,
  adapter: status === 'disabled' ? null : 'test',
  status,
  since: null,
  lastProbeAt: null,
  latencyMs,
  lastError: status === 'unhealthy' ? 'timed out' : null,
  consecutiveFailures: status === 'unhealthy' ? 2 : 0,
  facts: {},
})

t.test('the API: /metrics needs the key and shows requests, queues and refused webhooks; METRICS_PORT serves it on loopback', async (t) => {
  const metricsPort = await freePort()
  const hireflow = await startHireflow({
    role: 'api',
    env: {
      METRICS_PORT: String(metricsPort),
      TASK_MANAGER: 'clickup',
      TASK_MANAGER_TOKEN: 'pk_metrics_test',
      HIRING_PROJECT_ID: '901',
      TASK_MANAGER_WEBHOOK_SECRET: 'the-registered-secret',
      // Never called: a forged delivery is refused before anything asks the provider.
      TASK_MANAGER_BASE_URL: 'http://127.0.0.1:9/api/v2',
    },
  })
  t.teardown(() => hireflow.stop())
  const app = hireflow.app!
  const scrape = async (): Promise<LightMyRequestResponse> => {
    const response = await app.inject({ method: 'GET', url: '/metrics', headers: AUTH })
    t.equal(response.statusCode, 200, 'GET /metrics with the key')
    return response
  }

  const anonymous = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(anonymous.statusCode, 401)
  t.equal(anonymous.headers['www-authenticate'], 'Bearer realm="hireflow"')
  const wrongKey = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer not-the-key-0000000000' } })
  t.equal(wrongKey.statusCode, 401)

  const first = await scrape()
  t.match(first.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  t.ok(sample(first.body, 'process_cpu_user_seconds_total') !== undefined, 'the process metrics are there')
  t.equal(sample(first.body, 'hireflow_queue_jobs', { queue: 'process', state: 'waiting' }), 0, 'no process job waits yet')
  for (const state of ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children']) {
    t.equal(sample(first.body, 'hireflow_queue_jobs', { queue: 'intake', state }), 0, `intake ${state} is counted`)
  }
  t.equal(sample(first.body, 'hireflow_scrape_errors_total', { collector: 'queues' }), 0)
  t.equal(sample(first.body, 'hireflow_metrics_dropped_total'), 0)

  // Requests are labelled by the pattern they matched: no candidate id, no stray URL.
  const unknown = await app.inject({ method: 'GET', url: '/candidates/cand-7f3a9b0c', headers: AUTH })
  t.equal(unknown.statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: '/nowhere/4d2c8e1f' })).statusCode, 404)
  const afterRequests = await scrape()
  t.equal(
    sample(afterRequests.body, 'hireflow_http_request_duration_seconds_count', {
      method: 'GET',
      route: '/candidates/:id',
      status_code: '404',
    }),
    1,
  )
  t.equal(sample(afterRequests.body, 'hireflow_http_request_duration_seconds_count', { route: 'unmatched', status_code: '404' }), 1)
  t.equal(sample(afterRequests.body, 'hireflow_http_request_duration_seconds_count', { route: '/metrics', status_code: '401' }), 2)
  t.notMatch(afterRequests.body, /7f3a9b0c|4d2c8e1f/, 'no id from a URL is in a label')

  // Depths are read from Redis at scrape time (shared between scrapes for a moment).
  await hireflow.queues.enqueueProcess('cand-depth-1')
  await hireflow.queues.enqueueProcess('cand-depth-2')
  const waiting = await until('two process jobs counted as waiting', async () => {
    const value = sample((await scrape()).body, 'hireflow_queue_jobs', { queue: 'process', state: 'waiting' })
    return value === 2 ? value : undefined
  })
  t.equal(waiting, 2)

  // A delivery with a forged signature is refused and counted under its source.
  const forged = await app.inject({
    method: 'POST',
    url: '/webhooks/clickup',
    headers: { 'content-type': 'application/json', 'x-signature': 'ab'.repeat(32) },
    payload: JSON.stringify({ event: 'taskUpdated', task_id: 'task-1', webhook_id: 'wh-1' }),
  })
  t.equal(forged.statusCode, 401)
  const afterForgery = await scrape()
  t.equal(sample(afterForgery.body, 'hireflow_webhook_deliveries_total', { source: 'clickup', outcome: 'rejected' }), 1)
  t.equal(sample(afterForgery.body, 'hireflow_webhook_deliveries_total', { source: 'clickup', outcome: 'accepted' }), 0)

  // The same registry on METRICS_PORT, without a key, on loopback only.
  const direct = await fetch(`http://127.0.0.1:${metricsPort}/metrics`)
  t.equal(direct.status, 200)
  t.match(direct.headers.get('content-type'), /^text\/plain; version=0\.0\.4/)
  const directText = await direct.text()
  t.equal(sample(directText, 'hireflow_webhook_deliveries_total', { source: 'clickup', outcome: 'rejected' }), 1)
  t.ok(sample(directText, 'hireflow_queue_jobs', { queue: 'process', state: 'waiting' }) !== undefined)
  t.equal((await fetch(`http://127.0.0.1:${metricsPort}/candidates`)).status, 404, 'nothing but /metrics on that port')
  const post = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { method: 'POST' })
  t.equal(post.status, 405)
  t.equal(post.headers.get('allow'), 'GET, HEAD')
  const outward = Object.values(networkInterfaces())
    .flat()
    .find((address) => address && address.family === 'IPv4' && !address.internal)
  if (outward) {
    await t.rejects(fetch(`http://${outward.address}:${metricsPort}/metrics`), `not served on ${outward.address}`)
  } else {
    t.comment('no non-loopback IPv4 address on this machine to check the binding against')
  }

  await hireflow.stop()
  await t.rejects(fetch(`http://127.0.0.1:${metricsPort}/metrics`), 'the metrics port is closed on shutdown')
})

t.test('the workers: a processed candidate shows up as a completed process job with its duration', async (t) => {
  const metricsPort = await freePort()
  const hireflow = await startHireflow({ env: { METRICS_PORT: String(metricsPort) } })
  t.teardown(() => hireflow.stop())
  const upload = await injectUpload(hireflow.app!, {
    filename: 'jane-doe.txt',
    content: Buffer.from(sampleResumeLines('Jane Doe').join('\n')),
  })
  t.equal(upload.statusCode, 202, upload.body)
  const { id } = upload.json() as { id: string }

  const text = await until('a completed process job in the metrics', async () => {
    const body = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
    return (sample(body, 'hireflow_job_duration_seconds_count', { queue: 'process', outcome: 'completed' }) ?? 0) >= 1 ? body : undefined
  })
  t.ok((sample(text, 'hireflow_job_duration_seconds_sum', { queue: 'process', outcome: 'completed' }) ?? -1) >= 0)
  t.ok(sample(text, 'hireflow_job_duration_seconds_bucket', { queue: 'process', outcome: 'completed', le: '+Inf' })! >= 1)
  t.notMatch(text, new RegExp(id), 'the candidate id is in no label')
})

t.test('integration health comes from the reader it is given; a disabled integration has no sample', async (t) => {
  let reads = 0
  const prometheus = new PrometheusMetrics({
    integrations: {
      async list() {
        reads++
        return [
          integration('TaskManager', 'healthy', 120),
          integration('HREmail', 'unhealthy', 3000),
          integration('Templates', 'disabled', null),
        ]
      },
    },
  })
  const { body } = await prometheus.scrape()
  t.equal(sample(body, 'hireflow_integration_healthy', { integration: 'TaskManager' }), 1)
  t.equal(sample(body, 'hireflow_integration_healthy', { integration: 'HREmail' }), 0)
  t.equal(sample(body, 'hireflow_integration_healthy', { integration: 'Templates' }), undefined)
  t.equal(sample(body, 'hireflow_integration_probe_latency_seconds', { integration: 'TaskManager' }), 0.12)
  t.equal(sample(body, 'hireflow_integration_probe_latency_seconds', { integration: 'HREmail' }), 3)
  t.equal(sample(body, 'hireflow_scrape_errors_total', { collector: 'integrations' }), 0)
  await prometheus.scrape()
  t.equal(reads, 1, 'both gauges, and a second scrape right after, share one reading')
})

t.test('a monitor or Redis that fails or hangs costs its samples and a count, never the scrape', async (t) => {
  const hanging = { name: 'process', getJobCounts: () => new Promise(() => {}) } as unknown as Queue
  const prometheus = new PrometheusMetrics({
    queues: { all: () => [hanging] },
    integrations: {
      list: async () => {
        throw new Error('monitor store unavailable')
      },
    },
    sink: { stats: () => ({ sent: 10, dropped: 7, buffered: 0 }) },
    readTimeoutMs: 200,
    cacheMs: 0,
  })
  const started = Date.now()
  const { body } = await prometheus.scrape()
  t.ok(Date.now() - started < 2_000, `answered in ${Date.now() - started} ms`)
  t.equal(sample(body, 'hireflow_queue_jobs'), undefined, 'no depth is made up')
  t.equal(sample(body, 'hireflow_integration_healthy'), undefined)
  t.equal(sample(body, 'hireflow_scrape_errors_total', { collector: 'queues' }), 1)
  t.equal(sample(body, 'hireflow_scrape_errors_total', { collector: 'integrations' }), 1)
  t.equal(sample(body, 'hireflow_metrics_dropped_total'), 7, "the CloudWatch sink's dropped data points")
  const again = await prometheus.scrape()
  t.equal(sample(again.body, 'hireflow_scrape_errors_total', { collector: 'queues' }), 2, 'each failed reading is counted')
})

t.test('job attempts are timed by outcome: completed, retried (will run again), failed (for good)', async (t) => {
  const prometheus = new PrometheusMetrics()
  const worker = Object.assign(new EventEmitter(), { name: 'notify' })
  prometheus.observeJobs([worker as unknown as Worker])
  const job = (processedOn: number, finishedOn?: number) => ({ processedOn, finishedOn }) as unknown as Job
  worker.emit('completed', job(1_000, 1_400))
  worker.emit('failed', job(2_000), new Error('SES timed out'))
  worker.emit('failed', job(3_000, 3_250), new Error('unreadable resume'))
  // A job that stalled too often fails without a job object: nothing to time.
  worker.emit('failed', undefined, new Error('job stalled more than allowable limit'))
  const { body } = await prometheus.scrape()
  t.equal(sample(body, 'hireflow_job_duration_seconds_count', { queue: 'notify', outcome: 'completed' }), 1)
  t.equal(sample(body, 'hireflow_job_duration_seconds_sum', { queue: 'notify', outcome: 'completed' }), 0.4)
  t.equal(sample(body, 'hireflow_job_duration_seconds_count', { queue: 'notify', outcome: 'retried' }), 1)
  t.equal(sample(body, 'hireflow_job_duration_seconds_count', { queue: 'notify', outcome: 'failed' }), 1)
  t.equal(sample(body, 'hireflow_job_duration_seconds_sum', { queue: 'notify', outcome: 'failed' }), 0.25)
})
