// The default scorer: deterministic and offline. Each requirement of the
// requisition (must-have and nice-to-have skills, minimum years, free-text
// criteria) is met, partly met or not met, with the resume's words that show it
// and where they are (page and section), so HR can check the recommendation
// instead of trusting it. The overall 0-100 (README, "Scoring"):
//
//   value = 100 × Σ_k W_k × credit_k / Σ_k W_k   over the kinds k the requisition has,
//   credit_k = the mean of its requirements' credits (met 1, partly 0.5, not met 0),
//
// with W = must-have 50, nice-to-have 20, minimum years 15, criteria 15, rounded;
// then capped at MISSING_MUST_HAVE_CAP when any must-have is not met.
import type { Profile, RequirementAssessment, RequirementVerdict, Score, SkillMatch } from '../domain/candidate.ts'
import type { Requisition } from '../domain/requisition.ts'
import { lookupSkill, termKey } from './taxonomy/index.ts'
import { assessCriteria } from './requirements/criteria.ts'
import { assessYears } from './requirements/experience.ts'
import { ResumeText } from './requirements/resume-text.ts'
import { assessSkill, lineYears } from './requirements/skills.ts'

export const REQUIREMENT_WEIGHTS: Record<RequirementAssessment['kind'], number> = {
  must_have: 50,
  nice_to_have: 20,
  min_years: 15,
  criterion: 15,
}
export const VERDICT_CREDIT: Record<RequirementVerdict, number> = { met: 1, partly: 0.5, not_met: 0 }
/** A resume missing a must-have scores below this whatever else it shows. */
export const MISSING_MUST_HAVE_CAP = 49

export type ScoredRequisition = Pick<Requisition, 'mustHaveSkills' | 'niceToHaveSkills'> &
  Partial<Pick<Requisition, 'minYearsExperience' | 'criteria'>>

export function scoreResume(text: string, requisition: ScoredRequisition, profile?: Profile | null, now: Date = new Date()): Score {
  const resume = new ResumeText(text)
  const years = lineYears(resume, profile?.work ?? [], now)
  const requirements: RequirementAssessment[] = []
  const skills: SkillMatch[] = []
  for (const { skill, required } of requestedSkills(requisition)) {
    const { assessment, matched } = assessSkill(skill, required ? 'must_have' : 'nice_to_have', resume, years, now)
    requirements.push(assessment)
    const found = assessment.verdict !== 'not_met'
    const evidence = assessment.evidence && matched ? { line: assessment.evidence.at.line, text: assessment.evidence.quote, matched } : null
    skills.push({ skill, required, found, evidence })
  }
  if ((requisition.minYearsExperience ?? 0) > 0) requirements.push(assessYears(requisition.minYearsExperience!, profile, resume))
  requirements.push(...assessCriteria(resume, requestedCriteria(requisition.criteria ?? [])))
  return { value: overallScore(requirements), skills, requirements, scorer: { name: 'lexical' } }
}

/** The documented 0-100 (see the top of this file); 0 when nothing was asked for. */
export function overallScore(requirements: readonly RequirementAssessment[]): number {
  let weighted = 0
  let weights = 0
  for (const kind of Object.keys(REQUIREMENT_WEIGHTS) as RequirementAssessment['kind'][]) {
    const ofKind = requirements.filter((r) => r.kind === kind)
    if (ofKind.length === 0) continue
    const credit = ofKind.reduce((sum, r) => sum + VERDICT_CREDIT[r.verdict], 0) / ofKind.length
    weighted += REQUIREMENT_WEIGHTS[kind] * credit
    weights += REQUIREMENT_WEIGHTS[kind]
  }
  if (weights === 0) return 0
  const value = Math.round((100 * weighted) / weights)
  const missingMustHave = requirements.some((r) => r.kind === 'must_have' && r.verdict === 'not_met')
  return missingMustHave ? Math.min(value, MISSING_MUST_HAVE_CAP) : value
}

/**
 * Blank entries dropped; a skill listed twice, or under two of its names
 * ("k8s" and "Kubernetes"), counted once, as a must-have if it is one anywhere.
 */
function requestedSkills(requisition: ScoredRequisition): { skill: string; required: boolean }[] {
  const seen = new Set<string>()
  const result: { skill: string; required: boolean }[] = []
  const add = (raw: string, required: boolean) => {
    const skill = raw.trim()
    if (skill.length === 0) return
    const key = termKey(lookupSkill(skill)?.name ?? skill)
    if (seen.has(key)) return
    seen.add(key)
    result.push({ skill, required })
  }
  for (const skill of requisition.mustHaveSkills) add(skill, true)
  for (const skill of requisition.niceToHaveSkills) add(skill, false)
  return result
}

function requestedCriteria(criteria: readonly string[]): string[] {
  const seen = new Set<string>()
  return criteria.map((c) => c.trim()).filter((c) => c.length > 0 && !seen.has(c.toLowerCase()) && seen.add(c.toLowerCase()))
}
