// The resume text as numbered lines, each knowing its page and section, so
// every field read from it can say where it came from.
// The text is attacker-controlled: everything here works line by line with
// bounded quantifiers, so cost stays linear in its length.
import type { SourceSpan } from '../../domain/candidate.ts'
import { headingOf, leadingHeading, type Heading, type SectionKind } from './sections.ts'

export interface ResumeLine {
  /** 0-based index; the SourceSpan's line is index + 1. */
  index: number
  page: number
  /** Trimmed, with soft hyphens, odd dashes and letter spacing resolved. */
  text: string
  section: SectionKind | null
  /** The heading as written above this line, null before the first heading. */
  sectionTitle: string | null
  /** This line is itself a section heading. */
  heading: boolean
  /** Content after an inline heading ("Skills: Go, Rust" gives "Go, Rust"); else the text. */
  body: string
  /** The kind of an inline heading on this line ("Languages: English, German"), else null. */
  label: SectionKind | null
}

// Lines longer than this are prose or garbage, never a header, a date line or a contact line.
export const MAX_FIELD_LINE = 300

/**
 * Where one piece of a header line ends and the next begins: a bar or bullet, a wide gap, a spaced dash (an
 * en or em dash spaced on one side only too: "Acme —Sales Representative —June 2017", and a hyphen spaced after
 * a word, before a capital: "Lead Engineer- New York"), a comma.
 */
export const PIECE_SEPARATORS = / ?[|•·] ?| {2,}| [–—-] | [–—](?=\p{L})|(?<=[\p{L}\p{N}.)])[–—] |(?<=\p{L})- (?=\p{Lu})|, ?/u

// Dash look-alikes PDF producers emit for a plain hyphen-minus.
const ODD_DASHES = /[\u2010\u2011\u2012\u2212\uFE58\uFE63\uFF0D]/g
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF]/g

/**
 * A soft hyphen between letters joins a word the producer broke ("Soft\u00ADware");
 * anywhere else (inside a phone number or a date range) it stood for a hyphen.
 */
export function normaliseLine(line: string): string {
  return (
    line
      .replace(INVISIBLE, '')
      .replace(/(\p{L})\u00AD(?=\p{L})/gu, '$1')
      .replace(/\u00AD/g, '-')
      .replace(ODD_DASHES, '-')
      .replace(/\t/g, '  ')
      .replace(/\u00A0/g, ' ')
      // Dot leaders between an employer and its dates ("Mahsan Co. . . . . . 2022/10"): a gap, not text.
      .replace(DOT_LEADER, '  ')
      .trim()
  )
}
// Four dots or more; an abbreviation's own dot before them stays ("Co.").
const DOT_LEADER = /(?<![\p{L}\p{N}])(?: ?\.){4,}/gu

/**
 * "J A R E D  S M I T H" becomes "JARED SMITH": runs of single letters
 * separated by one space are a letter-spaced word, two spaces separate words.
 * Lines with ordinary words are left alone.
 */
export function unspaceLetters(line: string): string {
  if (line.length > MAX_FIELD_LINE || !/^(?:\S(?: |$))+/u.test(line)) return line
  const words = line.split(/ {2,}/)
  let spaced = 0
  const joined = words.map((word) => {
    if (/^\S(?: \S){2,}$/u.test(word)) {
      spaced++
      return word.replace(/ /g, '')
    }
    return word
  })
  return spaced > 0 && spaced >= words.length / 2 ? joined.join(' ') : line
}

// Sections a document must head in its margin before a heading beside its first line is believed.
const MIN_MARGIN_SECTIONS = 3

/**
 * The lines that start with a margin heading in ordinary case, when the document sets at least three different
 * sections so and writes none of those headings on a line of its own ("Experience Creative Solutions Inc.",
 * "Education University of California", "Projects E-Commerce Platform").
 */
function marginHeadingLines(texts: string[], headings: (Heading | null)[]): Map<number, Heading> {
  const found = new Map<number, Heading>()
  // Headings on lines of their own: a document with several heads its sections so, and "Skills include Go" in it is
  // a sentence. One or two (a group named "Tools" in a skills list) do not make such a document.
  const aloneKinds = new Set<SectionKind>()
  const aloneTitles = new Set<string>()
  texts.forEach((text, i) => {
    if (text.length > MAX_FIELD_LINE) return
    const plain = headings[i]!
    if (plain && plain.rest.length === 0) {
      aloneKinds.add(plain.kind)
      aloneTitles.add(plain.title.toLowerCase())
    } else if (!plain) {
      const leading = leadingHeading(text)
      if (leading) found.set(i, leading)
    }
  })
  if (aloneKinds.size >= MIN_MARGIN_SECTIONS) return new Map()
  for (const [i, heading] of found) if (aloneTitles.has(heading.title.toLowerCase())) found.delete(i)
  const kinds = new Set([...found.values()].map((heading) => heading.kind))
  return kinds.size >= MIN_MARGIN_SECTIONS ? found : new Map()
}

export function resumeLines(text: string): ResumeLine[] {
  const raw = text.replace(/\r\n?/g, '\n').split('\n')
  // Each line's page, text and own heading first: margin headings are judged over the whole document.
  const pages: number[] = []
  const texts: string[] = []
  let page = 1
  for (const rawLine of raw) {
    // A form feed starts a page: the line after it (or the rest of this one) is on the next page.
    let line = rawLine
    while (line.startsWith('\f')) {
      page++
      line = line.slice(1)
    }
    const inner = line.split('\f')
    pages.push(page)
    page += inner.length - 1
    texts.push(unspaceLetters(normaliseLine(inner.join(' '))))
  }
  const headings = texts.map((textOfLine) => (textOfLine.length <= MAX_FIELD_LINE ? headingOf(textOfLine) : null))
  const margins = marginHeadingLines(texts, headings)
  const lines: ResumeLine[] = []
  let section: SectionKind | null = null
  let sectionTitle: string | null = null
  texts.forEach((textOfLine, index) => {
    const heading = headings[index] ?? margins.get(index) ?? null
    // Inside a skills list or a personal-data block, "Languages: ..." or
    // "Tools: ..." labels one line; elsewhere an inline heading opens a section.
    const local = heading !== null && heading.rest.length > 0 && !heading.margin && (section === 'skills' || section === 'contact')
    if (heading && !local) {
      section = heading.kind
      sectionTitle = heading.title
    }
    const previous = lines[index - 1]
    const label = heading && heading.rest.length > 0 ? heading.kind : continuedLabel(previous, heading, textOfLine, headings[index + 1])
    lines.push({
      index,
      page: pages[index]!,
      text: textOfLine,
      section,
      sectionTitle,
      heading: heading !== null && heading.rest.length === 0,
      body: heading ? heading.rest : textOfLine,
      label,
    })
  })
  return lines
}

/**
 * A labelled line wrapped onto the next ("Loves: …, Stackover-" over "flow, Fitness and Martial Arts") keeps its
 * label there: when the labelled line ends mid-phrase (a hyphen, a comma, "and"), when the next starts in lower
 * case, or when the next is a few words alone before a heading or another label.
 */
function continuedLabel(
  previous: ResumeLine | undefined,
  heading: Heading | null,
  text: string,
  next: Heading | null | undefined,
): SectionKind | null {
  if (!previous?.label || previous.heading || heading !== null || text === '') return null
  const wrapped =
    /(?:[-‐,&/]|\b(?:and|or|of|for|in|with))$/.test(previous.body) ||
    /^\p{Ll}/u.test(text) ||
    (next !== undefined && next !== null && !text.includes(',') && text.split(/\s+/).length <= 3)
  return wrapped ? previous.label : null
}

export function spanOf(line: ResumeLine): SourceSpan {
  return { page: line.page, line: line.index + 1, section: line.sectionTitle }
}
