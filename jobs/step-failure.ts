import { UnrecoverableError } from 'bullmq'
import type { PipelineStep } from '../src/domain/candidate.ts'

/** A failure that retrying cannot mend: recorded on the candidate at once. */
export class StepFailure extends UnrecoverableError {
  override name = 'StepFailure'
  readonly reason: string
  readonly step: PipelineStep
  constructor(reason: string, step: PipelineStep, message: string) {
    super(message)
    this.reason = reason
    this.step = step
  }
}
