// The one way a resume enters hireflow, whatever brought it (an upload, a
// task-manager attachment, a mail attachment): judge its type by its bytes,
// store it under its digest, create the candidate (`stored`, since its bytes
// are durable by then; a candidate put back to `received` goes through the
// intake job, which checks them again). The id is derived from the
// source, its item and the file's digest, so a replay (a retried job, a
// re-delivered webhook, the same upload twice) lands on the same record.
// Only the caller enqueues: an HTTP request fails fast while Redis is away,
// a job hands work on and waits.
import { createHash } from 'node:crypto'
import type { Candidate, CandidateOrigin, Source } from '../domain/candidate.ts'
import { candidateIdFor } from '../domain/candidate-id.ts'
import { sanitizeFilename } from '../domain/filename.ts'
import type { CandidateStore } from '../ports/candidate-store.ts'
import type { ResumeStore } from '../ports/resume-store.ts'
import { detectResumeType, SUPPORTED_RESUME_TYPES, type SupportedResumeType } from '../pipeline/detect.ts'

export interface IntakeStores {
  candidates: CandidateStore
  resumes: ResumeStore
}

export interface ResumeSubmission {
  source: Source
  /** Stable id of the item at its source; with the digest it makes the candidate id. */
  sourceItemId: string
  origin: CandidateOrigin | null
  requisitionId: string | null
  /** The name the sender gave the file; shown to HR, never used as a key. */
  filename: string
  bytes: Buffer
  /** Recorded in the first history entry: who brought it and how. */
  by: string
  why: string
  /** What the caller already judged of these bytes, so it is not done twice. */
  known?: { type: SupportedResumeType; sha256: string }
}

export type IntakeOutcome =
  | { created: true; candidate: Candidate }
  /**
   * The same resume from the same item again. `restored`: its stored copy had
   * gone missing and was put back; `requeue`: the candidate had failed for want
   * of it and is `received` again, so the caller should queue its intake.
   */
  | { created: false; candidate: Candidate; restored: boolean; requeue: boolean }

/** The bytes are not a resume format hireflow reads (or are empty). Retrying cannot help. */
export class NotAResumeError extends Error {
  override name = 'NotAResumeError'
  /** The media type the bytes were detected as; null for an empty file. */
  readonly detected: string | null
  constructor(detected: string | null) {
    super(
      detected === null
        ? 'the file is empty'
        : `the file is ${detected}, not a resume format; accepted: ${SUPPORTED_RESUME_TYPES.join(', ')}`,
    )
    this.detected = detected
  }
}

/** The resume store refused the bytes: nothing was saved, and trying again later may work. */
export class ResumeStoreUnavailableError extends Error {
  override name = 'ResumeStoreUnavailableError'
}

export function sha256Of(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** The resume's type, or NotAResumeError: for callers that must answer before anything is stored. */
export async function resumeTypeOf(bytes: Buffer): Promise<SupportedResumeType> {
  if (bytes.length === 0) throw new NotAResumeError(null)
  const type = await detectResumeType(bytes)
  if (type.kind === 'unsupported') throw new NotAResumeError(type.detected)
  return type
}

export async function intakeResume(stores: IntakeStores, submission: ResumeSubmission): Promise<IntakeOutcome> {
  const { candidates, resumes } = stores
  const type = submission.known?.type ?? (await resumeTypeOf(submission.bytes))
  const sha256 = submission.known?.sha256 ?? sha256Of(submission.bytes)
  const id = candidateIdFor(submission.source, submission.sourceItemId, sha256)
  const store = async (key: string) => {
    try {
      await resumes.put(key, submission.bytes, { mediaType: type.mediaType, sha256 })
    } catch (error) {
      throw new ResumeStoreUnavailableError('the resume store is unavailable; nothing was saved', { cause: error })
    }
  }

  const existing = await candidates.getCandidate(id)
  if (existing) return restoreMissingResume(stores, existing, store)

  const key = resumes.keyFor(sha256)
  // The store answers only once the bytes are durable, so the candidate is
  // written `stored` straight away: one commit, with both steps in its history.
  await store(key)
  const now = new Date().toISOString()
  const candidate: Candidate = {
    id,
    source: submission.source,
    sourceItemId: submission.sourceItemId,
    requisitionId: submission.requisitionId,
    origin: submission.origin,
    status: 'stored',
    resume: {
      filename: sanitizeFilename(submission.filename),
      mediaType: type.mediaType,
      extension: type.extension,
      size: submission.bytes.length,
      sha256,
      key,
    },
    profile: null,
    score: null,
    decision: null,
    failure: null,
    notification: null,
    createdAt: now,
    updatedAt: now,
    history: [
      { at: now, from: null, to: 'received', by: submission.by, why: submission.why },
      { at: now, from: 'received', to: 'stored', by: submission.by, why: 'resume saved in the resume store' },
    ],
  }
  const created = await candidates.createCandidate(candidate)
  if (created.created) return { created: true, candidate: created.candidate }
  // Another delivery of the same resume created it a moment ago.
  return { created: false, candidate: created.candidate, restored: false, requeue: false }
}

/**
 * The same resume again is the same candidate. If its stored copy went missing
 * meanwhile, this submission brings it back; a candidate that failed for want
 * of it is put back to `received`. An erased candidate stays erased: nothing
 * of it is stored again.
 */
async function restoreMissingResume(
  { candidates, resumes }: IntakeStores,
  existing: Candidate,
  store: (key: string) => Promise<void>,
): Promise<IntakeOutcome> {
  const unchanged = { created: false, candidate: existing, restored: false, requeue: false } as const
  if (existing.status === 'erased') return unchanged
  let stored: { size: number } | undefined
  try {
    stored = await resumes.head(existing.resume.key)
  } catch (error) {
    throw new ResumeStoreUnavailableError('the resume store is unavailable', { cause: error })
  }
  if (stored && stored.size === existing.resume.size) return unchanged
  await store(existing.resume.key)
  if (existing.status !== 'failed' || existing.failure?.reason !== 'resume_missing') {
    return { created: false, candidate: existing, restored: true, requeue: false }
  }
  const requeued = await candidates.transition(existing.id, {
    from: ['failed'],
    to: 'received',
    set: { failure: null },
    by: 'intake',
    why: 'resume restored by a repeated submission',
  })
  return requeued
    ? { created: false, candidate: requeued, restored: true, requeue: true }
    : { created: false, candidate: (await candidates.getCandidate(existing.id)) ?? existing, restored: true, requeue: false }
}
