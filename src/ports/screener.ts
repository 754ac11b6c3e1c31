// The screener port: how well one resume meets one requisition. The
// deterministic lexical scorer is the default; an LLM scorer is optional and
// falls back to the lexical one whenever it cannot answer.
import type { Profile, Score } from '../domain/candidate.ts'
import type { Requisition } from '../domain/requisition.ts'

export interface ScreeningInput {
  /** The resume's visible text, hidden text and instructions to a screener already removed. */
  text: string
  /** null when the resume names no requisition: there is nothing to assess, and decide() asks a person to review it. */
  requisition: Requisition | null
  profile: Profile
}

export interface Screener {
  /** `lexical`, `bedrock`, `openai` or `anthropic`: the scorer configured, not necessarily the one that scored (see Score.scorer). */
  readonly name: string
  /** Never rejects for want of a model: a screener that cannot answer scores with the lexical scorer and says so. */
  assess(input: ScreeningInput): Promise<Score>
}
