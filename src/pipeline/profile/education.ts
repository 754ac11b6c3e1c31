// Education: degree, field, institution and dates, one entry per degree or school.
import type { EducationEntry } from '../../domain/candidate.ts'
import { findDates, findRanges, formatDate, type DateRange } from './dates.ts'
import { MAX_FIELD_LINE, PIECE_SEPARATORS, spanOf, type ResumeLine } from './text.ts'
import { isJobLine, MAX_ENTRIES, withoutGluedCity } from './work.ts'
import { isRegion } from './contacts.ts'

const DEGREE = new RegExp(
  [
    "(?:bachelor|master|doctor)(?:'s|s)?(?: of| in)? (?:science|arts|engineering|technology|business administration|fine arts|laws|philosophy|education|computer applications|commerce)",
    "(?:bachelor|master)(?:'s|s)?(?: degree)?",
    'ph\\.? ?d\\.?|doctorate|d\\.? ?phil\\.?',
    'b\\.? ?tech\\.?|m\\.? ?tech\\.?|b\\.? ?sc\\.?|m\\.? ?sc\\.?|b\\.? ?eng\\.?|m\\.? ?eng\\.?|b\\.? ?com\\.?|m\\.? ?com\\.?|b\\.? ?ba|m\\.? ?ba|b\\.? ?ca|m\\.? ?ca',
    'b\\.s\\.?|m\\.s\\.?|b\\.a\\.?|m\\.a\\.?|b\\.e\\.?|m\\.e\\.?|bs|ms|ba|ma|be|me|mba|bba|llb|llm|mphil|meng|beng|msc|bsc',
    "diplôme(?: d['’]ingénieur)?|diplom-\\p{L}{3,30}|dipl\\.?-? ?ing\\.?|diplom|diploma|associate(?: degree| of (?:arts|science))?|high school diploma|abitur|a-levels|ged|certificate",
    // India's school-leaving levels: "Class XII (CBSE)", "12th", "HSC", "SSLC".
    'class (?:x|xii|10(?:th)?|12(?:th)?)|(?:10|12)th(?: (?:grade|standard|std\\.?))?|ssc|hsc|sslc|(?:higher|senior) secondary(?: certificate)?',
  ].join('|'),
  'i',
)
const DEGREE_AT_WORD = new RegExp(`(?<![\\p{L}])(${DEGREE.source})(?![\\p{L}])`, 'iu')
const INSTITUTION =
  /(?<![\p{L}])(?:university|universität|universitat|universitaet|universiteit|universitet|uniwersytet|universidad|université|università|college|institute|institut|school|academy|polytechnic|hochschule|fachhochschule|gymnasium|iit|nit|mit|eth|epfl|insa|école|ecole|polytechnique|politecnico|escuela|faculdade|faculty|vidyalaya|mahavidyalaya|vidyapeeth|vidyapith|vidya bhavan|vidya bhawan)(?![\p{L}])/iu
// "Master of Science (M.Sc.) in Informatics": the abbreviation repeats the degree.
const LEADING_DEGREE = new RegExp(`^\\s*(?:${DEGREE.source})(?![\\p{L}])\\s*`, 'iu')
// Short capitalised degree abbreviations ("BS", "MA", "ME") are ordinary words in lower case.
const SHORT_DEGREE = /^(?:bs|ms|ba|ma|be|me)$/i

const GRADE =
  /(?:\b(?:c?gpa|cpi|spi|percentage|grade|score|marks)\s{0,3}[:=-]?\s{0,3})?(?<![\d./])\d{1,3}(?:\.\d{1,2})?\s{0,2}(?:\/\s{0,2}(?:10|4|4\.0|5|100)(?![\d./])|%)/gi
const TABLE_HEADER =
  /^(?:(?:years?|degree|certificate|course|qualification|examination|exam|institute|institution|university|college|school|board|cpi|c?gpa|spi|percentage|%|marks|grade|result|specialization|stream|status|session|passing year|year of passing)[\s/|,]*){3,}$/i
const NOT_A_DEGREE = /^['’]?s?\s{1,3}(?:thesis|studies|project|programme|program|course|courses|student|students|level)\b/i

interface Parsed {
  degree: string | null
  field: string | null
  institution: string | null
}

function parseLine(text: string): Parsed {
  const parsed: Parsed = { degree: null, field: null, institution: null }
  const pieces = text
    .split(PIECE_SEPARATORS)
    .map((piece) => piece.trim())
    .filter(Boolean)
  let fieldNext = false
  for (const [i, piece] of pieces.entries()) {
    // "Bachelor of Technology - BTech, Computer Science" (LinkedIn's form): the abbreviation repeats the degree, the field comes next.
    if (fieldNext && !parsed.field && LEADING_DEGREE.exec(piece)?.[0].length === piece.length) continue
    // "PhD, Physics": the field follows the degree as its own piece.
    if (fieldNext && !parsed.field && !INSTITUTION.test(piece) && !DEGREE_AT_WORD.test(piece) && /^\p{L}[\p{L}\s&-]{1,60}$/u.test(piece)) {
      parsed.field = piece
      fieldNext = false
      continue
    }
    fieldNext = false
    // "High school diploma in General Studies" is a degree, though it names a school.
    if (!parsed.institution && INSTITUTION.test(piece) && DEGREE_AT_WORD.exec(piece)?.index !== 0) {
      const next = pieces[i + 1]
      parsed.institution = (next ? withoutGluedCity(piece, next, (text) => INSTITUTION.test(text)) : piece).replace(/^(?:at|from)\s+/i, '')
      continue
    }
    if (parsed.degree) continue
    // "University of Massachusetts, Amherst, MA": a state after the city, not a Master of Arts.
    const before = pieces[i - 1]
    if (before && i >= 2 && isRegion(piece) && !INSTITUTION.test(before) && !DEGREE_AT_WORD.test(before)) continue
    const degree = DEGREE_AT_WORD.exec(piece)
    if (!degree || (SHORT_DEGREE.test(degree[1]!) && degree[1] !== degree[1]!.toUpperCase())) continue
    // "Master Thesis: …", "master studies was …", "bachelor thesis focused on …": about a degree, not one.
    if (NOT_A_DEGREE.test(piece.slice(degree.index + degree[0].length)) || (degree.index > 0 && /^\p{Ll}/u.test(degree[1]!))) continue
    parsed.degree = degree[1]!.replace(/[,;]$/, '').trim()
    const rest = piece
      .slice(degree.index + degree[0].length)
      .replace(/^\s*\([^)]{0,20}\)/, '')
      .replace(LEADING_DEGREE, '')
    const after = rest
      .replace(/^\s*(?:degree\s+)?(?:(?:in|of)(?![\p{L}])|:|-)?\s*/iu, '')
      .replace(/\s+(?:at|from)\s+.*$/i, '')
      .trim()
    // "PhD Princeton University, Computer Science": the school follows the degree, the field comes next.
    const school = !parsed.institution && !/^\s*(?:in|of)(?![\p{L}])/iu.test(rest) && INSTITUTION.test(after)
    // "M.Sc. Digital Media University of Bremen": the field runs into the school, whose name starts "University of".
    const ranInto =
      school && !parsed.field
        ? /^(\p{L}[\p{L} &-]{1,60}?) ((?:university|college|institute|school|academy) of \p{Lu}.*)$/iu.exec(after)
        : null
    if (ranInto && !INSTITUTION.test(ranInto[1]!)) {
      parsed.field = ranInto[1]!
      parsed.institution = ranInto[2]!
      continue
    }
    if (school) parsed.institution = after
    const schoolAfter = school ? null : trailingInstitution(after)
    if (schoolAfter && !parsed.institution) {
      parsed.field = schoolAfter.field
      parsed.institution = schoolAfter.institution
    } else if (!school && after.length > 1 && after.length <= 80 && /^\p{L}/u.test(after)) parsed.field ??= after
    else fieldNext = true
    const at = /\s(?:at|from)\s+(.{3,80})$/i.exec(piece)
    if (at && !parsed.institution) parsed.institution = at[1]!.trim()
  }
  return parsed
}

/**
 * "COMPUTER SCIENCE Technical University of Munich", a Europass CV's degree line: the field in capitals,
 * then the school in ordinary case. Split where the case changes, when the part after names a school.
 */
function trailingInstitution(text: string): { field: string; institution: string } | null {
  if (!INSTITUTION.test(text)) return null
  const words = text.split(' ')
  const shouted = (word: string) => /\p{L}{2}/u.test(word) && word === word.toUpperCase()
  for (let i = 1; i < words.length; i++) {
    if (shouted(words[i - 1]!) && !shouted(words[i]!) && /^\p{Lu}/u.test(words[i]!)) {
      const institution = words.slice(i).join(' ')
      const field = words.slice(0, i).join(' ')
      if (INSTITUTION.test(institution) && !INSTITUTION.test(field)) return { field, institution }
      return null
    }
  }
  return null
}

function stripDates(text: string, nowYear: number): string {
  let out = text
  for (const range of findRanges(text, nowYear).reverse()) out = `${out.slice(0, range.index)} ${out.slice(range.index + range.length)}`
  return (
    out
      .replace(
        /(?<![\p{L}\p{N}])(?:(?:19|20)\d{2}(?:(?:[/.-]| \/ )\d{1,2}(?!\d))?|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? ?(?:19|20)\d{2})(?![\p{L}\p{N}])/giu,
        ' ',
      )
      // "Graduated as M.Sc. Digital Media": a line that starts by saying so names the degree after it.
      .replace(/^\s*(?:graduated|graduation)(?:\s+(?:as|with|from|in))?\s+/i, '')
      .replace(/\b(?:expected|graduated|graduation|gpa|cgpa|grade)\b.*$/i, ' ')
      // "M.Sc (Economics) Indian Institute of Technology": words in brackets are a piece of their own (the field);
      // an abbreviation of the degree ("(M.S.)") or a board ("(CBSE)") goes.
      .replace(/\(([^()]{2,40})\)/g, (_, inner: string) =>
        /\p{Ll}/u.test(inner) && LEADING_DEGREE.exec(inner)?.[0].length !== inner.length ? `, ${inner}, ` : ' ',
      )
      .replace(/[()[\]]/g, ' ')
      .replace(/\s+/g, ' ')
      .replace(/^[\s,|:;–—•·-]+|[\s,|:;–—•·-]+$/g, '')
  )
}

// Lines of an education entry that a date may follow, and that name no school.
const SCHOOL_PROJECT =
  /^(?:(?:master|master's|bachelor|bachelor's|semester|research|student|group|team|course|class|capstone|final|senior)\s+)?project\b/i
const SCHOOL_PART = /^(?:the )?(?:college|school|faculty|department|dept\.) of \p{L}[\p{L} &,-]{2,60}$/iu

const NOT_A_SCHOOL =
  /\b(?:dean'?s|list|laude|honou?rs?|scholarship|award|prize|gpa|grade|thesis|coursework|exchange|semester|minor|major|focus)\b/i

/** A name-like line whose next line holds only a date and a place: the school's name and when it was left. */
function schoolByItsDate(line: ResumeLine, next: ResumeLine | undefined, nowYear: number): boolean {
  if (!next || next.section !== line.section || next.heading) return false
  if (!/^\p{Lu}[\p{L}.'’&-]*(?: [\p{L}.'’&-]+){0,7}$/u.test(line.body) || NOT_A_SCHOOL.test(line.body)) return false
  const after = stripDates(next.body, nowYear)
  const dated = findRanges(next.body, nowYear).length > 0 || findDates(next.body, nowYear).length > 0
  const rest = after
    .replace(/\b(?:grad(?:uated|uation)?\.?|expected|class of)\b/gi, '')
    .replace(/[|,·•\s]+/g, ' ')
    .trim()
  const parsedNext = parseLine(after)
  return dated && parsedNext.degree === null && parsedNext.institution === null && rest.split(' ').length <= 4
}

/**
 * `schoolLines`: the text writes each school on a line of its own, in full (LinkedIn's export), so a school line's
 * comma is part of the name ("Indian Institute of Technology, Bombay"), not the start of a place.
 */
const PROSE_WORD = /\b(?:is|are|was|were|that|which|who|where|focused|exposes|offers|provides|transferred|including|helped|learned)\b/

/** A sentence, not an entry's line: eight words or more that end as a sentence ends or read as one. */
function isProse(text: string): boolean {
  const words = text.split(/\s+/)
  return words.length >= 8 && (/[.!?]$/.test(text) || PROSE_WORD.test(text))
}

const WRAPPED_NAME = /(?:^|\s)(?:of|and|for|&|de|der|für|at)$/i

export function findEducation(lines: ResumeLine[], nowYear: number, { schoolLines = false } = {}): EducationEntry[] {
  const entries: EducationEntry[] = []
  const projects = new Set<EducationEntry>()
  let current: EducationEntry | null = null
  // Dates on a line of their own above the entry they belong to (Europass: "01/10/2012 – 30/09/2015 Munich").
  let pending: DateRange | null = null
  let joined = -1
  for (const [i, written] of lines.entries()) {
    if (i === joined) continue
    if (written.section !== 'education' || written.heading || written.body.length === 0 || written.body.length > MAX_FIELD_LINE) continue
    // "JAYPEE INSTITUTE OF" over "INFORMATION TECHNOLOGY": a name wrapped after its joining word goes on below.
    const below = lines[i + 1]
    const wraps =
      WRAPPED_NAME.test(written.body) &&
      below !== undefined &&
      below.section === 'education' &&
      !below.heading &&
      below.body.length > 0 &&
      written.body.length + below.body.length < MAX_FIELD_LINE
    if (wraps) joined = i + 1
    const listed = wraps ? { ...written, body: `${written.body} ${below.body}` } : written
    // The column titles of a table of qualifications ("Year Degree/Certificate Institute CPI/%") head no entry.
    if (TABLE_HEADER.test(listed.body)) continue
    // A sentence about a school ("EPITA is a 5-year engineering school …") describes the entry; it names none.
    if (isProse(listed.body)) continue
    // A grade ("8.72/10", "90.0%", "CGPA: 3.8/4.0") is neither a date nor part of the school's name.
    const ungraded = listed.body.replace(GRADE, ' ').replace(/\s+/g, ' ').trim()
    const line = ungraded === listed.body ? listed : { ...listed, body: ungraded }
    // A dated role among the degrees (a sidebar's columns interleaved) is work, read there; it closes the entry above.
    if (findRanges(line.body, nowYear).length > 0 && isJobLine(line.body)) {
      current = null
      continue
    }
    const parsed = parseLine(stripDates(line.body, nowYear))
    const range = findRanges(line.body, nowYear)[0]
    // "Master Project - PrIMA": a project done at the school is no degree of its own. On the school's dated line
    // it is passed over; under it, the entry it heads goes.
    if (parsed.degree === null && SCHOOL_PROJECT.test(stripDates(line.body, nowYear))) {
      if (parsed.institution !== null) current = null
      else if (current) projects.add(current)
      continue
    }
    // "College of Engineering" under "Cornell University": a part of the school named above, no school of its own.
    if (
      current?.institution &&
      parsed.degree === null &&
      !range &&
      SCHOOL_PART.test(line.body.trim()) &&
      findDates(line.body, nowYear).length === 0
    )
      continue
    const dates = range ? null : findDates(line.body, nowYear)
    // A line that is a school's whole name: a LinkedIn export's school line, its comma included; or "LA MARTINIERE
    // FOR BOYS" over "Grad. May 2011 | Kolkata, India", a school whose name has no word for school, known by the
    // graduation date under it.
    const wholeLineSchool =
      parsed.degree === null &&
      !range &&
      dates?.length === 0 &&
      (parsed.institution !== null ? schoolLines : schoolByItsDate(line, lines[i + 1], nowYear))
    if (wholeLineSchool) parsed.institution = line.body.trim()
    const opensEntry =
      (parsed.degree !== null && (current === null || current.degree !== null)) ||
      (parsed.institution !== null && (current === null || current.institution !== null))
    if (opensEntry) {
      if (entries.length >= MAX_ENTRIES) break
      current = { institution: null, degree: null, field: null, start: null, end: null, at: spanOf(line) }
      entries.push(current)
      if (pending && !range) {
        current.start = formatDate(pending.start)
        current.end = pending.current ? null : formatDate(pending.end)
      }
      pending = null
    } else if (range && parsed.degree === null && parsed.institution === null && (current === null || current.start !== null)) {
      pending = range
      continue
    }
    if (!current) continue
    current.degree ??= parsed.degree
    current.field ??= parsed.degree ? parsed.field : null
    current.institution ??= parsed.institution
    if (range && current.start === null) {
      current.start = formatDate(range.start)
      current.end = range.current ? null : formatDate(range.end)
    } else if (dates && dates.length > 0 && current.end === null && current.start === null) {
      // A single date is when the degree was (or will be) awarded.
      current.end = formatDate(dates[dates.length - 1]!)
    }
  }
  return mergeGraduations(entries.filter((entry) => !projects.has(entry) && (entry.degree !== null || entry.institution !== null)))
}

/**
 * "Graduated as M.Sc. Digital Media - University of Bremen 2015 / 07" and "Master Studies Digital Media -
 * University of Bremen 2012 - 2015": the graduation and the studies it ended are one degree. An entry dated by its
 * end alone joins the entry at the same school whose range ends that year.
 */
function mergeGraduations(entries: EducationEntry[]): EducationEntry[] {
  const merged = [...entries]
  for (const graduation of entries) {
    if (graduation.start !== null || graduation.end === null || graduation.institution === null) continue
    const studies = merged.find(
      (entry) =>
        entry !== graduation &&
        entry.institution === graduation.institution &&
        entry.start !== null &&
        entry.end?.slice(0, 4) === graduation.end!.slice(0, 4) &&
        (entry.degree === null || graduation.degree === null),
    )
    if (!studies) continue
    studies.degree ??= graduation.degree
    studies.field ??= graduation.field
    if (graduation.end!.length > studies.end!.length) studies.end = graduation.end
    if (graduation.at.line < studies.at.line) studies.at = graduation.at
    merged.splice(merged.indexOf(graduation), 1)
  }
  return merged
}
