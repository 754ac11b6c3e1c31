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
