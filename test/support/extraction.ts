// What the extraction tests share: waiting for a refusal, and the resume types
// hireflow reads in the order the docs and upload errors name them.
import { UnreadableResumeError } from '../../src/pipeline/extract.ts'

/** The refusal `work` ends in; fails the test when it gives a result or throws anything else. */
export async function unreadable(work: Promise<unknown>): Promise<UnreadableResumeError> {
  try {
    await work
  } catch (error) {
    if (error instanceof UnreadableResumeError) return error
    throw error
  }
  throw new Error('expected an UnreadableResumeError, got a result')
}

/** Every media type a resume may have, in the order they are offered. */
export const EXPECTED_RESUME_TYPES = [
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/msword',
  'application/rtf',
  'text/html',
  'text/plain',
  'image/png',
  'image/jpeg',
  'image/tiff',
]
