// Text from a candidate, a file or a requisition shown to HR: in a mail
// header, a filename, a line of an email. A line break there can start a
// header of its own (or a line that reads like one), and a bidi control can
// make "cv‮fdp.exe" read as a PDF or reorder a subject. One rule for all.

// C0 and C1 controls (line breaks included), DEL, Unicode line and paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g
// Embeddings and overrides (U+202A-202E), isolates (U+2066-2069), marks (U+200E, U+200F, U+061C).
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/**
 * The value on one line: each run of control characters becomes `joiner` (a
 * space unless told), bidi controls go. Other spacing is kept, so a value
 * that starts or ends with a space inside a template keeps it.
 */
export function singleLine(value: string, joiner = ' '): string {
  return value.replace(BIDI, '').replace(CONTROL, joiner)
}

/** The value of a mail header we build (subject, addresses, filenames): one line, spacing collapsed, trimmed. */
export function headerText(value: string, joiner = ' '): string {
  return singleLine(value, joiner).replace(/\s+/g, ' ').trim()
}
