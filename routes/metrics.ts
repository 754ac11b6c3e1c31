// GET /metrics: the process's Prometheus registry, behind the API key like
// every operator route (METRICS_PORT serves the same registry on loopback
// without it). It is in the OpenAPI document, so whoever holds a key finds it.
// Every request of the app is timed by route pattern (timeRequests), never by
// its URL: ids in labels would leak candidates and grow without bound.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { errorResponses } from '../src/http/schemas.ts'
import type { PrometheusMetrics } from '../src/monitor/prometheus.ts'

/** Times every request the app answers, public routes and unmatched URLs (`route="unmatched"`) included. */
export function timeRequests(app: FastifyInstance, prometheus: PrometheusMetrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    prometheus.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000)
    done()
  })
}

const metricsRoutes: FastifyPluginAsyncTypebox<{ prometheus: PrometheusMetrics }> = async (app, { prometheus }) => {
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics of this process',
        description:
          'Prometheus text exposition (text/plain; version=0.0.4): HTTP requests by route pattern, queue depths by state, job ' +
          'durations, webhook deliveries by source and outcome, integration health, dropped CloudWatch data points and the ' +
          'Node.js process. Queue depths and integration health are read at scrape time under a short timeout; a reading that ' +
          'fails is counted in hireflow_scrape_errors_total and left out, never a 5xx. With METRICS_PORT set, the same metrics ' +
          'are served without a key on 127.0.0.1:METRICS_PORT.',
        response: {
          200: {
            description: 'the metrics in the Prometheus text format',
            content: { 'text/plain; version=0.0.4': { schema: Type.String() } },
          },
          401: errorResponses[401],
          500: errorResponses[500],
        },
      },
    },
    async (_request, reply) => {
      const { contentType, body } = await prometheus.scrape()
      return reply.type(contentType).send(body)
    },
  )
}

export default metricsRoutes
