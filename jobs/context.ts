import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../src/config.ts'
import type { Services } from '../src/services.ts'
import type { HiringQueues } from './queues.ts'
import type { ResumeKind } from '../src/pipeline/detect.ts'

export interface TextExtractor {
  /** Text of a resume; UnreadableResumeError when the file cannot be read. */
  extract(bytes: Buffer, kind: ResumeKind): Promise<string>
}

/** What every job processor needs: the ports, the queues to hand work on, the configuration. */
export interface JobContext {
  config: Config
  services: Services
  queues: HiringQueues
  log: FastifyBaseLogger
  extractor: TextExtractor
}
