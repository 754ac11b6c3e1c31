// The recommendation sent to HR, with every reason behind it spelled out.
// hireflow recommends; people decide. Whenever the evidence is incomplete
// (no requisition, no skills to score, a must-have not found, experience
// short or unknown), the recommendation can be at most "review".
import type { Decision, Outcome, Profile, Score } from '../domain/candidate.ts'
import type { Requisition } from '../domain/requisition.ts'

export interface DecisionInput {
  score: Score
  profile: Profile
  requisition: Requisition | null
}

export function decide({ score, profile, requisition }: DecisionInput): Decision {
  if (!requisition) {
    return { outcome: 'review', reasons: ['No requisition given: the resume was scored against nothing, so a person must review it.'] }
  }

  const experience = experienceFindings(profile.yearsOfExperience, requisition.minYearsExperience)
  if (score.skills.length === 0) {
    return {
      outcome: 'review',
      reasons: ['The requisition lists no skills, so the resume could not be scored and a person must review it.', ...experience.reasons],
    }
  }

  const reasons: string[] = []
  const matched = score.skills.filter((skill) => skill.found).length
  const coverage = `The resume shows ${matched} of the ${score.skills.length} skills asked for, a score of ${score.value} out of 100`
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

  const missing = score.skills.filter((skill) => skill.required && !skill.found).map((skill) => skill.skill)
  if (missing.length === 1) {
    reasons.push(`The must-have skill ${missing[0]} was not found in the resume, so it cannot be recommended for advance.`)
  } else if (missing.length > 1) {
    reasons.push(`The must-have skills ${englishList(missing)} were not found in the resume, so it cannot be recommended for advance.`)
  }
  reasons.push(...experience.reasons)

  if (outcome === 'advance' && (missing.length > 0 || experience.capsAtReview)) {
    outcome = 'review'
    reasons.push('The score alone would recommend advance; because of the points above, a person must review the resume instead.')
  }
  return { outcome, reasons }
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

function formatYears(years: number): string {
  const rounded = Math.round(years * 10) / 10
  return `${rounded} ${rounded === 1 ? 'year' : 'years'}`
}

function englishList(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`
}
