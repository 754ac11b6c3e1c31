// Contact details and experience read out of a resume's plain text.
// The text is attacker-controlled: everything here works token by token or
// line by line with bounded quantifiers, so cost stays linear in its length.
import type { Profile, ProfileLink } from '../domain/candidate.ts'

/** `now` fixes what "Present" means in date ranges. */
export function extractProfile(text: string, now: Date = new Date()): Profile {
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  const emails = findEmails(lines)
  return {
    name: findName(lines),
    email: emails[0] ?? null,
    phone: findPhone(lines),
    links: findLinks(lines, emails),
    yearsOfExperience: findYearsOfExperience(lines, now),
  }
}

// ---------------------------------------------------------------- name

// A name sits at the top; further down, capitalised lines are headings and titles.
const NAME_SEARCH_LINES = 15

const NOT_NAME_WORDS = new Set([
  'resume',
  'résumé',
  'curriculum',
  'vitae',
  'cv',
  'contact',
  'profile',
  'summary',
  'objective',
  'experience',
  'education',
  'skills',
  'work',
  'employment',
  'history',
  'personal',
  'information',
  'details',
  'professional',
  'career',
  'projects',
  'references',
  'languages',
  'certifications',
  'about',
  'engineer',
  'developer',
  'manager',
  'designer',
  'analyst',
  'consultant',
  'scientist',
  'architect',
  'administrator',
  'senior',
  'junior',
  'principal',
  'director',
  'intern',
  'software',
  'frontend',
  'backend',
  'devops',
])

const NAME_WORD = /^\p{Lu}[\p{L}\p{M}'’.-]{0,30}$/u

function findName(lines: string[]): string | null {
  let seen = 0
  for (const raw of lines) {
    const line = raw.trim()
    if (line.length === 0) continue
    if (++seen > NAME_SEARCH_LINES) break
    const name = plausibleName(line)
    if (name) return name
  }
  return null
}

function plausibleName(line: string): string | null {
  if (line.length > 80 || line.includes('@') || /\d|https?:|www\./i.test(line)) return null
  // "Jane Doe | Senior Engineer", "Name: Jane Doe"
  const segment = line
    .split(/[|•·,;]| [–—-] /)[0]!
    .replace(/^name\s*:\s*/i, '')
    .trim()
  const words = segment.split(/\s+/)
  if (words.length < 2 || words.length > 4) return null
  for (const word of words) {
    if (!NAME_WORD.test(word)) return null
    if (NOT_NAME_WORDS.has(word.toLowerCase().replace(/[.:]+$/, ''))) return null
  }
  // A bare run of initials ("J. R.") is not a name.
  if (!words.some((word) => /\p{L}{2}/u.test(word))) return null
  return words.map(titleCaseShouted).join(' ')
}

/** "DOE" becomes "Doe"; "McDonald" and "O'Neil" stay as written. */
function titleCaseShouted(word: string): string {
  const letters = word.replace(/[^\p{L}]/gu, '')
  if (letters.length < 2 || letters !== letters.toUpperCase()) return word
  return word.toLowerCase().replace(/(^|[-'’])(\p{L})/gu, (_, sep: string, ch: string) => sep + ch.toUpperCase())
}

// ---------------------------------------------------------------- tokens

// Resumes separate contact details with bars, bullets and commas as often as with spaces.
const TOKEN_SEPARATORS = /[\s|•·,;<>()[\]{}"“”]+/
// RFC 5321 caps an address at 254 characters; longer tokens are not contact details.
const MAX_TOKEN = 254

function* tokens(lines: string[]): Generator<string> {
  for (const line of lines) {
    for (const raw of line.split(TOKEN_SEPARATORS)) {
      if (raw.length === 0 || raw.length > MAX_TOKEN) continue
      const token = raw.replace(/^['‘’*:]+|['‘’.!?:*]+$/g, '')
      if (token.length > 0) yield token
    }
  }
}

// ---------------------------------------------------------------- email

const EMAIL = /^[\p{L}\p{N}._%+'-]{1,64}@(?:[\p{L}\p{N}-]{1,63}\.){1,8}\p{L}{2,24}$/u

function findEmails(lines: string[]): string[] {
  const found: string[] = []
  for (const token of tokens(lines)) {
    if (!token.includes('@')) continue
    const candidate = token.replace(/^mailto:/i, '')
    if (EMAIL.test(candidate)) {
      const email = candidate.toLowerCase()
      if (!found.includes(email)) found.push(email)
    }
  }
  return found
}

// ---------------------------------------------------------------- phone

// The window is bounded ({5,20}), so each start position costs a constant.
const PHONE = /(?<![\p{L}\p{N}+])(?:\+ ?|\()?\d[\d ().-]{5,20}\d(?![\p{L}\p{N}])/gu
const YEAR_RANGE = /^(?:19|20)\d\d ?[-–] ?(?:19|20)\d\d$/
const DATE_LIKE = /^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$/
const PHONE_LABEL = /\b(?:phone|tel|telephone|mobile|mob|cell)\b/i

function findPhone(lines: string[]): string | null {
  let fallback: string | null = null
  for (const line of lines) {
    if (line.length === 0) continue
    // Tested once per line, not per match: a long line can hold thousands of matches.
    let labelled: boolean | undefined
    for (const match of line.matchAll(PHONE)) {
      const phone = match[0].trim().replace(/\s+/g, ' ')
      const digits = phone.replace(/\D/g, '').length
      // E.164 numbers have at most 15 digits; fewer than 7 is an extension or a year.
      if (digits < 7 || digits > 15 || YEAR_RANGE.test(phone) || DATE_LIKE.test(phone)) continue
      labelled ??= PHONE_LABEL.test(line)
      if (phone.startsWith('+') || labelled) return phone
      fallback ??= phone
    }
  }
  return fallback
}

// ---------------------------------------------------------------- links

// A bare "name.tld" is taken for a website only under TLDs people host
// themselves on: "Node.js", "setup.py" or "README.md" are not websites.
const SITE_TLDS = new Set([
  'com',
  'net',
  'org',
  'io',
  'dev',
  'me',
  'co',
  'app',
  'ai',
  'tech',
  'site',
  'xyz',
  'info',
  'blog',
  'page',
  'codes',
  'design',
  'online',
  'website',
  'space',
  'pro',
  'name',
  'cloud',
  'software',
  'engineer',
  'uk',
  'de',
  'fr',
  'nl',
  'es',
  'it',
  'ca',
  'au',
  'ch',
  'se',
  'no',
  'dk',
  'fi',
  'pl',
  'be',
  'at',
  'ie',
  'nz',
  'eu',
  'us',
  'br',
  'jp',
  'in',
])
// Domains that look personal but name a technology when written in a skills list.
const TECHNOLOGY_DOMAINS = new Set(['socket.io', 'asp.net', 'ado.net', 'vb.net', 'deno.land', 'nuxt.com', 'next.js'])
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,8}[a-z]{2,24}$/
const GITHUB_USER = /^[a-z0-9](?:[a-z0-9-]{0,38})$/i
// First path segments of github.com that are GitHub's own pages, not people.
const GITHUB_RESERVED = new Set([
  'orgs',
  'features',
  'about',
  'topics',
  'sponsors',
  'marketplace',
  'pricing',
  'settings',
  'login',
  'join',
  'explore',
  'collections',
  'trending',
  'enterprise',
  'site',
  'apps',
])
const LINKEDIN_SLUG = /^[\p{L}\p{N}_%-]{2,100}$/u
const MAX_LINKS = 10

function findLinks(lines: string[], emails: string[]): ProfileLink[] {
  const emailDomains = new Set(emails.map((email) => email.slice(email.indexOf('@') + 1)))
  const links: ProfileLink[] = []
  const seen = new Set<string>()
  for (const token of tokens(lines)) {
    if (links.length >= MAX_LINKS) break
    const link = classifyLink(token, emailDomains)
    if (link && !seen.has(link.url)) {
      seen.add(link.url)
      links.push(link)
    }
  }
  return links
}

function classifyLink(token: string, emailDomains: Set<string>): ProfileLink | null {
  const schemeMatch = /^(https?):\/\//i.exec(token)
  const rest = schemeMatch ? token.slice(schemeMatch[0].length) : token
  // An email address (or anything with credentials in it) is not a link.
  const hostEnd = rest.search(/[/?#]/)
  const hostPart = hostEnd < 0 ? rest : rest.slice(0, hostEnd)
  if (hostPart.includes('@')) return null
  const host = hostPart.toLowerCase().replace(/:\d{1,5}$/, '')
  if (!HOST.test(host)) return null
  const site = host.replace(/^www\./, '')
  const path = hostEnd < 0 ? '' : rest.slice(hostEnd).replace(/[?#].*$/, '')
  const segments = path.split('/').filter((segment) => segment.length > 0)

  if (site === 'linkedin.com' || site.endsWith('.linkedin.com')) {
    const slug = segments[0]?.toLowerCase() === 'in' ? segments[1] : undefined
    if (!slug || !LINKEDIN_SLUG.test(slug)) return null
    return { kind: 'linkedin', url: `https://www.linkedin.com/in/${slug.toLowerCase()}` }
  }
  if (site === 'github.com') {
    const user = segments[0]
    if (!user || !GITHUB_USER.test(user) || GITHUB_RESERVED.has(user.toLowerCase())) return null
    return { kind: 'github', url: `https://github.com/${user.toLowerCase()}` }
  }

  if (!schemeMatch) {
    const writtenTld = hostPart.slice(hostPart.lastIndexOf('.') + 1)
    // A capitalised suffix ("ASP.NET", "Socket.IO", "done.Then") is a product
    // name or a missing space, not an address.
    if (writtenTld !== writtenTld.toLowerCase()) return null
    if (!SITE_TLDS.has(writtenTld) || TECHNOLOGY_DOMAINS.has(site)) return null
    // A bare domain equal to an email's domain is the mail provider or the
    // employer far more often than a personal site.
    if (emailDomains.has(site)) return null
  }
  const cleanPath = segments.length > 0 ? `/${segments.join('/')}` : ''
  return { kind: 'website', url: `https://${host}${cleanPath}` }
}

// ---------------------------------------------------------------- experience

// "8+ years of experience", "10 yrs experience", "5+ years". A bare "3 years"
// (one job's length, "3 years ago") is not a statement of total experience.
const STATED_YEARS =
  /(?<![\d.])(\d{1,2})(?:\.\d)?[ \t]{0,2}(\+)?[ \t]{0,2}(?:years?|yrs?)\b(?:[ \t]{1,3}of)?((?:[ \t]{1,3}[\p{L}-]{1,30}){0,2}?[ \t]{1,3}experience)?/giu

const MONTHS =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?'
const DATE = `(?:(${MONTHS})\\.?[ \\t]{1,3}|(\\d{1,2})[/.])?((?:19|20)\\d{2})`
const DATE_RANGE = new RegExp(
  `(?<![\\p{L}\\p{N}/.])${DATE}[ \\t]{0,3}(?:-|–|—|to|until|till)[ \\t]{0,3}(?:${DATE}|(present|current|now|today|ongoing|date))(?![\\p{L}\\p{N}])`,
  'giu',
)
const MONTH_INDEX: Record<string, number> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
}

// Study is not work experience: date ranges under these headings, or on a line
// naming a degree or school, are left out.
const EDUCATION_HEADING = /^(?:education|academic|qualifications|studies|certifications?)\b/i
const OTHER_HEADING =
  /^(?:(?:work|professional|relevant)?[ \t]?(?:experience|employment|history)|projects|skills|summary|profile|volunteering|publications|awards|interests|languages|references)\b/i
// Degrees only: a school or university on a line can as well be an employer.
const EDUCATION_LINE =
  /\b(?:bachelor|b\.?sc|m\.?sc|b\.?eng|m\.?eng|ph\.?d|mba|degree|diploma)\b|\bmaster(?:'s|s)?[ \t]{1,3}(?:of|in|degree)\b/i
const HEADING_MAX_LENGTH = 40
const EARLIEST_YEAR = 1950

interface MonthRange {
  start: number
  end: number
}

function findYearsOfExperience(lines: string[], now: Date): number | null {
  const nowMonth = now.getUTCFullYear() * 12 + now.getUTCMonth() + 1
  let stated: number | null = null
  const ranges: MonthRange[] = []
  let inEducation = false

  for (const line of lines) {
    const trimmed = line.trim()
    if (trimmed.length === 0) continue
    if (trimmed.length <= HEADING_MAX_LENGTH) {
      if (EDUCATION_HEADING.test(trimmed)) inEducation = true
      else if (OTHER_HEADING.test(trimmed)) inEducation = false
    }

    for (const match of trimmed.matchAll(STATED_YEARS)) {
      if (!match[2] && !match[3]) continue
      const years = Number(match[1])
      if (years > 0 && years <= 60) stated = Math.max(stated ?? 0, years)
    }

    if (inEducation || EDUCATION_LINE.test(trimmed)) continue
    for (const match of trimmed.matchAll(DATE_RANGE)) {
      const range = monthRange(match, nowMonth)
      if (range) ranges.push(range)
    }
  }

  const derived = ranges.length > 0 ? mergedMonths(ranges) / 12 : null
  if (stated === null && derived === null) return null
  return Math.round(Math.max(stated ?? 0, derived ?? 0) * 10) / 10
}

/**
 * Months as a half-open interval. A year alone starts in January and ends at
 * the start of its year ("2015 - 2020" is five years); a month named at the
 * end counts as worked ("Jan 2020 - Jan 2020" is one month).
 */
function monthRange(match: RegExpMatchArray, nowMonth: number): MonthRange | null {
  const [, startName, startNumber, startYear, endName, endNumber, endYear] = match
  const start = monthOf(startName, startNumber, startYear!, false)
  const end = endYear ? monthOf(endName, endNumber, endYear, true) : nowMonth
  if (start === null || end === null) return null
  // Ends in the future are cut at now; a range starting in the future is not experience yet.
  const cut = Math.min(end, nowMonth)
  if (start < EARLIEST_YEAR * 12 || start >= cut) return null
  return { start, end: cut }
}

function monthOf(name: string | undefined, number: string | undefined, year: string, isEnd: boolean): number | null {
  let month: number | null = null
  if (name) month = MONTH_INDEX[name.slice(0, 3).toLowerCase()] ?? null
  else if (number) {
    const n = Number(number)
    if (n < 1 || n > 12) return null
    month = n - 1
  }
  const base = Number(year) * 12
  if (month === null) return base
  return base + month + (isEnd ? 1 : 0)
}

function mergedMonths(ranges: MonthRange[]): number {
  ranges.sort((a, b) => a.start - b.start)
  let total = 0
  let current: MonthRange | null = null
  for (const range of ranges) {
    if (current && range.start <= current.end) {
      current.end = Math.max(current.end, range.end)
    } else {
      if (current) total += current.end - current.start
      current = { ...range }
    }
  }
  if (current) total += current.end - current.start
  return total
}
