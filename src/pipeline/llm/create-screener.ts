// The screener SCORER names, built once per worker process.
import type { Redis } from 'ioredis'
import type { Config } from '../../config.ts'
import type { Screener } from '../../ports/screener.ts'
import { lexicalScreener } from '../lexical-screener.ts'
import { AnthropicModelClient } from './anthropic-client.ts'
import { BedrockModelClient } from './bedrock-client.ts'
import { DailyTokenBudget } from './budget.ts'
import { LlmScreener, type LlmScreenerOptions } from './llm-screener.ts'
import type { ModelClient } from './model-client.ts'
import { OpenAiModelClient } from './openai-client.ts'

export interface ConfiguredScreener {
  screener: Screener
  /** Releases the model client's connections. */
  close(): void
}

/** `redis` keeps the day's token counter; the lexical scorer needs none. */
export function createScreener(config: Config, redis: Redis, log: LlmScreenerOptions['log']): ConfiguredScreener {
  const settings = config.scorer
  let client: ModelClient
  let close = () => {}
  switch (settings.kind) {
    case 'lexical':
      return { screener: lexicalScreener, close }
    case 'openai':
    case 'anthropic': {
      const options = { model: settings.model, baseUrl: settings.baseUrl, apiKey: settings.apiKey, timeoutMs: settings.timeoutMs }
      client = settings.kind === 'openai' ? new OpenAiModelClient(options) : new AnthropicModelClient(options)
      break
    }
    case 'bedrock': {
      const bedrock = new BedrockModelClient({
        model: settings.model,
        region: settings.bedrockRegion,
        endpoint: settings.bedrockEndpoint,
        requestTimeoutMs: settings.timeoutMs,
        // One retry, as the HTTP clients: a model that timed out twice will not answer a third time in a useful while.
        maxAttempts: Math.min(config.aws.maxAttempts, 2),
      })
      client = bedrock
      close = () => bedrock.close()
      break
    }
  }
  const budget = new DailyTokenBudget({ redis, prefix: config.queuePrefix, tokensPerDay: settings.dailyTokenBudget })
  return { screener: new LlmScreener({ client, budget, log }), close }
}
