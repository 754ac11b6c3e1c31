// Intake: get the resume's bytes into the resume store and the candidate into
// `stored`. For a direct upload the request already delivered and stored the
// bytes, so intake confirms them; later sources fetch them here.
import { UnrecoverableError, type Job } from 'bullmq'
import type { IntakeJobData } from './queues.ts'
import type { JobContext } from './context.ts'
import { StepFailure } from './step-failure.ts'

export function intakeProcessor({ services, queues }: JobContext) {
  return async (job: Job<IntakeJobData>): Promise<void> => {
    const { source, candidateId } = job.data
    if (source !== 'upload' || !candidateId) {
      throw new UnrecoverableError(`no intake is configured for source "${source}"`)
    }
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
