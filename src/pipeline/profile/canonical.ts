// One name for one thing: the skills, languages and certificates a resume
// lists, written the way the rest of hireflow (the scorer, the requisition,
// HR's search) writes them. "Golang" and "Go", "Farsi" and "Persian",
// "CKA" and "Certified Kubernetes Administrator" each become one entry; what
// the resume wrote is kept beside it (profile.sources) so HR can check.
import { canonicalSkill } from '../taxonomy/index.ts'

// The TeX logos as a PDF's text layer gives them: LaTeX's raised "A" often
// comes out on a line of its own, and XeTeX's "e" is a reversed capital E.
const TEX_LOGOS: Readonly<Record<string, string>> = {
  LTEX: 'LaTeX',
  'L ATEX': 'LaTeX',
  XƎLATEX: 'XeLaTeX',
  XƎLTEX: 'XeLaTeX',
  XƎTEX: 'XeTeX',
  LATEX2Ε: 'LaTeX',
  'LATEX 2Ε': 'LaTeX',
}

/** The taxonomy's name for a listed skill ("k8s": Kubernetes); a skill it does not know keeps its words. */
export function skillName(written: string): string {
  return TEX_LOGOS[written.toUpperCase()] ?? canonicalSkill(written)
}

// Names of one language that resumes use interchangeably.
const LANGUAGE_SYNONYMS: Readonly<Record<string, string>> = {
  farsi: 'Persian',
  bangla: 'Bengali',
  castilian: 'Spanish',
  flemish: 'Dutch',
  'mandarin chinese': 'Mandarin',
}

export function languageName(written: string): string {
  const lower = written.toLowerCase()
  return LANGUAGE_SYNONYMS[lower] ?? lower.replace(/(^|[\s-])\p{L}/gu, (letter) => letter.toUpperCase())
}

// Levels on one small scale: the CEFR's six codes as written, else seven words.
// LinkedIn's proficiency names map onto the same words.
const LEVELS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(?:native(?: speaker)?|mother tongue|first language|bilingual)$/i, 'native'],
  [/^(?:fluent|fluency|business fluent|full professional(?: proficiency)?|excellent)$/i, 'fluent'],
  [/^(?:professional|professional working(?: proficiency)?|proficient|business level)$/i, 'professional'],
  [/^(?:advanced|very good)$/i, 'advanced'],
  [/^upper[- ]intermediate$/i, 'upper intermediate'],
  [/^(?:intermediate|conversational|working knowledge|good)$/i, 'intermediate'],
  [/^(?:basic|beginner|elementary|limited working(?: proficiency)?)$/i, 'basic'],
]

/** "Mother tongue": native; "c1": C1; a level this scale does not know keeps its words. */
export function languageLevel(written: string): string {
  const trimmed = written.trim()
  if (/^[abc][12]\+?$/i.test(trimmed)) return trimmed.toUpperCase()
  for (const [pattern, level] of LEVELS) if (pattern.test(trimmed)) return level
  return trimmed.toLowerCase()
}

// Credentials known by their acronym as often as by their name: both become "Name (ACRONYM)".
const CREDENTIALS: ReadonlyArray<readonly [acronym: string, name: string]> = [
  ['CKA', 'Certified Kubernetes Administrator'],
  ['CKAD', 'Certified Kubernetes Application Developer'],
  ['CKS', 'Certified Kubernetes Security Specialist'],
  ['PMP', 'Project Management Professional'],
  ['CAPM', 'Certified Associate in Project Management'],
  ['CISSP', 'Certified Information Systems Security Professional'],
  ['CISA', 'Certified Information Systems Auditor'],
  ['CISM', 'Certified Information Security Manager'],
  ['CCNA', 'Cisco Certified Network Associate'],
  ['CCNP', 'Cisco Certified Network Professional'],
  ['CCIE', 'Cisco Certified Internetwork Expert'],
  ['OSCP', 'Offensive Security Certified Professional'],
  ['CEH', 'Certified Ethical Hacker'],
  ['CSM', 'Certified ScrumMaster'],
  ['CSPO', 'Certified Scrum Product Owner'],
  ['PSM I', 'Professional Scrum Master I'],
  ['PSM II', 'Professional Scrum Master II'],
  ['PSPO I', 'Professional Scrum Product Owner I'],
  ['RHCSA', 'Red Hat Certified System Administrator'],
  ['RHCE', 'Red Hat Certified Engineer'],
  ['CPA', 'Certified Public Accountant'],
  ['CFA', 'Chartered Financial Analyst'],
  ['ACCA', 'Association of Chartered Certified Accountants'],
  ['CMA', 'Certified Management Accountant'],
  ['SHRM-CP', 'SHRM Certified Professional'],
  ['PHR', 'Professional in Human Resources'],
  ['CPHQ', 'Certified Professional in Healthcare Quality'],
  ['CSSGB', 'Certified Six Sigma Green Belt'],
  ['CSSBB', 'Certified Six Sigma Black Belt'],
]

const credentialKey = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
const BY_ACRONYM = new Map(CREDENTIALS.map(([acronym, name]) => [credentialKey(acronym), `${name} (${acronym})`]))
const BY_NAME = new Map(CREDENTIALS.map(([acronym, name]) => [credentialKey(name), `${name} (${acronym})`]))

/**
 * "CKA", "Certified Kubernetes Administrator" and "Certified Kubernetes
 * Administrator (CKA)" are one credential; dashes and spaces are tidied.
 * Credentials the table does not know keep their words.
 */
export function certificateName(written: string): string {
  const tidy = written
    .replace(/\s+/g, ' ')
    .replace(/ [-–—] /g, ' – ')
    .trim()
  const bare = tidy.replace(/\s*\(([A-Z][A-Z0-9 -]{1,10})\)$/, '')
  const acronym = /\(([A-Z][A-Z0-9 -]{1,10})\)$/.exec(tidy)?.[1]
  return (
    BY_ACRONYM.get(credentialKey(tidy)) ?? BY_NAME.get(credentialKey(bare)) ?? (acronym && BY_ACRONYM.get(credentialKey(acronym))) ?? tidy
  )
}
