// The candidate's name: near the top, often glued by the PDF's text layer to
// the title or the contact line next to it, sometimes letter-spaced.
import { HEADING_WORDS } from './sections.ts'
import { CONTACT_LABELS, inContactZone, type Found } from './contacts.ts'
import { MAX_FIELD_LINE, type ResumeLine } from './text.ts'

// A name sits at the top; further down, capitalised lines are headings and titles.
const NAME_SEARCH_LINES = 15

/** Words of job titles: a name stops before them ("JANE DOE Senior Engineer"). */
export const TITLE_WORDS = new Set(
  'engineer developer manager designer analyst consultant scientist architect administrator senior junior principal director intern internship software frontend backend front-end back-end fullstack full-stack devops lead head chief officer specialist coordinator associate assistant teacher tutor researcher student programmer technician accountant sales marketing product project data web mobile cloud security qa test tester owner founder co-founder cto ceo cfo vp president executive editor writer nurse doctor lawyer attorney professor lecturer instructor trainee apprentice werkstudent fellow staff member volunteer graduate candidate cashier clerk waiter waitress barista bartender chef receptionist secretary operator supervisor agent mechanic electrician technologist pharmacist therapist counselor counsellor paralegal auditor bookkeeper recruiter strategist economist statistician physicist chemist biologist librarian photographer illustrator animator translator interpreter trainer investigator inspector dentist physician surgeon paramedic caregiver moderator organizer organiser facilitator développeur développeuse ingénieur ingénieure stagiaire alternant responsable chargé chargée directeur directrice desarrollador desarrolladora ingeniero ingeniera becario entwickler entwicklerin ingenieur ingenieurin berater beraterin praktikant praktikantin werkstudentin sviluppatore ingegnere tirocinante ontwikkelaar stagiair'.split(
    ' ',
  ),
)
// Words that name an organisation or a place, never a person.
const NOT_PERSON_WORDS = new Set(
  'inc inc. ltd ltd. llc gmbh ag corp corp. corporation company co. group university college institute school academy bank labs technologies solutions systems services consulting partners limited plc street road avenue st str ave rd blvd apt colony nagar layout sector city county new york san francisco los angeles london berlin munich paris'.split(
    ' ',
  ),
)
const NAME_WORD = /^\p{Lu}[\p{L}\p{M}'’.-]{0,30}$/u
const PARTICLE = /^(?:van|von|der|den|de|del|della|da|di|du|la|le|bin|al|el|ter|ten|zu)$/
// "Last updated on 21st January 2015", "Revised 03/2024": a date stamp above the name, not the name.
const DATE_STAMP = /\b(?:last updated|updated on|updated|last revised|revised on)\b/i
// Two capitalised words the text layer glued together ("ResumeConsultant", "DoeResume", "ParkDevOps").
const GLUED_WORDS = /^(\p{Lu}\p{Ll}{1,30})(\p{Lu}\p{L}{1,30})$/u
// A name glued to the house number of the address after it ("Doe17 Prime Avenue").
const GLUED_NUMBER = /^(\p{Lu}[\p{L}\p{M}'’-]{1,30})\d{1,6}$/u
// Initials written against the name they precede ("A.Aishwarya", "R.K.Narayan"): two words.
const GLUED_INITIALS = /^((?:\p{Lu}\.){1,3})(\p{Lu}\p{Ll}[\p{L}\p{M}'’-]{1,30})$/u

export function findName(lines: ResumeLine[], emailLocal: string | null): Found<string> | null {
  const candidates: Array<Found<string>> = []
  let seen = 0
  for (const [i, line] of lines.entries()) {
    if (line.text.length === 0) continue
    // "Name: Max Mustermann" in a personal-data block, wherever it sits.
    const labelled = /^(?:(?:full )?name|nom|nombre|navn|naam|namn|nome)\s*:?\s*[:\t ]\s*(.{3,80})$/i.exec(line.text)
    if (labelled) {
      const name = nameAtStart(labelled[1]!, emailLocal)
      if (name) return { value: name, line }
    }
    if (seen >= NAME_SEARCH_LINES || !inContactZone(line) || line.heading) continue
    seen++
    // A line starting with a number is an address or a phone ("5A/453, Caldwell Colony, …"): no name in it.
    if (line.text.length > MAX_FIELD_LINE || DATE_STAMP.test(line.text) || /^\d/.test(line.text)) continue
    // First and last name stacked on two lines ("JANE" / "DOE").
    const next = lines[i + 1]
    if (next && isLoneNameWord(line.text) && isLoneNameWord(next.text)) {
      const name = nameAtStart(`${line.text} ${next.text}`, emailLocal)
      if (name) {
        candidates.push({ value: name, line })
        continue
      }
    }
    // "Resume of John Smith", "CV – John Smith".
    // "PERSONAL INFORMATION Ana Kovač": the Europass CV's label set in the margin beside the name.
    const text = line.text.replace(
      /^(?:(?:(?:résumé|resume|cv|curriculum vitae)(?: of)?|personal (?:information|data|details))\s*[:–—-]?\s+)(?=\p{Lu})/iu,
      '',
    )
    // "Ashish  Kumar": a first and a last name alone on their line, a double space between them.
    const spaced = /^(\S+) {2,}(\S+)$/u.exec(text)
    const spacedName =
      spaced && isLoneNameWord(spaced[1]!) && isLoneNameWord(spaced[2]!) ? nameAtStart(`${spaced[1]} ${spaced[2]}`, emailLocal) : null
    if (spacedName) {
      candidates.push({ value: spacedName, line })
      continue
    }
    for (const segment of text.split(/ ?[|•·,;✉☎📍] ?| {2,}| [–—-] /u)) {
      const name = nameAtStart(segment.trim(), emailLocal)
      if (name) {
        candidates.push({ value: name, line })
        break
      }
    }
    if (candidates.length >= 3) break
  }
  if (candidates.length === 0) return lowerCaseName(lines, emailLocal)
  // Two plausible lines: the one matching the email's local part is the candidate's.
  if (emailLocal && candidates.length > 1) {
    const matching = candidates.find((candidate) => resemblesEmail(candidate.value, emailLocal))
    if (matching) return matching
  }
  return candidates[0]!
}

/**
 * The longest run of two to four name words at the start of a segment:
 * "JANE DOE Senior Engineer jane@x.com" gives "Jane Doe". A segment that is a
 * heading, an employer, a place or a title gives nothing.
 */
export function nameAtStart(segment: string, emailLocal: string | null): string | null {
  if (segment.length === 0 || segment.length > 120) return null
  // Honorifics and degrees around a name are not part of it.
  const words = segment
    .replace(/^(?:name\s*:\s*)/i, '')
    .replace(/^(?:(?:dr|prof|mr|mrs|ms|mx|ing|dipl)\.?\s+){1,3}/i, '')
    // A nickname between the names ("Moses (Eli) Katz", "Nicolas “Oswin” Roger") is not one of them.
    .replace(NICKNAME, ' ')
    .split(/\s+/)
    .flatMap((word) => {
      const glued = GLUED_INITIALS.exec(word)
      return glued ? [glued[1]!, glued[2]!] : [word]
    })
  const taken: string[] = []
  let endedByTitle = false
  for (const [i, word] of words.entries()) {
    const bare = word.replace(/[.:,]+$/, '').toLowerCase()
    // "Full Stack Developer", "Full-Stack": a title, however it is spelled.
    if (bare === 'full' && /^stack\b/i.test(words[i + 1] ?? '')) break
    if (HEADING_WORDS.has(bare) || NOT_PERSON_WORDS.has(bare) || CONTACT_LABELS.has(bare)) {
      if (taken.length === 0) return null
      break
    }
    if (TITLE_WORDS.has(bare)) {
      endedByTitle = true
      break
    }
    const glued = GLUED_WORDS.exec(word)
    // "PatilCOMPUTER SCIENCE FRESHMAN": the name runs into a line in capitals; it ends inside the word.
    const shouting = /^(\p{Lu}\p{Ll}{3,30})\p{Lu}{3,}$/u.exec(word)
    if (shouting && taken.length > 0) {
      taken.push(shouting[1]!)
      break
    }
    if (glued && (isNotNameWord(glued[1]!) || isNotNameWord(glued[2]!))) {
      // The name ends inside the word: keep its first half only when that half is a name.
      if (!isNotNameWord(glued[1]!)) taken.push(glued[1]!)
      break
    }
    const numbered = GLUED_NUMBER.exec(word)
    if (numbered) {
      taken.push(numbered[1]!)
      break
    }
    if (PARTICLE.test(word) && taken.length > 0) {
      taken.push(word)
      continue
    }
    if (!NAME_WORD.test(word)) break
    // Shouted name then title case ("JANE DOE Berlin"): the name ends where the case changes.
    // An initial ("LUIS F PELUYERA", "JUSTIN M. JAMISON") has no case of its own: the word before it decides.
    const cased = taken.filter((name) => !/^\p{L}\.?$/u.test(name))
    if (cased.length >= 2 && !/^\p{L}\.?$/u.test(word) && isShouted(cased[cased.length - 1]!) !== isShouted(word)) break
    taken.push(word)
    if (taken.length === 4) break
  }
  while (taken.length > 0 && PARTICLE.test(taken[taken.length - 1]!)) taken.pop()
  if (taken.length === 1 && emailLocal) {
    // "JAREDSMITH" from single-spaced letters: split where the email's local part does.
    const split = splitByEmail(taken[0]!, emailLocal)
    if (split) return split.map(titleCaseShouted).join(' ')
  }
  if (taken.length < 2) return null
  // A glued third word the email does not know ("Jane Doe Berlin") is cut.
  const known = (word: string) => emailLocal !== null && emailLocal.toLowerCase().includes(word.toLowerCase().replace(/[^a-z]/g, ''))
  if (taken.length > 2 && emailLocal && known(taken[0]!) && known(taken[1]!) && !known(taken[taken.length - 1]!)) taken.pop()
  // "Dmitry Safonov Kernel Engineer": a word right before the title is the title's ("Kernel", "Platform"), unless
  // the email names it.
  else if (taken.length === 3 && endedByTitle && !known(taken[2]!)) taken.pop()
  // A bare run of initials ("J. R.") is not a name.
  if (!taken.some((word) => /\p{L}{2}/u.test(word))) return null
  return taken.map(titleCaseShouted).join(' ')
}

/**
 * "aaron buxbaum", a name set in lower case as a design: taken only when nothing else is a name, near the top,
 * and its words are in the email's local part.
 */
function lowerCaseName(lines: ResumeLine[], emailLocal: string | null): Found<string> | null {
  if (!emailLocal) return null
  let seen = 0
  for (const line of lines) {
    if (line.text.length === 0) continue
    if (++seen > NAME_SEARCH_LINES || !inContactZone(line)) break
    if (!/^\p{Ll}[\p{Ll}'-]+(?: \p{Ll}[\p{Ll}'-]+){1,2}$/u.test(line.text)) continue
    const words = line.text.split(' ')
    const local = emailLocal.toLowerCase()
    if (words.some(isNotNameWord) || !words.every((word) => local.includes(word.replace(/[^a-z]/g, '')))) continue
    return { value: words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join(' '), line }
  }
  return null
}

const NICKNAME = /\s+(?:\([\p{L} .'-]{1,20}\)|[“"‘'][\p{L} .-]{1,20}[”"’'])(?=\s)/gu

function isNotNameWord(word: string): boolean {
  const bare = word.toLowerCase()
  return HEADING_WORDS.has(bare) || TITLE_WORDS.has(bare) || NOT_PERSON_WORDS.has(bare) || CONTACT_LABELS.has(bare)
}

function isLoneNameWord(text: string): boolean {
  return NAME_WORD.test(text) && /\p{L}{2}/u.test(text) && !isNotNameWord(text)
}

function isShouted(word: string): boolean {
  const letters = word.replace(/[^\p{L}]/gu, '')
  return letters.length >= 2 && letters === letters.toUpperCase()
}

function resemblesEmail(name: string, emailLocal: string): boolean {
  const local = emailLocal.toLowerCase().replace(/[^a-z]/g, '')
  const words = name
    .toLowerCase()
    .normalize('NFD')
    .replace(/[^a-z\s]/g, '')
    .split(/\s+/)
    .filter((word) => word.length >= 3)
  return words.some((word) => local.includes(word))
}

function splitByEmail(joined: string, emailLocal: string): string[] | null {
  const parts = emailLocal.split(/[._-]/).filter((part) => /^[a-z]{2,}$/i.test(part))
  if (parts.length < 2) return null
  if (parts.join('').toLowerCase() !== joined.toLowerCase()) return null
  let offset = 0
  return parts.map((part) => {
    const word = joined.slice(offset, offset + part.length)
    offset += part.length
    return word
  })
}

/** "DOE" becomes "Doe"; "McDonald" and "O'Neil" stay as written. */
function titleCaseShouted(word: string): string {
  // Initials ("R.K.") stay capitals.
  if (!isShouted(word) || /^(?:\p{Lu}\.)+$/u.test(word)) return word
  return word.toLowerCase().replace(/(^|[-'’])(\p{L})/gu, (_, sep: string, ch: string) => sep + ch.toUpperCase())
}
