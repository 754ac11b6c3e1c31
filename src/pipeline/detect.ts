// What a resume file really is, judged from its bytes alone: a filename or a
// Content-Type header is whatever the sender chose to claim.
import { fileTypeFromBuffer } from 'file-type'
import { bomEncoding, decodeText, textEncodingOf } from './text-encoding.ts'
import { cfbContent } from './formats/doc.ts'
import { looksLikeHtml } from './formats/html.ts'
import { startsWithRtf } from './formats/rtf.ts'

/** Formats read for their text; an image is read by OCR (src/pipeline/ocr/). */
export type ResumeKind = 'pdf' | 'docx' | 'doc' | 'rtf' | 'html' | 'text'
export type ResumeFormatKind = ResumeKind | 'image'

export interface SupportedResumeType {
  kind: ResumeFormatKind
  mediaType: string
  extension: string
}

export type DetectedResumeType = SupportedResumeType | { kind: 'unsupported'; detected: string }

const PDF: SupportedResumeType = { kind: 'pdf', mediaType: 'application/pdf', extension: 'pdf' }
const DOCX: SupportedResumeType = {
  kind: 'docx',
  mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  extension: 'docx',
}
// Word 97-2003: a compound file whose root holds a WordDocument stream (an
// Excel workbook or an Outlook message is a compound file too).
const DOC: SupportedResumeType = { kind: 'doc', mediaType: 'application/msword', extension: 'doc' }
const RTF: SupportedResumeType = { kind: 'rtf', mediaType: 'application/rtf', extension: 'rtf' }
// HTML and text are told apart by how the text starts (formats/html.ts); both
// are UTF-8, UTF-16 or Windows-1252, decoded the way detection judged them (text-encoding.ts).
const HTML: SupportedResumeType = { kind: 'html', mediaType: 'text/html', extension: 'html' }
const TEXT: SupportedResumeType = { kind: 'text', mediaType: 'text/plain', extension: 'txt' }
// Scans and phone photos of a resume, read by OCR on a queue of their own.
const PNG: SupportedResumeType = { kind: 'image', mediaType: 'image/png', extension: 'png' }
const JPEG: SupportedResumeType = { kind: 'image', mediaType: 'image/jpeg', extension: 'jpg' }
const TIFF: SupportedResumeType = { kind: 'image', mediaType: 'image/tiff', extension: 'tif' }
const IMAGES = [PNG, JPEG, TIFF]

export const SUPPORTED_RESUME_FORMATS: readonly SupportedResumeType[] = Object.freeze([PDF, DOCX, DOC, RTF, HTML, TEXT, ...IMAGES])

/** Media types accepted as resumes, for API docs and error messages. */
export const SUPPORTED_RESUME_TYPES: readonly string[] = Object.freeze(SUPPORTED_RESUME_FORMATS.map((format) => format.mediaType))

/** The kind to extract a stored resume as, from the media type detection recorded. */
export function resumeKindForMediaType(mediaType: string): ResumeFormatKind | undefined {
  return SUPPORTED_RESUME_FORMATS.find((format) => format.mediaType === mediaType)?.kind
}

const UNKNOWN_BINARY = 'application/octet-stream'

// A text resume may carry a stray form feed or escape from a copy-paste; a
// binary file misread as UTF-8 is full of them.
const MAX_CONTROL_CHARACTER_SHARE = 0.01

export async function detectResumeType(bytes: Buffer): Promise<DetectedResumeType> {
  if (bytes.length === 0) return { kind: 'unsupported', detected: 'application/x-empty' }
  // A byte order mark goes first: file-type takes the UTF-16LE mark (FF FE) for
  // an MPEG audio frame. Binary that merely starts with those bytes fails the
  // text check and is judged by its magic number below.
  if (bomEncoding(bytes)) {
    const text = readableText(bytes)
    if (text !== undefined) return textFormat(text)
  }

  let found: Awaited<ReturnType<typeof fileTypeFromBuffer>>
  try {
    found = await fileTypeFromBuffer(bytes)
  } catch {
    // file-type throws on structures it refuses to walk (its own hard limits):
    // whatever the bytes are, they are not a resume we can read.
    return { kind: 'unsupported', detected: UNKNOWN_BINARY }
  }

  if (found) {
    if (found.mime === PDF.mediaType) return PDF
    if (found.mime === DOCX.mediaType) return DOCX
    if (found.mime === RTF.mediaType) return RTF
    const image = IMAGES.find((format) => format.mediaType === found.mime)
    if (image) return image
    if (found.mime === 'application/x-cfb') {
      const content = cfbContent(bytes)
      return content === 'doc' ? DOC : { kind: 'unsupported', detected: content.other }
    }
    return { kind: 'unsupported', detected: found.mime }
  }
  if (startsWithRtf(bytes)) return RTF
  const text = readableText(bytes)
  return text === undefined ? { kind: 'unsupported', detected: UNKNOWN_BINARY } : textFormat(text)
}

function textFormat(text: string): SupportedResumeType {
  return looksLikeHtml(text) ? HTML : TEXT
}

/** The bytes decoded as text, or undefined when they are binary. */
function readableText(bytes: Buffer): string | undefined {
  const encoding = textEncodingOf(bytes)
  // NUL is valid UTF-8 but never in a text file; in UTF-16 it is half of every ASCII character.
  if ((encoding === 'utf-8' || encoding === 'windows-1252') && bytes.includes(0)) return undefined
  const text = decodeText(bytes, encoding)
  if (text === undefined) return undefined
  let controls = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    const isControl = (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0c && code !== 0x0d) || (code >= 0x7f && code <= 0x9f)
    if (isControl) controls++
  }
  return controls <= text.length * MAX_CONTROL_CHARACTER_SHARE ? text : undefined
}
