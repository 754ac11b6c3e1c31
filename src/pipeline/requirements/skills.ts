// One skill requirement against the resume: where the resume names it (or a
// narrower skill under it: MySQL for "SQL"), and whether that use is recent.
//
// Recency: each occurrence is dated by the work entry whose lines hold it (an
// entry runs from its own line to the line before the next entry or heading).
// An entry that ended more than RECENCY_YEARS years before the scoring date is
// stale. A skill whose every occurrence sits in stale entries is "partly" met,
// noted "last used in <year>"; an occurrence anywhere else (a current role, a
// recent one, the skills section, an undated line) makes it met.
import type { RequirementAssessment, WorkEntry } from '../../domain/candidate.ts'
import { lookupSkill, narrowerSkills, termKey } from '../taxonomy/index.ts'
import { findOccurrences, type Occurrence } from './matching.ts'
import { quoteLine } from './quote.ts'
import type { ResumeText } from './resume-text.ts'

export const RECENCY_YEARS = 7

/** The last year each line was in use, from the work entries; lines outside any entry are absent. */
export function lineYears(resume: ResumeText, work: readonly WorkEntry[], now: Date): Map<number, number> {
  const years = new Map<number, number>()
  const entries = [...work].filter((entry) => entry.at && Number.isInteger(entry.at.line)).sort((a, b) => a.at.line - b.at.line)
  entries.forEach((entry, i) => {
    const lastYear = entry.current ? now.getUTCFullYear() : yearOf(entry.end)
    if (lastYear === null) return
    const nextEntry = entries[i + 1]?.at.line ?? Infinity
    for (let number = entry.at.line; number < nextEntry; number++) {
      const line = resume.line(number)
      // A heading after the entry's first line closes it.
      if (!line || (number > entry.at.line && line.heading)) break
      years.set(number, Math.max(lastYear, years.get(number) ?? lastYear))
    }
  })
  return years
}

function yearOf(date: string | null): number | null {
  const match = date ? /^(\d{4})/.exec(date) : null
  return match ? Number(match[1]) : null
}

/** The assessment, and the words of the resume its evidence matched ("k8s" for Kubernetes). */
export interface SkillAssessment {
  assessment: RequirementAssessment
  matched: string | null
}

export function assessSkill(
  requirement: string,
  kind: 'must_have' | 'nice_to_have',
  resume: ResumeText,
  years: Map<number, number>,
  now: Date,
): SkillAssessment {
  const own = lookupSkill(requirement)
  const occurrences = findOccurrences(resume, [own ?? requirement, ...narrowerSkills(requirement)])
  const base = { kind, requirement }
  if (occurrences.length === 0)
    return { assessment: { ...base, verdict: 'not_met', evidence: null, note: 'not found in the resume' }, matched: null }

  const staleBefore = now.getUTCFullYear() - RECENCY_YEARS
  const isStale = (o: Occurrence) => (years.get(o.line.number) ?? Infinity) < staleBefore
  const ownName = own?.name ?? requirement.trim()
  // The requirement's own words are the clearest evidence; a narrower skill proves it too.
  const preferOwn = (list: Occurrence[]) => list.find((o) => termKey(o.skill) === termKey(ownName)) ?? list[0]!
  const fresh = occurrences.filter((o) => !isStale(o))
  if (fresh.length > 0) {
    const chosen = preferOwn(fresh)
    return {
      assessment: { ...base, verdict: 'met', evidence: evidenceOf(resume, chosen), note: viaNote(chosen, ownName) },
      matched: chosen.matched,
    }
  }
  const lastYear = Math.max(...occurrences.map((o) => years.get(o.line.number)!))
  const chosen = preferOwn(occurrences.filter((o) => years.get(o.line.number) === lastYear))
  const via = viaNote(chosen, ownName)
  return {
    assessment: {
      ...base,
      verdict: 'partly',
      evidence: evidenceOf(resume, chosen),
      note: `last used in ${lastYear}${via ? `, ${via}` : ''}`,
    },
    matched: chosen.matched,
  }
}

function viaNote(occurrence: Occurrence, ownName: string): string | null {
  return termKey(occurrence.skill) === termKey(ownName) ? null : `as ${occurrence.skill}`
}

function evidenceOf(resume: ResumeText, occurrence: Occurrence): { quote: string; at: ReturnType<ResumeText['span']> } {
  return { quote: quoteLine(occurrence.line.text, occurrence.index, occurrence.length), at: resume.span(occurrence.line.number) }
}
