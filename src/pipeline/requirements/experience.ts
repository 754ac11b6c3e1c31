// The minimum-years requirement. Years come from the work history when the
// profile has it (months of work, overlaps merged, student and volunteer roles
// left out), otherwise from the years the profile derived or the resume states.
import type { Profile, RequirementAssessment, WorkEntry } from '../../domain/candidate.ts'
import { quoteLine } from './quote.ts'
import type { ResumeText } from './resume-text.ts'

/** Below the minimum but at least this share of it is "partly" met. */
export const YEARS_PARTLY_SHARE = 0.5

/** Years of experience for scoring and decisions, rounded to a tenth; null when the resume does not tell. */
export function experienceYears(profile: Partial<Profile> | null | undefined): number | null {
  if (!profile) return null
  if (typeof profile.monthsOfExperience === 'number' && profile.monthsOfExperience > 0)
    return Math.round(profile.monthsOfExperience / 1.2) / 10
  if (typeof profile.yearsOfExperience === 'number') return profile.yearsOfExperience
  if (typeof profile.statedYears === 'number') return profile.statedYears
  return null
}

export function formatYears(years: number): string {
  const rounded = Math.round(years * 10) / 10
  return `${rounded} ${rounded === 1 ? 'year' : 'years'}`
}

export function assessYears(minimum: number, profile: Partial<Profile> | null | undefined, resume: ResumeText): RequirementAssessment {
  const years = experienceYears(profile)
  const base = { kind: 'min_years' as const, requirement: `at least ${formatYears(minimum)} of experience` }
  if (years === null) return { ...base, verdict: 'not_met', evidence: null, note: 'years of experience not found in the resume' }
  const verdict = years >= minimum ? 'met' : years >= minimum * YEARS_PARTLY_SHARE ? 'partly' : 'not_met'
  const earliest = earliestWork(profile?.work ?? [])
  const line = earliest ? resume.line(earliest.at.line) : undefined
  return {
    ...base,
    verdict,
    // The role the work history starts with shows where the count begins.
    evidence: earliest && line && line.text.trim() ? { quote: quoteLine(line.text, 0, 0), at: resume.span(line.number) } : null,
    note: verdict === 'met' ? `${formatYears(years)} of experience` : `${formatYears(years)} of the ${formatYears(minimum)} asked for`,
  }
}

function earliestWork(work: readonly WorkEntry[]): WorkEntry | undefined {
  return work
    .filter((entry) => entry.kind === 'work' && entry.start !== null && entry.at)
    .sort((a, b) => (a.start! < b.start! ? -1 : a.start! > b.start! ? 1 : 0))[0]
}
