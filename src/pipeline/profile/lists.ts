// Lists: skills, spoken languages with their level, certificates; each named
// one way (canonical.ts) and kept with the words the resume used and the line.
import { lookupSkill } from '../taxonomy/index.ts'
import { certificateName, languageLevel, languageName, skillName } from './canonical.ts'
import { findRanges } from './dates.ts'
import { isJobLine } from './work.ts'
import { MAX_FIELD_LINE, type ResumeLine } from './text.ts'
import type { Found } from './contacts.ts'

/** A listed item: its one name, the resume's words for it, and the line. */
export interface Listed extends Found<string> {
  written: string
}

// " > " and " == " rank the items they separate ("C == Python > C++ > Java"); each is an item all the same.
const ITEM_SEPARATORS = / ?[,;|•·▪●■◆►✓\u2022] ?| {2,}| [–—-] |\s\/\s| (?:>{1,2}|<|={1,3}) /u
const MAX_ITEMS = 200
const PLACEHOLDER = /^(\p{L})\1{2,}$/u
// An item longer than this is a sentence about skills, not a skill.
const MAX_ITEM_WORDS = 5

// A lone character between spaces where a list has no separator: an icon font
// mapped onto letters and signs ("t Blaze", "0 Git", "& Terminal ` Inkscape").
const ICON_SEPARATOR = / (?:[^\p{L}\p{N}\s.,;()[\]+#]|\p{Ll}|\d) (?=\S)/gu
const LEADING_ICON = /^(?:[^\p{L}\p{N}\s.(+#]|\p{Ll}|\d) (?=\S)/u

function items(text: string): string[] {
  return (
    text
      // "Go (Programming Language)", LinkedIn's way to tell a skill from a word: the kind in brackets is no skill.
      .replace(/ ?\((?:programming language|software|framework|library|database|tool)\)/gi, '')
      .replace(/[()[\]]/g, ',')
      // An address or a link beside a list (a header's "Techs: …  info@example.com") is no skill.
      .replace(/\S{1,64}@\S{1,255}|(?:https?:)?\/\/\S{1,300}|\bwww\.\S{1,300}/g, ',')
      .replace(LEADING_ICON, '')
      .replace(ICON_SEPARATOR, ', ')
      .split(ITEM_SEPARATORS)
      .map((item) =>
        item
          .replace(/^[\s*\-–—+>.]+/, '')
          .replace(/[\s.:]+$/, '')
          // "Python 5+ yrs", "Java (3 years)": how long is about the skill, not part of its name.
          .replace(/\s+\d{1,2}(?:\.\d)?\+?\s*(?:years?|yrs?)$/i, '')
          .trim(),
      )
      .filter((item) => item.length > 0 && item.length <= 60 && item.split(' ').length <= MAX_ITEM_WORDS)
      // A lone letter is a skill only when the taxonomy says so (C, R); else a broken logo or an initial.
      .filter((item) => item.length > 1 || lookupSkill(item) !== undefined)
      // A template's placeholder ("xxx", "XXX, YYY, ZZZ") names nothing.
      .filter((item) => !PLACEHOLDER.test(item))
      // "Forklift (3 years)": the duration is about the skill, not one.
      .filter((item) => !/^(?:\d{1,2}(?:\.\d)?\+?\s*(?:years?|yrs?|months?)|\d{1,3}\s*%?|\d{1,3}\s*\/\s*\d{1,3})$/i.test(item))
      .flatMap(slashJoined)
  )
}

/**
 * "HTML/CSS", "C/C++": two skills written as one, when each side is a skill the taxonomy knows and the whole is
 * not one of its own ("CI/CD", "PL/SQL" and "TCP/IP" stay whole).
 */
function slashJoined(item: string): string[] {
  if (!item.includes('/') || lookupSkill(item)) return [item]
  const parts = item.split('/').map((part) => part.trim())
  return parts.length <= 4 && parts.every((part) => part.length > 0 && lookupSkill(part) !== undefined) ? parts : [item]
}

/** Adds the item under its one name unless an item of that name is there already (the first mention is kept). */
function pushUnique(list: Listed[], written: string, line: ResumeLine, name: (written: string) => string): void {
  const value = name(written)
  const key = value.toLowerCase()
  if (list.length < MAX_ITEMS && !list.some((item) => item.value.toLowerCase() === key)) list.push({ value, written, line })
}

// ---------------------------------------------------------------- skills

const SKILL_LEVEL = /^(?:beginner|novice|elementary|basic|intermediate|advanced|expert|proficient|master|familiar|working knowledge)$/i
// "Languages: Python, Go" inside a skills list names tools; a category label is cut, the rest kept.
const CATEGORY = /^[\p{L}][\p{L}\p{N}\s&/+-]{1,40}:\s*/u
// A category set in bold before its list, without a colon ("Languages Python, Java", "Design – Figma, Sketch").
const CATEGORY_WORDS = new Set(
  'languages language programming scripting tools tooling frameworks framework libraries databases database technologies platforms cloud devops web frontend front-end backend back-end mobile testing other others concepts methodologies systems software hardware design operating os infrastructure data developer development analytics misc'.split(
    ' ',
  ),
)

function withoutCategoryLabel(body: string): string {
  if (!body.includes(',')) return body
  const words = body.split(' ')
  for (let n = Math.min(3, words.length - 1); n >= 1; n--) {
    const label = words.slice(0, n)
    if (!label.every((word) => CATEGORY_WORDS.has(word.toLowerCase().replace(/[–—|]$/u, '')) || word === '&' || word === 'and')) continue
    let rest = words.slice(n).join(' ')
    rest = rest.replace(/^[–—|]\s*/u, '')
    // The list's first skill is set apart from the label by its case ("Languages Python") or a dash; a first item
    // that is a skill with the label ("Web Development", "Data Science") had no label.
    const first = rest.split(',')[0]!.trim()
    if (!/^(?:\p{Lu}|[^\p{L}\s])/u.test(rest) || lookupSkill(`${label.join(' ')} ${first}`)) return body
    return rest
  }
  return body
}
// Labels inside a skills block that introduce something else ("Awards: …", "Interests: …").
const NOT_SKILLS = new Set(['awards', 'interests', 'publications', 'references', 'projects', 'volunteer', 'memberships', 'activities'])

/** A list of tools, not of spoken languages: no item is one, and most are skills the taxonomy knows. */
function isToolList(body: string): boolean {
  const listed = items(body.replace(/^[•·▪●■◆►*–—✓]\s*/u, '').replace(CATEGORY, ''))
  if (listed.length === 0 || listed.some((item) => SPOKEN.has(item.split(' ')[0]!.toLowerCase()))) return false
  return listed.filter((item) => lookupSkill(item)).length * 2 >= listed.length
}

export function findSkills(lines: ResumeLine[]): Listed[] {
  const skills: Listed[] = []
  for (const [i, line] of lines.entries()) {
    // "Languages" over "Java, Python, SQL": programming languages, under a heading of their own.
    const inSkills = line.section === 'skills' || line.label === 'skills' || (line.section === 'languages' && isToolList(line.body))
    if (!inSkills || line.heading || line.body.length === 0 || line.body.length > MAX_FIELD_LINE) continue
    if (line.label !== null && NOT_SKILLS.has(line.label)) continue
    const body = withoutCategoryLabel(line.body.replace(/^[•·▪●■◆►*–—✓]\s*/u, '').replace(CATEGORY, ''))
    // A sentence ("Built services in Go and Rust.") in a skills section lists nothing.
    if (/[.!?]$/.test(body) && body.split(' ').length > 8) continue
    const listed = items(body)
    // "Languages & Frameworks" over a list: a category label, not a skill.
    const next = lines[i + 1]
    // So is a word in capitals the taxonomy does not know ("PROGRAMMING").
    if (
      (/^\p{L}[\p{L} ]{1,30} (?:&|and) [\p{L} ]{1,30}$/u.test(body) ||
        (listed.length === 1 && /^[\p{Lu} ]{5,30}$/u.test(listed[0]!) && !lookupSkill(listed[0]!))) &&
      next &&
      (items(next.body).length > 1 || /:$/.test(next.body))
    )
      continue
    // "Web Technologies" over "Advanced" over "HTML5, JavaScript": a group's name and level above its skills.
    const after = lines[i + 2]
    if (listed.length === 1 && next && SKILL_LEVEL.test(next.body) && after && items(after.body).length > 1) continue
    // "Spoken: English (native), Spanish (B2)" is read as languages; "Languages: Python, Go" stays a skill list.

    if (line.label === 'languages' && SPOKEN.has((listed[0] ?? '').split(' ')[0]!.toLowerCase())) continue
    for (const item of listed) {
      if (SPOKEN.has(item.split(' ')[0]!.toLowerCase()) && /\b(?:native|fluent|C[12]|B[12])\b/.test(item)) continue
      // A level on its own ("Advanced", "Intermediate") says how well, not what.
      if (SKILL_LEVEL.test(item)) continue
      pushUnique(skills, item, line, skillName)
    }
  }
  return skills
}

// ---------------------------------------------------------------- languages

const SPOKEN = new Set(
  'english german french spanish portuguese italian dutch polish russian ukrainian czech slovak hungarian romanian bulgarian greek turkish arabic hebrew persian farsi urdu hindi bengali bangla punjabi tamil telugu marathi gujarati kannada malayalam nepali sinhala chinese mandarin cantonese japanese korean vietnamese thai indonesian malay tagalog filipino swahili amharic yoruba igbo hausa swedish norwegian danish finnish icelandic estonian latvian lithuanian serbian croatian bosnian slovenian albanian macedonian catalan basque galician irish welsh afrikaans zulu xhosa latin twi akan ewe wolof somali oromo tigrinya kinyarwanda shona lingala kurdish pashto dari uzbek kazakh azerbaijani armenian georgian mongolian burmese khmer lao sindhi odia assamese maltese luxembourgish'.split(
    ' ',
  ),
)
const LEVEL =
  /\b(?:native(?: speaker)?|mother tongue|first language|bilingual|fluent|fluency|proficient|full professional(?: proficiency)?|professional working(?: proficiency)?|professional|business(?: fluent| level)?|advanced|upper[- ]intermediate|intermediate|conversational|basic|beginner|elementary|limited working(?: proficiency)?|working knowledge|good|very good|excellent|[ABC][12](?:\+)?)\b/i

// The Europass CV's language block: "Mother tongue(s): German", then "Other language(s):" and each
// language over its CEFR grid ("Listening B2 Reading C1 Spoken production B2 …").
const MOTHER_TONGUE = /^mother tongue(?:\(s\)|s)?[ \t]{0,3}:?[ \t]{0,3}(.{0,200})$/i
const OTHER_LANGUAGES = /^other language(?:\(s\)|s)?[ \t]{0,3}:?[ \t]{0,3}(.{0,200})$/i
const CEFR = /(?<![\p{L}\p{N}])[ABC][12](?![\p{L}\p{N}])/gu

/** A listed language's name, without its level: "English (C1)" is English. */
function languageOf(item: Listed): string {
  return item.value.split(' (')[0]!
}

/** The grid's one level: the middle of its (up to five) skills, so one strong or weak skill does not decide it. */
function gridLevel(text: string): string | null {
  const codes = (text.match(CEFR) ?? []).slice(0, 10).sort()
  return codes.length >= 2 ? codes[Math.floor((codes.length - 1) / 2)]! : null
}

export function findLanguages(lines: ResumeLine[]): Listed[] {
  const languages: Listed[] = []
  for (const original of lines) {
    let line = original
    const labelled = line.label === 'languages'
    if (!(line.section === 'languages' || labelled) || line.heading || line.body.length === 0 || line.body.length > MAX_FIELD_LINE) continue
    const mother = MOTHER_TONGUE.exec(line.body)
    if (mother) {
      for (const piece of mother[1]!.split(/ ?[,;|/] ?| and /u)) {
        const name = piece.trim()
        if (!SPOKEN.has(name.toLowerCase())) continue
        const language = languageName(name)
        if (!languages.some((item) => languageOf(item) === language))
          languages.push({ value: `${language} (${languageLevel('native')})`, written: line.body, line })
      }
      continue
    }
    const other = OTHER_LANGUAGES.exec(line.body)
    if (other) {
      if (other[1]!.length === 0) continue
      line = { ...line, body: other[1]! }
    }
    // A grid under the language it grades (up to its two lines down).
    const last = languages[languages.length - 1]
    const grid = SPOKEN.has((line.body.split(/[\s:(]/)[0] ?? '').toLowerCase()) ? null : gridLevel(line.body)
    if (grid) {
      if (last && !last.value.includes('(') && line.index - last.line.index <= 2) {
        last.value = `${last.value} (${grid})`
        last.written = `${last.written} ${line.body}`
      }
      continue
    }
    // "English (native), German – C1, French: B2": a level stays with its language.
    const pieces = line.body.split(/ ?[,;|•·▪●■\u2022] ?| {2,}/u)
    for (const piece of pieces) {
      const words = piece
        .replace(/[():–—-]/g, ' ')
        .trim()
        .split(/\s+/)
      const name = words[0] ?? ''
      if (!SPOKEN.has(name.toLowerCase())) continue
      // "English C1 C1 B2 C1 B2": the older Europass grid on the language's own line.
      const grid = gridLevel(piece)
      const written = grid ?? LEVEL.exec(words.slice(1).join(' '))?.[0]
      const language = languageName(name)
      const known = languages.find((item) => languageOf(item) === language)
      if (!known) languages.push({ value: written ? `${language} (${languageLevel(written)})` : language, written: piece.trim(), line })
      // Named first without a level ("Other language(s): English, German"), graded further down.
      else if (written && !known.value.includes('(') && known.line !== line) {
        known.value = `${language} (${languageLevel(written)})`
        known.written = `${known.written} ${piece.trim()}`
      }
    }
    // A level on its own line under the language ("German" / "C1 – business fluent").
    if (
      last &&
      last.line !== line &&
      !last.value.includes('(') &&
      pieces.length === 1 &&
      !SPOKEN.has((pieces[0] ?? '').split(' ')[0]!.toLowerCase())
    ) {
      const level = LEVEL.exec(line.body)
      if (level && line.index === last.line.index + 1) {
        last.value = `${last.value} (${languageLevel(level[0])})`
        last.written = `${last.written} ${line.body}`
      }
    }
  }
  return languages
}

// ---------------------------------------------------------------- certificates

const CERTIFICATE_TAIL =
  /^(?:\(|(?:associate|professional|specialty|foundation|practitioner|expert|fundamentals|level|administrator|developer|architect|engineer|analyst|manager|master|owner|tester|specialist|practitioner|security|operations)\b)/iu

function continuesCertificate(text: string, next: ResumeLine): boolean {
  if (next.heading || next.body.length === 0 || next.body.length > MAX_FIELD_LINE || next.section !== 'certificates') return false
  if (/^[•·▪●■◆►*\-–—✓]/u.test(next.body)) return false
  return /(?:[-–—:&]|\b(?:and|of|for|in))$/.test(text) || /^\p{Ll}/u.test(next.body) || CERTIFICATE_TAIL.test(next.body)
}

// Recognised anywhere: the credential's own name says what it is.
const KNOWN_CERTIFICATE =
  /(?<![\p{L}\p{N}])(?:(?:AWS|Google Cloud|Microsoft|Azure|Oracle|Salesforce|Cisco|Red Hat|HashiCorp|Databricks|Snowflake|Professional Scrum|Certified)(?: Certified)?[ :\-–]{1,3}[A-Z][\p{L}\d+]{0,30}(?: (?:[A-Z][\p{L}\d+]{0,30}|-|–|of|and|for|in|on|I{1,3})){0,7}|Certified Kubernetes (?:Application Developer|Administrator|Security Specialist)|(?:PMP|CKA|CKAD|CKS|CISSP|CISA|CISM|CCNA|CCNP|CCIE|OSCP|CEH|CSM|PSM I{0,3}|CPA|CFA|ITIL(?: v?4)?(?: Foundation)?|PRINCE2(?: Foundation| Practitioner)?|TOGAF|RHCSA|RHCE|CompTIA (?:Security|Network|A|Cloud|Linux)\+))(?![\p{L}\p{N}])/gu

/** Prose rather than a credential's name: it starts in lower case, runs long, or is a sentence. */
// Where a certificate's name ends: a separator, or a comma before its issuer or date ("…, Amazon Web Services").
const CERTIFICATE_PARTS = / ?[|•·] ?| [–—-] (?!(?:associate|professional|specialty|foundation|practitioner|expert|fundamentals)\b)/u
const ISSUER_AFTER =
  / ?, (?=(?:issued|credential|\d|amazon|aws|google|microsoft|coursera|udemy|the linux foundation|linux foundation|pmi|isc|cncf|hashicorp|oracle|cisco|comptia|red hat|isaca|axelos|scrum|salesforce|ibm|vmware|databricks|snowflake|mongodb)\b)/iu

const CERTIFICATE_NAME_END = new RegExp(`${CERTIFICATE_PARTS.source}|${ISSUER_AFTER.source}`, 'iu')

function isDescription(text: string): boolean {
  // "2023 AWS Certified Security Specialty, Amazon Web Services (AWS)": the year before and the issuer after are
  // not part of the name whose length tells a certificate from a sentence.
  const name = text
    .replace(/^[\s•·▪●■◆►*\-–—✓]+/u, '')
    .replace(/^(?:19|20)\d{2}\s+(?=\p{Lu})/u, '')
    .split(ISSUER_AFTER)[0]!
  const words = name.split(/\s+/)
  return /^\p{Ll}/u.test(words[0] ?? '') || words.length > 10 || (words.length > 4 && /[.!?]$/.test(text))
}

// A line that is only a date: a year, or a month and a year.
const DATE_ONLY = /^(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,? )?(?:19|20)\d{2}$/i

// Bodies that issue certificates, by the names resumes give them. A line in the certificates section that
// names one and nothing else (a year aside) is the issuer of the certificate above it, not one itself.
const ISSUER =
  '(?:issued by:? )?(?:the )?(?:amazon web services(?: \\(aws\\))?|amazon|aws|google(?: cloud)?|microsoft|meta|ibm|oracle(?: university)?|cisco(?: networking academy)?|red hat|hashicorp|salesforce|vmware|databricks|snowflake|mongodb(?: university)?|(?:the )?linux foundation|cloud native computing foundation|cncf|pmi|project management institute|\\(isc\\)²|isc2|isaca|axelos|peoplecert|scrum alliance|scrum\\.org|comptia|ec-council|coursera|udemy|edx|udacity|code ?academy|codecademy|datacamp|pluralsight|linkedin learning|freecodecamp|hackerrank|kaggle|nvidia|adobe|atlassian|tableau|sap|cloudera|elastic)(?: inc\\.?| llc)?'
const ISSUER_ONLY = new RegExp(`^${ISSUER}$`, 'iu')
// Two certificates set side by side give a line of the left one's issuer and year, then the right one's name
// ("CodeAcademy 2020 AWS Certified Developer"): the issuer and the year are no part of that name.
const ISSUER_AND_YEAR_BEFORE = new RegExp(`^${ISSUER},? (?:19|20)\\d{2} (?=\\p{Lu})`, 'iu')
const DATES = /(?<![\p{L}\p{N}])(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,? )?(?:19|20)\d{2}(?![\p{L}\p{N}])/giu

/** The line only names a certificate's issuer, with or without a date. */
function isIssuerLine(text: string): boolean {
  const rest = text
    .replace(DATES, ' ')
    .replace(/\(\s*\)/g, '')
    .replace(/^[\s•·▪●■◆►*,;:|–—-]+|[\s,;:|–—-]+$/gu, '')
    .replace(/\s+/g, ' ')
  return ISSUER_ONLY.test(rest)
}

export function findCertificates(lines: ResumeLine[], nowYear: number): Listed[] {
  const certificates: Listed[] = []
  let describing = false
  let rolesBelow = false
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (line.heading) {
      describing = false
      rolesBelow = false
    }
    // A dated role under the certificates heading (a sidebar's columns interleaved) means what follows is
    // the work history, up to the next heading.
    if (line.section === 'certificates' && findRanges(line.body, nowYear).length > 0 && isJobLine(line.body)) rolesBelow = true
    if (rolesBelow) continue
    if (line.heading || line.body.length === 0 || line.body.length > MAX_FIELD_LINE) continue
    if (line.section === 'certificates' || line.label === 'certificates') {
      // A description under a certificate ("Intense course about the ETL / technologies and …") names none;
      // its wrapped lines continue it until one ends a sentence.
      if (describing || isDescription(line.body)) {
        describing = !/[.!?]$/.test(line.body)
        continue
      }
      if (isIssuerLine(line.body)) continue
      // Each line (or bulleted item) of the section is one certificate: its name before issuer and date.
      let text = line.body.replace(ISSUER_AND_YEAR_BEFORE, '')
      // "AWS Certified Developer" over "Amazon Web Services" over "2019": the name, its issuer, its date, a line each.
      const issuer = lines[i + 1]
      const date = lines[i + 2]
      const issuerBelow =
        issuer?.section === line.section &&
        date?.section === line.section &&
        !issuer.heading &&
        DATE_ONLY.test(date.body) &&
        !DATE_ONLY.test(issuer.body) &&
        findRanges(text, nowYear).length === 0
      if (issuerBelow) i += 2
      // A name wrapped by a narrow column continues on the next line.
      while (!issuerBelow && i + 1 < lines.length && continuesCertificate(text, lines[i + 1]!)) text = `${text} ${lines[++i]!.body}`
      if (isDescription(text)) {
        describing = !/[.!?]$/.test(text)
        continue
      }
      for (const range of findRanges(text, nowYear).reverse())
        text = `${text.slice(0, range.index)} ${text.slice(range.index + range.length)}`
      const name = text
        .replace(/^[\s•·▪●■◆►*\-–—✓]+/u, '')
        .split(CERTIFICATE_NAME_END)[0]!
        // "(CKA)" and an exam's version "(003)" name the credential and stay; "(2022)" or "(issued 2021)" goes.
        .replace(
          /\([^)]{0,40}(?<![\p{L}\p{N}])(?:19|20)\d{2}(?![\p{L}\p{N}])[^)]{0,40}\)|\([^)]{0,20}\b(?:issued|expires?|expired|valid)\b[^)]{0,40}\)|\(\s*\)/giu,
          '',
        )
        .replace(/(?<![\p{L}\p{N}])(?:19|20)\d{2}(?![\p{L}\p{N}])/gu, '')
        .replace(/\(\s*\)/g, '')
        .replace(/[\s,.:;–—-]+$/, '')
        .trim()
      if (name.length >= 2 && name.length <= 120 && /\p{L}/u.test(name)) pushUnique(certificates, name, line, certificateName)
      continue
    }
    if (!/[A-Z]{2}|Certified/.test(line.body)) continue
    for (const match of line.body.matchAll(KNOWN_CERTIFICATE)) {
      // "AWS Certified Solutions Architect – Associate": a level after a dash belongs to the name.
      const value = match[0].replace(/[\s:\-–]+$/, '').trim()
      if (/^(?:AWS|Microsoft|Azure|Oracle|Cisco|Red Hat|Google Cloud|Salesforce|HashiCorp|Databricks|Snowflake)$/.test(value)) continue
      if (
        /^(?:AWS|Microsoft|Azure|Oracle|Google Cloud|Salesforce|Cisco|Red Hat|HashiCorp|Databricks|Snowflake) /.test(value) &&
        !/Certified|Certificate|Associate|Professional|Specialty|Expert|Fundamentals/.test(value)
      )
        continue
      if (!certificates.some((item) => item.value.toLowerCase().includes(value.toLowerCase())))
        pushUnique(certificates, value, line, certificateName)
    }
  }
  return certificates
}
