// What a resume's text says about the candidate against a requisition: the
// profile, and the score a screener gives the text it may see. Pure work on
// the text, so it runs where the CPU is free: in an extraction thread right
// after the text is read (the lexical scorer), or on the main thread (a
// screener that calls a model, and text from OCR).
import type { Profile, Score } from '../domain/candidate.ts'
import type { Requisition } from '../domain/requisition.ts'
import type { Screener } from '../ports/screener.ts'
import { extractProfile } from './profile.ts'
import { screenForInstructions } from './integrity.ts'
import { redactForBlindScreening } from './blind.ts'
import { hiddenTextFlags, type HiddenText } from './formats/hidden-text.ts'

export interface Assessment {
  profile: Profile
  score: Score
}

export interface AssessmentInput {
  text: string
  /** The hidden text taken out of `text`; it is flagged to HR, never scored. */
  hidden: readonly HiddenText[]
  requisition: Requisition | null
  /** A profile an earlier attempt recorded; read from the text when absent. */
  profile?: Profile
}

/** What a scorer may see of the profile in blind screening: the work, never the person. */
function blindProfile(profile: Profile): Profile {
  return { ...profile, name: null, email: null, phone: null, links: [], location: null, sources: { name: null, email: null, phone: null } }
}

export async function assessResume({ text, hidden, requisition, profile = extractProfile(text) }: AssessmentInput, screener: Screener) {
  // Lines written for the screener rather than the reader are taken out before any scorer sees the text.
  const screened = screenForInstructions(text)
  const blind = requisition?.blind === true
  const scoring = blind ? redactForBlindScreening(screened.text, profile) : screened.text
  // An LLM screener never throws for want of a model: it scores with the lexical scorer and says so.
  let score = await screener.assess({ text: scoring, requisition, profile: blind ? blindProfile(profile) : profile })
  const flags = [...hiddenTextFlags(text, hidden), ...screened.flags]
  if (flags.length > 0) score = { ...score, flags: [...(score.flags ?? []), ...flags] }
  return { profile, score } satisfies Assessment
}
