// Contact details: email, phone, links and location, each with the line it was read from.
import type { ProfileLink } from '../../domain/candidate.ts'
import { findRanges } from './dates.ts'
import { MAX_FIELD_LINE, type ResumeLine } from './text.ts'

export interface Found<T> {
  value: T
  line: ResumeLine
}

// Resumes separate contact details with bars, bullets and commas as often as with spaces.
const TOKEN_SEPARATORS = /[\s|•·,;<>()[\]{}"“”]+/
// RFC 5321 caps an address at 254 characters; longer tokens are not contact details.
const MAX_TOKEN = 254

function* tokensOfLine(text: string): Generator<string> {
  for (const raw of text.split(TOKEN_SEPARATORS)) {
    if (raw.length === 0 || raw.length > MAX_TOKEN) continue
    const token = raw.replace(/^['‘’*:]+|['‘’.!?:*]+$/g, '')
    if (token.length > 0) yield token
  }
}

/** The top of the resume and its personal-data section: where contact details belong. */
export function inContactZone(line: ResumeLine): boolean {
  return line.section === null || line.section === 'contact'
}

// Job boards and resume builders stamp their own name, and often their own number, on every page.
const BOARD_FOOTER =
  /\b(?:powered by|indeed|monster|stepstone|naukri|glassdoor|ziprecruiter|careerbuilder|dice\.com|seek\.com|xing|jobscan|resume ?builder|zety|novoresume|resume\.io|kickresume|page \d{1,3} of \d{1,3})\b/i

/** A job board's or resume builder's stamp, not the candidate's words. */
export function isBoardFooter(text: string): boolean {
  return text.length <= MAX_FIELD_LINE && BOARD_FOOTER.test(text)
}

// How far from a page's top and bottom a running header or footer sits, in non-empty lines
// (the bottom allows for the link addresses added after a page's text).
const PAGE_TOP_LINES = 4
const PAGE_BOTTOM_LINES = 6

/**
 * Lines repeated at the top or bottom of two or more pages: running headers
 * and footers. A line repeated in the body (an employer several roles share)
 * is content.
 */
export function runningLines(lines: ResumeLine[]): Set<string> {
  const byPage = new Map<number, ResumeLine[]>()
  for (const line of lines) {
    if (line.text.length === 0 || line.text.length > MAX_FIELD_LINE) continue
    const page = byPage.get(line.page) ?? []
    page.push(line)
    byPage.set(line.page, page)
  }
  // Keyed with the page's own number taken out: "… · Résumé 1" and "… · Résumé 2" are one footer.
  const pagesOf = new Map<string, { pages: Set<number>; texts: Set<string> }>()
  for (const [page, pageLines] of byPage) {
    const edges = [
      ...pageLines.slice(0, PAGE_TOP_LINES),
      ...pageLines.slice(Math.max(PAGE_TOP_LINES, pageLines.length - PAGE_BOTTOM_LINES)),
    ]
    const number = new RegExp(`(?<!\\d)${page}(?!\\d)`, 'g')
    for (const line of edges) {
      const key = line.text.replace(number, '\u0000')
      const seen = pagesOf.get(key) ?? { pages: new Set<number>(), texts: new Set<string>() }
      seen.pages.add(page)
      seen.texts.add(line.text)
      pagesOf.set(key, seen)
    }
  }
  return new Set([...pagesOf.values()].filter(({ pages }) => pages.size >= 2).flatMap(({ texts }) => [...texts]))
}

// ---------------------------------------------------------------- email

const EMAIL = /^[\p{L}\p{N}._%+'-]{1,64}@(?:[\p{L}\p{N}-]{1,63}\.){1,8}\p{L}{2,24}$/u

export function findEmails(lines: ResumeLine[]): Array<Found<string>> {
  const found: Array<Found<string>> = []
  for (const line of lines) {
    if (!line.text.includes('@')) continue
    for (const token of tokensOfLine(line.text)) {
      if (!token.includes('@')) continue
      const candidate = token.replace(/^(?:mailto|e-?mail):?/i, '')
      if (EMAIL.test(candidate)) {
        const email = candidate.toLowerCase()
        if (!found.some((f) => f.value === email)) found.push({ value: email, line })
      }
    }
  }
  return found
}

/** An email whose own domain is a job board's or a resume builder's is not the candidate's. */
export function candidateEmail(emails: Array<Found<string>>): Found<string> | null {
  const own = (email: Found<string>) => !BOARD_FOOTER.test(email.value.slice(email.value.indexOf('@') + 1))
  // A referee's address under References is theirs, not the candidate's.
  return emails.find((email) => own(email) && email.line.section !== 'references') ?? emails.find(own) ?? emails[0] ?? null
}

// ---------------------------------------------------------------- phone

// The window is bounded ({5,20}), so each start position costs a constant.
// Not right after "01." ("VOL01.11.104.10.0101", a certificate's number).
const PHONE = /(?<![\p{L}\p{N}+]|\p{N}\.)(?:\+ ?\(?|\()?\d[\d ().\-–—/·]{5,20}\d(?![\p{L}\p{N}])/gu
// A number in the North American form, its groups set apart alike: what follows a postcode or a flat number run into it.
const NANP_TAIL = / (\(?\d{3}\)?([-. ])\d{3}\2\d{4})$/
const PHONE_LABEL = /\b(?:phone|tel|telephone|mobile|mob|cell|handy|whatsapp|contact)\b|📞|☎|✆/i
const GRADES = /\b(?:grade|grades|gpa|cgpa|marks|score|scores|semester|percentage|credits|sgpa|result|results)\b|%/i
const DECIMAL = /(?<![\d.])\d\.\d{1,2}(?![\d.])/
const ID_LABEL =
  /\b(?:id|matriculation|matrikel(?:nummer)?|student (?:no|number)|passport|licen[cs]e|registration|reg\. no|roll no|ssn|social security|tax|iban|bic|account|postcode|postal code|zip|pin code|isbn|issn|doi|patent|orcid|order|invoice|ticket)\b/i
const ZIP_PLUS_FOUR = /^\d{5}-\d{4}$/
// A date starts with its day, its month or a four-digit year; "000-00-0000" does not.
const DATE_LIKE = /^(?:\d{1,2}|\d{4})[./-]\d{1,2}[./-]\d{1,4}$/
const WEB_ADDRESS = /\S*(?:https?:\/\/|www\.|\.(?:com|org|net|io|dev|me|in|co)\/)\S*/gi
// Two years ("2018/2019", an academic year) are no number to call.
const YEAR_PAIR = /^(?:19|20)\d{2} ?[/\-–—] ?(?:19|20)\d{2}$/
// Published resumes often hide part of the number ("+49 176 *** ***", "+1 (xxx) xxx-xxxx"):
// still the candidate's phone as printed. Only with a country code, so "xx-xx" in prose is not one.
const MASKED_PHONE = /(?<![\p{L}\p{N}+])\+\d{1,3}(?:[ .\-/]{0,2}\(?[\d*xX]{1,5}\)?){2,6}(?![\p{L}\p{N}*])/gu
const MASK = /[*xX]/g

/** The line's phone-shaped spans: masked numbers first, then plain ones not inside them. */
function* phoneMatches(text: string): Generator<{ value: string; index: number; length: number; masked: boolean }> {
  const masked: Array<[number, number]> = []
  if (text.includes('+') && /[*xX]/.test(text)) {
    for (const match of text.matchAll(MASKED_PHONE)) {
      const masks = (match[0].match(MASK) ?? []).length
      if (masks === 0) continue
      masked.push([match.index, match.index + match[0].length])
      yield { value: match[0], index: match.index, length: match[0].length, masked: true }
    }
  }
  for (const match of text.matchAll(PHONE)) {
    const end = match.index + match[0].length
    if (masked.some(([from, to]) => match.index < to && from < end)) continue
    yield { value: match[0], index: match.index, length: match[0].length, masked: false }
  }
}

/** `name` lets a running header with the candidate's own name and number through. */
export function findPhone(lines: ResumeLine[], running: Set<string>, name: string | null): Found<string> | null {
  const surname = name ? name.split(' ').pop()!.toLowerCase() : null
  let fallback: Found<string> | null = null
  // Above the first heading is the resume's header, even where an inline label
  // ("Skills: …") has already started a section on a line that ends with the phone.
  let header = true
  for (const line of lines) {
    if (line.heading) header = false
    if (line.text.length === 0 || line.text.length > MAX_FIELD_LINE) continue
    const zone = header || inContactZone(line)
    // Tested once per line, not per match.
    let labelled: boolean | undefined
    let dateSpans: Array<[number, number]> | undefined
    let addressSpans: Array<[number, number]> | undefined
    for (const match of phoneMatches(line.text)) {
      // "(+49) 176 …", the Europass CV's form: the brackets around the country code go.
      // "MN 55128.  651-295-5841", "#1226 412.532.6269": the postcode or flat number before the number is not of it.
      const tail = match.value.startsWith('+') || match.value.startsWith('(') ? null : NANP_TAIL.exec(match.value.trim())
      const phone = (tail && tail.index > 0 ? tail[1]! : match.value)
        .trim()
        .replace(/\s+/g, ' ')
        .replace(/[–—]/g, '-')
        .replace(/^\+\(?(\d{1,3})\) ?/, '+$1 ')
      // A hidden digit still counts as one.
      const digits = phone.replace(match.masked ? /[^\d*xX]/g : /\D/g, '').length
      // E.164 numbers have at most 15 digits; fewer than 7 is an extension, a year or a postcode.
      if (digits < 7 || digits > 15 || DATE_LIKE.test(phone) || YEAR_PAIR.test(phone) || ZIP_PLUS_FOUR.test(phone) || DECIMAL.test(phone))
        continue
      dateSpans ??= findRanges(line.text, 9999).map((range) => [range.index, range.index + range.length])
      const end = match.index + match.length
      if (dateSpans.some(([from, to]) => match.index < to && from < end)) continue
      // "linkedin.com/in/omri-green-880091240": digits inside a web address are no number to call.
      addressSpans ??= [...line.text.matchAll(WEB_ADDRESS)].map((found) => [found.index, found.index + found[0].length])
      if (addressSpans.some(([from, to]) => match.index < to && from < end)) continue
      if (BOARD_FOOTER.test(line.text) || GRADES.test(line.text)) continue
      if (running.has(line.text) && !line.text.includes('@') && !(surname && line.text.toLowerCase().includes(surname))) continue
      labelled ??= PHONE_LABEL.test(line.text)
      // "Matriculation no. 1234567", "Passport 5123456": numbers that identify, not reach, the candidate.
      if (!labelled && ID_LABEL.test(line.text)) continue
      // A referee's number (References: … Phone: …) is theirs.
      if (line.section === 'references') continue
      if (labelled || (zone && phone.startsWith('+'))) return { value: phone, line }
      if (zone) fallback ??= { value: phone, line }
    }
  }
  return fallback
}

// ---------------------------------------------------------------- links

// A bare "name.tld" is taken for a website only under TLDs people host
// themselves on: "Node.js", "setup.py" or "README.md" are not websites.
const SITE_TLDS = new Set(
  'com net org io dev me co app ai tech site xyz info blog page codes design online website space pro name cloud software engineer uk de fr nl es it ca au ch se no dk fi pl be at ie nz eu us br jp in'.split(
    ' ',
  ),
)
// Domains that look personal but name a technology or a company when written in running text.
const NOT_PERSONAL_DOMAINS = new Set(
  'socket.io asp.net ado.net vb.net deno.land nuxt.com next.js booking.com amazon.com salesforce.com monday.com hotels.com expedia.com ebay.com alibaba.com indeed.com monster.com glassdoor.com stepstone.de naukri.com zety.com resume.io'.split(
    ' ',
  ),
)
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,8}[a-z]{2,24}$/
const GITHUB_USER = /^[a-z0-9](?:[a-z0-9-]{0,38})$/i
// First path segments of github.com that are GitHub's own pages, not people.
const GITHUB_RESERVED = new Set(
  'orgs features about topics sponsors marketplace pricing settings login join explore collections trending enterprise site apps'.split(
    ' ',
  ),
)
const LINKEDIN_SLUG = /^[\p{L}\p{N}_%-]{2,100}$/u
const ACCOUNT = /^@?([A-Za-z0-9][A-Za-z0-9_.-]{0,59})$/
const TWITTER_RESERVED = new Set(
  'home share intent search hashtag i explore settings login signup messages notifications tos privacy'.split(' '),
)
const SITE_RESERVED = new Set('explore help users projects groups dashboard search about login signup jobs'.split(' '))

/** An account named by the whole path ("gitlab.com/jane", "x.com/@jane"). */
function accountPath(segments: string[], reserved: Set<string> = SITE_RESERVED): string | null {
  if (segments.length !== 1) return null
  const account = ACCOUNT.exec(segments[0]!)?.[1]
  return account && !reserved.has(account.toLowerCase()) ? account : null
}

/** An account under a fixed first segment ("youtube.com/user/jane", "researchgate.net/profile/Jane-Doe"). */
function accountUnder(prefixes: string[]): (segments: string[]) => string | null {
  return (segments) =>
    segments.length === 2 && prefixes.includes(segments[0]!.toLowerCase()) ? (ACCOUNT.exec(segments[1]!)?.[1] ?? null) : null
}

// Social, code and research sites whose profile pages a resume lists as the candidate's
// own links; each reads the account out of the path, or gives null for any other page.
const PROFILE_SITES = new Map<string, (segments: string[]) => string | null>([
  ['twitter.com', (segments) => accountPath(segments, TWITTER_RESERVED)],
  ['x.com', (segments) => accountPath(segments, TWITTER_RESERVED)],
  ['gitlab.com', (segments) => accountPath(segments)],
  ['bitbucket.org', (segments) => accountPath(segments)],
  ['orcid.org', (segments) => (segments.length === 1 && /^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$/.test(segments[0]!) ? segments[0]! : null)],
  [
    'youtube.com',
    (segments) =>
      segments.length === 1 && segments[0]!.startsWith('@') ? accountPath(segments) : accountUnder(['user', 'c', 'channel'])(segments),
  ],
  ['quora.com', (segments) => accountUnder(['profile'])(segments) ?? accountPath(segments)],
  ['medium.com', (segments) => (segments.length === 1 && segments[0]!.startsWith('@') ? accountPath(segments) : null)],
  [
    'stackoverflow.com',
    // "/users/1234/jane" and its short form "/u/jane".
    (segments) =>
      segments.length >= 2 && (segments[0] === 'users' || segments[0] === 'u')
        ? (ACCOUNT.exec(segments[segments.length - 1]!)?.[1] ?? null)
        : null,
  ],
  ['researchgate.net', accountUnder(['profile'])],
  ['kaggle.com', (segments) => accountPath(segments)],
  ['dribbble.com', (segments) => accountPath(segments)],
  ['behance.net', (segments) => accountPath(segments)],
])
const WEBSITE_LABEL = /\b(?:website|web|portfolio|blog|homepage|home page|site|url)\b|🌐/i
const MAX_LINKS = 10

interface RawLink {
  kind: ProfileLink['kind']
  url: string
  /** For GitHub: the user, and the repository when the URL names one. */
  user?: string
  repo?: string
  /** For a profile on a social or research site: the account it names. */
  handle?: string
  line: ResumeLine
}

/**
 * A URL cut at the line's end continues on the next line when the cut is
 * mid-path ("…/in/jane-" + "doe-1234/") or the next line starts with a slash.
 */
function joinedWrappedUrls(lines: ResumeLine[]): Map<number, string> {
  const joined = new Map<number, string>()
  for (let i = 0; i + 1 < lines.length; i++) {
    const text = lines[i]!.text
    if (text.length > MAX_FIELD_LINE) continue
    const last = text.slice(text.lastIndexOf(' ') + 1)
    if (!/^(?:https?:\/\/|www\.|(?:[a-z0-9-]{1,63}\.){1,4}[a-z]{2,24}\/)\S{0,200}$/i.test(last) || last.includes('@')) continue
    const next = lines[i + 1]!.text
    const first = next.split(' ')[0] ?? ''
    if (!/^[A-Za-z0-9._~\-/?=&%#]{1,200}$/.test(first)) continue
    // "https://johndoe.me/" over "Profiles" or "Spearheaded the redesign…": a trailing slash ends an address, and a
    // capitalised word after it begins the next line's own text.
    if (/\/$/.test(last) && /^\p{Lu}/u.test(first)) continue
    // "https://johndoe.me/": a site's root, printed whole; "https://github.com/" is cut before the account.
    const root = /^(?:https?:\/\/)?(?:www\.)?([^/\s]+)\/$/i.exec(last)?.[1]?.toLowerCase()
    if (root && !PROFILE_SITES.has(root) && root !== 'github.com' && !root.endsWith('linkedin.com')) continue
    if (/[/\-_=&?]$/.test(last) || first.startsWith('/')) joined.set(i, `${text}${first}`)
  }
  return joined
}

/** `beside`: indexes of lines read as contact lines wherever they sit (those around the candidate's email). */
export function findLinks(
  lines: ResumeLine[],
  emails: string[],
  nameWords: string[],
  beside: ReadonlySet<number> = new Set(),
): Array<Found<ProfileLink>> {
  const emailDomains = new Set(emails.map((email) => email.slice(email.indexOf('@') + 1)))
  const hints = ownHints(emails, nameWords)
  const printed = printedAccounts(lines)
  const joined = joinedWrappedUrls(lines)
  const raw: RawLink[] = []
  for (const line of lines) {
    if (raw.length >= MAX_LINKS * 4) break
    const text = joined.get(line.index) ?? line.text
    if (text.length > MAX_FIELD_LINE * 2) continue
    if (text.includes('.')) {
      const tokens = [...tokensOfLine(text)]
      const found = tokens.map((token) => classifyLink(token, emailDomains, line, hints))
      const zone = inContactZone(line) || beside.has(line.index)
      // A line of nothing but the candidate's addresses ("site.com · github.com/jane") is a
      // contact line wherever it sits, often repeated in a footer.
      const contactLine =
        tokens.length >= 2 &&
        found.every((link, i) => link !== null || EMAIL.test(tokens[i]!)) &&
        found.some((link, i) => link === null || link.kind !== 'website' || EMAIL.test(tokens[i]!))
      const websiteAllowed = zone || contactLine || WEBSITE_LABEL.test(text)
      // A PDF's link annotations reach the text as lines of one address each, after the
      // page's last section: a profile there counts when its account resembles the candidate
      // or is printed in the contact block (an icon and a handle, the address behind them).
      const bare = tokens.length === 1
      for (const link of found) {
        if (!link) continue
        if (link.kind !== 'website' || websiteAllowed) raw.push(link)
        else if (link.handle && bare && (resembles(link.handle, hints) || printed.has(link.handle.toLowerCase()))) raw.push(link)
        // "Portfolio" in the contact block, its address only in the link annotation: a site named after the candidate.
        else if (!link.handle && bare && namesCandidate(link.url, emails, nameWords)) raw.push(link)
      }
    }
    raw.push(...handles(text, line))
  }
  return chooseLinks(raw, hints)
}

/**
 * A website whose domain is the candidate's own: it holds their full name ("danielkei.tech" for Daniel Kei) or
 * their email's local part, or is little more than one of their names ("hi-rustin.rs" for Rustin Liu).
 */
function namesCandidate(url: string, emails: string[], nameWords: string[]): boolean {
  let host: string
  try {
    host = new URL(url).hostname.replace(/^www\./, '')
  } catch {
    return false
  }
  const label = host.split('.')[0]!.replace(/[^a-z0-9]/g, '')
  const bare = (text: string) =>
    text
      .toLowerCase()
      .normalize('NFD')
      .replace(/[^a-z0-9]/g, '')
  const names = nameWords.map(bare).filter((word) => word.length >= 4)
  const strong = [
    // A local part longer than a first name ("jane.doe", "jdoe1987"), not "jane" or "info".
    ...emails.map((email) => bare(email.slice(0, email.indexOf('@')))).filter((local) => local.length >= 7),
    ...(nameWords.length >= 2 ? [bare(nameWords.join(''))] : []),
  ]
  return strong.some((hint) => label.includes(hint)) || names.some((name) => label.includes(name) && label.length <= name.length + 4)
}

/** The words of the contact block, lower-cased and without a leading "@": handles printed beside icons. */
function printedAccounts(lines: ResumeLine[]): Set<string> {
  const printed = new Set<string>()
  for (const line of lines) {
    if (!inContactZone(line) || line.text.length > MAX_FIELD_LINE) continue
    for (const token of tokensOfLine(line.text)) if (token.length >= 3) printed.add(token.replace(/^@/, '').toLowerCase())
  }
  return printed
}

/** Lower-case letters and digits of the candidate's email local parts and name words, for matching account names. */
function ownHints(emails: string[], nameWords: string[]): string[] {
  return [...emails.map((email) => email.slice(0, email.indexOf('@'))), ...nameWords]
    .map((hint) => hint.toLowerCase().replace(/[^a-z0-9]/g, ''))
    .filter((hint) => hint.length >= 3)
}

function resembles(account: string, hints: string[]): boolean {
  const bare = account.toLowerCase().replace(/[^a-z0-9]/g, '')
  return bare.length >= 3 && hints.some((hint) => bare.includes(hint) || hint.includes(bare))
}

// Icon fonts (Font Awesome in awesome-cv, moderncv, Deedy) put a glyph where the
// PDF's link annotation sits; the text layer keeps the glyph and the handle.
const GITHUB_ICONS = '\uF09B\uF113\uF092'
const LINKEDIN_ICONS = '\uF08C\uF0E1'
const HANDLE = new RegExp(
  `(?:(?<![\\p{L}])(linkedin|github)(?:[ ]{0,2}([:|])|[ ]{1,2}(?=@?[a-z0-9]))|([${GITHUB_ICONS}${LINKEDIN_ICONS}]))[ ]{0,2}(?:in/)?@?([A-Za-z0-9][A-Za-z0-9_-]{1,38})(?![\\w./@:-])`,
  'giu',
)

/**
 * Labels a contact block prints beside or above its values ("LinkedIn | GitHub", "MOBILE  EMAIL  GITHUB"): never a
 * profile handle, never a name.
 */
export const CONTACT_LABELS = new Set(
  'linkedin github gitlab bitbucket twitter website web portfolio blog email e-mail mail phone mobile tel telephone cell fax address location skype whatsapp resume cv orcid scholar kaggle medium stackoverflow behance dribbble'.split(
    ' ',
  ),
)

/**
 * "GitHub: janedoe", "LinkedIn | jane-doe", an icon glyph and a handle: a
 * profile without its URL. Without a colon or an icon only in the contact block.
 */
function handles(text: string, line: ResumeLine): RawLink[] {
  if (!/linkedin|github|[\uF08C\uF0E1\uF09B\uF113\uF092]/iu.test(text)) return []
  const found: RawLink[] = []
  for (const match of text.matchAll(HANDLE)) {
    const [, label, colon, icon, handle] = match
    if (!label && !icon) continue
    if (label && !colon && !inContactZone(line)) continue
    const github = label ? label.toLowerCase() === 'github' : GITHUB_ICONS.includes(icon!)
    const lower = handle!.toLowerCase()
    // "LinkedIn | GitHub", "GitHub · Portfolio": labels of links side by side, each its own icon; no handle.
    if (CONTACT_LABELS.has(lower)) continue
    if (github) {
      if (GITHUB_USER.test(handle!) && !GITHUB_RESERVED.has(lower))
        found.push({ kind: 'github', url: `https://github.com/${lower}`, user: lower, line })
    } else if (LINKEDIN_SLUG.test(handle!)) found.push({ kind: 'linkedin', url: `https://www.linkedin.com/in/${lower}`, line })
  }
  return found
}

function chooseLinks(raw: RawLink[], hints: string[]): Array<Found<ProfileLink>> {
  const own = ownGithubUser(raw, hints)
  const links: Array<Found<ProfileLink>> = []
  const seen = new Set<string>()
  for (const link of raw) {
    if (links.length >= MAX_LINKS) break
    let url = link.url
    if (link.kind === 'github') {
      if (own === null || link.user !== own) continue
      url = `https://github.com/${own}`
    }
    if (seen.has(url)) continue
    seen.add(url)
    links.push({ value: { kind: link.kind, url }, line: link.line })
  }
  return links
}

/**
 * The candidate's GitHub user: a profile URL (github.com/<user>) wins; a
 * repository URL names the candidate only when its owner resembles the
 * candidate's name or email. A repository cited in the text is someone else's.
 */
function ownGithubUser(raw: RawLink[], hints: string[]): string | null {
  const github = raw.filter((link) => link.kind === 'github')
  const profile = github.find((link) => !link.repo)
  if (profile) return profile.user!
  const resembling = github.find((link) => {
    const user = link.user!.replace(/[^a-z0-9]/g, '')
    return hints.some((hint) => user.includes(hint) || hint.includes(user))
  })
  return resembling?.user ?? null
}

function classifyLink(token: string, emailDomains: Set<string>, line: ResumeLine, hints: string[]): RawLink | null {
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
    return { kind: 'linkedin', url: `https://www.linkedin.com/in/${slug.toLowerCase()}`, line }
  }
  if (site === 'github.com') {
    const user = segments[0]
    if (!user || !GITHUB_USER.test(user) || GITHUB_RESERVED.has(user.toLowerCase())) return null
    const repo = segments[1]?.toLowerCase()
    return { kind: 'github', url: `https://github.com/${user.toLowerCase()}`, user: user.toLowerCase(), ...(repo ? { repo } : {}), line }
  }
  const profileSite = PROFILE_SITES.get(site)
  if (profileSite) {
    // A profile site's other pages (a repository, a post, a search) are not the candidate's profile.
    const handle = profileSite(segments)
    if (!handle) return null
    return { kind: 'website', url: `https://${host}/${segments.join('/')}`, handle, line }
  }

  if (!schemeMatch) {
    // A capital anywhere ("ASP.NET", "B.tech", "Booking.com", "done.Then") marks a
    // product, an abbreviation or a missing space, not an address typed as one.
    if (hostPart !== hostPart.toLowerCase()) return null
    const labels = site.split('.')
    // "b.tech", "m.sc": a one-letter label is an abbreviation.
    if (labels.some((label) => label.length < 2)) return null
    if (!SITE_TLDS.has(labels[labels.length - 1]!)) return null
    // A bare domain equal to an email's domain is the mail provider or the
    // employer far more often than a personal site; written with "www." it is a
    // site, and so is one named after the candidate ("jane@janedoe.dev" and "janedoe.dev").
    if (emailDomains.has(site) && !host.startsWith('www.') && !resembles(labels[0]!, hints)) return null
  }
  if (NOT_PERSONAL_DOMAINS.has(site)) return null
  const cleanPath = segments.length > 0 ? `/${segments.join('/')}` : ''
  return { kind: 'website', url: `https://${host}${cleanPath}`, line }
}

// ---------------------------------------------------------------- location

const COUNTRIES = new Set(
  'usa|u.s.a.|u.s.a|united states|us|uk|united kingdom|england|scotland|wales|ireland|germany|deutschland|france|spain|portugal|italy|netherlands|the netherlands|belgium|switzerland|austria|poland|czech republic|czechia|sweden|norway|denmark|finland|estonia|latvia|lithuania|romania|bulgaria|greece|turkey|ukraine|hungary|croatia|serbia|slovakia|slovenia|canada|mexico|brazil|argentina|chile|colombia|peru|india|pakistan|bangladesh|sri lanka|nepal|china|japan|south korea|s.korea|s. korea|republic of korea|korea|taiwan|hong kong|singapore|malaysia|indonesia|philippines|vietnam|thailand|australia|new zealand|south africa|nigeria|kenya|egypt|morocco|ghana|ethiopia|israel|uae|united arab emirates|saudi arabia|qatar|iran|russia|america'.split(
    '|',
  ),
)
// The states of the USA by name ("Austin, Texas", "FLAG Inc. California, America").
const US_STATES = new Set(
  'alabama|alaska|arizona|arkansas|california|colorado|connecticut|delaware|florida|georgia|hawaii|idaho|illinois|indiana|iowa|kansas|kentucky|louisiana|maine|maryland|massachusetts|michigan|minnesota|mississippi|missouri|montana|nebraska|nevada|new hampshire|new jersey|new mexico|new york|north carolina|north dakota|ohio|oklahoma|oregon|pennsylvania|rhode island|south carolina|south dakota|tennessee|texas|utah|vermont|virginia|washington|west virginia|wisconsin|wyoming'.split(
    '|',
  ),
)
const STATE =
  /^(?:AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC|ON|BC|QC|AB|NSW|VIC|QLD)(?: \d{5}(?:-\d{4})?)?$/
// The states as newspapers abbreviate them (AP style: "St. Peters, Mo.", "Pasadena, Calif. 91101").
const STATE_AP =
  /^(?:Ala|Ariz|Ark|Calif|Colo|Conn|Del|Fla|Ga|Ill|Ind|Kan|Kans|Ky|La|Md|Mass|Mich|Minn|Miss|Mo|Mont|Neb|Nev|N\.H|N\.J|N\.M|N\.Y|N\.C|N\.D|Okla|Ore|Pa|Penn|R\.I|S\.C|S\.D|Tenn|Tex|Vt|Va|Wash|W\.Va|Wis|Wyo|D\.C)\.(?: \d{5}(?:-\d{4})?)?$/
const CITY = /^(?:\d{4,5} )?\p{Lu}[\p{L}.'’-]{1,24}(?: (?:\p{Lu}[\p{L}.'’-]{1,24}|am|an|de|del|da|upon|on|sur)){0,3}$/u
const LOCATION_LABEL = /^(?:location|address|based in|residence|city|wohnort|lives in)\s*:?\s*(.{2,80})$/i

/** "10000 Zagreb (Croatia)", as the Europass CV writes a place: "10000 Zagreb, Croatia". */
function countryOutOfBrackets(text: string): string {
  return text.replace(/ \((\p{L}[\p{L} .]{1,40})\)$/u, ', $1')
}

/** A country or a state on its own ("USA", "Germany", "CA"). */
export function isRegion(text: string): boolean {
  const name = text.trim()
  return COUNTRIES.has(name.toLowerCase()) || US_STATES.has(name.toLowerCase()) || STATE.test(name) || STATE_AP.test(name)
}

/** "Berlin, Germany", "Austin, TX 78701", "80331 Munich, Germany": a city followed by a country or a state. */
export function cityAndRegion(text: string): string | null {
  const parts = text.split(/ ?, ?/)
  for (let j = 1; j < parts.length && j < 12; j++) {
    const region = parts[j]!.trim()
    const city = parts[j - 1]!.trim()
    if (isRegion(region) && CITY.test(city)) return `${city.replace(/^\d{4,5} /, '')}, ${region}`
  }
  return null
}

// Read near the top only: further down, "Berlin, Germany" is where an employer sits.
const LOCATION_SEARCH_LINES = 20

export function findLocation(lines: ResumeLine[]): Found<string> | null {
  let seen = 0
  for (const line of lines) {
    if (line.text.length === 0) continue
    if (++seen > LOCATION_SEARCH_LINES || !inContactZone(line)) break
    // A dated line is a role or a degree: its place is the employer's or the school's.
    if (line.text.length > MAX_FIELD_LINE || findRanges(line.text, 9999).length > 0) continue
    for (const segment of line.text.split(/ ?[|•·✉☎📍] ?| {2,}| [–—-] /u)) {
      const part = segment.trim()
      const labelled = LOCATION_LABEL.exec(part)
      // "Address: Lindenstraße 12, 10969 Berlin, Germany" gives "Berlin, Germany".
      if (labelled) {
        // "… Berlin, Germany (Home)": the Europass CV's note of which address it is goes.
        const address = countryOutOfBrackets(labelled[1]!.replace(/\s*\((?:home|work|private|permanent)\)\s*$/i, '')).trim()
        return { value: cityAndRegion(address) ?? address, line }
      }
      // "10000 Zagreb (Croatia)": the Europass CV puts the country in brackets.
      const place = part.includes('@') ? null : cityAndRegion(countryOutOfBrackets(part))
      if (place) return { value: place, line }
    }
  }
  return null
}
