// Anthropic's Messages API. The answer comes back as the input of a tool the
// model is made to call (tool_choice names it), whose input_schema is the
// assessment schema.
import type { HttpClient } from '../../net/http-client.ts'
import {
  modelHttpClient,
  tokens,
  toolCallAnswer,
  type HttpModelClientOptions,
  type ModelAnswer,
  type ModelClient,
  type ModelRequest,
} from './model-client.ts'

export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com'
export const ANTHROPIC_VERSION = '2023-06-01'

interface MessageResponse {
  content?: ({ type: 'tool_use'; name?: string; input?: unknown } | { type: 'text'; text?: string } | { type: string })[]
  stop_reason?: string
  usage?: { input_tokens?: number; output_tokens?: number }
}

export class AnthropicModelClient implements ModelClient {
  readonly provider = 'anthropic'
  readonly model: string
  readonly #http: HttpClient

  /** `baseUrl`: up to the path `v1/messages` is appended to. */
  constructor(options: HttpModelClientOptions) {
    this.model = options.model
    const key = options.apiKey
    const auth = key ? { authorize: async () => ({ 'x-api-key': key }) } : undefined
    this.#http = modelHttpClient('anthropic', options.baseUrl ?? ANTHROPIC_BASE_URL, auth, options)
  }

  async ask(request: ModelRequest): Promise<ModelAnswer> {
    const message = await this.#http.request<MessageResponse>('POST', 'v1/messages', {
      idempotent: true,
      headers: { 'anthropic-version': ANTHROPIC_VERSION },
      body: {
        model: this.model,
        max_tokens: request.maxOutputTokens,
        temperature: 0,
        system: request.system,
        messages: [{ role: 'user', content: request.user }],
        tools: [{ name: request.schemaName, description: 'Record the assessment of every requirement.', input_schema: request.schema }],
        tool_choice: { type: 'tool', name: request.schemaName },
      },
    })
    const usage = { inputTokens: tokens(message?.usage?.input_tokens), outputTokens: tokens(message?.usage?.output_tokens) }
    const blocks = message?.content ?? []
    const call = blocks.find((block) => block.type === 'tool_use' && 'name' in block && block.name === request.schemaName)
    return toolCallAnswer(
      call && 'input' in call ? call : undefined,
      () => blocks.map((block) => ('text' in block && typeof block.text === 'string' ? block.text : '')).join(''),
      usage,
    )
  }
}
