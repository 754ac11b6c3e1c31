import type { Candidate, CandidatePatch, CandidateStatus, Transition } from '../domain/candidate.ts'
import type { Requisition } from '../domain/requisition.ts'
import type { SourceState } from '../domain/source-state.ts'

export interface Page<T> {
  items: T[]
  /** Opaque; pass back as `cursor` for the next page. null on the last page. */
  nextCursor: string | null
}

export interface CandidateQuery {
  status?: CandidateStatus
  requisitionId?: string
  limit: number
  cursor?: string
}

export interface TransitionRequest {
  /** The transition applies only while the candidate is in one of these states (a replay is a no-op). */
  from: CandidateStatus[]
  to: CandidateStatus
  /**
   * The statuses passed through on the way to `to`, in order, recorded in the
   * same write: each gets its own history entry (same `at` and `by`) before
   * the one for `to`, so the history shows every step while the store commits
   * once. Used when one job computes several steps together.
   */
  via?: { to: CandidateStatus; why: string | null }[]
  set?: CandidatePatch
  by: Transition['by']
  why?: string | null
  /** Defaults to now. */
  at?: string
}

/** Thrown by a store when a cursor cannot be decoded; routes answer 400. */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError'
}

/**
 * Candidates and requisitions. Every write is a single-item conditional write,
 * so that at-least-once jobs can replay safely.
 */
export interface CandidateStore {
  /** Creates the requisition; throws if the id exists. */
  createRequisition(requisition: Requisition): Promise<void>
  getRequisition(id: string): Promise<Requisition | undefined>
  /** Newest first. */
  listRequisitions(query: { limit: number; cursor?: string }): Promise<Page<Requisition>>

  /**
   * Creates the candidate unless one with the same id exists; then returns
   * the existing one with created=false (ids are derived from the source item
   * and the resume's sha256, so this is the de-duplication).
   */
  createCandidate(candidate: Candidate): Promise<{ candidate: Candidate; created: boolean }>
  getCandidate(id: string): Promise<Candidate | undefined>
  /** Newest first; filters combine. */
  listCandidates(query: CandidateQuery): Promise<Page<Candidate>>
  /** All candidates that came from one item at a source (e.g. one task with two attachments). */
  findBySourceItem(source: Candidate['source'], sourceItemId: string): Promise<Candidate[]>
  /**
   * Moves the candidate to `to` and appends the transition to its history
   * (after one entry per `via` step), only if its status is one of `from`. Returns the updated candidate, or
   * undefined when the condition did not hold (or the candidate is unknown).
   */
  transition(id: string, request: TransitionRequest): Promise<Candidate | undefined>

  /** The state kept for one intake source; undefined before its first write. */
  getSourceState(source: string): Promise<SourceState | undefined>
  /**
   * Writes the state of `state.source` with version `expectedVersion + 1`, only
   * if the stored version is still `expectedVersion` (0: none stored yet).
   * Returns the written state, or undefined when another writer came first
   * (read again and retry).
   */
  putSourceState(state: SourceState, expectedVersion: number): Promise<SourceState | undefined>

  /** Cheap round trip for /health. Throws with the cause when unavailable. */
  ping(): Promise<void>
  close(): Promise<void>
}
