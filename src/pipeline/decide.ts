// The recommendation sent to HR, with every reason behind it spelled out in
// terms of the requisition's requirements. hireflow recommends; people decide.
// Whenever the evidence is incomplete (no requisition, nothing to score
// against, a must-have missing or only partly shown, experience short or
// unknown), the recommendation can be at most "review".
import type { Decision, Outcome, Profile, RequirementAssessment, Score, SkillMatch } from '../domain/candidate.ts'
import type { Requisition } from '../domain/requisition.ts'
import { experienceYears, formatYears } from './requirements/experience.ts'

export interface DecisionInput {
  score: Score
  profile: Profile
  requisition: Requisition | null
}

export function decide({ score, profile, requisition }: DecisionInput): Decision {
  if (!requisition) {
    return { outcome: 'review', reasons: ['No requisition given: the resume was scored against nothing, so a person must review it.'] }
  }

  const requirements = score.requirements ?? fromSkills(score.skills)
  const experience = experienceFindings(experienceYears(profile), requisition.minYearsExperience)
  if (!requirements.some((r) => r.kind !== 'min_years')) {
    return {
      outcome: 'review',
      reasons: [
        'The requisition lists no skills or criteria, so the resume could not be scored and a person must review it.',
        ...experience.reasons,
      ],
    }
  }

  const reasons: string[] = []
  const met = requirements.filter((r) => r.verdict === 'met').length
  const partly = requirements.filter((r) => r.verdict === 'partly').length
  const coverage = `${coverageOf(requirements.length, met, partly)}, a score of ${score.value} out of 100`
  let outcome: Outcome
  if (score.value >= requisition.advanceAtOrAbove) {
    outcome = 'advance'
    reasons.push(`${coverage}, at or above the advance threshold of ${requisition.advanceAtOrAbove}.`)
  } else if (score.value < requisition.rejectBelow) {
    outcome = 'reject'
    reasons.push(`${coverage}, below the reject threshold of ${requisition.rejectBelow}.`)
  } else {
    outcome = 'review'
    reasons.push(
      `${coverage}, below the advance threshold of ${requisition.advanceAtOrAbove} and at or above the reject threshold of ${requisition.rejectBelow}.`,
    )
  }

  const mustHaves = requirements.filter((r) => r.kind === 'must_have')
  const missing = mustHaves.filter((r) => r.verdict === 'not_met').map((r) => r.requirement)
  if (missing.length > 0) {
    reasons.push(
      `Missing must-${missing.length === 1 ? 'have' : 'haves'}: ${englishList(missing)}; the resume cannot be recommended for advance without ${missing.length === 1 ? 'it' : 'them'}.`,
    )
  }
  const partlyShown = mustHaves.filter((r) => r.verdict === 'partly').map((r) => (r.note ? `${r.requirement} (${r.note})` : r.requirement))
  if (partlyShown.length > 0) {
    reasons.push(
      `Must-${partlyShown.length === 1 ? 'have' : 'haves'} only partly shown: ${englishList(partlyShown)}; a person should judge ${partlyShown.length === 1 ? 'it' : 'them'}.`,
    )
  }
  const criteriaNotMet = requirements.filter((r) => r.kind === 'criterion' && r.verdict === 'not_met').map((r) => `"${r.requirement}"`)
  if (criteriaNotMet.length > 0) {
    reasons.push(`Not shown by the resume: ${englishList(criteriaNotMet)}.`)
  }
  reasons.push(...experience.reasons)

  if (outcome === 'advance' && (missing.length > 0 || partlyShown.length > 0 || experience.capsAtReview)) {
    outcome = 'review'
    reasons.push('The score alone would recommend advance; because of the points above, a person must review the resume instead.')
  }
  return { outcome, reasons }
}

function coverageOf(total: number, met: number, partly: number): string {
  if (total === 1) return `The resume ${met === 1 ? 'meets' : partly === 1 ? 'partly meets' : 'does not meet'} the one requirement`
  return `The resume meets ${met} of the ${total} requirements${partly > 0 ? ` and partly meets ${partly} more` : ''}`
}

/** Scores recorded before requirements were assessed carry only skills: read them as requirements. */
function fromSkills(skills: readonly SkillMatch[]): RequirementAssessment[] {
  return skills.map((s) => ({
    kind: s.required ? 'must_have' : 'nice_to_have',
    requirement: s.skill,
    verdict: s.found ? 'met' : 'not_met',
    evidence: null,
    note: null,
  }))
}

function experienceFindings(years: number | null, minimum: number): { reasons: string[]; capsAtReview: boolean } {
  if (minimum <= 0) return { reasons: [], capsAtReview: false }
  if (years === null) {
    return {
      reasons: [
        `The years of experience could not be determined from the resume, and the requisition asks for at least ${formatYears(minimum)}, so a person must check them before it can be recommended for advance.`,
      ],
      capsAtReview: true,
    }
  }
  if (years < minimum) {
    return {
      reasons: [
        `The resume shows ${formatYears(years)} of experience, fewer than the ${formatYears(minimum)} the requisition asks for, so it cannot be recommended for advance.`,
      ],
      capsAtReview: true,
    }
  }
  return {
    reasons: [`The resume shows ${formatYears(years)} of experience, meeting the ${formatYears(minimum)} the requisition asks for.`],
    capsAtReview: false,
  }
}

function englishList(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`
}
