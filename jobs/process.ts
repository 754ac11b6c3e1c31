// Process: extract text -> profile -> score -> decision. Each result is
// written with a conditional transition, so a replayed job resumes where the
// last attempt stopped and never repeats a recorded step.
import { UnrecoverableError, type Job } from 'bullmq'
import { PROCESSABLE_STATUSES, type Candidate } from '../src/domain/candidate.ts'
import type { TransitionRequest } from '../src/ports/candidate-store.ts'
import type { Requisition } from '../src/domain/requisition.ts'
import { UnreadableResumeError } from '../src/pipeline/extract.ts'
import { extractProfile } from '../src/pipeline/profile.ts'
import { scoreResume } from '../src/pipeline/score.ts'
import { decide } from '../src/pipeline/decide.ts'
import { resumeKindForMediaType } from '../src/pipeline/detect.ts'
import type { CandidateJobData } from './queues.ts'
import type { JobContext } from './context.ts'

const BY = 'worker:process'

export function processProcessor({ services, queues, log, extractor }: JobContext) {
  const { candidates, resumes } = services

  async function requisitionOf(candidate: Candidate): Promise<Requisition | null> {
    if (!candidate.requisitionId) return null
    return (await candidates.getRequisition(candidate.requisitionId)) ?? null
  }

  return async (job: Job<CandidateJobData>): Promise<void> => {
    const { candidateId } = job.data
    // When another attempt recorded the step first, continue from what it recorded.
    const advance = async (request: TransitionRequest, current: Candidate) =>
      (await candidates.transition(candidateId, request)) ?? (await candidates.getCandidate(candidateId)) ?? current
    let candidate = await candidates.getCandidate(candidateId)
    if (!candidate) throw new UnrecoverableError(`candidate ${candidateId} does not exist`)
    if (candidate.status === 'decided') return queues.enqueueNotify(candidateId, 'decision')
    if (!(PROCESSABLE_STATUSES as readonly string[]).includes(candidate.status)) return

    const kind = resumeKindForMediaType(candidate.resume.mediaType)
    let text: string
    try {
      if (!kind) throw new UnreadableResumeError(`resumes of type ${candidate.resume.mediaType} cannot be read`, { problem: 'other' })
      text = await extractor.extract(await resumes.get(candidate.resume.key), kind)
    } catch (error) {
      if (!(error instanceof UnreadableResumeError)) throw error
      // A parse that ran out of time may be the machine's fault (a busy moment), so it gets one more try;
      // a file that is slow by construction must not hold a worker for every attempt.
      if (error.problem === 'too_slow' && job.attemptsMade === 0 && (job.opts.attempts ?? 1) > 1) throw error
      // A resume we cannot read is an outcome, not a fault: HR gets the file to read by hand.
      log.info({ candidateId, reason: error.reason }, 'resume unreadable')
      const failed = await candidates.transition(candidateId, {
        from: [...PROCESSABLE_STATUSES],
        to: 'failed',
        set: { failure: { reason: error.reason, step: 'parse', message: error.message } },
        by: BY,
        why: error.message,
      })
      if (failed) await queues.enqueueNotify(candidateId, 'unreadable')
      return
    }

    if (candidate.status === 'stored') {
      const profile = extractProfile(text)
      candidate = await advance(
        { from: ['stored'], to: 'parsed', set: { profile }, by: BY, why: 'text extracted, profile read' },
        candidate,
      )
    }
    const requisition = await requisitionOf(candidate)
    if (candidate.status === 'parsed') {
      const score = scoreResume(text, requisition ?? { mustHaveSkills: [], niceToHaveSkills: [] })
      candidate = await advance({ from: ['parsed'], to: 'scored', set: { score }, by: BY, why: `score ${score.value}/100` }, candidate)
    }
    if (candidate.status === 'scored' && candidate.score && candidate.profile) {
      const decision = decide({ score: candidate.score, profile: candidate.profile, requisition })
      candidate = await advance(
        { from: ['scored'], to: 'decided', set: { decision }, by: BY, why: `recommendation: ${decision.outcome}` },
        candidate,
      )
    }
    if (candidate.status === 'decided') await queues.enqueueNotify(candidateId, 'decision')
  }
}
