import { createHash } from 'node:crypto'
import type { Source } from './candidate.ts'

/**
 * A candidate's id is derived from where the resume came from and what it
 * is, so every replay of an intake (a retried job, a re-delivered webhook,
 * the same file uploaded twice for one requisition) lands on the same record.
 */
export function candidateIdFor(source: Source, sourceItemId: string, sha256: string): string {
  return createHash('sha256').update(`${source}\n${sourceItemId}\n${sha256}`).digest('hex').slice(0, 32)
}

/** The source item of a direct upload: one file for one requisition. */
export function uploadItemId(requisitionId: string | null, sha256: string): string {
  return `${requisitionId ?? 'none'}/${sha256}`
}
