// The day's token budget for LLM scoring, shared by every worker through one
// Redis counter per UTC day. A call is made only while the tokens used so far
// plus what it may cost stay within the budget; what it did cost is added after.
import type { Redis } from 'ioredis'

/** Rough tokens of a text before the model counts them: about three characters a token errs on the side of the budget. */
export function estimateTokens(chars: number, maxOutputTokens: number): number {
  return Math.ceil(chars / 3) + maxOutputTokens
}

export class DailyTokenBudget {
  readonly #redis: Redis
  readonly #prefix: string
  readonly #limit: number
  readonly #now: () => Date

  constructor(options: { redis: Redis; prefix: string; tokensPerDay: number; now?: () => Date }) {
    this.#redis = options.redis
    this.#prefix = options.prefix
    this.#limit = options.tokensPerDay
    this.#now = options.now ?? (() => new Date())
  }

  get limit(): number {
    return this.#limit
  }

  /** The counter of the current UTC day. */
  key(): string {
    return `${this.#prefix}:llm-tokens:${this.#now().toISOString().slice(0, 10)}`
  }

  async used(): Promise<number> {
    return Number((await this.#redis.get(this.key())) ?? 0)
  }

  /** Whether a call estimated at `tokens` fits in what is left of today's budget. */
  async allows(tokens: number): Promise<boolean> {
    return (await this.used()) + tokens <= this.#limit
  }

  /** Adds what a call cost; the counter outlives its day by one, for whoever looks at yesterday's use. */
  async spend(tokens: number): Promise<void> {
    if (tokens <= 0) return
    const key = this.key()
    await this.#redis
      .multi()
      .incrby(key, tokens)
      .expire(key, 2 * 86_400)
      .exec()
  }
}
