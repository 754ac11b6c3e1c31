import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../src/config.ts'
import type { CandidateStore } from '../src/ports/candidate-store.ts'
import type { ResumeStore } from '../src/ports/resume-store.ts'
import type { Mailer } from '../src/ports/mailer.ts'
import type { TemplateRenderer } from '../src/mail/templates.ts'
import type { HiringQueues } from './queues.ts'
import type { ResumeKind } from '../src/pipeline/detect.ts'
import type { ExtractedResume } from '../src/pipeline/extract.ts'
import type { IntakeSource } from '../src/ports/intake-source.ts'
import type { Alerter } from '../src/ports/alerts.ts'
import type { MetricsSink } from '../src/ports/metrics.ts'
import type { Screener } from '../src/ports/screener.ts'
import type { Requisition } from '../src/domain/requisition.ts'
import type { Assessment } from '../src/pipeline/assessment.ts'

export interface TextExtractor {
  /** Text of a resume; UnreadableResumeError when the file cannot be read. */
  extract(bytes: Buffer, kind: ResumeKind): Promise<string>
  /** The text and the hidden text taken out of it; an extractor without it finds none. */
  extractResume?(bytes: Buffer, kind: ResumeKind): Promise<ExtractedResume>
  /** The text with the lexical scorer's assessment of it, worked out off the main thread. */
  readAndAssess?(bytes: Buffer, kind: ResumeKind, requisition: Requisition | null): Promise<ExtractedResume & { assessment: Assessment }>
}

/**
 * The ports a job may use. Jobs depend on these, not on the wiring that builds
 * them, so a processor can be run against any adapter (or a failing stand-in).
 */
export interface JobServices {
  candidates: CandidateStore
  resumes: ResumeStore
  mailer: Mailer
  templates: TemplateRenderer
}

/** What every job processor needs: the ports, the queues to hand work on, the configuration. */
export interface JobContext {
  config: Config
  services: JobServices
  queues: HiringQueues
  log: FastifyBaseLogger
  extractor: TextExtractor
  /** The configured intake sources by provider name (empty when only uploads come in). */
  sources: ReadonlyMap<string, IntakeSource>
  /** Raises alerts (log line, and SNS or email when configured); never throws. */
  alerts: Alerter
  /** Batched metrics; recording never waits and never throws. */
  metrics: MetricsSink
  /** The scorer SCORER configures; the lexical scorer when absent. */
  screener?: Screener
}
