// An operator's retry of a failed candidate: back to the state it was in when
// its step failed, and that step queued again (the way the recovery sweep
// queues it). The move is one conditional transition from `failed`, so two
// operators retrying at once reopen it once.
import type { Candidate, CandidateStatus } from '../src/domain/candidate.ts'
import { UNFINISHED_STATUSES } from '../src/domain/candidate.ts'
import type { CandidateStore } from '../src/ports/candidate-store.ts'
import type { ResumeStore } from '../src/ports/resume-store.ts'
import { queueNextStep, type StepQueues } from './recover.ts'
import type { HiringQueues } from './queues.ts'

export const RETRIED_BY = 'cli'
export const RETRIED_WHY = 'retried by an operator'

export interface RetryDeps {
  candidates: CandidateStore
  resumes: Pick<ResumeStore, 'head'>
  queues: StepQueues & Pick<HiringQueues, 'enqueueSourceItem'>
  /** The providers configured now: a look at a source item is queued only where a worker can make it. */
  providers: ReadonlySet<string>
}

export interface RetryOptions {
  /** Read an unreadable resume again (after its limits were raised or the reader changed); HR is emailed the new outcome. */
  force?: boolean
}

export type RetryOutcome =
  /** Back in `status`, its step queued. */
  | { kind: 'reopened'; candidate: Candidate; status: CandidateStatus; reason: string }
  /** A refused download: the source item is looked at again, and a resume it now gives is a candidate of its own. */
  | { kind: 'looking-again'; candidate: Candidate; provider: string; itemId: string }
  | { kind: 'refused'; message: string }
  | { kind: 'missing' }

/** The state the candidate left when it failed: the last move into `failed` from somewhere else. */
function stateBeforeFailure(candidate: Candidate): CandidateStatus | null {
  for (let i = candidate.history.length - 1; i >= 0; i--) {
    const transition = candidate.history[i]!
    if (transition.to === 'failed' && transition.from !== 'failed') return transition.from
  }
  return null
}

export async function retryFailedCandidate(deps: RetryDeps, id: string, options: RetryOptions = {}): Promise<RetryOutcome> {
  const { candidates, queues } = deps
  const candidate = await candidates.getCandidate(id)
  if (!candidate) return { kind: 'missing' }
  if (candidate.status !== 'failed') {
    return { kind: 'refused', message: `candidate ${id} is ${candidate.status}, not failed: only a failed candidate is retried` }
  }
  const failure = candidate.failure ?? { reason: 'unknown', step: 'intake', message: 'no failure recorded' }
  const failed = `failed at ${failure.step}: ${failure.reason} (${failure.message})`

  if (failure.reason === 'attachment_refused') return lookAgain(deps, candidate, failed)
  if (failure.reason === 'unreadable_resume') {
    if (candidate.hrDecision) {
      return {
        kind: 'refused',
        message: `candidate ${id} ${failed}, and HR has decided on it (${candidate.hrDecision.outcome}): not run again`,
      }
    }
    if (!options.force) {
      return {
        kind: 'refused',
        message:
          `candidate ${id} ${failed}: the same file reads the same way` +
          `${candidate.notification ? ' and HR was emailed it' : ''}; use --force to read it again after changing what reads it`,
      }
    }
  }
  if (failure.reason === 'resume_missing' && !(await deps.resumes.head(candidate.resume.key))) {
    return {
      kind: 'refused',
      message: `candidate ${id} ${failed}: the resume is still missing from the resume store; submitting the same file again restores it and retries the candidate`,
    }
  }

  const status = stateBeforeFailure(candidate)
  if (!status || !(UNFINISHED_STATUSES as readonly string[]).includes(status)) {
    return { kind: 'refused', message: `candidate ${id} ${failed}: its history does not say which step to run again` }
  }
  // A forced re-read starts over for HR and the source item too: they hear the new outcome, whatever it is.
  const reread = failure.reason === 'unreadable_resume' ? { notification: null, acknowledgement: null } : {}
  const reopened = await candidates.transition(id, {
    from: ['failed'],
    to: status,
    set: { failure: null, ...reread },
    by: RETRIED_BY,
    why: RETRIED_WHY,
  })
  if (!reopened) return changedMeanwhile(candidates, id)
  await queueNextStep(queues, reopened)
  return { kind: 'reopened', candidate: reopened, status, reason: failure.reason }
}

/**
 * A download the safety rules refused left no resume to run again; what can
 * be retried is the look at the task (after the operator allowed the host, or
 * the file was replaced). A mail marked processed is not read again, so it
 * has to be sent again.
 */
async function lookAgain(deps: RetryDeps, candidate: Candidate, failed: string): Promise<RetryOutcome> {
  const origin = candidate.origin
  if (!origin || candidate.source !== 'task-manager') {
    return { kind: 'refused', message: `candidate ${candidate.id} ${failed}: there is no resume to run again; send the resume again` }
  }
  if (!deps.providers.has(origin.provider)) {
    return {
      kind: 'refused',
      message: `candidate ${candidate.id} came from ${origin.provider}, which is not configured now: its task cannot be looked at again`,
    }
  }
  const recorded = await deps.candidates.transition(candidate.id, {
    from: ['failed'],
    to: 'failed',
    by: RETRIED_BY,
    why: `${RETRIED_WHY}: ${origin.provider} item ${origin.itemId} looked at again`,
  })
  if (!recorded) return changedMeanwhile(deps.candidates, candidate.id)
  await deps.queues.enqueueSourceItem(origin.provider, origin.itemId)
  return { kind: 'looking-again', candidate: recorded, provider: origin.provider, itemId: origin.itemId }
}

async function changedMeanwhile(candidates: CandidateStore, id: string): Promise<RetryOutcome> {
  const now = await candidates.getCandidate(id)
  return { kind: 'refused', message: `candidate ${id} changed while it was retried (now ${now?.status ?? 'gone'}); look at it again` }
}
