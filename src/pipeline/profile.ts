// The structured profile read out of a resume's plain text: contact details,
// work history, education, skills, languages and certificates, each with the
// page, line and section it was read from.
// The text is attacker-controlled: everything here works line by line with
// bounded quantifiers, so cost stays linear in its length.
import type { ListedSource, Profile } from '../domain/candidate.ts'
import {
  candidateEmail,
  findEmails,
  inContactZone,
  isBoardFooter,
  findLinks,
  findLocation,
  findPhone,
  runningLines,
} from './profile/contacts.ts'
import { mergedMonths, monthOfNow, monthSpan } from './profile/dates.ts'
import { findEducation } from './profile/education.ts'
import { findCertificates, findLanguages, findSkills, type Listed } from './profile/lists.ts'
import { isLinkedInExport, linkedInHeader, linkedInWork, withoutSidebarOverrun } from './profile/linkedin.ts'
import { findName } from './profile/names.ts'
import { resumeLines, spanOf, type ResumeLine } from './profile/text.ts'
import { findWork } from './profile/work.ts'

// How far the header around a misplaced email reaches: the name and headline above it, the rest of its contact lines below.
const HEADER_LINES_ABOVE = 4
const HEADER_LINES_BELOW = 2

/**
 * The lines, with those around `at` (on its page, up to a heading either way) put in the contact block, and every
 * other line out of it: where a sidebar came first, what sits above its sections is not the header either.
 */
function headerAround(lines: ResumeLine[], at: ResumeLine): ResumeLine[] {
  const around = linesAround(lines, at)
  return lines.map((line) => (around.has(line.index) ? { ...line, section: 'contact' } : { ...line, section: line.section ?? 'other' }))
}

/** The indexes of the lines around `at`: on its page, a few either way, up to a heading. */
function linesAround(lines: ResumeLine[], at: ResumeLine): Set<number> {
  let from = at.index
  while (from > 0 && at.index - from < HEADER_LINES_ABOVE && !lines[from - 1]!.heading && lines[from - 1]!.page === at.page) from--
  let to = at.index
  while (to + 1 < lines.length && to - at.index < HEADER_LINES_BELOW && !lines[to + 1]!.heading && lines[to + 1]!.page === at.page) to++
  const around = new Set<number>()
  for (let index = from; index <= to; index++) around.add(index)
  return around
}

/** `now` fixes what "Present" means in date ranges. */
export function extractProfile(text: string, now: Date = new Date()): Profile {
  const read = resumeLines(text)
  const nowYear = now.getUTCFullYear()
  const emails = findEmails(read)
  const email = candidateEmail(emails)
  const emailLocal = email ? email.value.slice(0, email.value.indexOf('@')) : null
  // LinkedIn's profile export prints its sidebar before the name: its header is found where it sits.
  const linkedIn = isLinkedInExport(read) ? linkedInHeader(read, linkedInHints(read, emailLocal)) : null
  const lines = linkedIn ? withoutSidebarOverrun(read, linkedIn) : read
  const running = runningLines(lines)
  // A sidebar read before the main column puts the header (name, headline, contact lines) under its sections: the
  // lines around the candidate's email are then read as the header they are.
  const named = findName(lines, emailLocal)
  const header = email && !inContactZone(email.line) && !named ? headerAround(lines, email.line) : lines
  const name = linkedIn?.name ?? (header === lines ? named : findName(header, emailLocal))
  const phone = findPhone(header, running, name?.value ?? null)
  // The lines around the candidate's email are contact lines wherever they sit: a website there is the candidate's.
  const beside = email && !inContactZone(email.line) ? linesAround(lines, email.line) : new Set<number>()
  const links = findLinks(
    lines,
    emails.map((found) => found.value),
    name ? name.value.split(' ') : [],
    beside,
  )
  // Running headers, footers and job-board stamps are blanked (not removed, so line numbers hold) before the sections are read.
  const content = lines.map((line) =>
    (running.has(line.text) && !line.heading) || isBoardFooter(line.text) ? { ...line, text: '', body: '' } : line,
  )
  const linkedInRoles = linkedIn ? linkedInWork(content, nowYear) : []
  const work = linkedInRoles.length > 0 ? linkedInRoles : findWork(content, nowYear)
  const monthsOfExperience = experienceMonths(work, monthOfNow(now))
  const statedYears = findStatedYears(lines)
  const location = linkedIn?.location ?? findLocation(header)
  const skills = findSkills(content)
  const languages = findLanguages(content)
  const certificates = findCertificates(content, nowYear)
  return {
    name: name?.value ?? null,
    email: email?.value ?? null,
    phone: phone?.value ?? null,
    links: links.map((link) => ({ ...link.value, at: spanOf(link.line) })),
    // Computed from the work history first: a stated figure is only a claim.
    yearsOfExperience: monthsOfExperience !== null ? Math.round((monthsOfExperience / 12) * 10) / 10 : statedYears,
    sources: {
      name: name ? spanOf(name.line) : null,
      email: email ? spanOf(email.line) : null,
      phone: phone ? spanOf(phone.line) : null,
      location: location ? spanOf(location.line) : null,
      skills: skills.map(listedSource),
      languages: languages.map(listedSource),
      certificates: certificates.map(listedSource),
    },
    location: location?.value ?? null,
    work,
    education: findEducation(content, nowYear, { schoolLines: linkedIn !== null }),
    skills: skills.map((skill) => skill.value),
    languages: languages.map((language) => language.value),
    certificates: certificates.map((certificate) => certificate.value),
    monthsOfExperience,
    statedYears,
  }
}

/** Lower-case letters of the email's local part and the profile address's words: the name resembles them. */
function linkedInHints(lines: ReturnType<typeof resumeLines>, emailLocal: string | null): string[] {
  const slug = lines
    .slice(0, 40)
    .map((line) => /linkedin\.com\/in\/([\p{L}\p{N}_%-]{2,100})/iu.exec(line.text)?.[1])
    .find(Boolean)
  return [emailLocal, slug].flatMap((hint) => (hint ?? '').toLowerCase().split(/[^a-z]+/)).filter((part) => part.length >= 3)
}

function listedSource(item: Listed): ListedSource {
  return { name: item.value, written: item.written, at: spanOf(item.line) }
}

/** Months of work (student jobs, volunteering and memberships left out), overlaps merged; null without any dated work. */
function experienceMonths(work: NonNullable<Profile['work']>, nowMonth: number): number | null {
  const spans = work.flatMap((entry) => {
    if (entry.kind !== 'work' || !entry.start) return []
    const span = monthSpan(
      { start: parseDate(entry.start), end: entry.end ? parseDate(entry.end) : null, current: entry.current },
      nowMonth,
    )
    return span ? [span] : []
  })
  return spans.length > 0 ? mergedMonths(spans) : null
}

function parseDate(date: string): { year: number; month: number | null } {
  const [year, month] = date.split('-')
  return { year: Number(year), month: month ? Number(month) : null }
}

// "8+ years of experience", "10 yrs experience", "5+ years". A bare "3 years"
// (one job's length, "3 years ago") is not a statement of total experience.
const STATED_YEARS =
  /(?<![\d.])(\d{1,2})(?:\.\d)?[ \t]{0,2}(\+)?[ \t]{0,2}(?:years?|yrs?)\b(?:[ \t]{1,3}of)?((?:[ \t]{1,3}[\p{L}-]{1,30}){0,2}?[ \t]{1,3}experience)?/giu

function findStatedYears(lines: ReturnType<typeof resumeLines>): number | null {
  let stated: number | null = null
  for (const line of lines) {
    for (const match of line.text.matchAll(STATED_YEARS)) {
      if (!match[2] && !match[3]) continue
      const years = Number(match[1])
      if (years > 0 && years <= 60) stated = Math.max(stated ?? 0, years)
    }
  }
  return stated
}
