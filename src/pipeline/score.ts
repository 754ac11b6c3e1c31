// How well a resume's text covers a requisition's skills, with the line that
// shows each skill so HR can check the recommendation instead of trusting it.
import type { Score, SkillEvidence, SkillMatch } from '../domain/candidate.ts'
import type { Requisition } from '../domain/requisition.ts'
import { termsForSkill, type SkillTerm } from './skill-aliases.ts'

export const MUST_HAVE_WEIGHT = 2
export const NICE_TO_HAVE_WEIGHT = 1
const EVIDENCE_MAX_CHARS = 160
// Where the match sits in a long line's evidence window: enough context before it to read.
const EVIDENCE_LEAD_CHARS = 60

export function scoreResume(text: string, requisition: Pick<Requisition, 'mustHaveSkills' | 'niceToHaveSkills'>): Score {
  const normalised = text.replace(/\r\n?/g, '\n')
  const lines = new LineIndex(normalised)
  const skills: SkillMatch[] = []
  let totalWeight = 0
  let matchedWeight = 0
  for (const { skill, required } of requestedSkills(requisition)) {
    const evidence = findSkill(normalised, lines, termsForSkill(skill))
    const weight = required ? MUST_HAVE_WEIGHT : NICE_TO_HAVE_WEIGHT
    totalWeight += weight
    if (evidence) matchedWeight += weight
    skills.push({ skill, required, found: evidence !== null, evidence })
  }
  // With nothing asked for there is nothing to score; decide() explains that to HR.
  const value = totalWeight === 0 ? 0 : Math.round((100 * matchedWeight) / totalWeight)
  return { value, skills }
}

/**
 * Blank entries dropped; a skill listed twice, or under two of its aliases,
 * counted once, as a must-have if it is one anywhere.
 */
function requestedSkills(requisition: Pick<Requisition, 'mustHaveSkills' | 'niceToHaveSkills'>): { skill: string; required: boolean }[] {
  const seen = new Set<string>()
  const result: { skill: string; required: boolean }[] = []
  const add = (raw: string, required: boolean) => {
    const skill = raw.trim()
    if (skill.length === 0) return
    const key = termsForSkill(skill)
      .map(({ term }) => term.toLowerCase())
      .sort()
      .join('\u0000')
    if (seen.has(key)) return
    seen.add(key)
    result.push({ skill, required })
  }
  for (const skill of requisition.mustHaveSkills) add(skill, true)
  for (const skill of requisition.niceToHaveSkills) add(skill, false)
  return result
}

function findSkill(text: string, lines: LineIndex, terms: SkillTerm[]): SkillEvidence | null {
  let best: { index: number; length: number; term: string } | null = null
  for (const exactCase of [false, true]) {
    const group = terms.filter((term) => term.exactCase === exactCase)
    if (group.length === 0) continue
    const match = termPattern(group, exactCase).exec(text)
    if (!match || (best && best.index <= match.index)) continue
    // Each alternative is its own capture group, so the defined one names the alias.
    const which = match.slice(1).findIndex((captured) => captured !== undefined)
    best = { index: match.index, length: match[0].length, term: group[which]!.term }
  }
  if (!best) return null
  const { line, start, end } = lines.locate(best.index)
  return { line, text: evidenceText(text, start, end, best.index, best.length), matched: best.term }
}

function termPattern(terms: SkillTerm[], exactCase: boolean): RegExp {
  const alternatives = terms.map(({ term }) => `(${boundedTerm(term)})`)
  return new RegExp(alternatives.join('|'), exactCase ? 'u' : 'iu')
}

const WORD_CHAR = /[\p{L}\p{N}_]/u

/**
 * The term with edges that respect what it is made of. `\b` only knows ASCII
 * word characters, so it can neither find "C++" (no boundary after "+") nor
 * keep "Java" out of "JavaScript" in every script. A term starting with a
 * letter must not follow a letter, "&" or a dotted name ("Node.js" holds no
 * "JS"); a term ending with a letter must not run on into a letter, "+", "#"
 * or "&" ("C" is not "C++", "R" is not "R&D") or a dotted suffix ("ASP" is
 * not "ASP.NET"). A symbol
 * edge (".NET", "C++") needs only to not be followed by more of the symbol.
 */
function boundedTerm(term: string): string {
  const words = term.trim().split(/\s+/).map(escapeRegExp)
  // Between words, a space, a hyphen or a non-breaking space; bounded so a run of blanks costs nothing.
  const body = words.join('[ \\t\\u00a0-]{1,3}')
  const first = term.trim()[0] ?? ''
  const last = term.trim().at(-1) ?? ''
  const before = WORD_CHAR.test(first) ? '(?<![\\p{L}\\p{N}_&]|[\\p{L}\\p{N}]\\.)' : ''
  const after = WORD_CHAR.test(last) ? '(?![\\p{L}\\p{N}_+#&]|\\.[\\p{L}\\p{N}])' : '(?![+#])'
  return `${before}${body}${after}`
}

// In the 'u' mode only syntax characters may be escaped.
function escapeRegExp(literal: string): string {
  return literal.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')
}

/** The trimmed line, or for a long one a window around the match, never splitting a surrogate pair. */
function evidenceText(text: string, lineStart: number, lineEnd: number, matchIndex: number, matchLength: number): string {
  const raw = text.slice(lineStart, lineEnd)
  const lead = raw.length - raw.trimStart().length
  const line = raw.trim()
  if (line.length <= EVIDENCE_MAX_CHARS) return line
  const column = matchIndex - lineStart - lead
  let from = Math.max(0, Math.min(column - EVIDENCE_LEAD_CHARS, line.length - EVIDENCE_MAX_CHARS))
  if (column + matchLength > from + EVIDENCE_MAX_CHARS) from = column
  let to = Math.min(line.length, from + EVIDENCE_MAX_CHARS)
  if (isLowSurrogate(line.charCodeAt(from))) from++
  if (isLowSurrogate(line.charCodeAt(to))) to--
  return `${from > 0 ? '…' : ''}${line.slice(from, to).trim()}${to < line.length ? '…' : ''}`
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff
}

/** Line starts computed once, then each lookup is a binary search. */
class LineIndex {
  readonly #starts: number[] = [0]
  readonly #length: number

  constructor(text: string) {
    this.#length = text.length
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) this.#starts.push(at + 1)
  }

  /** 1-based line number and the line's [start, end) offsets, newline excluded. */
  locate(index: number): { line: number; start: number; end: number } {
    let low = 0
    let high = this.#starts.length - 1
    while (low < high) {
      const mid = (low + high + 1) >> 1
      if (this.#starts[mid]! <= index) low = mid
      else high = mid - 1
    }
    const start = this.#starts[low]!
    const end = low + 1 < this.#starts.length ? this.#starts[low + 1]! - 1 : this.#length
    return { line: low + 1, start, end }
  }
}
