// Intake: confirm the resume's bytes in the resume store and move the
// candidate to `stored`. Whoever took the resume in (the upload route, a
// source's item job) stored the bytes and created the candidate first, most
// often already `stored`; then this only hands it on to processing. A
// candidate still `received` (put back after its missing resume was restored)
// has its bytes checked here.
import { UnrecoverableError, type Job } from 'bullmq'
import type { IntakeJobData } from './queues.ts'
import type { JobContext } from './context.ts'
import { StepFailure } from './step-failure.ts'

export function intakeProcessor({ services, queues }: JobContext) {
  return async (job: Job<IntakeJobData>): Promise<void> => {
    const { source, candidateId } = job.data
    // Every source stores the bytes and creates the candidate before queueing this job (resume-intake.ts).
    if (!candidateId) throw new UnrecoverableError(`an intake job from ${source} names no candidate`)
    const candidate = await services.candidates.getCandidate(candidateId)
    if (!candidate) throw new UnrecoverableError(`candidate ${candidateId} does not exist`)
    if (candidate.status === 'received') {
      const stored = await services.resumes.head(candidate.resume.key)
      if (!stored || stored.size !== candidate.resume.size) {
        throw new StepFailure('resume_missing', 'intake', 'the uploaded resume is not in the resume store')
      }
      await services.candidates.transition(candidateId, {
        from: ['received'],
        to: 'stored',
        by: 'worker:intake',
        why: 'resume bytes confirmed in the resume store',
      })
    } else if (candidate.status !== 'stored') {
      return
    }
    await queues.enqueueProcess(candidateId)
  }
}
