// An LLM behind the screener port, with the guards that make it safe to use:
// the day's token budget checked before each call, an answer that does not
// validate asked for again (with the reason) a bounded number of times, quotes
// checked against the resume, the score computed from the verdicts. Whenever
// the model cannot be used the lexical scorer scores the candidate and the
// score says why: a candidate never fails for want of an LLM.
import type { Score } from '../../domain/candidate.ts'
import type { Screener, ScreeningInput } from '../../ports/screener.ts'
import { ProviderHttpError, ProviderNetworkError } from '../../net/http-client.ts'
import { lexicalScreener, type LexicalScreener } from '../lexical-screener.ts'
import {
  ASSESSMENT_SCHEMA,
  ASSESSMENT_TOOL,
  MAX_OUTPUT_TOKENS,
  PROMPT_VERSION,
  SYSTEM_PROMPT,
  promptRequirements,
  userMessage,
} from './prompt.ts'
import { answerProblem, scoreFromAnswer } from './assessment.ts'
import { estimateTokens, type DailyTokenBudget } from './budget.ts'
import type { ModelAnswer, ModelClient } from './model-client.ts'
import type { ModelAssessment } from './prompt.ts'

/** Answers asked for per candidate: the first, and two more with the validation error fed back. */
export const ANSWER_ATTEMPTS = 3

interface ScreenerLog {
  info(object: object, message: string): void
  warn(object: object, message: string): void
}

export interface LlmScreenerOptions {
  client: ModelClient
  budget: DailyTokenBudget
  log: ScreenerLog
  fallback?: LexicalScreener
  answerAttempts?: number
}

export class LlmScreener implements Screener {
  readonly name: string
  readonly #client: ModelClient
  readonly #budget: DailyTokenBudget
  readonly #log: ScreenerLog
  readonly #fallback: LexicalScreener
  readonly #attempts: number

  constructor(options: LlmScreenerOptions) {
    this.#client = options.client
    this.name = options.client.provider
    this.#budget = options.budget
    this.#log = options.log
    this.#fallback = options.fallback ?? lexicalScreener
    this.#attempts = Math.max(1, options.answerAttempts ?? ANSWER_ATTEMPTS)
  }

  async assess(input: ScreeningInput): Promise<Score> {
    const { requisition, text } = input
    const lexical = (note: string) => this.#fallback.score(input, note)
    if (!requisition) return lexical('no requisition: nothing for the model to assess')
    const asked = promptRequirements(requisition)
    if (asked.length === 0) return lexical('the requisition lists no requirements for the model to assess')

    const spent = { input: 0, output: 0 }
    const where = { provider: this.#client.provider, model: this.#client.model, promptVersion: PROMPT_VERSION }
    let correction: string | undefined
    for (let attempt = 1; attempt <= this.#attempts; attempt++) {
      const user = userMessage(requisition.title, asked, text, correction)
      const estimate = estimateTokens(SYSTEM_PROMPT.length + user.length + JSON.stringify(ASSESSMENT_SCHEMA).length, MAX_OUTPUT_TOKENS)
      try {
        if (!(await this.#budget.allows(estimate))) {
          this.#log.info({ ...where, tokensPerDay: this.#budget.limit }, 'LLM token budget for today used up: lexical scorer used')
          return lexical(`today's LLM token budget (${this.#budget.limit} tokens) is used up; scored by the lexical scorer`)
        }
      } catch (error) {
        this.#log.warn({ ...where, err: { message: (error as Error).message } }, 'LLM token budget unreadable: lexical scorer used')
        return lexical('the LLM token budget could not be read; scored by the lexical scorer')
      }

      let reply: ModelAnswer
      try {
        reply = await this.#client.ask({
          system: SYSTEM_PROMPT,
          user,
          schema: ASSESSMENT_SCHEMA as unknown as Record<string, unknown>,
          schemaName: ASSESSMENT_TOOL,
          maxOutputTokens: MAX_OUTPUT_TOKENS,
        })
      } catch (error) {
        const failure = describeFailure(error)
        this.#log.warn({ ...where, attempt, failure }, 'LLM call failed: lexical scorer used')
        return lexical(`the ${this.#client.provider} model ${this.#client.model} failed (${failure}); scored by the lexical scorer`)
      }
      spent.input += reply.inputTokens
      spent.output += reply.outputTokens
      await this.#budget.spend(reply.inputTokens + reply.outputTokens).catch((error: Error) => {
        this.#log.warn({ ...where, err: { message: error.message } }, 'LLM tokens could not be counted against the budget')
      })

      const problem = answerProblem(reply.answer, asked)
      if (problem === null) {
        const { score, droppedQuotes } = scoreFromAnswer(reply.answer as ModelAssessment, asked, text)
        if (droppedQuotes > 0) this.#log.info({ ...where, droppedQuotes }, 'quotes not found in the resume dropped')
        return {
          ...score,
          scorer: {
            name: this.#client.provider,
            model: this.#client.model,
            promptVersion: PROMPT_VERSION,
            inputTokens: spent.input,
            outputTokens: spent.output,
            ...(droppedQuotes > 0 ? { droppedQuotes } : {}),
          },
        }
      }
      // The answer is about the resume, so only the reason it was rejected is logged.
      this.#log.info({ ...where, attempt, problem }, 'LLM answer rejected')
      correction = problem
    }
    this.#log.warn({ ...where, attempts: this.#attempts }, 'no valid LLM answer: lexical scorer used')
    return lexical(
      `the ${this.#client.provider} model ${this.#client.model} gave no valid answer in ${this.#attempts} attempts (${correction}); scored by the lexical scorer`,
    )
  }
}

/** What went wrong, without the request or the provider's answer (either may hold the resume). */
function describeFailure(error: unknown): string {
  if (error instanceof ProviderHttpError) return `answered ${error.status}`
  if (error instanceof ProviderNetworkError) return error.timedOut ? 'no answer in time' : `network error ${error.code}`
  if (error instanceof Error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
    return status ? `${error.name}, status ${status}` : error.name
  }
  return 'unknown error'
}
