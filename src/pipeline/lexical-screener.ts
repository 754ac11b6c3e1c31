// The deterministic, offline screener: the lexical scorer behind the screener port.
import type { Score } from '../domain/candidate.ts'
import type { Screener, ScreeningInput } from '../ports/screener.ts'
import { scoreResume } from './score.ts'

const NOTHING_ASKED = { mustHaveSkills: [], niceToHaveSkills: [] }

export class LexicalScreener implements Screener {
  readonly name = 'lexical'

  async assess(input: ScreeningInput): Promise<Score> {
    return this.score(input)
  }

  /** The lexical score, with why the lexical scorer stood in for another one when it did. */
  score({ text, requisition, profile }: ScreeningInput, note?: string): Score {
    const score = scoreResume(text, requisition ?? NOTHING_ASKED, profile)
    return { ...score, scorer: { ...score.scorer, name: 'lexical', ...(note ? { note } : {}) } }
  }
}

export const lexicalScreener = new LexicalScreener()
