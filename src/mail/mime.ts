// Raw MIME for every mailer, so the outbox file and the SES message are the
// same bytes and a test of one says something about the other.
import MailComposer from 'nodemailer/lib/mail-composer'
import type { OutgoingMail } from '../ports/mailer.ts'
import { headerText } from '../domain/display-text.ts'
import { sanitizeFilename } from '../domain/filename.ts'

// type "/" subtype, parameters not allowed: a media type is ours (detected), never free text.
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/

function mediaType(value: string): string {
  return MEDIA_TYPE.test(value) ? value : 'application/octet-stream'
}

/** Every header value goes through `headerText`: no line breaks, controls or bidi controls. */
export async function buildRawMessage(mail: OutgoingMail): Promise<Buffer> {
  const composer = new MailComposer({
    from: headerText(mail.from),
    to: mail.to.map((address) => headerText(address)),
    ...(mail.replyTo ? { replyTo: headerText(mail.replyTo) } : {}),
    subject: headerText(mail.subject),
    text: mail.text,
    html: mail.html,
    attachments: mail.attachments.map((attachment) => ({
      filename: sanitizeFilename(attachment.filename),
      content: attachment.content,
      contentType: mediaType(attachment.contentType),
    })),
    messageId: `<${headerText(mail.messageId)}>`,
    headers: {
      // SES replaces Message-ID with its own; this keeps our stable id visible to HR's mail system.
      'X-Hireflow-Message-Id': headerText(mail.messageId),
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
