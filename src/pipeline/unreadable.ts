// Why a resume file cannot be turned into text: one error for every reader (text formats, OCR, images).

/** `other` is for callers outside this module that have no finer reason to give. */
export type UnreadableProblem = 'encrypted' | 'damaged' | 'too_large' | 'too_slow' | 'no_text' | 'other'

/**
 * The file cannot be turned into text, and retrying will not change that
 * (except possibly `too_slow` on an overloaded machine). `message` is meant
 * for HR; `reason` for the candidate's failure record, `problem` for metrics.
 */
export class UnreadableResumeError extends Error {
  override name = 'UnreadableResumeError'
  readonly reason = 'unreadable_resume'
  readonly problem: UnreadableProblem

  constructor(message: string, options: { problem?: UnreadableProblem; cause?: unknown } = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined)
    this.problem = options.problem ?? 'other'
  }
}
