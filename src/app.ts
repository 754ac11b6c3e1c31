// Builds the Fastify application: external plugins (multipart, swagger),
// the domain services as a decorator, one error handler, and the routes.
// The API's routes sit in one encapsulated context behind the API-key check;
// /health and the docs are outside it.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type HTTPMethods } from 'fastify'
import multipart from '@fastify/multipart'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Redis } from 'ioredis'
import type { Config } from './config.ts'
import type { Services } from './services.ts'
import type { HiringQueues } from '../jobs/queues.ts'
import type { IntakeSource } from './ports/intake-source.ts'
import type { Alerter } from './ports/alerts.ts'
import type { MetricsSink } from './ports/metrics.ts'
import type { CertificateFetcher } from './aws/sns-message.ts'
import type { IntegrationMonitor } from './monitor/integration-monitor.ts'
import { installErrorHandler } from './http/errors.ts'
import { bearerAuth } from './http/auth.ts'
import { enforceBodyDeadline } from './http/body-deadline.ts'
import { sharedSchemas } from './http/schemas.ts'
import { requestValidatorCompiler } from './http/validation.ts'
import healthRoutes from '../routes/health.ts'
import requisitionRoutes from '../routes/requisitions.ts'
import requisitionReportRoutes from '../routes/requisition-report.ts'
import candidateRoutes from '../routes/candidates.ts'
import webhookRoutes from '../routes/webhooks.ts'
import sesEventRoutes from '../routes/ses-events.ts'
import decisionPageRoutes from '../routes/decision-page.ts'
import integrationRoutes from '../routes/integrations.ts'
import metricsRoutes, { timeRequests } from '../routes/metrics.ts'
import queueBoardRoutes from '../routes/queue-board.ts'
import { PrometheusMetrics } from './monitor/prometheus.ts'

export interface Hiring {
  config: Config
  services: Services
  queues: HiringQueues
  /** The producer connection the queues use; /health pings it. */
  redis: Redis
  /** The configured intake sources by provider name: their webhooks and registrations. */
  sources: ReadonlyMap<string, IntakeSource>
  /** Raises alerts (log line, and SNS or email when configured). */
  alerts: Alerter
  /** Batched metrics (CloudWatch with METRICS=cloudwatch); recording never waits. */
  metrics: MetricsSink
  /** Every integration's health as last probed; probes one on request. */
  integrations: IntegrationMonitor
  /** The process's Prometheus registry (runtime shares it with the workers); an app built without one gets its own. */
  prometheus?: PrometheusMetrics
  /** Fetches SNS signing certificates for POST /webhooks/ses; production's is an https GET to the topic's SNS host. */
  fetchSnsCertificate?: CertificateFetcher
}

/** One route as registered: the method and the URL pattern (e.g. /candidates/:id). */
export interface RouteEntry {
  method: HTTPMethods
  url: string
}

declare module 'fastify' {
  interface FastifyInstance {
    hiring: Hiring
    /** Every route of the app, public or not; the auth route-table test walks it. */
    routeTable: readonly RouteEntry[]
  }
}

export const API_VERSION = '0.1.0'

export async function buildApp(hiring: Hiring, logger?: FastifyBaseLogger) {
  const { config } = hiring
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    requestTimeout: config.requestTimeoutMs,
    bodyLimit: 256 * 1024,
    trustProxy: config.trustProxy.length > 0 ? config.trustProxy : false,
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.decorate('hiring', hiring)
  const routeTable: RouteEntry[] = []
  app.decorate('routeTable', routeTable)
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routeTable.push({ method, url: route.url })
  })
  for (const schema of sharedSchemas) app.addSchema(schema)
  app.setValidatorCompiler(requestValidatorCompiler(sharedSchemas))
  installErrorHandler(app)
  enforceBodyDeadline(app, { timeoutMs: config.requestTimeoutMs, minBytesPerSecond: config.minBodyBytesPerSecond })
  // Before any route, so every request is timed (the docs and the public routes too).
  const prometheus = hiring.prometheus ?? new PrometheusMetrics({ sink: hiring.metrics })
  prometheus.watchQueues(hiring.queues)
  timeRequests(app, prometheus)

  await app.register(multipart)
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'hireflow',
        version: API_VERSION,
        description:
          'Resume intake and screening recommendations. hireflow recommends; people decide: ' +
          'the outcome of the pipeline is sent to HR and never to the candidate.',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (json.$id as string) ?? `def-${i}` },
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })

  app.decorate('webhookCounters', new Map())
  prometheus.watchWebhooks(app.webhookCounters)
  await app.register(healthRoutes)
  // Public: a provider's signature authenticates each delivery.
  await app.register(webhookRoutes)
  // Public: SNS's signature authenticates each SES event.
  await app.register(sesEventRoutes)
  // Public: the signed token in a decision link authenticates it.
  await app.register(decisionPageRoutes)
  await app.register(async (api) => {
    api.addHook('onRequest', bearerAuth(config.apiKeyHashes))
    await api.register(requisitionRoutes)
    await api.register(requisitionReportRoutes)
    await api.register(candidateRoutes)
    await api.register(integrationRoutes)
    await api.register(metricsRoutes, { prometheus })
    await api.register(queueBoardRoutes, { prefix: '/queues' })
  })
  return app as unknown as FastifyInstance
}
