// From a model's answer to hireflow's Score. The answer is checked against the
// schema and against the requirements asked; each quote is checked against the
// resume; the 0–100 value is computed from the verdicts exactly as the lexical
// scorer computes it (overallScore), never taken from the model.
import { Ajv } from 'ajv'
import type { RequirementAssessment, RequirementVerdict, Score, SkillMatch } from '../../domain/candidate.ts'
import { overallScore } from '../score.ts'
import { ASSESSMENT_SCHEMA, type ModelAssessment, type PromptRequirement } from './prompt.ts'
import { QuoteFinder } from './evidence.ts'

/** An unsupported verdict drops one step: the model's claim stands only as far as the resume shows it. */
const LOWERED: Record<RequirementVerdict, RequirementVerdict> = { met: 'partly', partly: 'not_met', not_met: 'not_met' }
const NOTE_MAX_CHARS = 200
const QUOTE_MAX_CHARS = 300

const validate = new Ajv({ allErrors: true, strict: true }).compile<ModelAssessment>(ASSESSMENT_SCHEMA)

/** Why the answer cannot be used, in words the model can act on; null when it can. */
export function answerProblem(answer: unknown, asked: PromptRequirement[]): string | null {
  if (!validate(answer)) {
    const problems = (validate.errors ?? []).slice(0, 5).map((error) => `${error.instancePath || '(the answer)'} ${error.message}`)
    return `it does not match the schema: ${problems.join('; ')}`
  }
  const ids = new Set(asked.map((r) => r.id))
  const given = new Set<string>()
  for (const { id } of answer.requirements) {
    if (!ids.has(id)) return `it names requirement "${id.slice(0, 20)}", which was not asked`
    if (given.has(id)) return `it assesses requirement ${id} twice`
    given.add(id)
  }
  const missing = asked.filter((r) => !given.has(r.id)).map((r) => r.id)
  if (missing.length > 0) return `it does not assess ${missing.join(', ')}`
  return null
}

export interface AssessedScore {
  score: Pick<Score, 'value' | 'skills' | 'requirements'>
  droppedQuotes: number
}

/** The score from a valid answer (see answerProblem): quotes checked, verdicts lowered where the quote is not in the resume. */
export function scoreFromAnswer(answer: ModelAssessment, asked: PromptRequirement[], text: string): AssessedScore {
  const finder = new QuoteFinder(text)
  const byId = new Map(answer.requirements.map((r) => [r.id, r]))
  let droppedQuotes = 0
  const requirements: RequirementAssessment[] = asked.map(({ id, kind, requirement }) => {
    const given = byId.get(id)!
    let verdict = given.verdict
    let note = given.note?.trim().slice(0, NOTE_MAX_CHARS) || null
    let evidence: RequirementAssessment['evidence'] = null
    const quote = given.quote?.trim() ?? ''
    if (quote.length > 0) {
      const at = finder.locate(quote)
      if (at) evidence = { quote: quote.slice(0, QUOTE_MAX_CHARS), at }
      else droppedQuotes++
    }
    if (verdict !== 'not_met' && !evidence) {
      const lowered = LOWERED[verdict]
      const why = quote.length > 0 ? 'the quoted words are not in the resume' : 'no words of the resume were quoted'
      note = `${why}; the model said ${verdict.replace('_', ' ')}, lowered to ${lowered.replace('_', ' ')}`
      verdict = lowered
    }
    return { kind, requirement, verdict, evidence, note }
  })
  return { score: { value: overallScore(requirements), skills: skillsOf(requirements), requirements }, droppedQuotes }
}

/** The skills view decide() and HR's email read: a skill is found when a quote from the resume shows it. */
function skillsOf(requirements: RequirementAssessment[]): SkillMatch[] {
  return requirements
    .filter((r) => r.kind === 'must_have' || r.kind === 'nice_to_have')
    .map((r) => {
      const found = r.verdict !== 'not_met' && r.evidence !== null
      return {
        skill: r.requirement,
        required: r.kind === 'must_have',
        found,
        evidence: found && r.evidence ? { line: r.evidence.at.line, text: r.evidence.quote, matched: r.requirement } : null,
      }
    })
}
