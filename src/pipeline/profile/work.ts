// The work history: one entry per date range in the experience-like
// sections, with the employer and title read from the same line or the
// header lines next to it.
import type { WorkEntry } from '../../domain/candidate.ts'
import { findRanges, formatDate, type DateRange } from './dates.ts'
import { TITLE_WORDS } from './names.ts'
import { cityAndRegion } from './contacts.ts'
import { MAX_FIELD_LINE, spanOf, type ResumeLine } from './text.ts'
import type { SectionKind } from './sections.ts'

export interface DatedLine {
  line: ResumeLine
  range: DateRange
  /** The line's text with the range cut out. */
  rest: string
  /** The range was completed on the next line ("Jan 2019 –" / "Present"). */
  spansNext: boolean
}

// No career holds more roles than this; past it the text is not a resume.
export const MAX_ENTRIES = 100
const WORK_SECTIONS: ReadonlySet<SectionKind> = new Set(['experience', 'volunteer', 'memberships', 'activities'])
// Degrees only: a school or university on a line can as well be an employer.
export const DEGREE_LINE =
  /\b(?:bachelor|b\.?\s?sc|m\.?\s?sc|b\.?\s?eng|m\.?\s?eng|b\.?\s?tech|m\.?\s?tech|ph\.?\s?d|mba|degree|diploma|abitur|a-levels)\b|\bmaster(?:'s|s)?[ \t]{1,3}(?:of|in|degree)\b/i

/**
 * Date ranges line by line. A line ending in a start ("Jan 2019 –") or holding
 * only a start, whose next line begins with the end, is read as one range.
 */
export function datedLines(lines: ResumeLine[], keep: (line: ResumeLine) => boolean, nowYear: number): DatedLine[] {
  const dated: DatedLine[] = []
  for (let i = 0; i < lines.length && dated.length < MAX_ENTRIES; i++) {
    const line = lines[i]!
    if (!keep(line) || line.text.length > MAX_FIELD_LINE) continue
    let ranges = findRanges(line.body, nowYear)
    let spansNext = false
    const next = lines[i + 1]
    if (ranges.length === 0 && next && next.text.length <= MAX_FIELD_LINE) {
      const joined = `${line.body} ${next.text}`
      const across = findRanges(joined, nowYear).filter(
        (range) => range.index < line.body.length && range.index + range.length > line.body.length + 1,
      )
      if (across.length > 0) {
        ranges = [{ ...across[0]!, length: line.body.length - across[0]!.index }]
        spansNext = true
      }
    }
    const range = ranges[0]
    if (!range) continue
    const rest = `${line.body.slice(0, range.index)} ${line.body.slice(range.index + range.length)}`
    dated.push({ line, range, rest: cleanRest(rest), spansNext })
    if (spansNext) i++
  }
  return dated
}

function cleanRest(rest: string): string {
  return (
    rest
      // Brackets emptied by cutting the range out go; an aside in brackets stays as written.
      .replace(/\(\s*\)|\[\s*\]/g, ' ')
      .replace(/\s+/g, ' ')
      .replace(/^[\s,|:;–—•·-]+|[\s,|:;–—•·-]+$/g, '')
      .replace(/[\s,]+(?:since|from|seit)$/i, '')
      .trim()
  )
}

/** Header-like: short, not a bullet, not a sentence. */
function isHeaderLine(line: ResumeLine | undefined): line is ResumeLine {
  if (!line || line.heading || line.text.length === 0 || line.text.length > 100) return false
  if (/^[•·▪●■◆►\-*–—✓]/u.test(line.text)) return false
  if (/[.;:]$/.test(line.text) && !/\b(?:inc|ltd|corp|co|llc)\.$/i.test(line.text)) return false
  return line.text.split(/\s+/).length <= 12
}

const ORG_WORDS =
  /\b(?:inc|ltd|llc|gmbh|ag|se|corp|corporation|company|co|group|university|universität|college|institute|school|academy|bank|labs?|technologies|technology|solutions|systems|services|consulting|partners|limited|plc|foundation|hospital|agency|studio|software|ventures|holdings|e\.v|society|association|club|chapter|council|committee|organization|organisation|ngo)\b/i
const STUDENT_ROLE =
  /\b(?:teaching assistant|student assistant|student worker|student employee|student job|working student|werkstudent(?:in)?|hiwi|student tutor|tutor|graduate (?:teaching|research) assistant|undergraduate (?:teaching|research) assistant|student research assistant)\b/i
const VOLUNTEER_ROLE = /\bvolunteer(?:ing|ed)?\b|\bpro bono\b|\bunpaid\b/i
const MEMBER_ROLE = /\b(?:member|membership|fellow|chair|treasurer|secretary|board member)\b/i
const MEMBER_ORG = /\b(?:society|association|club|chapter|council|committee|ieee|acm|guild|federation|union|fraternity|sorority)\b/i

/**
 * Internships count as work: they are paid or credited work in the field.
 * Student jobs (teaching or student assistant, working student), volunteering
 * and memberships are kept but do not count toward experience.
 */
function kindOf(title: string | null, employer: string | null, section: SectionKind | null): WorkEntry['kind'] {
  const text = `${title ?? ''} | ${employer ?? ''}`
  if (STUDENT_ROLE.test(text)) return 'student'
  if (section === 'volunteer' || VOLUNTEER_ROLE.test(text)) return 'volunteer'
  if (section === 'memberships' || section === 'activities') return 'membership'
  if (MEMBER_ROLE.test(title ?? '') && !/member of (?:the )?technical staff/i.test(title ?? '') && (MEMBER_ORG.test(text) || !employer))
    return 'membership'
  if (MEMBER_ORG.test(employer ?? '') && !title) return 'membership'
  return 'work'
}

/**
 * How much a part reads as a job title rather than an employer. Titles end in
 * their role ("Systems Engineer", "Solutions Architect"); employers end in
 * their kind ("Acme Systems", "Globex Group").
 */
function titleScore(part: string): number {
  const words = part
    .toLowerCase()
    .split(/[\s/]+/)
    .map((word) => word.replace(/[^\p{L}-]/gu, ''))
    .filter(Boolean)
  const last = words[words.length - 1] ?? ''
  let score = words.filter((word) => TITLE_WORDS.has(word)).length
  if (TITLE_WORDS.has(last)) score += 3
  if (ORG_WORDS.test(last)) score -= 3
  else if (ORG_WORDS.test(part)) score -= 1
  return score
}

/** Splits "Title, Employer", "Employer — Title", "Title at Employer" and drops a trailing place. */
function titleAndEmployer(parts: string[]): { title: string | null; employer: string | null } {
  const pieces: string[] = []
  for (const part of parts) {
    const at = /^(.{2,80}?) (?:at|@) (.{2,80})$/i.exec(part)
    if (at) return { title: at[1]!.trim(), employer: withoutPlace(at[2]!.trim()) }
    for (const piece of part.split(/ ?[|•·] ?| {2,}| [–—-] |, ?/u)) {
      const trimmed = piece.trim()
      if (trimmed.length > 0) pieces.push(trimmed)
    }
  }
  // Places ("Berlin, Germany", "Remote") are not employers.
  const kept = dropPlaces(pieces)
  if (kept.length === 0) return { title: null, employer: null }
  if (kept.length === 1) {
    const only = kept[0]!
    return titleScore(only) > 0 ? { title: only, employer: null } : { title: null, employer: only }
  }
  const [first, second] = kept as [string, string]
  return titleScore(second) > titleScore(first) ? { title: second, employer: first } : { title: first, employer: second }
}

function withoutPlace(text: string): string {
  const parts = text.split(/, ?/)
  const kept = dropPlaces(parts)
  return kept.length > 0 ? kept.join(', ') : text
}

function dropPlaces(pieces: string[]): string[] {
  const kept = [...pieces]
  for (let j = kept.length - 1; j >= 1; j--) {
    if (cityAndRegion(`${kept[j - 1]}, ${kept[j]}`)) {
      // Keep at least the employer: "Globex, Berlin, Germany" loses only the place.
      kept.splice(j - 1, 2)
      break
    }
  }
  return kept.filter((piece) => !/^(?:remote|hybrid|on-?site|full[- ]time|part[- ]time|contract|freelance)$/i.test(piece))
}

export function findWork(lines: ResumeLine[], nowYear: number): WorkEntry[] {
  const hasExperienceSection = lines.some((line) => line.section === 'experience')
  const inWork = (line: ResumeLine): boolean => {
    if (DEGREE_LINE.test(line.text)) return false
    if (line.section !== null && WORK_SECTIONS.has(line.section)) return true
    // A resume without headings: dated lines at the top level are its history.
    return !hasExperienceSection && (line.section === null || line.section === 'summary' || line.section === 'other')
  }
  const dated = datedLines(lines, inWork, nowYear)
  const anchors = new Set(dated.map((d) => d.line.index))
  const used = new Set<number>()
  for (const d of dated) {
    used.add(d.line.index)
    if (d.spansNext) used.add(d.line.index + 1)
  }
  const entries: WorkEntry[] = []
  const directions = new Map<string, 'above' | 'below'>()
  for (const d of dated) {
    const key = `${d.line.section}\u0000${d.line.sectionTitle}`
    let direction = directions.get(key)
    if (!direction) {
      direction = headerDirection(lines, d)
      directions.set(key, direction)
    }
    const parts = d.rest.length > 0 ? [d.rest] : []
    const fromLine = titleAndEmployer(parts)
    // Gather header lines next to the date until both title and employer are
    // known; a third piece read this way ("Title, Employer" then a sentence) is ignored.
    // The entry starts at its first header line, so HR (and recency) find it there.
    let top = d.line
    let step = 1
    while ((fromLine.title === null || fromLine.employer === null) && parts.length < 2 && step <= 2) {
      const at = direction === 'above' ? d.line.index - step : d.line.index + (d.spansNext ? 1 : 0) + step
      const neighbour = lines[at]
      if (!neighbour || anchors.has(at) || used.has(at) || neighbour.section !== d.line.section || !isHeaderLine(neighbour)) break
      if (direction === 'above') {
        parts.unshift(neighbour.text)
        top = neighbour
      } else parts.push(neighbour.text)
      used.add(at)
      step++
    }
    const { title, employer } = titleAndEmployer(parts)
    entries.push({
      employer,
      title,
      start: formatDate(d.range.start),
      end: d.range.current ? null : formatDate(d.range.end),
      current: d.range.current,
      kind: kindOf(title, employer, d.line.section),
      at: spanOf(top),
    })
  }
  return entries
}

/**
 * Where a section writes its headers, decided on its first dated line: above
 * the dates (a header line sits right above it) or below them.
 */
function headerDirection(lines: ResumeLine[], first: DatedLine): 'above' | 'below' {
  const above = lines[first.line.index - 1]
  return isHeaderLine(above) && above.section === first.line.section ? 'above' : 'below'
}
