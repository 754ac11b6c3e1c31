// Which parts of a mail are attachments, read from the server's BODYSTRUCTURE
// so that listing a mail never downloads it, and each file can later be
// fetched alone by its IMAP part number (a 20 MB video beside a 200 kB
// resume costs nothing). A forwarded mail (message/rfc822) is opened one
// level deep. The server can only look into one sent as plain MIME; one
// wrapped in base64, or a message/global, is read whole and parsed here
// (mailparser) instead.
import type { MessageStructureObject } from 'imapflow'

/** A file in the mail, found by its IMAP part number. */
export interface PartAttachment {
  kind: 'part'
  /** The IMAP part number (`2`, `3.2`); also the attachment id. */
  part: string
  filename: string
  mediaType: string
  /** Octets as stored, i.e. still transfer-encoded. */
  encodedSize: number | null
  /** The transfer encoding (`base64`, `quoted-printable`, `7bit`, ...), lower case. */
  encoding: string
  /** Inside a forwarded mail. */
  forwarded: boolean
}

/** A forwarded mail the server could not open: read whole and parsed to list its files. */
export interface OpaqueMessage {
  kind: 'message'
  part: string
  encodedSize: number | null
  encoding: string
}

const isMultipart = (node: MessageStructureObject) => node.type.toLowerCase().startsWith('multipart/')
const isMessage = (node: MessageStructureObject) => ['message/rfc822', 'message/global'].includes(node.type.toLowerCase())
/** Encodings the server reads through when it describes a forwarded mail; any other hides its structure. */
const PLAIN_ENCODINGS = new Set(['7bit', '8bit', 'binary', ''])

function filenameOf(node: MessageStructureObject): string | null {
  const name = node.dispositionParameters?.filename ?? node.parameters?.name
  return name && name.trim() !== '' ? name.trim() : null
}

/**
 * The mail's text (its plain or HTML body, or a calendar invitation) is not
 * an attachment: a text part without a file name that is not marked as an
 * attachment. Everything else is, images included: the intake decides from
 * the bytes what is a resume.
 */
function isBodyText(node: MessageStructureObject): boolean {
  return node.type.toLowerCase().startsWith('text/') && node.disposition?.toLowerCase() !== 'attachment' && filenameOf(node) === null
}

/**
 * The attachments of a mail and the forwarded mails the server could not
 * open, in the order they appear. Part numbers follow RFC 3501 (imapflow
 * numbers the single body of a forwarded mail like its container, so they
 * are worked out here).
 */
export function attachmentParts(root: MessageStructureObject | undefined): Array<PartAttachment | OpaqueMessage> {
  const found: Array<PartAttachment | OpaqueMessage> = []
  if (!root) return found

  const visit = (node: MessageStructureObject, part: string, depth: number) => {
    if (isMultipart(node)) {
      ;(node.childNodes ?? []).forEach((child, index) => visit(child, `${part ? `${part}.` : ''}${index + 1}`, depth))
      return
    }
    const encoding = (node.encoding ?? '').toLowerCase()
    if (isMessage(node)) {
      // Forwarded mails are opened one level deep: a mail forwarded inside a forwarded mail is left alone.
      if (depth > 0) return
      const body = node.childNodes?.[0]
      if (node.type.toLowerCase() === 'message/rfc822' && PLAIN_ENCODINGS.has(encoding) && body) {
        // The parts of a forwarded multipart mail are numbered under it (3.1, 3.2); a single-part body is 3.1.
        if (isMultipart(body)) (body.childNodes ?? []).forEach((child, index) => visit(child, `${part}.${index + 1}`, depth + 1))
        else visit(body, `${part}.1`, depth + 1)
      } else {
        found.push({ kind: 'message', part, encodedSize: node.size ?? null, encoding })
      }
      return
    }
    if (isBodyText(node)) return
    found.push({
      kind: 'part',
      part,
      filename: filenameOf(node) ?? `attachment-${part}`,
      mediaType: node.type.toLowerCase(),
      encodedSize: node.size ?? null,
      encoding,
      forwarded: depth > 0,
    })
  }

  // A mail that is not multipart has its whole body as part 1.
  visit(root, isMultipart(root) ? '' : '1', 0)
  return found
}

/**
 * The fewest bytes a part of `encodedSize` octets can decode to: base64
 * gives 3 bytes for 4 characters (0.65 allows for line breaks after every
 * 13 characters; encoders use 64 or 76), quoted-printable at worst 1 for 3
 * plus its soft line breaks. Used to refuse a file that is certainly too
 * large before fetching any of it.
 */
export function smallestDecodedSize(encodedSize: number | null, encoding: string): number {
  if (encodedSize === null) return 0
  if (encoding === 'base64') return Math.floor(encodedSize * 0.65) - 4
  if (encoding === 'quoted-printable') return Math.floor(encodedSize * 0.3)
  if (PLAIN_ENCODINGS.has(encoding)) return encodedSize
  return 0
}

/** What the file will most likely be once decoded, for SourceAttachment.size: base64 lines of 76 characters and a line break. */
export function likelyDecodedSize(encodedSize: number | null, encoding: string): number | null {
  if (encodedSize === null) return null
  if (encoding === 'base64') return Math.floor(((encodedSize * 76) / 78) * 0.75)
  if (PLAIN_ENCODINGS.has(encoding)) return encodedSize
  return null
}
