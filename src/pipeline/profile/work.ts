// The work history: one entry per date range in the experience-like
// sections, with the employer and title read from the same line or the
// header lines next to it.
import type { WorkEntry } from '../../domain/candidate.ts'
import { findRanges, formatDate, leadingStart, type DateRange } from './dates.ts'
import { TITLE_WORDS } from './names.ts'
import { cityAndRegion, isRegion } from './contacts.ts'
import { isKnownCity, trailingCityWords, withoutTrailingCity } from './cities.ts'
import { MAX_FIELD_LINE, PIECE_SEPARATORS, spanOf, type ResumeLine } from './text.ts'
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
  /\b(?:bachelor|b\.?\s?sc|m\.?\s?sc|b\.?\s?eng|m\.?\s?eng|b\.?\s?tech|m\.?\s?tech|ph\.?\s?d(?!\.?[ \t]{1,3}(?:student|candidate|researcher|fellow))|mba|degree|diploma|abitur|a-levels)\b|\bmaster(?:'s|s)?[ \t]{1,3}(?:of|in|degree)\b/i

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
    // A role with only its start written opens with it ("2016 / 09 Engineer, Acme").
    const range = ranges[0] ?? (line.section !== 'education' ? leadingStart(line.body, nowYear) : null)
    if (!range) continue
    const rest = `${line.body.slice(0, range.index)} ${line.body.slice(range.index + range.length)}`
    dated.push({ line, range, rest: cleanRest(rest), spansNext })
    if (spansNext) i++
  }
  return dated
}

const DURATION_IN_BRACKETS = /\(\s{0,3}(?:\d{1,2}\+?\s{0,3}(?:years?|yrs?|months?|mos?)\+?[\s,]{0,3}){1,2}\)/gi
// How and where a role was worked ("Remote", "Part-Time Remote Working"): not who it was worked for.
const WORK_MODE =
  /^(?:(?:remote|hybrid|on-?site|in-office|full[- ]?time|part[- ]?time|contract(?:or)?|freelance|temporary|permanent|seasonal|working|work)(?:\s+|$))+$/i

function cleanRest(rest: string): string {
  return (
    rest
      // Brackets emptied by cutting the range out go; an aside in brackets stays as written.
      .replace(/\(\s*\)|\[\s*\]/g, ' ')
      // So does how long the role lasted, which the dates say: "(3 years)", "(2 Years+)", "(1 yr 4 mos)".
      .replace(DURATION_IN_BRACKETS, ' ')
      .replace(/\s+/g, ' ')
      .replace(/^[\s,|:;–—•·-]+|[\s,|:;–—•·-]+$/g, '')
      .replace(/[\s,]+(?:since|from|seit)$/i, '')
      // A label the dates followed ("From: 2012 – Present", "Acme | Dates: …") is neither title nor employer.
      .replace(/(?:^|[\s,|;–—•·-]+)(?:from|since|dates?|period|duration|tenure|seit|zeitraum)\s*:?$/i, '')
      .replace(/^(?:from|since|dates?|period|duration|tenure|seit|zeitraum)\s*:\s*/i, '')
      .replace(/^[\s,|:;–—•·-]+/g, '')
      .trim()
      // "Part-Time Remote Working" beside the dates says how, not who: the role is named above or below.
      .replace(WORK_MODE, '')
  )
}

const BULLET = /^[•·▪●■◆►◦\-*–—✓]/u
// A bullet glyph some layouts put before the role itself ("■ Project Officer, ...").
const LEADING_GLYPH = /^[•·▪●■◆►◦✓][ \t]{0,3}/u

/** Header-like: short, not a bullet, not a sentence. */
function isHeaderLine(line: ResumeLine | undefined): line is ResumeLine {
  if (!line || line.heading || line.text.length === 0 || line.text.length > 100) return false
  if (BULLET.test(line.text)) return false
  if (/[.;:]$/.test(line.text) && !/\b(?:inc|ltd|corp|co|llc|d\.o\.o|s\.r\.o|s\.a|b\.v|n\.v|s\.p\.a|s\.r\.l)\.$/i.test(line.text))
    return false
  const words = line.text.split(/\s+/).length
  // Text wrapped from a bullet ("cluding log filtering and alerting for …") starts in lower case and runs on;
  // an employer written in lower case ("eBay", "otulea.uni-bremen.de") is short.
  if (/^\p{Ll}/u.test(line.text) && words > 4) return false
  return words <= 12
}

const ORG_WORDS =
  /\b(?:inc|ltd|llc|gmbh|ag|se|corp|corporation|company|co|group|university|universität|college|institute|school|academy|bank|labs?|technologies|technology|solutions|systems|services|consulting|partners|limited|plc|foundation|hospital|agency|studio|software|ventures|holdings|e\.v|society|association|club|chapter|council|committee|organization|organisation|ngo|d\.o\.o|s\.r\.o|s\.p\.a|s\.r\.l|b\.v|n\.v)\b/i
const STUDENT_ROLE =
  /\b(?:teaching assistant|student assistant|student worker|student employee|student job|working student|werkstudent(?:in)?|hiwi|student tutor|tutor|graduate (?:teaching|research) assistant|undergraduate (?:teaching|research) assistant|student research assistant)\b/i
// Contributing to an open-source project is not employment by it ("Open Source Contributor & Team Leader").
const VOLUNTEER_ROLE = /\bvolunteer(?:ing|ed)?\b|\bpro bono\b|\bunpaid\b|\bopen[- ]source contributor\b/i
const MEMBER_ROLE = /\b(?:member|membership|fellow|chair|treasurer|secretary|board member)\b/i
const MEMBER_ORG = /\b(?:society|association|club|chapter|council|committee|ieee|acm|guild|federation|union|fraternity|sorority)\b/i

/**
 * Internships count as work: they are paid or credited work in the field.
 * Student jobs (teaching or student assistant, working student), volunteering
 * and memberships are kept but do not count toward experience.
 */
export function kindOf(title: string | null, employer: string | null, section: SectionKind | null): WorkEntry['kind'] {
  const text = `${title ?? ''} | ${employer ?? ''}`
  if (STUDENT_ROLE.test(text)) return 'student'
  if (section === 'volunteer' || VOLUNTEER_ROLE.test(text)) return 'volunteer'
  if (section === 'memberships' || section === 'activities') return 'membership'
  if (MEMBER_ROLE.test(title ?? '') && !/member of (?:the )?technical staff/i.test(title ?? '') && (MEMBER_ORG.test(text) || !employer))
    return 'membership'
  if (MEMBER_ORG.test(employer ?? '') && !title) return 'membership'
  return 'work'
}

// Roles that end a title though they would not start a person's name line.
const ROLE_WORDS = new Set(['leader', 'contributor', 'maintainer', 'partner', 'representative', 'advisor', 'adviser', 'mentor'])

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
  let score = words.filter((word) => TITLE_WORDS.has(word) || ROLE_WORDS.has(word)).length
  if (TITLE_WORDS.has(last) || ROLE_WORDS.has(last)) score += 3
  if (ORG_WORDS.test(last)) score -= 3
  else if (ORG_WORDS.test(part)) score -= 1
  return score
}

// "2 years 10 months", "4 months", "1 yr": how long a role lasted, printed under its dates.
const WEB_ADDRESS_LINE = /^\s*(?:https?:\/\/|www\.)[^\s/]{3,100}(?:\/\S{0,200})?\s*$/i
const DURATION_LINE = /^\(?(?:\d{1,2}[ \t]{0,2}(?:years?|yrs?|months?|mos?)[ \t,]{0,3}){1,2}\)?$/i

/** A line holding only a place ("San Francisco, CA", "Remote") or a duration: no title and no employer. */
function isPlaceOrDuration(text: string): boolean {
  if (DURATION_LINE.test(text)) return true
  if (text.length > 80) return false
  const pieces = text.split(/ ?[|•·] ?| {2,}| [–—-] | & /u).filter((piece) => piece.trim().length > 0)
  return pieces.length > 0 && pieces.every((piece) => dropPlaces(piece.split(/, ?/)).length === 0)
}

// A title run straight into its employer, the columns' gap lost ("Software Engineer University of
// Leeds", "Consultant Acme GmbH Berlin", "Programmer example.org"): the employer is read off the end.
const JOINED_EMPLOYER =
  /^(.{3,80}?) ((?:University|Institute|College|School|Academy) of \p{Lu}[\p{L}-]{1,30}(?: \p{Lu}[\p{L}-]{1,30}){0,2}|[\p{L}\d&-]{2,30} (?:GmbH|AG|Inc\.?|Ltd\.?|LLC|Corp\.?|Consulting|Labs)(?: \p{Lu}[\p{L}-]{1,30})?|[a-z\d-]{1,30}(?:\.[a-z\d-]{1,30}){0,3}\.[a-z]{2,6})$/u

/**
 * "SOFTWARE ENGINEER ACME GMBH", as the Europass CV sets a role: the title runs to its last role word and
 * the rest is the employer, when the rest ends in the kind of organisation it is.
 */
function titleThenOrganisation(text: string): { title: string; employer: string } | null {
  const words = text.split(' ')
  if (words.length < 3 || words.length > 12) return null
  let last = -1
  for (const [i, word] of words.entries()) {
    const bare = word.toLowerCase().replace(/[^\p{L}-]/gu, '')
    if (TITLE_WORDS.has(bare) || ROLE_WORDS.has(bare)) last = i
  }
  if (last < 0 || last >= words.length - 1) return null
  const employer = words.slice(last + 1)
  if (!/^\p{Lu}/u.test(employer[0]!) || !ORG_WORDS.test(employer[employer.length - 1]!)) return null
  return { title: words.slice(0, last + 1).join(' '), employer: employer.join(' ') }
}

function hasTitleWord(part: string): boolean {
  return part
    .toLowerCase()
    .split(/[\s/]+/)
    .some((word) => TITLE_WORDS.has(word) || ROLE_WORDS.has(word))
}

/** Splits "Title, Employer", "Employer — Title", "Title at Employer" and drops a trailing place. */
function titleAndEmployer(parts: string[]): { title: string | null; employer: string | null } {
  const pieces: string[] = []
  for (const part of parts) {
    const at = /^(.{2,80}?) (?:at|@) (.{2,80})$/i.exec(part)
    if (at) return { title: at[1]!.trim(), employer: withoutPlace(at[2]!.trim()) }
    for (const piece of part.split(PIECE_SEPARATORS)) {
      const trimmed = piece.trim()
      if (trimmed.length > 0) pieces.push(trimmed)
    }
  }
  // Places ("Berlin, Germany", "Remote") are not employers.
  const kept = dropPlaces(pieces)
  if (kept.length === 0) return { title: null, employer: null }
  if (kept.length === 1) {
    const only = kept[0]!
    const joined = JOINED_EMPLOYER.exec(only)
    if (joined && hasTitleWord(joined[1]!)) return { title: joined[1]!, employer: joined[2]! }
    const split = titleThenOrganisation(only)
    if (split) return split
    return titleScore(only) > 0 ? { title: only, employer: null } : { title: null, employer: only }
  }
  const [first, second] = kept as [string, string]
  return titleScore(second) > titleScore(first) ? { title: second, employer: first } : { title: first, employer: second }
}

// A part of an organisation, not one: "Department of Physics", "Science Department", "Dept. of Surgery".
const DEPARTMENT = /^(?:the )?(?:department|dept\.?|division|faculty) (?:of|for)\b|\b(?:department|dept\.?|division)$/i

/** An organisation's line, its place left out: "Omnious Co., Ltd. Seoul, S.Korea" is "Omnious Co., Ltd.". */
function organisationOf(text: string): string | null {
  const pieces = text
    .split(PIECE_SEPARATORS)
    .map((piece) => piece.trim())
    .filter(Boolean)
  const kept = dropPlaces(pieces)
  return kept.length > 0 ? kept.join(', ') : null
}

function withoutPlace(text: string): string {
  const parts = text.split(/, ?/)
  const kept = dropPlaces(parts)
  return kept.length > 0 ? kept.join(', ') : text
}

// Words that start a city's name of two or more words ("San Jose", "Mountain View"), and that end one ("Menlo
// Park", "Redwood City"): where a city set flush right runs into the employer, they say where the city begins.
const CITY_FIRST_WORDS = new Set(
  'new san santa los las mountain palo menlo salt st. saint fort hong tel buenos kuala cape ho port rio são sao el la le baton des grand long bad ciudad abu kansas oklahoma'.split(
    ' ',
  ),
)
const CITY_LAST_WORDS = new Set('city park beach springs falls heights valley hills lake creek bay village view alto island'.split(' '))
const CITY_JOINERS = new Set(['am', 'an', 'de', 'del', 'da', 'upon', 'on', 'sur'])

/**
 * "Google Mountain View" before ", CA": an employer with its city run into it, where the text lost the gap
 * between the two. The employer ("Google"), or null when the piece is only a city.
 */
function employerBeforeCity(piece: string): string | null {
  const words = piece.split(' ')
  let start = words.length - 1
  // "Stanford University, CA": the last word names the organisation's kind, not a city.
  if (ORG_WORDS.test(words[start]!)) return null
  const lower = (at: number) => words[at]!.toLowerCase()
  // A city this reader knows, however many words it has ("Ann Arbor", "Cedar Rapids").
  const known = trailingCityWords(words)
  // Not a city in the name ("Bank of Boston", "University of Toronto").
  if (known > 0) return /^(?:of|de|at|in|for|the|and|&)$/i.test(words[words.length - known - 1]!) ? null : words.slice(0, -known).join(' ')
  if (start > 0 && CITY_LAST_WORDS.has(lower(start))) start--
  while (start > 0 && (CITY_JOINERS.has(lower(start - 1)) || CITY_FIRST_WORDS.has(lower(start - 1)))) {
    start -= CITY_JOINERS.has(lower(start - 1)) ? Math.min(2, start) : 1
  }
  return start > 0 ? words.slice(0, start).join(' ') : null
}

/**
 * `piece` (before `region`) split into an organisation and the city run into it, or null. Only where a city is
 * plausible: the whole piece reads as a city (so without the split all of it would go as a place), or what stays
 * reads as an organisation ("Danggeun Pay Inc. (KarrotPay) Seoul"); "Bank of America" before ", USA" stays whole.
 */
function gluedCity(piece: string, region: string, isOrganisation: (text: string) => boolean): { organisation: string } | null {
  const organisation = employerBeforeCity(piece)
  if (!organisation || !cityAndRegion(`${piece.slice(organisation.length + 1)}, ${region}`)) return null
  const plausible = cityAndRegion(`${piece}, ${region}`) !== null || isOrganisation(organisation)
  return plausible ? { organisation } : null
}

function endsAsOrganisation(text: string): boolean {
  return /\)$/.test(text) || ORG_WORDS.test(text.split(' ').at(-1)!)
}

/** "Georgia Institute of Technology Atlanta" before ", GA": the school without the city run into it. */
export function withoutGluedCity(piece: string, region: string, isSchool: (text: string) => boolean): string {
  return gluedCity(piece, region, (text) => isSchool(text) || endsAsOrganisation(text))?.organisation ?? piece
}

function dropPlaces(pieces: string[]): string[] {
  const kept = [...pieces]
  for (let j = kept.length - 1; j >= 1; j--) {
    const glued = gluedCity(kept[j - 1]!, kept[j]!, endsAsOrganisation)
    // "Deutsche Bank, Germany": a name ending in the kind of organisation it is names no city.
    if (glued || (!endsAsOrganisation(kept[j - 1]!) && cityAndRegion(`${kept[j - 1]}, ${kept[j]}`))) {
      // Keep at least the employer: "Globex, Berlin, Germany" loses only the place, "Globex Berlin, Germany" too.
      kept.splice(j - 1, 2, ...(glued ? [glued.organisation] : []))
      break
    }
  }
  // "Bank of America, USA": a country or state left on its own after the employer is a place too.
  if (kept.length > 1 && isRegion(kept[kept.length - 1]!)) kept.pop()
  // "Remote", "Part-Time Remote Working", "Toronto" after the dates: how and where, not who.
  return kept.filter((piece) => !WORK_MODE.test(piece) && !(pieces.length > 1 && isKnownCity(piece)))
}

// A role whose dates share its line: read as work even under an education or
// certificates heading, where a sidebar layout's interleaved columns can put it.
const JOB_TITLE_LINE =
  /\b(?:engineer|developer|manager|designer|analyst|consultant|scientist|architect|administrator|intern|programmer|technician|accountant|specialist|coordinator|officer|director)\b/i
const SCHOOL_WORD = /\b(?:universit|college|school|institut|academ|hochschule|gymnasium)/i

/** A dated line naming a job and no school or degree ("DevOps engineer Jan 15 - Sep 15"). */
export function isJobLine(text: string): boolean {
  return JOB_TITLE_LINE.test(text) && !SCHOOL_WORD.test(text) && !DEGREE_LINE.test(text)
}

// A note set beside the role ("Summer Intern   Manager: xxx") names someone else.
const ROLE_NOTE = /\s+(?:manager|supervisor|advisor|adviser|mentor|reports? to|reference|contact)\s*:\s.*$/i
// What marks an entry as a project of one's own rather than a job.
const PROJECT_ENTRY = /\b(?:individual|personal|side|academic|course|class|hobby|capstone) projects?\b/i

function headerText(text: string): string {
  return text.replace(LEADING_GLYPH, '').replace(ROLE_NOTE, '')
}

/** A course taken, not a role held: "Project Management Simulation Training" ("Head of Training" is a role). */
function isTraining(title: string): boolean {
  return (
    /\b(?:training|course|bootcamp|workshop|seminar)$/i.test(title) &&
    !JOB_TITLE_LINE.test(title) &&
    !/\b(?:head|lead|trainer|instructor|of)\b/i.test(title)
  )
}

/**
 * An experience section that dates none of its roles ("Advanced Navigation — Software Test Engineer Intern" over
 * its bullets): each line that splits into an employer and a title, with a description or bullets under it, is a
 * role without dates. Only where the section has no dated line at all: beside dated roles, such a line is a
 * team, a project or a client of the role above.
 */
function undatedRoles(lines: ResumeLine[], sections: Set<string>): WorkEntry[] {
  const entries: WorkEntry[] = []
  for (const [i, line] of lines.entries()) {
    if (line.section !== 'experience' || line.heading || !sections.has(`${line.sectionTitle}`)) continue
    const text = line.body.replace(LEADING_GLYPH, '')
    if (text.length < 5 || text.length > 90 || LEADING_GLYPH.test(line.body) || /[.!?;:]$/.test(text)) continue
    const next = lines[i + 1]
    if (!next || next.section !== 'experience' || next.heading || !(LEADING_GLYPH.test(next.body) || /^[-*–] /.test(next.body))) continue
    const pieces = text
      .split(PIECE_SEPARATORS)
      .map((piece) => piece.trim())
      .filter(Boolean)
    if (pieces.length < 2 || pieces.length > 3) continue
    const { title, employer } = titleAndEmployer([text])
    if (!title || !employer || !hasTitleWord(title) || hasTitleWord(employer)) continue
    entries.push({
      employer: withoutTrailingCity(employer),
      title,
      start: null,
      end: null,
      current: false,
      kind: kindOf(title, employer, 'experience'),
      at: spanOf(line),
    })
    if (entries.length >= MAX_UNDATED) break
  }
  return entries
}
const MAX_UNDATED = 20

export function findWork(lines: ResumeLine[], nowYear: number): WorkEntry[] {
  const hasExperienceSection = lines.some((line) => line.section === 'experience')
  const inWork = (line: ResumeLine): boolean => {
    if (DEGREE_LINE.test(line.text)) return false
    if (line.section !== null && WORK_SECTIONS.has(line.section)) return true
    if ((line.section === 'education' || line.section === 'certificates') && isJobLine(line.body)) return true
    // A resume without headings: dated lines at the top level are its history.
    return !hasExperienceSection && (line.section === null || line.section === 'summary' || line.section === 'other')
  }
  const dated = datedLines(lines, inWork, nowYear)
  // Experience sections that date none of their roles.
  const undated = new Set(lines.filter((line) => line.section === 'experience').map((line) => `${line.sectionTitle}`))
  for (const d of dated) undated.delete(`${d.line.sectionTitle}`)
  const anchors = new Set(dated.map((d) => d.line.index))
  const used = new Set<number>()
  for (const d of dated) {
    used.add(d.line.index)
    if (d.spansNext) used.add(d.line.index + 1)
  }
  const entries: WorkEntry[] = []
  const directions = new Map<string, 'above' | 'below'>()
  let workDirection: 'above' | 'below' | undefined
  for (const d of dated) {
    const key = `${d.line.section}\u0000${d.line.sectionTitle}`
    let direction = directions.get(key)
    // A role among the degrees (interleaved columns) is written the way the experience section writes its roles.
    const borrowed = d.line.section === 'education' || d.line.section === 'certificates' ? workDirection : undefined
    if (!direction) {
      direction = borrowed ?? headerDirection(lines, d)
      directions.set(key, direction)
    }
    if (d.line.section !== null && WORK_SECTIONS.has(d.line.section)) workDirection ??= direction
    const rest = headerText(d.rest)
    const placeOnly = rest.length > 0 && isPlaceOrDuration(rest)
    const parts = rest.length > 0 && !placeOnly ? [rest] : []
    const fromLine = titleAndEmployer(parts)
    let top = d.line
    const header = parts.length === 0 ? headerAboveBullets(lines, d, anchors, used) : null
    if (header) {
      parts.push(headerText(header.body))
      used.add(header.index)
      top = header
    }
    // Gather header lines next to the date until both title and employer are
    // known; a third piece read this way ("Title, Employer" then a sentence) is ignored.
    // The entry starts at its first header line, so HR (and recency) find it there.
    let step = 1
    // A line that starts with its dates ("2014 - 2016 Acme GmbH") is its header: what sits above belongs
    // to the entry before, what sits below completes it.
    if (d.range.index === 0 && parts.length > 0) direction = 'below'
    // A place beside the dates ("May 2013 – Aug 2013 | Palo Alto, CA") takes the place of one header line.
    // A place on a line of its own right next to the dates is passed over.
    let skipped = 0
    const gathered: string[] = []
    while (
      !header &&
      (fromLine.title === null || fromLine.employer === null) &&
      parts.length + (placeOnly ? 1 : 0) < 2 &&
      step <= 2 + skipped
    ) {
      const at = direction === 'above' ? d.line.index - step : d.line.index + (d.spansNext ? 1 : 0) + step
      const neighbour = lines[at]
      if (!neighbour || anchors.has(at) || used.has(at) || neighbour.section !== d.line.section) break
      if (!isHeaderLine(neighbour) && !bulletedHeader(lines, neighbour, d.line, direction === 'above' && step === 1)) break
      // The employer's web address beside the dates ("Cray, Pleasanton, CA" / dates / "www.cray.com" / title) too.
      if ((step === 1 && isPlaceOrDuration(neighbour.text)) || WEB_ADDRESS_LINE.test(neighbour.text)) {
        skipped++
        step++
        continue
      }
      const text = headerText(neighbour.body)
      if (direction === 'above') {
        parts.unshift(text)
        top = neighbour
      } else parts.push(text)
      gathered.push(text)
      used.add(at)
      step++
    }
    const read = titleAndEmployer(parts)
    let title = read.title
    let employer = read.employer
    // "Cray, Pleasanton, CA" over the dates, then "www.cray.com", then "Automation and SRE Architect": the employer
    // above, the title below. Only a line that reads as a title is taken from the other side.
    if (!header && employer !== null && title === null && parts.length === 1) {
      const below = direction === 'above'
      for (let step = 1, seen = 0; step <= 3 && seen < 2; step++) {
        const at = below ? d.line.index + (d.spansNext ? 1 : 0) + step : d.line.index - step
        const neighbour = lines[at]
        if (!neighbour || anchors.has(at) || used.has(at) || neighbour.section !== d.line.section || neighbour.heading) break
        if (neighbour.text.trim() === '' || WEB_ADDRESS_LINE.test(neighbour.text)) continue
        seen++
        const text = headerText(neighbour.body)
        if (isHeaderLine(neighbour) && !isPlaceOrDuration(text) && titleScore(text) >= 3) {
          title = text
          used.add(at)
          break
        }
      }
    }
    // "Omnious Co., Ltd. Seoul, S.Korea" over "Software Architect Jun. 2017 May. 2018": the dated line holds the title
    // alone, so the line gathered beside it is the employer, whole, its place left out.
    if (fromLine.title !== null && fromLine.employer === null && gathered.length === 1 && titleScore(gathered[0]!) <= 0) {
      title = fromLine.title
      employer = organisationOf(gathered[0]!) ?? employer
    }
    // "Alpha Engineering Firm, Oakland, Ohio" over "■ Project Officer, Department of Meteorology, Oct 2007 – Jan 2008":
    // a department beside the title is a part of the organisation the header line above names, which is the employer.
    const above = lines[top.index - 1]
    if (
      title &&
      employer &&
      DEPARTMENT.test(employer) &&
      above &&
      !anchors.has(above.index) &&
      !used.has(above.index) &&
      above.section === d.line.section &&
      isHeaderLine(above) &&
      !isPlaceOrDuration(above.text)
    ) {
      employer = withoutPlace(above.text.replace(LEADING_GLYPH, ''))
      used.add(above.index)
      top = above
    }
    // A project or a training listed among the jobs is no job: "LaTeX résumé template" over "LaTeX, Maintainer
    // Individual Projects", "Project Management Simulation Training".
    if (parts.some((part) => PROJECT_ENTRY.test(part)) || (title && isTraining(title))) continue
    entries.push({
      employer: employer === null ? null : withoutTrailingCity(employer),
      title,
      start: formatDate(d.range.start),
      end: d.range.current ? null : formatDate(d.range.end),
      current: d.range.current,
      kind: kindOf(title, employer, d.line.section),
      at: spanOf(top),
    })
  }
  sameEmployerBelow(lines, entries)
  return undated.size > 0 ? [...entries, ...undatedRoles(lines, undated)] : entries
}

/**
 * Several roles under one employer line ("The Home Depot - Atlanta, GA" over two internships, each with its
 * bullets): a role read without an employer, with only the bullets of the role above between them, is at that
 * role's employer.
 */
function sameEmployerBelow(lines: ResumeLine[], entries: WorkEntry[]): void {
  for (let i = 1; i < entries.length; i++) {
    const entry = entries[i]!
    const above = entries[i - 1]!
    if (entry.employer !== null || entry.title === null || above.employer === null || !entry.at || !above.at) continue
    // A role of one's own has no employer to share.
    if (/\b(?:freelance|freelancer|independent|self[- ]employed|founder|co-founder|owner)\b/i.test(entry.title)) continue
    if (entry.at.section !== above.at.section || entry.at.line <= above.at.line) continue
    // Line numbers are 1-based; between the two roles' own lines, only the bullets of the one above.
    const between = lines.slice(above.at.line, entry.at.line - 1)
    // The first may be the dated line of the role above, under its employer.
    const onlyBullets = between.every(
      (line, at) => BULLET.test(line.body) || /^\p{Ll}/u.test(line.body) || (at === 0 && findRanges(line.body, 9999).length > 0),
    )
    if (between.length > 0 && onlyBullets) entry.employer = above.employer
  }
}

/**
 * "• Google   Mountain View, CA" right above "Software Engineer   Oct 2016 – Present" (the sb2nov and Jake's resume
 * templates): each entry is an item whose first line names the employer, and its bullets use another glyph.
 */
function bulletedHeader(lines: ResumeLine[], line: ResumeLine, dated: ResumeLine, rightAbove: boolean): boolean {
  const glyph = LEADING_GLYPH.exec(line.text)
  if (!rightAbove || !glyph || BULLET.test(dated.text)) return false
  // One of a list ("• NOVELL eDirectory" / "• SLES11"), or its glyph also marks the entry's bullets: not a header.
  const mark = glyph[0].trim()
  if (lines[dated.index + 1]?.text.startsWith(mark)) return false
  // Above it, the section's start or the entry before's bullets in another glyph ("◦ …", wrapped lines and all);
  // right after a role's dates, a bulleted line is that role's first bullet.
  for (let at = line.index - 1; at >= 0; at--) {
    const above = lines[at]!
    if (above.heading || above.section !== line.section) break
    if (above.text.length === 0) continue
    if (BULLET.test(above.text)) {
      if (above.text.startsWith(mark)) return false
      break
    }
    if (findRanges(above.body, 9999).length > 0) return false
  }
  return isHeaderLine({ ...line, text: line.text.slice(glyph[0].length) }) && !/[.!?]$/.test(line.text)
}

/**
 * Where a section writes its headers, decided on its first dated line: above
 * the dates (a header line sits right above it) or below them.
 */
function headerDirection(lines: ResumeLine[], first: DatedLine): 'above' | 'below' {
  const above = lines[first.line.index - 1]
  const header = isHeaderLine(above) || (above !== undefined && bulletedHeader(lines, above, first.line, true))
  return header && above.section === first.line.section ? 'above' : 'below'
}

// How far above its dates a right-hand-column entry's header may sit (header, bullets, place).
const MAX_ENTRY_LINES = 40

/**
 * Layouts that set the place and the dates in a right-hand column often have
 * them come out after the entry's bullets ("Acme, Engineer" / "• Built..." /
 * "Berlin, Germany" / "Jan 2020 – present"). When the lines right above a bare
 * date range are a place or bullets (with their wrapped text), the header is
 * the last header-like line above those bullets, within the same section and
 * after the previous entry.
 */
function headerAboveBullets(lines: ResumeLine[], d: DatedLine, anchors: Set<number>, used: Set<number>): ResumeLine | null {
  let bullets = 0
  const stop = Math.max(0, d.line.index - MAX_ENTRY_LINES)
  for (let at = d.line.index - 1; at >= stop; at--) {
    const line = lines[at]!
    if (line.section !== d.line.section || line.heading || anchors.has(at) || used.has(at)) return null
    if (line.text.length === 0) continue
    if (BULLET.test(line.text)) {
      bullets++
      continue
    }
    if (bullets === 0 && isPlaceOrDuration(line.text)) continue
    // Text under a bullet (or starting in lower case) is a bullet wrapped onto the next line.
    if (continuesBullet(lines, at) || /^\p{Ll}/u.test(line.text)) continue
    if (bullets === 0) return null
    return isHeaderLine(line) && !isPlaceOrDuration(line.text) ? line : null
  }
  return null
}

function continuesBullet(lines: ResumeLine[], at: number): boolean {
  const above = lines[at - 1]
  return above !== undefined && BULLET.test(above.text)
}
