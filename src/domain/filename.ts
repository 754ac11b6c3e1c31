// The name a submitter gave their file is shown to HR and offered in downloads,
// never used as a storage key; these make it safe to show.

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
