// Blind screening (a requisition with `blind: true`): what could identify a
// candidate's sex, age, origin or family is taken out of the text before any
// scorer sees it — the name, pronouns, date of birth and age, marital status,
// nationality, and the postal address. HR's email still shows everything.
// Lines keep their places (a removed line becomes empty), so evidence keeps
// pointing at the right line and page. Linear, line by line.
import type { Profile } from '../domain/candidate.ts'

const REDACTED = '[redacted]'

/** Lines that state a personal particular, as a label ("Nationality: ...") or "born on/in": the whole line goes. */
const PERSONAL_LINE =
  /^\s*(?:date of birth|birth ?date|d\.?o\.?b\.?|age|marital status|family status|nationality|citizenship|place of birth|gender|sex|religion|children|passport(?: no\.?| number)?)\s*[:\-–]|\bborn (?:on|in)\b/i

/**
 * A postal address: a house number, one to four capitalised words and a
 * street word ("12 Baker Street", "5 Rue de la Paix" reads as "5 Rue"), a
 * German-style "Hauptstraße 12", or a PO box. Case matters: "3 teams across
 * the way" is work, not an address.
 */
const ADDRESS_LINE = [
  /\b\d{1,5}[A-Za-z]?,?\s+(?:[A-Z][\p{L}'.-]*\s+){1,4}(?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Ln\.?|Drive|Dr\.?|Boulevard|Blvd\.?|Way|Close|Court|Ct\.?|Place|Pl\.?|Square|Sq\.?|Terrace|Crescent)(?![\p{L}])/u,
  /\b\d{1,5},?\s+(?:Rue|Calle|Via|Avenida|Rua)\s/u,
  /\p{L}(?:straße|strasse|str\.|weg|allee|platz|gasse)\s+\d{1,5}\b/u,
  /\bP\.?\s?O\.?\s+Box\b/iu,
]

const PRONOUNS = /\b(?:he|she|him|her|his|hers|himself|herself|mr|mrs|ms|miss)\b\.?/gi

export function redactForBlindScreening(text: string, profile: Pick<Profile, 'name'>): string {
  const nameParts = (profile.name ?? '')
    .split(/\s+/)
    .map((part) => part.replace(/[^\p{L}'-]/gu, ''))
    .filter((part) => part.length >= 2)
  const name = nameParts.length > 0 ? new RegExp(`(?<![\\p{L}])(?:${nameParts.map(escape).join('|')})(?![\\p{L}])`, 'giu') : null
  return text
    .split('\n')
    .map((line) => {
      const breaks = '\f'.repeat((line.match(/\f/g) ?? []).length)
      if (PERSONAL_LINE.test(line) || ADDRESS_LINE.some((address) => address.test(line))) return breaks
      let out = line.replace(PRONOUNS, REDACTED)
      if (name) out = out.replace(name, REDACTED)
      return out
    })
    .join('\n')
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
