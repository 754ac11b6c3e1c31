import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../src/config.ts'
import type { Services } from '../src/services.ts'
import type { HiringQueues } from './queues.ts'

/** What every job processor needs: the ports, the queues to hand work on, the configuration. */
export interface JobContext {
  config: Config
  services: Services
  queues: HiringQueues
  log: FastifyBaseLogger
}
