// Raw MIME for every mailer, so the outbox file and the SES message are the
// same bytes and a test of one says something about the other.
import MailComposer from 'nodemailer/lib/mail-composer'
import type { OutgoingMail } from '../ports/mailer.ts'
import { sanitizeFilename } from '../domain/filename.ts'

/** Header line breaks (and other control characters) would let a value start a header of its own. */
function oneLine(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim()
}

export async function buildRawMessage(mail: OutgoingMail): Promise<Buffer> {
  const composer = new MailComposer({
    from: oneLine(mail.from),
    to: mail.to.map(oneLine),
    ...(mail.replyTo ? { replyTo: oneLine(mail.replyTo) } : {}),
    subject: oneLine(mail.subject),
    text: mail.text,
    html: mail.html,
    attachments: mail.attachments.map((attachment) => ({
      filename: sanitizeFilename(attachment.filename),
      content: attachment.content,
      contentType: oneLine(attachment.contentType),
    })),
    messageId: `<${oneLine(mail.messageId)}>`,
    headers: {
      // SES replaces Message-ID with its own; this keeps our stable id visible to HR's mail system.
      'X-Hireflow-Message-Id': oneLine(mail.messageId),
      // Keeps out-of-office replies and auto-forward loops away from an automated sender.
      'Auto-Submitted': 'auto-generated',
      'X-Auto-Response-Suppress': 'All',
    },
    // Attachments here are always buffers; a path or URL in one must never be followed.
    disableFileAccess: true,
    disableUrlAccess: true,
  })
  return composer.compile().build()
}
