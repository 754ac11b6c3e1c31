// Recording HR's final decision: one way for the API and for the decision
// links in HR's email. A new or changed decision is written beside the
// recommendation (the status does not move) and its email is queued once; the
// same outcome and reason again changes nothing and sends nothing.
import { randomUUID } from 'node:crypto'
import { acceptsHrDecision, type Candidate, type HrDecision, type HrDecisionOutcome } from '../domain/candidate.ts'
import type { CandidateStore } from '../ports/candidate-store.ts'
import type { HiringQueues } from '../../jobs/queues.ts'

export interface HrDecisionRequest {
  candidateId: string
  outcome: HrDecisionOutcome
  /** Trimmed here; the caller has checked it is not blank. */
  reason: string
  decidedBy: string
  /** The decision link it comes through; absent for the API. */
  linkId?: string
}

export type HrDecisionResult =
  /** A new or changed decision, written, its email queued. */
  | { result: 'recorded'; candidate: Candidate }
  /** The same outcome and reason as the current decision: nothing written. */
  | { result: 'unchanged'; candidate: Candidate }
  | { result: 'unknown-candidate' }
  /** The pipeline has not finished with the candidate (see `notReadyMessage`). */
  | { result: 'not-ready'; candidate: Candidate }
  /** The decision link already recorded a decision: a link records once. */
  | { result: 'link-used'; candidate: Candidate }
  /** The status changed under both attempts to write; sending again will do. */
  | { result: 'kept-moving' }

/** The decision is saved but its email could not be queued: the same request again queues it and records nothing new. */
export class FinalDecisionNotQueuedError extends Error {
  override name = 'FinalDecisionNotQueuedError'
}

export interface HrDecisionDeps {
  candidates: Pick<CandidateStore, 'getCandidate' | 'transition'>
  queues: Pick<HiringQueues, 'enqueueFinalDecisionNotify'>
}

/** Why a candidate cannot take HR's decision yet, for the API's 409 and the decision page. */
export function notReadyMessage(candidate: Candidate): string {
  const detail = candidate.failure ? ` (${candidate.failure.reason})` : ''
  return `candidate ${candidate.id} is ${candidate.status}${detail}: HR's decision is recorded once hireflow has finished and emailed HR`
}

// The history names the link a decision came through, so a link stays used after a later decision replaces its own.
const LINK_BY = 'hr-link:'
const LINK_IN_WHY = /^HR decided \S+ through decision link ([A-Za-z0-9_-]+)/

/** Whether a decision was ever recorded through the link `linkId`. */
export function decisionLinkUsed(candidate: Candidate, linkId: string): boolean {
  if (candidate.hrDecision?.linkId === linkId) return true
  return candidate.history.some((entry) => entry.by.startsWith(LINK_BY) && LINK_IN_WHY.exec(entry.why ?? '')?.[1] === linkId)
}

// Two submissions of one decision in this process (a double-clicked button) run one after the other, so the second
// sees the first's write. Across processes the store's write is conditional on the status only: see the README.
const inFlight = new Map<string, Promise<void>>()

async function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
  const before = inFlight.get(key) ?? Promise.resolve()
  const run = before.then(work)
  const settled = run.then(
    () => undefined,
    () => undefined,
  )
  inFlight.set(key, settled)
  try {
    return await run
  } finally {
    if (inFlight.get(key) === settled) inFlight.delete(key)
  }
}

export function recordHrDecision(deps: HrDecisionDeps, request: HrDecisionRequest): Promise<HrDecisionResult> {
  return oneAtATime(request.candidateId, () => record(deps, request))
}

async function record({ candidates, queues }: HrDecisionDeps, request: HrDecisionRequest): Promise<HrDecisionResult> {
  const { candidateId: id, outcome, linkId } = request
  const reason = request.reason.trim()
  const decidedBy = request.decidedBy.trim()

  const notify = async (hrDecisionId: string) => {
    try {
      await queues.enqueueFinalDecisionNotify(id, hrDecisionId)
    } catch (error) {
      throw new FinalDecisionNotQueuedError(`the email of decision ${hrDecisionId} could not be queued`, { cause: error })
    }
  }

  // The status can move between the read and the write (notified to acknowledged); one more read covers that.
  for (let attempt = 0; attempt < 2; attempt++) {
    const candidate = await candidates.getCandidate(id)
    if (!candidate) return { result: 'unknown-candidate' }
    const current = candidate.hrDecision
    if (linkId && decisionLinkUsed(candidate, linkId)) {
      // The link's own decision may be saved without its email queued (a lost queue write): this queues it.
      if (current?.linkId === linkId && candidate.hrDecisionNotification?.decisionId !== current.id) await notify(current.id)
      return { result: 'link-used', candidate }
    }
    if (!acceptsHrDecision(candidate)) return { result: 'not-ready', candidate }
    if (current && current.outcome === outcome && current.reason === reason) {
      // Its email is queued again only if it never went out (a lost queue write); the job's de-duplication holds otherwise.
      if (candidate.hrDecisionNotification?.decisionId !== current.id) await notify(current.id)
      return { result: 'unchanged', candidate }
    }
    const hrDecision: HrDecision = {
      id: randomUUID(),
      outcome,
      reason,
      decidedBy,
      at: new Date().toISOString(),
      ...(linkId ? { linkId } : {}),
    }
    const was = current ? ` (was ${current.outcome})` : ''
    const updated = await candidates.transition(id, {
      from: [candidate.status],
      to: candidate.status,
      set: { hrDecision },
      by: linkId ? `${LINK_BY}${decidedBy}` : `hr:${decidedBy}`,
      why: linkId ? `HR decided ${outcome} through decision link ${linkId}${was}: ${reason}` : `HR decided ${outcome}${was}: ${reason}`,
    })
    if (!updated) continue
    await notify(hrDecision.id)
    return { result: 'recorded', candidate: updated }
  }
  return { result: 'kept-moving' }
}
