// The name a submitter gave their file is shown to HR and offered in downloads,
// never used as a storage key; these make it safe to show.
import { headerText } from './display-text.ts'

const RESERVED = /[<>:"/\\|?*]/g
const MAX_FILENAME_LENGTH = 150

/**
 * A filename safe to show in a mail client or a download dialog: no path, no
 * control or bidi characters (which can disguise "cv‮fdp.exe" as a PDF), no
 * characters reserved on common file systems, bounded length, extension kept.
 */
export function sanitizeFilename(name: string, fallback = 'resume'): string {
  const base = name.normalize('NFC').split(/[/\\]/).pop() ?? ''
  // Controls are dropped, not spaced: "cv\r\n.pdf" is "cv.pdf".
  let cleaned = headerText(base, '').replace(RESERVED, '_').replace(/^\.+/, '').trimStart()
  if (cleaned.length > MAX_FILENAME_LENGTH) {
    const dot = cleaned.lastIndexOf('.')
    const extension = dot > 0 && cleaned.length - dot <= 10 ? cleaned.slice(dot) : ''
    cleaned =
      Array.from(cleaned.slice(0, cleaned.length - extension.length))
        .slice(0, MAX_FILENAME_LENGTH - extension.length)
        .join('')
        .trimEnd() + extension
  }
  return cleaned === '' ? fallback : cleaned
}

// What can pass for an extension a sender typed: "bat", "docx", "JPEG";
// not "1" in "Resume v2.1", not " Smith CV" in "J. Smith CV".
const TYPED_EXTENSION = /^(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{1,5}$/

// Other spellings of a detected type's extension, kept as the sender wrote them.
const SAME_TYPE: Readonly<Record<string, string>> = { htm: 'html', xhtml: 'html', text: 'txt', jpeg: 'jpg', jpe: 'jpg', tiff: 'tif' }

/**
 * The name to offer a resume under: the sender's name (sanitised), with the
 * extension of the type detected from its bytes, since that is how a mail
 * client or a desktop decides what opens it. "Resume.bat" holding text is
 * "Resume.txt"; an HTML page named "cv.docx" is "cv.html"; a Word 97 file
 * named "cv.docx" is "cv.doc"; "CV.PDF" and "cv.htm" stay; "Jane Doe CV"
 * becomes "Jane Doe CV.pdf". `extension` comes from detection (pdf, docx,
 * doc, rtf, html, txt, png, jpg, tif), without a dot; when it is empty the sanitised name is all there is.
 */
export function filenameForType(filename: string, extension: string): string {
  const ext = extension.replace(/^\.+/, '')
  const safe = sanitizeFilename(filename, ext ? `resume.${ext}` : 'resume')
  if (!/^[A-Za-z0-9]{1,10}$/.test(ext)) return safe
  const dot = safe.lastIndexOf('.')
  const typed = dot > 0 ? safe.slice(dot + 1) : ''
  if (typed.toLowerCase() === ext.toLowerCase() || SAME_TYPE[typed.toLowerCase()] === ext.toLowerCase()) return safe
  const base = TYPED_EXTENSION.test(typed) ? safe.slice(0, dot).trimEnd() : safe
  // Sanitising again bounds the length; it keeps the extension when it cuts.
  return sanitizeFilename(`${base}.${ext.toLowerCase()}`)
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
