// The workers of the queues. A job that cannot succeed (an
// UnrecoverableError, or the last of its attempts) records the failure on the
// candidate, so nothing is left silently stuck.
import { UnrecoverableError, Worker, type Job, type Processor } from 'bullmq'
import type { Redis } from 'ioredis'
import { UNFINISHED_STATUSES, type PipelineStep } from '../src/domain/candidate.ts'
import type { JobContext } from './context.ts'
import { intakeProcessor } from './intake.ts'
import { processProcessor } from './process.ts'
import { OCR_PAGE_TIMEOUT_MS, ocrProcessor } from './ocr.ts'
import { OcrReader } from '../src/pipeline/ocr/reader.ts'
import { notifyProcessor } from './notify.ts'
import { sourceProcessor } from './sources.ts'
import { StepFailure } from './step-failure.ts'
import { ResumeNotFoundError } from '../src/ports/resume-store.ts'
import { candidateFailed } from '../src/monitor/pipeline-metrics.ts'

export class HiringWorkers {
  readonly workers: Worker[]
  private readonly context: JobContext
  /** The OCR engines of this process: started on the first scan, ended on close. */
  private readonly ocr: OcrReader

  constructor(context: JobContext, connection: Redis) {
    this.context = context
    this.ocr = new OcrReader({ engines: context.config.ocrConcurrency, pageTimeoutMs: OCR_PAGE_TIMEOUT_MS })
    const options = {
      connection,
      prefix: context.config.queuePrefix,
      // A job whose worker died keeps its lock until it expires; the stalled check then hands it to another worker.
      lockDuration: context.config.jobLockMs,
      stalledInterval: context.config.jobLockMs,
    }
    this.workers = [
      new Worker('intake', this.recording('intake', intakeProcessor(context)), { ...options, concurrency: 4 }),
      new Worker('process', this.recording('parse', processProcessor(context)), {
        ...options,
        concurrency: context.config.processConcurrency,
      }),
      new Worker('ocr', this.recording('parse', ocrProcessor(context, this.ocr)), {
        ...options,
        concurrency: context.config.ocrConcurrency,
      }),
      new Worker('notify', this.recording('notify', notifyProcessor(context)), { ...options, concurrency: 4 }),
      new Worker('sources', sourceProcessor(context), { ...options, concurrency: 4 }),
    ]
    for (const worker of this.workers) {
      worker.on('error', (error) => context.log.error({ err: error, queue: worker.name }, 'worker error'))
      worker.on('failed', (job, error) =>
        context.log.warn(
          { queue: worker.name, jobId: job?.id, attempt: job?.attemptsMade, err: { type: error.name, message: error.message } },
          'job failed',
        ),
      )
    }
  }

  private recording<T extends { candidateId?: string }>(step: PipelineStep, processor: (job: Job<T>) => Promise<void>): Processor<T> {
    return async (job: Job<T>) => {
      try {
        await processor(job)
      } catch (thrown) {
        // A resume gone from the store will not come back by retrying.
        const error = thrown instanceof ResumeNotFoundError ? new StepFailure('resume_missing', step, thrown.message) : thrown
        const last = error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1)
        const { candidateId } = job.data
        if (last && candidateId) await this.recordFailure(candidateId, step, error as Error)
        throw error
      }
    }
  }

  private async recordFailure(candidateId: string, step: PipelineStep, error: Error): Promise<void> {
    const failure =
      error instanceof StepFailure
        ? { reason: error.reason, step: error.step, message: error.message }
        : { reason: `${step}_failed`, step, message: error.message }
    try {
      const failed = await this.context.services.candidates.transition(candidateId, {
        from: [...UNFINISHED_STATUSES],
        to: 'failed',
        set: { failure },
        by: `worker:${step}`,
        why: failure.message,
      })
      if (failed) candidateFailed(this.context, failure.reason)
    } catch (recordError) {
      // The job stays failed in the queue for inspection either way.
      this.context.log.error({ candidateId, err: recordError }, 'could not record a failure on the candidate')
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()))
    await this.ocr.close()
  }
}
