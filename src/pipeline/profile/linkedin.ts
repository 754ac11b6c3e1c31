// LinkedIn's "Save to PDF" profile export. Its text layer prints the left
// sidebar first (Contact, Top Skills, Languages, Certifications,
// Honors-Awards) and then the main column: the name, the headline and the
// location, with no heading above them, so the sidebar's last section runs
// into them. Its experience writes the employer on a line of its own above
// the title, and several roles at one employer under one employer line
// followed by their total duration.
// These rules apply only to text carrying the export's own markers: the
// profile URL followed by "(LinkedIn)", together with a "Page N of M" footer
// or a "Top Skills" heading.
// The text is attacker-controlled: line by line, bounded quantifiers only.
import type { WorkEntry } from '../../domain/candidate.ts'
import type { Found } from './contacts.ts'
import { findRanges, formatDate } from './dates.ts'
import { nameAtStart } from './names.ts'
import type { SectionKind } from './sections.ts'
import { MAX_FIELD_LINE, spanOf, type ResumeLine } from './text.ts'
import { kindOf, MAX_ENTRIES } from './work.ts'

// The sidebar is short: its marker sits near the top.
const MARKER_LINES = 40
const LINKEDIN_MARK = /^(?:(?:https?:\/\/)?(?:www\.)?linkedin\.com\/in\/\S{1,100} ?)?\(LinkedIn\)$/i
const PAGE_FOOTER = /^Page \d{1,3} of \d{1,3}$/
// The main column's sections; everything before the first of them is the sidebar or the header.
const MAIN_SECTIONS: ReadonlySet<SectionKind> = new Set(['summary', 'experience', 'education'])
// Name, up to three lines of headline, the location.
const MAX_HEADER_LINES = 6

export function isLinkedInExport(lines: ResumeLine[]): boolean {
  const marked = lines.slice(0, MARKER_LINES).some((line) => LINKEDIN_MARK.test(line.text))
  if (!marked) return false
  return lines.some((line) => line.text.length <= MAX_FIELD_LINE && (PAGE_FOOTER.test(line.text) || /^Top Skills$/i.test(line.text)))
}

export interface LinkedInHeader {
  name: Found<string>
  location: Found<string> | null
  /** The lines, name to location, that belong to no sidebar section. */
  from: number
  to: number
}

/**
 * The name, headline and location printed right above the main column's first
 * heading. The name is the line there that reads as a name, the one like the
 * profile's address or the email when there are several; the location is the
 * last line before the heading.
 */
export function linkedInHeader(lines: ResumeLine[], hints: string[]): LinkedInHeader | null {
  const main = lines.findIndex((line) => line.heading && line.section !== null && MAIN_SECTIONS.has(line.section))
  if (main < 0) return null
  const block: ResumeLine[] = []
  for (let at = main - 1; at >= 0 && block.length < MAX_HEADER_LINES; at--) {
    const line = lines[at]!
    if (line.heading) break
    if (line.text.length > 0) block.unshift(line)
  }
  // At least a name and a headline; the name is never the block's last line.
  if (block.length < 2) return null
  const names = block.slice(0, -1).filter((line) => nameAtStart(line.text, null)?.replace(/\s+/g, ' ') === titleCased(line.text))
  const resembling = names.find((line) =>
    hints.some((hint) =>
      line.text
        .toLowerCase()
        .replace(/[^a-z]/g, '')
        .includes(hint),
    ),
  )
  // Without a hint, the latest name-like line: the sidebar's items sit above the header, never below.
  const nameLine = resembling ?? names[names.length - 1]
  if (!nameLine) return null
  const afterName = block.slice(block.indexOf(nameLine) + 1)
  const last = afterName[afterName.length - 1]!
  // The headline comes first; a location is a short line without sentence punctuation.
  const location = afterName.length >= 2 && last.text.length <= 80 && !/[.!?;|]$/.test(last.text) ? last : null
  return {
    name: { value: nameAtStart(nameLine.text, null)!, line: nameLine },
    location: location ? { value: location.text, line: location } : null,
    from: nameLine.index,
    to: main - 1,
  }
}

function titleCased(text: string): string {
  return text
    .split(/\s+/)
    .map((word) => (word.length > 1 && word === word.toUpperCase() ? word[0] + word.slice(1).toLowerCase() : word))
    .join(' ')
}

/** The header's lines belong to no section: the sidebar's last list ends above the name. */
export function withoutSidebarOverrun(lines: ResumeLine[], header: LinkedInHeader): ResumeLine[] {
  return lines.map((line) =>
    line.index >= header.from && line.index <= header.to ? { ...line, section: null, sectionTitle: null, label: null } : line,
  )
}

// "March 2021 - Present (3 years 9 months)": a role's dates, its length after them.
const ROLE_LENGTH = /^\((?:less than a year|(?:\d{1,2} (?:years?|months?) ?){1,2})\)$/i
const GROUP_LENGTH = /^(?:less than a year|(?:\d{1,2} (?:years?|months?) ?){1,2})$/i

/**
 * The experience section: each role's dates line has its title right above it;
 * above the title is the employer, or (in a group of roles at one employer) the
 * employer's total duration with the employer above it, or the previous role's
 * place and description, the role then belonging to the group above.
 */
export function linkedInWork(lines: ResumeLine[], nowYear: number): WorkEntry[] {
  const entries: WorkEntry[] = []
  let group: ResumeLine | null = null
  let previous = -1
  const filled = (at: number): number => {
    let i = at
    while (i >= 0 && lines[i]!.text.length === 0) i--
    return i
  }
  for (const [i, line] of lines.entries()) {
    if (entries.length >= MAX_ENTRIES) break
    if (line.section !== 'experience' || line.heading || line.text.length > MAX_FIELD_LINE) continue
    const range = findRanges(line.text, nowYear)[0]
    if (!range || range.index !== 0) continue
    const rest = line.text.slice(range.length).trim()
    if (rest.length > 0 && !ROLE_LENGTH.test(rest)) continue
    const titleAt = filled(i - 1)
    if (titleAt <= previous || lines[titleAt]!.heading) continue
    const title = lines[titleAt]!
    const aboveAt = filled(titleAt - 1)
    const above = aboveAt > previous ? lines[aboveAt] : undefined
    let employer: ResumeLine | null
    let inherited = false
    if (above && !above.heading && GROUP_LENGTH.test(above.text)) {
      const companyAt = filled(aboveAt - 1)
      employer = companyAt > previous && !lines[companyAt]!.heading ? lines[companyAt]! : null
      group = employer
    } else if (above && !above.heading && !(group && belongsToPrevious(above, previous))) {
      employer = above
      group = null
    } else {
      employer = group
      inherited = true
    }
    previous = i
    const titleText = title.text
    const employerText = employer?.text ?? null
    entries.push({
      employer: employerText,
      title: titleText,
      start: formatDate(range.start),
      end: range.current ? null : formatDate(range.end),
      current: range.current,
      kind: kindOf(titleText, employerText, 'experience'),
      // The entry starts at its employer line, unless it shares one written further up.
      at: spanOf(employer && !inherited ? employer : title),
    })
  }
  return entries
}

/** The previous role's place (right under its dates) or the end of its description: not an employer. */
function belongsToPrevious(line: ResumeLine, previousDates: number): boolean {
  if (line.index === previousDates + 1 || /[.!?:;,]$/.test(line.text) || /^[•·▪●■◆►\-*–—]/u.test(line.text)) return true
  // "Pune, Maharashtra, India"; an employer's "Acme, Inc." is not a place.
  return /, /.test(line.text) && !/, (?:inc|llc|ltd|gmbh|ag|plc|corp)\.?$/i.test(line.text)
}
