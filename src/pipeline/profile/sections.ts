// Section headings: the words resumes put above each part, in the common
// wordings, in any case, with or without a trailing colon.

import { findRanges } from './dates.ts'

export type SectionKind =
  | 'contact'
  | 'summary'
  | 'experience'
  | 'education'
  | 'skills'
  | 'languages'
  | 'certificates'
  | 'projects'
  | 'volunteer'
  | 'memberships'
  | 'activities'
  | 'awards'
  | 'publications'
  | 'interests'
  | 'references'
  | 'other'

const Q =
  '(?:work|professional|relevant|related|career|employment|industry|selected|academic|research|teaching|technical|core|key|other|additional|previous|prior|recent|clinical|engineering|software|military|international)'
// Each pattern must cover the whole heading (after the colon is cut and spaces folded).
const HEADINGS: Array<[SectionKind, RegExp]> = [
  [
    'contact',
    /^(?:contact(?: (?:info(?:rmation)?|details|me))?|details|links|online|online profiles|profiles|social|social media|find me online|personal (?:details|data|information|info|profile)|personal|persönliche daten|about me)$/,
  ],
  [
    'summary',
    new RegExp(
      `^(?:${Q} )?(?:summary|profile|objective|career objective|overview|about|introduction|highlights|summary of qualifications|qualifications summary|professional profile)$`,
    ),
  ],
  [
    'experience',
    new RegExp(
      `^(?:${Q} )*(?:experience|experiences|work history|employment(?: history)?|history|career|career history|career path|career progression|career timeline|work|jobs|internships?|internship experience|freelance work|freelancing|professional journey|employment record|job history|positions(?: held)?|professional background|berufserfahrung|work and research experience|experience and employment|employment and experience|appointments|expériences?(?: professionnelles?)?|parcours professionnel|experiencia(?: laboral| profesional)?|beruflicher werdegang|berufliche erfahrung|esperienze?(?: professionali| lavorative)?|ervaring|werkervaring)$`,
    ),
  ],
  [
    'education',
    /^(?:(?:academic |educational )?(?:education|background|qualifications?|history|training)(?: (?:history|background|details))?(?: and (?:training|qualifications|certifications?))?|studies|academic record|schooling|continuing education|professional qualifications|ausbildung|formations?(?: académique)?|études|diplômes|educación|formación(?: académica)?|bildung|studium|istruzione|formazione|opleiding|opleidingen)$/,
  ],
  [
    'skills',
    // "Top Skills" heads LinkedIn's profile export; "Digital skills" the Europass CV.
    new RegExp(
      `^(?:top |digital |computer |computer science |it |programming |software |engineering |coding |development |soft |hard |transferable )?(?:${Q} )*(?:skills|skill set|skillset|competencies|competences|expertise|technologies|techs?|tech stack|tools(?: and technologies)?|technical proficiencies|proficiencies|abilities|knowledge|kenntnisse|strengths|compétences(?: techniques| informatiques)?|habilidades|competencias|fähigkeiten|competenze|vaardigheden)(?: and (?:tools|technologies|interests|expertise|competencies|awards|achievements|certifications|abilities|qualifications))?$`,
    ),
  ],
  [
    'languages',
    /^(?:(?:spoken |foreign )?languages?(?: skills)?|spoken|language proficiency|sprachkenntnisse|sprachen|langues|idiomas|lingue|talen)$/,
  ],
  [
    'certificates',
    /^(?:(?:licenses|licences|awards|honors|honours|achievements) and (?:certifications?|certificates?)|(?:certifications?|certificates?)(?: and (?:licenses|licences|training|courses|awards|honors|honours|achievements))?|licenses|licences|courses(?: and certifications)?|trainings?|professional development)$/,
  ],
  [
    'projects',
    new RegExp(
      `^(?:(?:${Q}|personal|independent|side|notable|course|class|school|university|engineering|software|programming|coding) )*(?:projects?|project experience|portfolio|open source(?: contributions)?|projets|proyectos|projekte|progetti|projecten)$`,
    ),
  ],
  [
    'volunteer',
    /^(?:volunteer(?:ing)?(?: (?:experience|work|activities))?|community (?:involvement|service|work)|social engagement|ehrenamt)$/,
  ],
  [
    'memberships',
    /^(?:(?:professional )?(?:memberships?|affiliations|associations|organizations|organisations)(?: and (?:affiliations|memberships|associations))?)$/,
  ],
  [
    'activities',
    /^(?:(?:extracurricular|extra-curricular|co-curricular|cocurricular|leadership|campus|community|club|student|university|school) (?:activities|activity|experiences?|involvements?|engagement|leadership)|extracurriculars?|extra-curriculars?|co-curriculars?|activities|leadership|involvements?|leadership and (?:activities|involvement)|activities and (?:leadership|involvement)|co-curricular club involvement)$/,
  ],
  [
    'awards',
    /^(?:awards|honors|honours|honors-awards|(?:key |selected |notable )?(?:achievements|accomplishments)|awards and (?:honors|honours|achievements)|honors and awards|honours and awards|scholarships)$/,
  ],
  ['publications', /^(?:publications|selected publications|papers|talks|presentations|publications and talks|conferences|patents)$/],
  // The Europass CV's driving licence block: what it holds is no skill. A miscellany is no section of its own.
  ['other', /^(?:driving licen[cs]es?|driving licen[cs]e s|miscellaneous|misc|additional information|other information)$/],
  [
    'interests',
    /^(?:interests|hobbies|hobbies and interests|personal interests|loves|passions|centres d intérêts?|loisirs|intereses|aficiones|interessen|hobbys|interessi|hobby)$/,
  ],
  ['references', /^(?:references|referees|references available upon request)$/],
]

export interface Heading {
  kind: SectionKind
  /** As written, without the colon: "Work Experience", "EXPERIENCE". */
  title: string
  /** What follows an inline heading ("Skills: Go, Rust"); empty for a heading on its own line. */
  rest: string
  /** Set in a left margin ("SKILLS TEX, LaTeX"): it always opens a section, never labels one line. */
  margin?: true
}

const MAX_HEADING = 60

/** The heading this line is, or starts with before a colon or as a margin heading; null for any other line. */
export function headingOf(line: string): Heading | null {
  return plainHeading(line) ?? marginHeading(line)
}

function plainHeading(line: string): Heading | null {
  const colon = line.indexOf(':')
  // "EXPERIENCE_______": a rule typed after the heading is no part of it.
  const head = (colon >= 0 ? line.slice(0, colon) : line).replace(/^[\s#*•·▪●■◆►>-]+|[\s:_]+$/gu, '')
  if (head.length === 0 || head.length > MAX_HEADING) return null
  // A sentence ("Experience building payment systems.") is not a heading.
  if (colon < 0 && /[.,;]$/.test(line)) return null
  const key = head
    .toLowerCase()
    // A qualifier in brackets ("Projects (Computer Science)") names no other section.
    .replace(/\s*\([^()]{1,40}\)\s*$/u, '')
    .replace(/&/g, ' and ')
    .replace(/[^\p{L}\s-]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  const rest = colon >= 0 ? line.slice(colon + 1).trim() : ''
  const kind = kindOf(key)
  if (kind) return { kind, title: head, rest }
  // "Honors, Awards & Certifications", "Skills, Languages and Interests": a list of headings is one, of the first kind.
  if (/[^\p{L}\s,&/-]/u.test(head)) return null
  // "RESEARCH-WORK EXPERIENCE": words joined by a hyphen, as one heading.
  const unhyphened = key.includes('-') ? kindOf(key.replace(/-/g, ' ')) : null
  if (unhyphened) return { kind: unhyphened, title: head, rest }
  const kinds = head
    .toLowerCase()
    .split(/\s*(?:,|&|\/|\band\b)\s*/u)
    .filter((part) => part.length > 0)
    .map((part) => kindOf(part.replace(/\s+/g, ' ').trim()))
  if (kinds.length < 2 || kinds.some((found) => found === null)) return null
  // "Work Experience / Volunteering": roles are read under it whatever else it lists.
  return { kind: kinds.includes('experience') ? 'experience' : kinds[0]!, title: head, rest }
}

function kindOf(key: string): SectionKind | null {
  for (const [kind, pattern] of HEADINGS) if (pattern.test(key)) return kind
  return null
}

// Headings set in a left margin come out on the first line of their section,
// without a colon: "SKILLS TEX, LaTeX, MATLAB", "LANGUAGES ■ English: native".
const MARGIN_HEADING = /^(\p{Lu}[\p{Lu}&]{2,20}(?: \p{Lu}[\p{Lu}&]{1,20}){0,2}) (?=\S)/u
const LIST_KINDS: ReadonlySet<SectionKind> = new Set(['skills', 'languages', 'interests', 'education'])
const DATED_KINDS: ReadonlySet<SectionKind> = new Set(['experience', 'education', 'volunteer', 'activities', 'projects'])

/** A heading in capitals before its first line: taken when a bullet follows it, or (for list-like sections) a list. */
function marginHeading(line: string): Heading | null {
  const match = MARGIN_HEADING.exec(line)
  if (!match) return null
  const rest = line.slice(match[0].length).trim()
  const bulleted = /^[•·▪●■◆►]/u.test(rest)
  const listed = (rest.match(/,/g) ?? []).length >= 2
  // "EXPERIENCE Foreman/Lead Carpenter 07/2018-Present": a role with its dates beside the heading.
  const dated = findRanges(rest, 9999).length > 0
  if (!bulleted && !listed && !dated) return null
  const key = match[1]!.toLowerCase().replace(/&/g, ' and ').replace(/\s+/g, ' ').trim()
  for (const [kind, pattern] of HEADINGS) {
    if (pattern.test(key) && (bulleted || (listed && LIST_KINDS.has(kind)) || (dated && DATED_KINDS.has(kind))))
      return { kind, title: match[1]!, rest, margin: true }
  }
  return null
}

/**
 * "Experience Creative Solutions Inc.": a heading in ordinary case in a left margin, beside its section's first
 * line. Alone it cannot be told from a sentence ("Education matters to me"), so the caller takes it only where a
 * document sets several sections so (see resumeLines).
 */
export function leadingHeading(line: string): Heading | null {
  const words = line.split(' ')
  for (let n = Math.min(3, words.length - 1); n >= 1; n--) {
    const head = words.slice(0, n).join(' ')
    if (!/^\p{Lu}[\p{L}&-]*(?: (?:\p{Lu}[\p{L}&-]*|and|&|of))*$/u.test(head)) continue
    const heading = plainHeading(head)
    const rest = words.slice(n).join(' ').trim()
    if (heading && rest.length > 0 && /^\S/u.test(rest)) return { kind: heading.kind, title: heading.title, rest, margin: true }
  }
  return null
}

/** Words that make up headings: a line of them is never a name. */
export const HEADING_WORDS = new Set(
  'resume résumé curriculum vitae cv lebenslauf contact profile summary objective experience education skills work employment history personal information details professional career projects references languages certifications certificates about me overview qualifications interests hobbies awards publications volunteering volunteer activities activity extracurricular memberships technical core competencies expertise training'.split(
    ' ',
  ),
)
