// The OpenAPI document, generated from the route schemas by building the app
// on throwaway in-memory adapters (nothing is listened on or connected to).
import type { IntegrationMonitor } from './monitor/integration-monitor.ts'
import type { Alerter } from './ports/alerts.ts'
import type { MetricsSink } from './ports/metrics.ts'
import { loadConfig } from './config.ts'
import { buildApp } from './app.ts'
import type { Services } from './services.ts'
import type { HiringQueues } from '../jobs/queues.ts'
import type { Redis } from 'ioredis'

export async function openapiDocument(): Promise<Record<string, unknown>> {
  const config = loadConfig({})
  // Routes take their services at registration and use them per request; none is called here.
  const unused: object = new Proxy(function unused() {}, {
    get: () => unused,
    apply: () => {
      throw new Error('no service is available while generating the OpenAPI document')
    },
  })
  const app = await buildApp({
    config,
    services: unused as Services,
    // The queue board takes its queues when it is registered: it shows none here.
    queues: { all: () => [] } as unknown as HiringQueues,
    redis: unused as Redis,
    sources: new Map(),
    alerts: unused as Alerter,
    metrics: unused as MetricsSink,
    integrations: unused as IntegrationMonitor,
  })
  await app.ready()
  const document = app.swagger() as unknown as Record<string, unknown>
  await app.close()
  return document
}
