// Any OpenAI-compatible chat completions endpoint: OpenAI, Azure OpenAI,
// Ollama, vLLM. The answer is constrained by a strict JSON schema
// (`response_format: json_schema`).
//
// Azure OpenAI is reached by its base URL: either the v1 API
// (https://<resource>.openai.azure.com/openai/v1) or a deployment with its API
// version (https://<resource>.openai.azure.com/openai/deployments/<deployment>?api-version=2024-10-21).
// Azure takes the key in an `api-key` header, the others as a bearer token.
import type { AuthProvider, HttpClient } from '../../net/http-client.ts'
import {
  modelHttpClient,
  parseJsonText,
  tokens,
  type HttpModelClientOptions,
  type ModelAnswer,
  type ModelClient,
  type ModelRequest,
} from './model-client.ts'

export const OPENAI_BASE_URL = 'https://api.openai.com/v1'

interface ChatCompletion {
  choices?: { message?: { content?: string | null; refusal?: string | null }; finish_reason?: string }[]
  usage?: { prompt_tokens?: number; completion_tokens?: number }
}

export class OpenAiModelClient implements ModelClient {
  readonly provider = 'openai'
  readonly model: string
  readonly #http: HttpClient
  readonly #query: Record<string, string>

  /** `baseUrl`: up to the path `chat/completions` is appended to; a query string (Azure's api-version) is kept. */
  constructor(options: HttpModelClientOptions) {
    this.model = options.model
    const base = new URL(options.baseUrl ?? OPENAI_BASE_URL)
    this.#query = Object.fromEntries(base.searchParams)
    base.search = ''
    const azure = isAzure(base, this.#query)
    const key = options.apiKey
    const auth: AuthProvider | undefined = key
      ? { authorize: async (): Promise<Record<string, string>> => (azure ? { 'api-key': key } : { authorization: `Bearer ${key}` }) }
      : undefined
    this.#http = modelHttpClient('openai', base, auth, options)
  }

  async ask(request: ModelRequest): Promise<ModelAnswer> {
    const completion = await this.#http.request<ChatCompletion>('POST', 'chat/completions', {
      query: this.#query,
      // Repeating a completion costs tokens, never a side effect.
      idempotent: true,
      body: {
        model: this.model,
        messages: [
          { role: 'system', content: request.system },
          { role: 'user', content: request.user },
        ],
        // Not max_tokens, which OpenAI's reasoning models refuse; no temperature, which they accept only at its default.
        max_completion_tokens: request.maxOutputTokens,
        response_format: {
          type: 'json_schema',
          json_schema: { name: request.schemaName, strict: true, schema: request.schema },
        },
      },
    })
    const message = completion?.choices?.[0]?.message
    const usage = { inputTokens: tokens(completion?.usage?.prompt_tokens), outputTokens: tokens(completion?.usage?.completion_tokens) }
    if (message?.refusal) return { answer: `the model refused: ${message.refusal.slice(0, 200)}`, ...usage }
    return { answer: parseJsonText(message?.content ?? ''), ...usage }
  }
}

function isAzure(base: URL, query: Record<string, string>): boolean {
  return 'api-version' in query || /\.(openai\.azure\.com|cognitiveservices\.azure\.com|services\.ai\.azure\.com)$/i.test(base.hostname)
}
