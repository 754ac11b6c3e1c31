// One call to a language model, whatever its wire format: the system prompt and
// the user message go in; the structured answer (already parsed from the tool
// call or the JSON text) and the tokens it cost come out.
import { HttpClient, type AuthProvider } from '../../net/http-client.ts'

export interface ModelRequest {
  system: string
  user: string
  /** JSON schema of the answer; sent as a tool's input schema or as the response format. */
  schema: Record<string, unknown>
  /** Name of that tool or schema. */
  schemaName: string
  maxOutputTokens: number
}

export interface ModelAnswer {
  /** The parsed answer; a string when the model answered with text that is not JSON (the caller rejects it). */
  answer: unknown
  inputTokens: number
  outputTokens: number
}

export interface ModelClient {
  /** `bedrock`, `openai` or `anthropic`. */
  readonly provider: string
  readonly model: string
  /** Rejects when the call fails after the client's own transport retries (timeout, 5xx, 429, refused). */
  ask(request: ModelRequest): Promise<ModelAnswer>
}

/** What a client that speaks a provider's HTTP API itself (OpenAI, Anthropic) is built from. */
export interface HttpModelClientOptions {
  model: string
  /** Up to the path of the call; undefined: the provider's public API. */
  baseUrl?: string
  apiKey?: string
  timeoutMs: number
  /** Transport attempts per call (429, 5xx, network), the first included. */
  maxAttempts?: number
  baseDelayMs?: number
}

/** The transport of such a client: one retry unless told otherwise, as a model that timed out twice will not answer a third time in a useful while. */
export function modelHttpClient(
  provider: string,
  baseUrl: string | URL,
  auth: AuthProvider | undefined,
  options: HttpModelClientOptions,
): HttpClient {
  return new HttpClient({
    baseUrl,
    provider,
    auth,
    timeoutMs: options.timeoutMs,
    maxAttempts: options.maxAttempts ?? 2,
    baseDelayMs: options.baseDelayMs,
  })
}

/** The answer of a model made to call a tool: the call's input, or, from a model that wrote text instead, that text read as JSON. */
export function toolCallAnswer(call: { input?: unknown } | undefined, text: () => string, usage: Omit<ModelAnswer, 'answer'>): ModelAnswer {
  if (call) return { answer: call.input, ...usage }
  return { answer: parseJsonText(text()), ...usage }
}

/** JSON text from a model, or the text itself when it is not JSON (tolerating a fenced code block around it). */
export function parseJsonText(text: string): unknown {
  const unfenced = text
    .trim()
    .replace(/^```(?:json)?\s*/i, '')
    .replace(/\s*```$/, '')
  try {
    return JSON.parse(unfenced)
  } catch {
    return text
  }
}

/** A count from a usage block, 0 when the provider left it out. */
export function tokens(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : 0
}
