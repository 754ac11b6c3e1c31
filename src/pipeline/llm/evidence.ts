// A model's quote is only evidence if the resume says it. Each quote is looked
// up in the resume text with case and whitespace ignored, and where it is found
// its page, line and section are computed from the text, never taken from the model.
import type { SourceSpan } from '../../domain/candidate.ts'
import { ResumeText } from '../requirements/resume-text.ts'

/** Shorter quotes ("a", "Go") would be found in almost any resume, so they prove nothing. */
const MIN_QUOTE_CHARS = 3
/** Ellipses and quotation marks a model puts around a quote are not part of it. */
const WRAPPING = /^[\s"'“”‘’«»…]+|[\s"'“”‘’«»…]+$/gu
const ELLIPSIS = /^(?:\.\.\.)+|(?:\.\.\.)+$/g

/** The resume text folded for searching, with the offset in the original text of every folded character. */
export class QuoteFinder {
  readonly #text: string
  readonly #folded: string
  readonly #origin: number[]
  readonly #lines: ResumeText

  constructor(text: string) {
    this.#text = text.replace(/\r\n?/g, '\n')
    const { folded, origin } = fold(this.#text)
    this.#folded = folded
    this.#origin = origin
    this.#lines = new ResumeText(this.#text)
  }

  /** Where the quote sits in the resume, or null when it is not there (or too short to mean anything). */
  locate(quote: string): SourceSpan | null {
    const needle = fold(quote.replace(WRAPPING, '').replace(ELLIPSIS, '').trim()).folded.trim()
    if (needle.replace(/\s/g, '').length < MIN_QUOTE_CHARS) return null
    const at = this.#folded.indexOf(needle)
    if (at < 0) return null
    // The line of the quote's first character; pages and sections as the lexical scorer reads them.
    return this.#lines.span(lineAt(this.#text, this.#origin[at]!))
  }
}

/** Lower case, compatibility forms folded (ligatures, full-width letters), every run of whitespace one space. */
function fold(text: string): { folded: string; origin: number[] } {
  let folded = ''
  const origin: number[] = []
  let inSpace = false
  let offset = 0
  for (const char of text) {
    if (/\s/u.test(char)) {
      if (!inSpace) {
        folded += ' '
        origin.push(offset)
      }
      inSpace = true
    } else {
      inSpace = false
      // One character may fold to several (ﬁ → fi); each maps back to where the character was.
      for (const unit of char.normalize('NFKC').toLowerCase()) {
        folded += unit
        for (let i = 0; i < unit.length; i++) origin.push(offset)
      }
    }
    offset += char.length
  }
  return { folded, origin }
}

/** The 1-based line of the whole text an offset falls on. */
function lineAt(text: string, offset: number): number {
  let line = 1
  for (let at = text.indexOf('\n'); at >= 0 && at < offset; at = text.indexOf('\n', at + 1)) line++
  return line
}
