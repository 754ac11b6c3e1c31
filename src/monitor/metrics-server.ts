// METRICS_PORT: the same registry as GET /metrics, without the API key, on
// loopback only, so a Prometheus agent on the host scrapes it and a
// worker-only process (which has no HTTP API) still shows its job metrics.
import { createServer, type Server } from 'node:http'
import type { FastifyBaseLogger } from 'fastify'
import type { PrometheusMetrics } from './prometheus.ts'

export interface MetricsServer {
  port: number
  close(): Promise<void>
}

export async function serveMetrics(prometheus: PrometheusMetrics, port: number, log: FastifyBaseLogger): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0]
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('only /metrics is served here\n')
      return
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('GET /metrics\n')
      return
    }
    prometheus.scrape().then(
      ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(request.method === 'HEAD' ? undefined : body),
      (error: unknown) => {
        log.error({ err: error }, 'metrics scrape failed')
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n')
      },
    )
  })
  // Scrapes are small GETs: a client that does not send one promptly is cut off.
  server.headersTimeout = 5_000
  server.requestTimeout = 10_000
  await new Promise<void>((resolve, reject) => {
    const refuse = (error: Error) =>
      reject(new Error(`METRICS_PORT ${port}: cannot listen on 127.0.0.1 (${error.message})`, { cause: error }))
    server.once('error', refuse)
    server.listen({ host: '127.0.0.1', port }, () => {
      server.off('error', refuse)
      resolve()
    })
  })
  server.on('error', (error) => log.error({ err: error }, 'metrics server error'))
  const address = server.address()
  const bound = typeof address === 'object' && address ? address.port : port
  log.info({ port: bound }, 'metrics served on 127.0.0.1')
  return {
    port: bound,
    async close() {
      const closed = new Promise((resolve) => server.close(resolve))
      server.closeIdleConnections()
      await closed
    },
  }
}
