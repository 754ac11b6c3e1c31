// Quotes from the resume for HR: a line, trimmed, or for a long one a window
// around the words that matter, never splitting a surrogate pair.

export const MAX_QUOTE_CHARS = 160
// Where the match sits in a long line's window: enough context before it to read.
const LEAD_CHARS = 60

/** The trimmed line, or a bounded window of it around [matchIndex, matchIndex + matchLength) (offsets in the untrimmed line). */
export function quoteLine(raw: string, matchIndex: number, matchLength: number): string {
  const lead = raw.length - raw.trimStart().length
  const line = raw.trim()
  if (line.length <= MAX_QUOTE_CHARS) return line
  const column = Math.max(0, matchIndex - lead)
  let from = Math.max(0, Math.min(column - LEAD_CHARS, line.length - MAX_QUOTE_CHARS))
  if (column + matchLength > from + MAX_QUOTE_CHARS) from = column
  let to = Math.min(line.length, from + MAX_QUOTE_CHARS)
  if (isLowSurrogate(line.charCodeAt(from))) from++
  if (isLowSurrogate(line.charCodeAt(to))) to--
  return `${from > 0 ? '…' : ''}${line.slice(from, to).trim()}${to < line.length ? '…' : ''}`
}

/** `text` cut to `max` characters with an ellipsis, never splitting a surrogate pair. */
export function clip(text: string, max: number = MAX_QUOTE_CHARS): string {
  if (text.length <= max) return text
  let to = max - 1
  if (isLowSurrogate(text.charCodeAt(to))) to--
  return `${text.slice(0, to).trimEnd()}…`
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff
}
