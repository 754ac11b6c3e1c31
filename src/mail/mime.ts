// Raw MIME for every mailer, so the outbox file and the SES message are the
// same bytes and a test of one says something about the other.
import MailComposer from 'nodemailer/lib/mail-composer'
import type MimeNode from 'nodemailer/lib/mime-node'
import { Encoder as QuotedPrintableEncoder, type EncoderOptions } from 'nodemailer/lib/qp'
import { buffer } from 'node:stream/consumers'
import type { OutgoingMail } from '../ports/mailer.ts'
import { headerText } from '../domain/display-text.ts'
import { sanitizeFilename } from '../domain/filename.ts'

// type "/" subtype, parameters not allowed: a media type is ours (detected), never free text.
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/

function mediaType(value: string): string {
  return MEDIA_TYPE.test(value) ? value : 'application/octet-stream'
}

/** The message as MIME, bytes for a mailer to send or file. */
export async function buildRawMessage(mail: OutgoingMail): Promise<Buffer> {
  return serializeMessage(composeMessage(mail))
}

/** Every header value goes through `headerText`: no line breaks, controls or bidi controls. */
export function composeMessage(mail: OutgoingMail): MimeNode {
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
  return composer.compile()
}

const BASE64_LINE = 76

/**
 * The bytes nodemailer's own build() writes for a composed tree (its headers, boundaries and encoders, so the
 * same message), written in one pass: every part here is already in memory, and build() reads each one through
 * a stream pipeline of its own, which cost more than composing and encoding the message together.
 */
export async function serializeMessage(root: MimeNode): Promise<Buffer> {
  const chunks: Buffer[] = []
  await writeNode(root, chunks)
  const message = Buffer.concat(chunks)
  // As build() does: the message ends with a line break.
  const last = message.at(-1)
  if (last === 0x0a) return message
  return Buffer.concat([message, Buffer.from(last === 0x0d ? '\n' : '\r\n')])
}

async function writeNode(node: MimeNode, chunks: Buffer[]): Promise<void> {
  // Headers first: building them picks the transfer encoding and, for a multipart node, its boundary.
  chunks.push(Buffer.from(`${node.buildHeaders()}\r\n\r\n`))
  const content = node.content
  if (content) {
    if (typeof content !== 'string' && !Buffer.isBuffer(content)) throw new Error('a message part must be a string or a buffer')
    const bytes = typeof content === 'string' ? Buffer.from(content) : content
    const transferEncoding = String(node.getHeader('Content-Transfer-Encoding') ?? '')
      .toLowerCase()
      .trim()
    if (transferEncoding === 'base64') chunks.push(base64Lines(bytes))
    else if (transferEncoding === 'quoted-printable') {
      // Outside text a lone CR or LF is data, as in build(): the encoder keeps it from becoming a line break.
      const options = { binary: !/^text\//i.test(node.contentType ?? '') } as EncoderOptions
      const encoder = new QuotedPrintableEncoder(options)
      const encoded = buffer(encoder)
      encoder.end(bytes)
      chunks.push(await encoded)
    } else chunks.push(bytes)
  }
  if (!node.multipart) return
  for (const [i, child] of node.childNodes.entries()) {
    chunks.push(Buffer.from(`${i > 0 ? '\r\n' : ''}--${node.boundary}\r\n`))
    await writeNode(child, chunks)
  }
  chunks.push(Buffer.from(`\r\n--${node.boundary}--\r\n`))
}

/** Base64 in lines of 76 characters joined by CRLF, the last one without: what nodemailer's base64 encoder writes. */
function base64Lines(bytes: Buffer): Buffer {
  const encoded = bytes.toString('base64')
  const lines: string[] = []
  for (let at = 0; at < encoded.length; at += BASE64_LINE) lines.push(encoded.slice(at, at + BASE64_LINE))
  return Buffer.from(lines.join('\r\n'), 'latin1')
}
