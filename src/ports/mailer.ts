export interface MailAttachment {
  filename: string
  content: Buffer
  contentType: string
}

export interface OutgoingMail {
  from: string
  to: string[]
  replyTo?: string
  subject: string
  html: string
  text: string
  attachments: MailAttachment[]
  /** Stable Message-ID (without angle brackets) so a re-send is recognisable. */
  messageId: string
}

export interface Mailer {
  /** Sends (or, for the outbox, writes) the message. Returns the provider's message id. */
  send(mail: OutgoingMail): Promise<{ messageId: string }>
  ping(): Promise<void>
}

/**
 * Sending this message again cannot succeed (SES rejected it, an address is
 * invalid, the message is too large): the job should stop retrying and record
 * the failure. Every other error from `send` is worth retrying.
 */
export class PermanentMailError extends Error {
  override name = 'PermanentMailError'
  /** The provider's error code, e.g. "MessageRejected", when there is one. */
  readonly code: string | undefined

  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.code = options.code
  }
}
