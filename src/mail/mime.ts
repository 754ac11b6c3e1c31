// Raw MIME for every mailer, so the outbox file and the SES message are the
// same bytes and a test of one says something about the other.
import MailComposer from 'nodemailer/lib/mail-composer'
import type { OutgoingMail } from '../ports/mailer.ts'

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

const BIDI_AND_CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g
const RESERVED = /[<>:"/\\|?*]/g
const MAX_FILENAME_LENGTH = 150

/**
 * A filename safe to show in a mail client or a download dialog: no path, no
 * control or bidi characters (which can disguise "cv‮fdp.exe" as a PDF), no
 * characters reserved on common file systems, bounded length, extension kept.
 */
export function sanitizeFilename(name: string, fallback = 'resume'): string {
  const base = name.normalize('NFC').split(/[/\\]/).pop() ?? ''
  let cleaned = base
    .replace(BIDI_AND_CONTROL, '')
    .replace(RESERVED, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '')
  if (cleaned.length > MAX_FILENAME_LENGTH) {
    const dot = cleaned.lastIndexOf('.')
    const extension = dot > 0 && cleaned.length - dot <= 10 ? cleaned.slice(dot) : ''
    cleaned = Array.from(cleaned.slice(0, cleaned.length - extension.length))
      .slice(0, MAX_FILENAME_LENGTH - extension.length)
      .join('')
      .trimEnd() + extension
  }
  return cleaned === '' ? fallback : cleaned
}

/**
 * Content-Disposition for a download (RFC 6266): an ASCII `filename` for old
 * clients and a UTF-8 `filename*` (RFC 5987) when the name is not plain ASCII.
 */
export function attachmentDisposition(filename: string): string {
  const safe = sanitizeFilename(filename)
  const ascii = safe
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/["\\%;]/g, '_')
  if (ascii === safe) return `attachment; filename="${ascii}"`
  const encoded = encodeURIComponent(safe).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`
}
