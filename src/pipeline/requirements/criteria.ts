// Free-text criteria ("has led a team", "worked in healthcare") against the
// resume: a lexical model, deterministic and offline. The resume is cut into
// passages (a line and the next line of the same section); passages are ranked
// by BM25 against the criterion's words (lower-cased, stop words dropped, lightly
// stemmed), and the best one decides:
// - coverage = the IDF-weighted share of the criterion's words found in it
//   (IDF over the resume's passages, so a word the resume never uses weighs most);
// - met at CRITERION_MET or more, partly at CRITERION_PARTLY or more, otherwise not met;
// - its words are the quoted evidence.
import type { RequirementAssessment } from '../../domain/candidate.ts'
import { clip, MAX_QUOTE_CHARS, quoteLine } from './quote.ts'
import type { ResumeLine, ResumeText } from './resume-text.ts'

export const CRITERION_MET = 0.7
export const CRITERION_PARTLY = 0.4
// The usual BM25 constants: term frequency saturates quickly, passage length matters moderately.
const K1 = 1.2
const B = 0.75

// English function words, and words every resume or criterion has ("experience", "years").
const STOP_WORDS = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below between both but by can could ' +
    'did do does doing down during each few for from further had has have having he her here hers herself him himself his how i if in ' +
    'into is it its itself just me more most my myself no nor not now of off on once only or other our ours ourselves out over own same ' +
    'she should so some such than that the their theirs them themselves then there these they this those through to too under until up ' +
    'very was we were what when where which while who whom why will with would you your yours yourself yourselves ' +
    'experience experienced years year candidate must should ability able strong good proven demonstrated etc e g ie eg'
  ).split(' '),
)

// Past forms a suffix rule cannot reach, mapped to the stem of their present.
const IRREGULAR: Record<string, string> = {
  led: 'lead',
  built: 'build',
  ran: 'run',
  taught: 'teach',
  wrote: 'writ',
  written: 'writ',
  spoke: 'speak',
  spoken: 'speak',
  grew: 'grow',
  grown: 'grow',
  won: 'win',
  began: 'begin',
  begun: 'begin',
  made: 'make',
  sold: 'sell',
  brought: 'bring',
  thought: 'think',
  managed: 'manag',
}

const SUFFIXES = [
  'ational',
  'ization',
  'isation',
  'ations',
  'ation',
  'ments',
  'ment',
  'ingly',
  'edly',
  'ings',
  'ing',
  'ers',
  'er',
  'ies',
  'ied',
  'ed',
  'es',
  's',
  'ly',
]

/** A light stemmer: enough to make "leading", "leader" and "led", or "teams" and "team", one word. */
export function stem(word: string): string {
  let result = STEMS.get(word)
  if (result === undefined) {
    result = stemOf(word)
    // Bounded: a resume of invented words does not grow it for ever.
    if (STEMS.size >= MAX_STEMS) STEMS.clear()
    STEMS.set(word, result)
  }
  return result
}

const STEMS = new Map<string, string>()
const MAX_STEMS = 50_000

function stemOf(word: string): string {
  const lower = word.toLowerCase().replace(/['’]s$/, '')
  const irregular = IRREGULAR[lower]
  if (irregular) return irregular
  let result = lower
  for (const suffix of SUFFIXES) {
    if (result.endsWith(suffix) && result.length - suffix.length >= 3) {
      result = result.slice(0, -suffix.length) + (suffix === 'ies' || suffix === 'ied' ? 'y' : '')
      break
    }
  }
  // "manage" and "manag(ed)", "lead" and "lead(er)": a final e and a doubled final consonant do not tell words apart.
  if (result.length > 3 && result.endsWith('e')) result = result.slice(0, -1)
  if (result.length > 3 && /([b-df-hj-np-tv-z])\1$/.test(result)) result = result.slice(0, -1)
  return result
}

export function tokens(text: string): { word: string; stem: string }[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}+#.'’-]*[\p{L}\p{N}+#]|[\p{L}\p{N}]/gu) ?? [])
    .flatMap((word) => word.split(/[-.]/))
    .filter((word) => word.length > 0 && !STOP_WORDS.has(word))
    .map((word) => ({ word, stem: stem(word) }))
}

interface Passage {
  lines: (ResumeLine & { stems: string[] })[]
  stems: Map<string, number>
  length: number
}

function passages(resume: ResumeText): Passage[] {
  const content = resume.lines
    .filter((line) => !line.heading && line.text.length > 0)
    .map((line) => ({ ...line, stems: tokens(line.text).map((t) => t.stem) }))
  return content.map((line, i) => {
    const next = content[i + 1]
    const lines = next && next.section === line.section && next.number === line.number + 1 ? [line, next] : [line]
    const stems = new Map<string, number>()
    let length = 0
    for (const l of lines) {
      for (const s of l.stems) stems.set(s, (stems.get(s) ?? 0) + 1)
      length += l.stems.length
    }
    return { lines, stems, length }
  })
}

/** Each criterion met, partly met or not, with the best passage as evidence. */
export function assessCriteria(resume: ResumeText, criteria: readonly string[]): RequirementAssessment[] {
  // Most requisitions name no free-text criteria: the passages are not worth building then.
  if (criteria.length === 0) return []
  const docs = passages(resume)
  const averageLength = docs.reduce((sum, doc) => sum + doc.length, 0) / Math.max(1, docs.length)
  const documentFrequency = new Map<string, number>()
  for (const doc of docs) for (const s of doc.stems.keys()) documentFrequency.set(s, (documentFrequency.get(s) ?? 0) + 1)
  const idf = (s: string) => {
    const df = documentFrequency.get(s) ?? 0
    return Math.log(1 + (docs.length - df + 0.5) / (df + 0.5))
  }

  return criteria.map((criterion): RequirementAssessment => {
    const query = new Map<string, string>()
    for (const { word, stem: s } of tokens(criterion)) if (!query.has(s)) query.set(s, word)
    const base = { kind: 'criterion' as const, requirement: criterion }
    if (query.size === 0) return { ...base, verdict: 'not_met', evidence: null, note: 'no words to look for' }

    let best: { doc: Passage; score: number } | null = null
    for (const doc of docs) {
      let score = 0
      for (const s of query.keys()) {
        const tf = doc.stems.get(s) ?? 0
        if (tf > 0) score += (idf(s) * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * doc.length) / averageLength))
      }
      if (score > 0 && (!best || score > best.score)) best = { doc, score }
    }
    if (!best) return { ...base, verdict: 'not_met', evidence: null, note: 'nothing in the resume speaks to it' }

    const total = [...query.keys()].reduce((sum, s) => sum + idf(s), 0)
    const found = [...query.keys()].filter((s) => best.doc.stems.has(s))
    const coverage = found.reduce((sum, s) => sum + idf(s), 0) / total
    const verdict = coverage >= CRITERION_MET ? 'met' : coverage >= CRITERION_PARTLY ? 'partly' : 'not_met'
    const missing = [...query.entries()].filter(([s]) => !best.doc.stems.has(s)).map(([, word]) => word)
    // The quote is the passage's lines that hold the criterion's words.
    const quoted = best.doc.lines.filter((line) => line.stems.some((s) => query.has(s)))
    const quote = clip(quoted.map((line) => quoteLine(line.text, 0, 0)).join(' '), 2 * MAX_QUOTE_CHARS)
    return {
      ...base,
      verdict,
      evidence: { quote, at: resume.span(quoted[0]!.number) },
      note: missing.length === 0 ? null : `no mention of ${missing.slice(0, 5).join(', ')}`,
    }
  })
}
