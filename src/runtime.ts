// Starts hireflow in one of its roles: the HTTP API, the workers, or both.
import pino, { type Logger, type LoggerOptions } from 'pino'
import type { FastifyInstance } from 'fastify'
import type { Config } from './config.ts'
import { createServices, type Services } from './services.ts'
import { buildApp } from './app.ts'
import { producerConnection, workerConnection } from './redis.ts'
import { HiringQueues } from '../jobs/queues.ts'
import { HiringWorkers } from '../jobs/workers.ts'
import { scheduleRecovery } from '../jobs/recover.ts'
import { Schedules } from '../jobs/schedules.ts'
import { SourceHintDrainer } from '../jobs/source-hints.ts'
import { ImapIdleWatcher } from './sources/imap/idle.ts'
import { ExtractionPool } from './pipeline/extraction-pool.ts'
import { createSources } from './sources/registry.ts'
import { createMonitoring } from './monitor/monitoring.ts'
import { createScreener, type ConfiguredScreener } from './pipeline/llm/create-screener.ts'
import { createIntegrationWatchers } from './monitor/integrations.ts'
import { HealthLoop } from './monitor/health-loop.ts'
import { PrometheusMetrics } from './monitor/prometheus.ts'
import { serveMetrics, type MetricsServer } from './monitor/metrics-server.ts'

export type Role = 'all' | 'api' | 'worker'

export interface Running {
  app: FastifyInstance | undefined
  services: Services
  queues: HiringQueues
  workers: HiringWorkers | undefined
  /** Stop taking work, let in-flight requests and jobs finish, close every connection. */
  close(): Promise<void>
}

/** Resumes and contact fields are never logged (only ids are); credentials are cut from whatever a library logs. */
export function loggerOptions(level: string): LoggerOptions {
  const secrets = ['authorization', 'cookie', 'x-amz-security-token']
  return {
    level,
    redact: {
      paths: ['req.headers', 'headers', 'busboyOptions.headers'].flatMap((at) => secrets.map((name) => `${at}["${name}"]`)),
      remove: true,
    },
  }
}

export function createLogger(config: Config): Logger {
  return pino(loggerOptions(config.logLevel))
}

export interface StartOptions {
  logger?: Logger
  /** Shorter periods for tests; production runs on the defaults. */
  timings?: {
    sweepEveryMs?: number
    sweepQuietForMs?: number
    reassertSchedulesEveryMs?: number
    /** How often expiring webhooks are checked for renewal (default hourly). */
    keepWebhookEveryMs?: number
  }
}

export async function start(config: Config, role: Role, options: StartOptions = {}): Promise<Running> {
  const log = options.logger ?? createLogger(config)
  const services = await createServices(config)
  const policy = { attempts: config.jobAttempts, backoffMs: config.jobBackoffMs }
  const connections: ReturnType<typeof producerConnection>[] = []
  const sources = createSources(config, services.candidates, log)
  const monitoring = createMonitoring(config, services.mailer, log)
  const { alerter: alerts, metrics } = monitoring
  // One registry per process: the API's requests and the workers' jobs are scraped together (GET /metrics, METRICS_PORT).
  const prometheus = new PrometheusMetrics({ sink: metrics })

  // The monitor's own connection fails fast: a probe reports a Redis that is away instead of waiting for it.
  const monitorConnection = producerConnection(config.redisUrl)
  monitorConnection.on('error', (error) => log.debug({ err: { message: error.message } }, 'redis (monitor) error'))
  connections.push(monitorConnection)
  const monitorQueues = new HiringQueues(monitorConnection, config.queuePrefix, policy)
  const { monitor: integrations, watch } = createIntegrationWatchers({
    config,
    services,
    sources,
    redis: monitorConnection,
    queues: monitorQueues,
    alerter: alerts,
    metrics,
    log,
  })
  prometheus.watchIntegrations(integrations)

  let app: FastifyInstance | undefined
  let apiQueues: HiringQueues | undefined
  if (role !== 'worker') {
    const producer = producerConnection(config.redisUrl)
    producer.on('error', (error) => log.warn({ err: { message: error.message } }, 'redis (api) error'))
    connections.push(producer)
    apiQueues = new HiringQueues(producer, config.queuePrefix, policy, { failFast: true })
    app = await buildApp({ config, services, queues: apiQueues, redis: producer, sources, alerts, metrics, prometheus, integrations }, log)
  }

  let workers: HiringWorkers | undefined
  let recovery: { close(): Promise<void> } | undefined
  let schedules: Schedules | undefined
  let hints: SourceHintDrainer | undefined
  let idle: ImapIdleWatcher | undefined
  let jobQueues: HiringQueues | undefined
  let extractor: ExtractionPool | undefined
  let scoring: ConfiguredScreener | undefined
  let health: HealthLoop | undefined
  if (role !== 'api') {
    const consumer = workerConnection(config.redisUrl)
    consumer.on('error', (error) => log.warn({ err: { message: error.message } }, 'redis (worker) error'))
    connections.push(consumer)
    jobQueues = new HiringQueues(consumer, config.queuePrefix, policy)
    extractor = new ExtractionPool({ threads: config.extractThreads })
    // The LLM's day budget is counted on the fail-fast connection: with Redis away the lexical scorer is used at once.
    scoring = createScreener(config, monitorConnection, log.child({ scorer: config.scorer.kind }))
    const context = { config, services, queues: jobQueues, log, extractor, sources, alerts, metrics, screener: scoring.screener }
    workers = new HiringWorkers(context, consumer)
    prometheus.observeJobs(workers.workers)
    if (!app) prometheus.watchQueues(jobQueues)
    const timings = options.timings ?? {}
    schedules = new Schedules(consumer, log, { reassertEveryMs: timings.reassertSchedulesEveryMs })
    hints = new SourceHintDrainer(jobQueues, [...sources.keys()], log)
    // Every source is reconciled on a schedule, webhooks or not: a lost delivery costs latency, never a resume.
    for (const provider of sources.keys()) {
      await schedules.add({
        queue: jobQueues.sources,
        id: `reconcile-${provider}`,
        everyMs: config.pollIntervalSeconds * 1000,
        jobName: 'reconcile',
        data: { kind: 'reconcile', provider },
      })
      // Expiring webhooks (Graph subscriptions) are checked hourly and renewed two days before they lapse.
      if (sources.get(provider)!.keepWebhook) {
        await schedules.add({
          queue: jobQueues.sources,
          id: `keep-webhook-${provider}`,
          everyMs: timings.keepWebhookEveryMs ?? 3_600_000,
          jobName: 'keep-webhook',
          data: { kind: 'keep-webhook', provider },
        })
      }
    }
    // IMAP pushes new mail over IDLE: one worker process holds it (a lease in Redis), and a new mail reconciles the folder.
    const mailbox = config.mailbox
    if (mailbox?.provider === 'imap') {
      const leaseConnection = workerConnection(config.redisUrl)
      leaseConnection.on('error', (error) => log.warn({ err: { message: error.message } }, 'redis (imap lease) error'))
      connections.push(leaseConnection)
      const queues = jobQueues
      idle = new ImapIdleWatcher({
        settings: mailbox,
        redis: leaseConnection,
        leaseKey: `${config.queuePrefix}:imap-idle-lease`,
        onChange: () => queues.enqueueReconcile('imap'),
        log: log.child({ source: 'imap' }),
      })
      idle.start()
    }
    health = new HealthLoop({
      monitor: integrations,
      watch,
      redis: monitorConnection,
      prefix: config.queuePrefix,
      intervalMs: config.healthIntervalSeconds * 1000,
      log,
    })
    health.start()
    recovery = await scheduleRecovery(context, consumer, schedules, {
      sweepEveryMs: timings.sweepEveryMs,
      quietForMs: timings.sweepQuietForMs,
    })
  }

  await app?.listen({ host: config.host, port: config.port })
  let metricsServer: MetricsServer | undefined
  if (config.metricsPort !== undefined) metricsServer = await serveMetrics(prometheus, config.metricsPort, log)

  return {
    app,
    services,
    queues: (apiQueues ?? jobQueues) as HiringQueues,
    workers,
    async close() {
      await app?.close()
      await metricsServer?.close()
      schedules?.close()
      await hints?.close()
      await idle?.close()
      await health?.close()
      await recovery?.close()
      await workers?.close()
      await extractor?.close()
      scoring?.close()
      await apiQueues?.close()
      await jobQueues?.close()
      await monitorQueues.close()
      for (const connection of connections) connection.disconnect()
      await monitoring.close()
      await services.close()
    },
  }
}
