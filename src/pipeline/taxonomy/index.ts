// The skills taxonomy (skills.ts) as the scorer reads it: canonical names,
// the terms that name each skill, and the umbrella relations between them.
import { SKILL_LINES } from './skills.ts'

/**
 * How a term may match. `any`: in any case. `exact`: only as written
 * (abbreviations and names that are also ordinary words in another case).
 * `context`: as written, and only in a skills context (see requirements/matching.ts).
 */
export type TermRule = 'any' | 'exact' | 'context'

export interface SkillTerm {
  term: string
  rule: TermRule
}

export interface TaxonomySkill {
  name: string
  terms: SkillTerm[]
  /** Umbrella skills this one shows (MySQL: SQL), direct ones only. */
  umbrellas: string[]
}

const MARKERS: Record<string, TermRule> = { '=': 'exact', '~': 'context' }

function parseTerm(raw: string): SkillTerm {
  const trimmed = raw.trim()
  const rule = MARKERS[trimmed[0] ?? '']
  return rule ? { term: trimmed.slice(1).trim(), rule } : { term: trimmed, rule: 'any' }
}

export function termKey(term: string): string {
  return term.trim().toLowerCase().replace(/\s+/g, ' ')
}

/** Parses the taxonomy's lines; throws on a duplicate term or an umbrella that is not a skill, so a bad edit fails at start-up and in tests. */
export function parseTaxonomy(lines: readonly string[]): Map<string, TaxonomySkill> {
  const skills = new Map<string, TaxonomySkill>()
  const owner = new Map<string, string>()
  for (const line of lines) {
    const [termsPart = '', umbrellaPart] = line.split(' > ')
    const [canonical, ...aliases] = termsPart.split(/\s*[|,]\s*/).map(parseTerm)
    if (!canonical || canonical.term.length === 0) throw new Error(`taxonomy line without a skill: ${line}`)
    const terms = [canonical, ...aliases]
    for (const { term } of terms) {
      const key = termKey(term)
      const previous = owner.get(key)
      if (previous !== undefined && previous !== canonical.term)
        throw new Error(`taxonomy term "${term}" names both ${previous} and ${canonical.term}`)
      owner.set(key, canonical.term)
    }
    const umbrellas = umbrellaPart ? umbrellaPart.split(',').map((u) => u.trim()) : []
    skills.set(termKey(canonical.term), { name: canonical.term, terms, umbrellas })
  }
  for (const skill of skills.values()) {
    for (const umbrella of skill.umbrellas) {
      if (!skills.has(termKey(umbrella))) throw new Error(`taxonomy umbrella "${umbrella}" of ${skill.name} is not a skill`)
    }
  }
  return skills
}

const SKILLS = parseTaxonomy(SKILL_LINES)
const BY_TERM = new Map<string, TaxonomySkill>()
for (const skill of SKILLS.values()) for (const { term } of skill.terms) BY_TERM.set(termKey(term), skill)

const CHILDREN = new Map<string, TaxonomySkill[]>()
for (const skill of SKILLS.values()) {
  for (const umbrella of skill.umbrellas) {
    const key = termKey(umbrella)
    CHILDREN.set(key, [...(CHILDREN.get(key) ?? []), skill])
  }
}

/** Every skill in the taxonomy. */
export function taxonomySkills(): Iterable<TaxonomySkill> {
  return SKILLS.values()
}

/** The taxonomy's skill a name or alias stands for ("k8s": Kubernetes), or undefined for a skill it does not know. */
export function lookupSkill(name: string): TaxonomySkill | undefined {
  return BY_TERM.get(termKey(name))
}

/** The canonical name for a skill as a requisition or resume words it; unknown skills keep their own words. */
export function canonicalSkill(name: string): string {
  return lookupSkill(name)?.name ?? name.trim()
}

// Free-text skills this short ("Qt", "VB" when unlisted) are matched as written: in any
// case they collide with initials, units and ordinary letters.
const SHORT_SKILL = 2

/**
 * Every term that names `skill` itself, longest first (at one position the
 * first alternative wins, so "Google Cloud Platform" must come before "Google Cloud").
 */
export function termsForSkill(skill: string): SkillTerm[] {
  const known = lookupSkill(skill)
  const trimmed = skill.trim()
  const terms = known ? [...known.terms] : [{ term: trimmed, rule: trimmed.length <= SHORT_SKILL ? 'exact' : 'any' } as SkillTerm]
  return terms.sort((a, b) => b.term.length - a.term.length)
}

/**
 * The skills that show `skill` through the umbrella relation, nearest first,
 * each once: for SQL, PostgreSQL, MySQL, … and TimescaleDB (a PostgreSQL).
 */
export function narrowerSkills(skill: string): TaxonomySkill[] {
  const root = lookupSkill(skill)
  if (!root) return []
  const seen = new Set<string>([root.name])
  const result: TaxonomySkill[] = []
  let frontier = [root]
  while (frontier.length > 0) {
    const next: TaxonomySkill[] = []
    for (const parent of frontier) {
      for (const child of CHILDREN.get(termKey(parent.name)) ?? []) {
        if (seen.has(child.name)) continue
        seen.add(child.name)
        result.push(child)
        next.push(child)
      }
    }
    frontier = next
  }
  return result
}
