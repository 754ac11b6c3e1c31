// Where a resume names a skill, without taking ordinary words, initials or
// project names for one. The rules, each with a test in
// test/pipeline-requirements.test.ts:
//
// 1. Whole tokens only. `\b` only knows ASCII word characters, so the edges are
//    our own: a term starting with a letter must not follow a letter, "&" or a
//    dotted name ("Node.js" holds no "JS"); a term ending with a letter must not
//    run on into a letter, "+", "#" or "&" ("C" is not "C++", "R" is not "R&D")
//    or a dotted suffix ("ASP" is not "ASP.NET"). A symbol edge (".NET", "C++")
//    needs only to not be followed by more of the symbol.
// 2. Case. `exact` and `context` terms match only as the taxonomy writes them:
//    "JS", "REST", "Go", "Excel" ("I excel in" is a verb, "rest" a noun).
// 3. Short and everyday words (`context` terms: "R", "C", "Go", "Excel",
//    "Swift", "Rust", "Unity", …) name a skill only
//    - never inside a letter-spaced word ("J A R E D"), never joined by a hyphen
//      to a word ("Go-getter", "C-level", "R-squared");
//    - as a list item: separated from what follows by a separator (",", "/",
//      "|", "•", "(", …), "and"/"or", or the end of the line ("Go Pass" is a
//      name, not Go), and either on a line of a skills section ("Skills",
//      "Tech stack", "Languages", …) or after a label such as "Tools:", or on a
//      list line (two or more list separators) where it also starts an item;
//    - or in programming context anywhere: followed by a word such as
//      "programming", "developer", "services", "code", "spreadsheets" ("Go
//      microservices", "Excel models"), or after "written in", "developed in",
//      "proficient in", … as a whole item ("written in Go and Python").
import { termsForSkill, type SkillTerm, type TaxonomySkill } from '../taxonomy/index.ts'
import { isSkillsWording, type ResumeLine, type ResumeText } from './resume-text.ts'

export interface Occurrence {
  line: ResumeLine
  /** Offset of the match in the line's text. */
  index: number
  length: number
  /** The words as the resume has them. */
  matched: string
  /** The skill the words name (for an umbrella requirement, the narrower skill). */
  skill: string
}

/** Enough to date a skill and pick its evidence; a resume repeating a word more often shows nothing new. */
const MAX_OCCURRENCES = 200

const WORD_CHAR = /[\p{L}\p{N}_]/u

// The left edge of a term starting with a word character; written once before all such terms, so a
// position inside a word is rejected with one test instead of one per term.
const WORD_START = '(?<![\\p{L}\\p{N}_&]|[\\p{L}\\p{N}]\\.)'

/** The term with its right edge; the left edge is WORD_START for terms starting with a word character. */
function boundedTerm(term: string, ignoreCase: boolean): string {
  const words = term.trim().split(/\s+/).map(escapeRegExp)
  // Between words, a space, a hyphen or a non-breaking space; bounded so a run of blanks costs nothing.
  const body = words.join('[ \\t\\u00a0-]{1,3}')
  const last = term.trim().at(-1) ?? ''
  const after = WORD_CHAR.test(last) ? '(?![\\p{L}\\p{N}_+#&]|\\.[\\p{L}\\p{N}])' : '(?![+#])'
  return `${ignoreCase ? `(?i:${body})` : body}${after}`
}

// In the 'u' mode only syntax characters may be escaped.
function escapeRegExp(literal: string): string {
  return literal.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')
}

interface CompiledTerm {
  /** Sticky: tried at one position only. */
  pattern: RegExp
  term: SkillTerm
  skill: string
}

// Compiled once per term and rule, whatever requirement asks for it.
const COMPILED = new Map<string, RegExp>()

function compiled(term: SkillTerm): RegExp {
  const key = `${term.rule}\u0000${term.term}`
  let pattern = COMPILED.get(key)
  if (!pattern) {
    const first = term.term.trim()[0] ?? ''
    // Only the term's own letters ignore case: a case-insensitive \p{L} at the edges costs a case closure over all of Unicode.
    pattern = new RegExp(`${WORD_CHAR.test(first) ? WORD_START : ''}${boundedTerm(term.term, term.rule === 'any')}`, 'yu')
    COMPILED.set(key, pattern)
  }
  return pattern
}

const LEADING_WORD = /^[\p{L}\p{N}_]+/u

function isWordChar(text: string, at: number): boolean {
  const code = text.charCodeAt(at)
  // ASCII decided by code, the rest by the Unicode classes: a long line costs one regex test per non-ASCII character at most.
  if (code < 128) return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95
  return WORD_CHAR.test(text[at]!)
}

/**
 * Where a term may start on the line, with what it is looked up by: the
 * leading word, lower-cased ("node" for "Node.js", "c" for "C++"), or the
 * character itself for a symbol (".NET"). Worked out once per line, for every requirement.
 */
// A resume extracted without line breaks is one line of a few thousand words; a line of more is not read further.
const MAX_STARTS_PER_LINE = 20_000
const STARTS = new WeakMap<ResumeLine, { at: number; key: string }[]>()

function termStarts(line: ResumeLine): { at: number; key: string }[] {
  let starts = STARTS.get(line)
  if (starts) return starts
  starts = []
  const text = line.text
  for (let at = 0; at < text.length && starts.length < MAX_STARTS_PER_LINE;) {
    if (isWordChar(text, at)) {
      let end = at + 1
      while (end < text.length && isWordChar(text, end)) end++
      starts.push({ at, key: text.slice(at, end).toLowerCase() })
      at = end
    } else {
      if (text[at]!.trim() !== '') starts.push({ at, key: text[at]! })
      at++
    }
  }
  STARTS.set(line, starts)
  return starts
}

/** The terms by lead key, longest first within a key: at one position the longest term wins. */
function termIndex(entries: { term: SkillTerm; skill: string }[]): Map<string, CompiledTerm[]> {
  const index = new Map<string, CompiledTerm[]>()
  for (const { term, skill } of entries) {
    const trimmed = term.term.trim()
    const key = (LEADING_WORD.exec(trimmed)?.[0] ?? trimmed[0] ?? '').toLowerCase()
    const list = index.get(key) ?? []
    list.push({ pattern: compiled(term), term, skill })
    index.set(key, list)
  }
  for (const list of index.values()) list.sort((a, b) => b.term.term.length - a.term.term.length)
  return index
}

/**
 * Every place the resume names one of `skills` (each with its own terms),
 * in reading order, up to a bound. Free-text skills the taxonomy does not know
 * are looked for under their own words. Each position where a word or a symbol
 * starts is looked up by its leading word, so the cost is linear in the text
 * whatever the number of terms.
 */
export function findOccurrences(resume: ResumeText, skills: (TaxonomySkill | string)[]): Occurrence[] {
  const index = termIndex(
    skills.flatMap((skill) =>
      typeof skill === 'string'
        ? termsForSkill(skill).map((term) => ({ term, skill: skill.trim() }))
        : skill.terms.map((term) => ({ term, skill: skill.name })),
    ),
  )
  const found: Occurrence[] = []
  for (const line of resume.lines) {
    let context: LineContext | null = null
    let tried = 0
    for (const { at, key } of termStarts(line)) {
      const candidates = index.get(key)
      if (!candidates) continue
      // Bounded per line, so a line of "R, R, R, …" costs what a short one does.
      if (++tried > MAX_TRIES_PER_LINE) break
      for (const candidate of candidates) {
        candidate.pattern.lastIndex = at
        const match = candidate.pattern.exec(line.text)
        if (!match) continue
        if (candidate.term.rule === 'context') {
          context ??= lineContext(line)
          if (!acceptsContextual(line, context, at, match[0].length)) continue
        }
        found.push({ line, index: at, length: match[0].length, matched: match[0], skill: candidate.skill })
        break
      }
      if (found.length >= MAX_OCCURRENCES) return found
    }
  }
  return found
}

const MAX_TRIES_PER_LINE = 1_000
// How much of a line on either side of a short word is read to judge it: enough for "programming in Go, Rust and".
const CONTEXT_CHARS = 80

/** What a line says about the short words on it, worked out once per line. */
interface LineContext {
  /** [start, end) of each letter-spaced run ("J A R E D"). */
  spaced: [number, number][]
  /** Where the text after a skills label ("Tools: ") starts; -1 without one. */
  afterSkillsLabel: number
  /** Two or more list separators: the line is a list. */
  list: boolean
}

function lineContext(line: ResumeLine): LineContext {
  const text = line.text
  const spaced: [number, number][] = []
  for (const run of text.matchAll(LETTER_SPACED)) spaced.push([run.index, run.index + run[0].length])
  const label = SKILLS_LABEL.exec(text)
  return {
    spaced,
    afterSkillsLabel: label !== null && isSkillsWording(label[1]!) ? label[0].length : -1,
    list: (text.match(LIST_SEPARATORS)?.length ?? 0) >= 2,
  }
}

// Letters standing alone with single spaces between them: a name set in spaced capitals, "J A R E D".
const LETTER_SPACED = /(?<!\S)\p{L}(?:[ \u00a0]\p{L}(?!\S)){2,}/gu
const SEPARATOR = '[,;|/•·●▪◦‣∙\\-–—:()\\[\\]&+]'
const LIST_SEPARATORS = /[,;|/•·●▪◦‣∙]/g
const ENDS_ITEM = new RegExp(`^(?:\\s*(?:${SEPARATOR}|$)|\\s+(?:and|or)\\b|\\.\\s*$)`, 'u')
const STARTS_ITEM = new RegExp(`(?:^|${SEPARATOR}|\\b(?:and|or))\\s*$`, 'u')
// "Tools: …", "Languages & frameworks - …": a label that makes the rest of the line a skills list.
const SKILLS_LABEL = /^\s*[•·\-*]?\s*([\p{L} &/]{2,40}?)\s*[:–—-]\s/u
const PROGRAMMING_AFTER =
  /^[ \u00a0]+(?:programming|programmer|language|lang|developer|development|engineer|engineering|code|codebase|services?|microservices?|modules?|packages?|libraries|library|scripts?|scripting|SDK|runtime|backend|back-end|APIs?|applications?|apps?|tooling|CLI|notebooks?|routines?|spreadsheets?|models?|macros|dashboards?|formulas|workbooks?|games?)\b/iu
const PROGRAMMING_BEFORE =
  /\b(?:(?:services?|microservices?|APIs?|backends?|back-ends?|tools?|tooling|CLIs?|libraries|code|apps?|applications?|systems?|pipelines?|scripts?|servers?|programs?|platforms?|infrastructure|projects?|components?|tests?)\s+(?:in|with)|(?:written|programming|programmed|coded|code|developed|development|implemented|built|rewritten|scripting|proficient|proficiency|experience|experienced|fluent|fluency|expertise|skilled|knowledge)\s+(?:in|with|of))\s+(?:[\p{L}#+.]+(?:\s*,\s*|\s+(?:and|or)\s+)){0,4}$/iu

function acceptsContextual(line: ResumeLine, context: LineContext, index: number, length: number): boolean {
  const text = line.text
  // A window cut inside the line starts with a letter, so it does not read as the start of the line.
  const before = index > CONTEXT_CHARS ? `x${text.slice(index - CONTEXT_CHARS, index)}` : text.slice(0, index)
  const after = text.slice(index + length, index + length + CONTEXT_CHARS)
  if (context.spaced.some(([start, end]) => index >= start && index < end)) return false
  if (/\p{L}-$/u.test(before) || /^-\p{L}/u.test(after)) return false

  const endsItem = ENDS_ITEM.test(after)
  if (PROGRAMMING_AFTER.test(after)) return true
  if (endsItem && PROGRAMMING_BEFORE.test(before)) return true
  if (!endsItem) return false
  // Under a skills heading or label an item may carry a qualifier ("Advanced Excel", "Microsoft Excel").
  if (line.skillsContext || (context.afterSkillsLabel >= 0 && index >= context.afterSkillsLabel)) return true
  // Elsewhere only an item of a list counts.
  return context.list && STARTS_ITEM.test(before)
}
