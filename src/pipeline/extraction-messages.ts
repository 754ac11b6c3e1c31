// What the extraction pool and its worker threads say to each other. Both
// sides import this module and neither imports the other.
import type { ResumeKind } from './detect.ts'
import type { ExtractionLimits, HiddenText, UnreadableProblem } from './extract.ts'
import type { Requisition } from '../domain/requisition.ts'
import type { Assessment } from './assessment.ts'

export interface ExtractionRequest {
  id: number
  bytes: Uint8Array
  kind: ResumeKind
  limits: Partial<ExtractionLimits>
  /** Also assess the text against this requisition with the lexical scorer, in the same thread. */
  assess?: { requisition: Requisition | null }
}

export type ExtractionReply =
  | { id: number; ok: true; text: string; hidden: HiddenText[]; assessment?: Assessment }
  | { id: number; ok: false; unreadable: true; problem: UnreadableProblem; message: string }
  | { id: number; ok: false; unreadable: false; message: string }
