// Starts hireflow in one of its roles: the HTTP API, the workers, or both.
import pino, { type Logger } from 'pino'
import type { FastifyInstance } from 'fastify'
import type { Config } from './config.ts'
import { createServices, type Services } from './services.ts'
import { buildApp } from './app.ts'
import { producerConnection, workerConnection } from './redis.ts'
import { HiringQueues } from '../jobs/queues.ts'
import { HiringWorkers } from '../jobs/workers.ts'
import { scheduleRecovery } from '../jobs/recover.ts'

export type Role = 'all' | 'api' | 'worker'

export interface Running {
  app: FastifyInstance | undefined
  services: Services
  queues: HiringQueues
  workers: HiringWorkers | undefined
  /** Stop taking work, let in-flight requests and jobs finish, close every connection. */
  close(): Promise<void>
}

export function createLogger(config: Config): Logger {
  return pino({
    level: config.logLevel,
    // Resumes and contact fields are never logged; the key must not be either.
    redact: { paths: ['req.headers.authorization', 'headers.authorization'], remove: true },
  })
}

export async function start(config: Config, role: Role, options: { logger?: Logger } = {}): Promise<Running> {
  const log = options.logger ?? createLogger(config)
  const services = await createServices(config)
  const producer = producerConnection(config.redisUrl)
  producer.on('error', (error) => log.warn({ err: { message: error.message } }, 'redis (producer) error'))
  const queues = new HiringQueues(producer, config.queuePrefix, { attempts: config.jobAttempts, backoffMs: config.jobBackoffMs })

  let workers: HiringWorkers | undefined
  let recovery: { close(): Promise<void> } | undefined
  let consumer: ReturnType<typeof workerConnection> | undefined
  if (role !== 'api') {
    consumer = workerConnection(config.redisUrl)
    consumer.on('error', (error) => log.warn({ err: { message: error.message } }, 'redis (worker) error'))
    const context = { config, services, queues, log }
    workers = new HiringWorkers(context, consumer)
    recovery = await scheduleRecovery(context, consumer)
  }

  let app: FastifyInstance | undefined
  if (role !== 'worker') {
    app = await buildApp({ config, services, queues, redis: producer }, log)
    await app.listen({ host: config.host, port: config.port })
  }

  return {
    app,
    services,
    queues,
    workers,
    async close() {
      await app?.close()
      await recovery?.close()
      await workers?.close()
      await queues.close()
      producer.disconnect()
      consumer?.disconnect()
      await services.close()
    },
  }
}
