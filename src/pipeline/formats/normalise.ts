// One shape of text for everything downstream, whatever file it came from.
// PDF and word-processor exports carry artefacts that break matching: soft
// hyphens inside words, ligature glyphs, dash look-alikes inside phone
// numbers, non-breaking and zero-width spaces, tabs where words meet. Every
// pass is a single scan with bounded patterns: the text is attacker-controlled.

/** Starts each page after the first, on the first line of that page (as pdftotext does). */
export const PAGE_BREAK = '\f'

// A soft hyphen where a line breaks joins the word it split; anywhere else it is invisible.
const SOFT_HYPHEN_AT_BREAK = /\u00ad[^\S\n]*\n[^\S\n]*/g
const SOFT_HYPHEN = /\u00ad/g
// Zero-width characters and bidirectional controls: invisible, they only split
// words ("Py\u200bthon") or disguise them.
const INVISIBLE = /[\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g
// Compatibility forms with one obvious plain reading: ligatures (ﬁ ﬂ ﬀ ﬃ ﬄ),
// full-width ASCII, and the mathematical bold/italic letters of "fancy" text.
// NFKC is kept to these: applied everywhere it would also turn "m²" into "m2" and "½" into "1⁄2".
const COMPATIBILITY_FORMS = /[\ufb00-\ufb4f\uff01-\uff5e]|\ud835[\udc00-\udfff]/g
const UNICODE_SPACES = /[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/g
const TABS = /\t[\t ]*/g
// A dash look-alike between digits (with at most one space either side) is a
// hyphen in a phone number or a date range; in prose an en or em dash stays.
const DASH_IN_DIGITS = /(?<=\d ?)[\u2010-\u2015\u2043\u2212\ufe58\ufe63\uff0d](?= ?\d)/g
// A ligature glyph whose font maps it to no character comes out of pdf.js as U+0000 ("Pro\0les", Chromium's PDFs):
// beside a letter it stands for fi, or fl before a, o or u ("StackOver\0ow"), or ff ending a word ("Sta\0").
const LOST_LIGATURE = /(?<=\p{L})\u0000(\p{L})?|\u0000(\p{L})/gu
const CONTROLS = /[\u0000-\u0008\u000b\u000e-\u001f\u007f-\u009f]/g
const LINE_BREAKS = /\r\n?|[\v\u0085\u2028\u2029]/g
const BLANK_RUNS = /\n{3,}/g

/** One page's text, normalised: no page breaks in it, no blank lines at its ends. */
export function normalisePage(raw: string): string {
  const text = raw
    .replace(LINE_BREAKS, '\n')
    .replace(SOFT_HYPHEN_AT_BREAK, '')
    .replace(SOFT_HYPHEN, '')
    .replace(INVISIBLE, '')
    .replace(COMPATIBILITY_FORMS, (form) => form.normalize('NFKC'))
    .normalize('NFC')
    .replace(UNICODE_SPACES, ' ')
    .replace(TABS, ' ')
    .replace(LOST_LIGATURE, (_, inside?: string, starting?: string) => {
      const next = inside ?? starting
      return next === undefined ? 'ff' : /[aou]/i.test(next) ? `fl${next}` : `fi${next}`
    })
    .replace(CONTROLS, '')
    .replace(DASH_IN_DIGITS, '-')
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(BLANK_RUNS, '\n\n')
    .trim()
}

/**
 * The text normalised page by page, pages separated by {@link PAGE_BREAK} at
 * the start of each new page's first line (an empty page is a break alone, so
 * later pages keep their numbers), at most `maxChars` characters (never
 * splitting a surrogate pair).
 */
export function normaliseText(raw: string, maxChars: number): string {
  // Bounded before the passes so their cost follows the cap, not the input.
  const bounded = raw.length > maxChars * 2 ? raw.slice(0, maxChars * 2) : raw
  let text = ''
  let first = true
  for (const page of bounded.split(PAGE_BREAK)) {
    if (!first) text += text === '' || text.endsWith(PAGE_BREAK) ? PAGE_BREAK : `\n${PAGE_BREAK}`
    first = false
    text += normalisePage(page)
    if (text.length > maxChars) break
  }
  if (text.length > maxChars) {
    let end = maxChars
    const last = text.charCodeAt(end - 1)
    if (last >= 0xd800 && last <= 0xdbff) end--
    text = text.slice(0, end)
  }
  return trimEnd(text)
}

/** Trailing whitespace and page breaks off (a page break only counts before text). */
function trimEnd(text: string): string {
  let end = text.length
  while (end > 0 && /\s/.test(text[end - 1]!)) end--
  return text.slice(0, end)
}

/** Whether there is any text at all besides whitespace and page breaks. */
export function hasText(text: string): boolean {
  return /\S/.test(text.replaceAll(PAGE_BREAK, ''))
}
