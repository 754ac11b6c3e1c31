// The HTTP app alone, over in-memory stand-ins for the ports: for tests of
// routing, validation, auth and body handling that need neither Redis nor a
// data folder. Anything a test does not stub throws, so an unexpected call shows.
import type { IntegrationMonitor } from '../../src/monitor/integration-monitor.ts'
import { quietMonitoring } from './monitoring.ts'
import pino from 'pino'
import type { Redis } from 'ioredis'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.ts'
import { loadConfig, type Config } from '../../src/config.ts'
import type { Services } from '../../src/services.ts'
import type { HiringQueues } from '../../jobs/queues.ts'
import type { Requisition } from '../../src/domain/requisition.ts'
import type { IntakeSource } from '../../src/ports/intake-source.ts'
import { API_KEY } from './harness.ts'

export interface FakeApp {
  app: FastifyInstance
  config: Config
  /** Every log line, as JSON text. */
  logs: string[]
  requisitions: Map<string, Requisition>
}

function stub(name: string, methods: object = {}): unknown {
  return new Proxy(methods, {
    get: (target, property) => {
      if (property in target) {
        const value = (target as Record<PropertyKey, unknown>)[property]
        // Real adapters keep private fields, which a proxy as `this` cannot reach.
        return typeof value === 'function' ? value.bind(target) : value
      }
      if (property === 'then') return undefined
      return async () => {
        throw new Error(`unexpected call ${name}.${String(property)}`)
      }
    },
  })
}

export async function fakeApp(
  options: {
    env?: Record<string, string>
    services?: { [K in 'candidates' | 'resumes' | 'mailer' | 'templates']?: Partial<Services[K]> }
    redis?: Partial<Redis>
    queues?: Partial<HiringQueues>
    sources?: IntakeSource[]
  } = {},
): Promise<FakeApp> {
  const config = loadConfig({ API_KEYS: API_KEY, LOG_LEVEL: 'silent', ...options.env })
  const logs: string[] = []
  const requisitions = new Map<string, Requisition>()
  const candidates = {
    createRequisition: async (requisition: Requisition) => void requisitions.set(requisition.id, requisition),
    getRequisition: async (id: string) => requisitions.get(id),
  }
  const given = options.services ?? {}
  const services = {
    candidates: stub('candidates', { ...candidates, ...(given.candidates as object) }),
    resumes: stub('resumes', given.resumes as object),
    mailer: stub('mailer', given.mailer as object),
    templates: stub('templates', given.templates as object),
  } as unknown as Services
  const app = await buildApp(
    {
      config,
      services,
      // No queues to show on the board or count in /metrics unless a test gives some.
      queues: stub('queues', { all: () => [], ...options.queues }) as HiringQueues,
      ...quietMonitoring(),
      redis: stub('redis', options.redis) as Redis,
      integrations: stub('integrations') as IntegrationMonitor,
      sources: new Map((options.sources ?? []).map((source) => [source.provider, source])),
    },
    pino({ level: 'trace' }, { write: (line: string) => void logs.push(line) }),
  )
  return { app, config, logs, requisitions }
}
