// What Prometheus scrapes from one process: HTTP requests by route pattern,
// queue depths by state, job durations, webhook deliveries by outcome,
// integration health and the metrics sink's dropped data points. Each process
// keeps a registry of its own (never prom-client's global one), so tests can
// build many apps side by side. Whatever is read from Redis or the monitor at
// scrape time is read under a timeout and shared for a moment between
// scrapes; a reading that fails is counted, and the scrape still answers.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { Job, Queue, Worker } from 'bullmq'
import type { MetricsSink } from '../ports/metrics.ts'
import type { IntegrationStatus, IntegrationStatusReader } from './integration.ts'

/** The job states a queue is counted by. */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children'] as const

/** The queues whose depths are read at scrape time (HiringQueues). */
export interface CountedQueues {
  all(): Queue[]
}

/** Webhook deliveries this process accepted, refused (signature or secret did not check out) and recognised as retries, per source. */
export type WebhookTally = ReadonlyMap<string, { accepted: number; rejected: number; duplicates: number }>

export interface PrometheusOptions {
  queues?: CountedQueues
  /** The integration monitor's view; without one, no integration gauges are exported. */
  integrations?: IntegrationStatusReader
  webhookCounters?: WebhookTally
  /** The batched metrics sink (CloudWatch), whose dropped data points are exported. */
  sink?: Pick<MetricsSink, 'stats'>
  /** How long one reading of Redis or the monitor serves the scrapes that follow (default 2 s). */
  cacheMs?: number
  /** How long a scrape waits for Redis or the monitor before it answers without them (default 2 s). */
  readTimeoutMs?: number
}

const SECONDS_BUCKETS_HTTP = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
const SECONDS_BUCKETS_JOBS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]

/**
 * A value read at scrape time: one read at a time, whose result also serves
 * the scrapes of the next `cacheMs`; a read gets `timeoutMs` before the
 * scrape answers without it, and a failed or late read is counted under
 * `collector` and gives `undefined`.
 */
function sharedReading<T>(collector: string, read: () => Promise<T>, errors: Counter<'collector'>, cacheMs: number, timeoutMs: number) {
  errors.inc({ collector }, 0)
  let value: Promise<T | undefined> | undefined
  // Undefined while the read is in flight.
  let settledAt: number | undefined
  return (): Promise<T | undefined> => {
    if (value && (settledAt === undefined || Date.now() - settledAt < cacheMs)) return value
    settledAt = undefined
    value = new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${collector}: no answer within ${timeoutMs} ms`)), timeoutMs)
      Promise.resolve()
        .then(read)
        .then(resolve, reject)
        .finally(() => clearTimeout(timer))
    })
      .catch(() => {
        errors.inc({ collector })
        return undefined
      })
      .finally(() => {
        settledAt = Date.now()
      })
    return value
  }
}

export class PrometheusMetrics {
  readonly registry = new Registry()
  readonly #httpDuration: Histogram<'method' | 'route' | 'status_code'>
  readonly #jobDuration: Histogram<'queue' | 'outcome'>
  readonly #errors: Counter<'collector'>
  readonly #cacheMs: number
  readonly #readTimeoutMs: number
  #readQueues: (() => Promise<Map<string, Record<string, number>> | undefined>) | undefined
  #readIntegrations: (() => Promise<IntegrationStatus[] | undefined>) | undefined
  #webhooks: WebhookTally | undefined

  constructor(options: PrometheusOptions = {}) {
    const registers = [this.registry]
    this.#cacheMs = options.cacheMs ?? 2_000
    this.#readTimeoutMs = options.readTimeoutMs ?? 2_000
    collectDefaultMetrics({ register: this.registry })

    this.#httpDuration = new Histogram({
      name: 'hireflow_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: SECONDS_BUCKETS_HTTP,
      registers,
    })
    this.#jobDuration = new Histogram({
      name: 'hireflow_job_duration_seconds',
      help: 'Job attempts run by this process, by queue and outcome (completed, retried: failed and will run again, failed: for good)',
      labelNames: ['queue', 'outcome'],
      buckets: SECONDS_BUCKETS_JOBS,
      registers,
    })
    this.#errors = new Counter({
      name: 'hireflow_scrape_errors_total',
      help: 'Scrape-time readings that failed or timed out (queues: Redis; integrations: the monitor); the scrape answered without them',
      labelNames: ['collector'],
      registers,
      // Metrics are collected side by side: waiting for this scrape's readings puts their failures in this scrape.
      collect: async () => {
        await Promise.all([this.#readQueues?.(), this.#readIntegrations?.()])
      },
    })

    const depth = new Gauge({
      name: 'hireflow_queue_jobs',
      help: 'Jobs in each queue by state, read from Redis at scrape time',
      labelNames: ['queue', 'state'],
      registers,
      collect: async () => {
        const counts = await this.#readQueues?.()
        depth.reset()
        for (const [queue, byState] of counts ?? []) for (const state of QUEUE_STATES) depth.set({ queue, state }, byState[state] ?? 0)
      },
    })
    const deliveries = new Counter({
      name: 'hireflow_webhook_deliveries_total',
      help: 'Webhook deliveries received by this process, by source and outcome (accepted, rejected: failed verification, duplicate)',
      labelNames: ['source', 'outcome'],
      registers,
      collect: () => {
        deliveries.reset()
        for (const [source, count] of this.#webhooks ?? []) {
          deliveries.inc({ source, outcome: 'accepted' }, count.accepted)
          deliveries.inc({ source, outcome: 'rejected' }, count.rejected)
          deliveries.inc({ source, outcome: 'duplicate' }, count.duplicates)
        }
      },
    })
    // Both integration gauges come from one shared reading of the monitor.
    const healthy = new Gauge({
      name: 'hireflow_integration_healthy',
      help: 'Each enabled integration as the monitor last probed it: 1 healthy, 0 unhealthy (a disabled integration has no sample)',
      labelNames: ['integration'],
      registers,
      collect: async () => {
        const statuses = await this.#readIntegrations?.()
        healthy.reset()
        for (const { name, status } of statuses ?? [])
          if (status !== 'disabled') healthy.set({ integration: name }, status === 'healthy' ? 1 : 0)
      },
    })
    const latency = new Gauge({
      name: 'hireflow_integration_probe_latency_seconds',
      help: "How long each enabled integration's last probe took",
      labelNames: ['integration'],
      registers,
      collect: async () => {
        const statuses = await this.#readIntegrations?.()
        latency.reset()
        for (const { name, status, latencyMs } of statuses ?? []) {
          if (status !== 'disabled' && latencyMs !== null) latency.set({ integration: name }, latencyMs / 1000)
        }
      },
    })
    const sink = options.sink
    const dropped = new Counter({
      name: 'hireflow_metrics_dropped_total',
      help: 'Data points the metrics service (CloudWatch) refused or did not take in time, since the process started',
      registers,
      collect: () => {
        dropped.reset()
        dropped.inc(sink?.stats().dropped ?? 0)
      },
    })

    if (options.queues) this.watchQueues(options.queues)
    if (options.integrations) this.watchIntegrations(options.integrations)
    if (options.webhookCounters) this.watchWebhooks(options.webhookCounters)
  }

  /** Exports the depths of these queues (replacing any watched before). */
  watchQueues(queues: CountedQueues): void {
    this.#readQueues = sharedReading(
      'queues',
      async () => {
        const counted = await Promise.all(
          queues.all().map(async (queue) => [queue.name, await queue.getJobCounts(...QUEUE_STATES)] as const),
        )
        return new Map(counted)
      },
      this.#errors,
      this.#cacheMs,
      this.#readTimeoutMs,
    )
  }

  /** Exports the health and probe latency of each integration the reader knows (the integration monitor). */
  watchIntegrations(reader: IntegrationStatusReader): void {
    this.#readIntegrations = sharedReading('integrations', () => reader.list(), this.#errors, this.#cacheMs, this.#readTimeoutMs)
  }

  /** Exports the webhook delivery counts (the webhook routes keep them in memory). */
  watchWebhooks(counters: WebhookTally): void {
    this.#webhooks = counters
  }

  /** Times every job attempt these workers finish, from the job's own timestamps. */
  observeJobs(workers: readonly Worker[]): void {
    for (const worker of workers) {
      worker.on('completed', (job) => this.#observeJob(worker.name, job, 'completed'))
      // A job that stalled too often is failed without one (job undefined): there is no attempt to time.
      worker.on('failed', (job) => {
        if (job) this.#observeJob(worker.name, job, job.finishedOn ? 'failed' : 'retried')
      })
    }
  }

  #observeJob(queue: string, job: Job, outcome: string): void {
    if (!job.processedOn) return
    const finishedOn = job.finishedOn ?? Date.now()
    this.#jobDuration.observe({ queue, outcome }, Math.max(0, finishedOn - job.processedOn) / 1000)
  }

  /** One HTTP request: `route` is the pattern it matched (`/candidates/:id`), never the URL with its ids. */
  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.#httpDuration.observe({ method, route, status_code: statusCode }, seconds)
  }

  /** The exposition text (`text/plain; version=0.0.4`) and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() }
  }
}
