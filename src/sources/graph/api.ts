// The Graph calls of one mailbox: HttpClient (deadline, bounded retries with
// backoff, Retry-After honoured on 429 and 503, one token renewal on 401)
// behind a limit of four requests in flight, as Exchange Online allows per
// mailbox before it throttles. Every call asks for immutable ids, so a
// message keeps its id when it is moved.
import { HttpClient, type HttpMethod, type RequestOptions, type RetryInfo } from '../../net/http-client.ts'
import type { AuthProvider } from '../../net/http-client.ts'

/** Exchange Online throttles a mailbox beyond four concurrent requests from one app. */
export const MAX_CONCURRENT_REQUESTS = 4
const IMMUTABLE_IDS = 'IdType="ImmutableId"'

/** Error body Graph sends with a failure: `{ error: { code, message } }`. */
export function graphErrorCode(bodySnippet: string): string | undefined {
  return /"code"\s*:\s*"([^"]+)"/.exec(bodySnippet)?.[1]
}

/** A counting semaphore: at most `limit` holders at once, the rest wait in order. */
class Limiter {
  #active = 0
  readonly #waiting: Array<() => void> = []
  readonly limit: number
  constructor(limit: number) {
    this.limit = limit
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.limit) await new Promise<void>((resolve) => this.#waiting.push(resolve))
    else this.#active++
    try {
      return await task()
    } finally {
      const next = this.#waiting.shift()
      if (next) next()
      else this.#active--
    }
  }
}

export class GraphApi {
  readonly http: HttpClient
  /** For health probes: one quick try, so an outage is reported in seconds rather than after a minute of backoff. */
  readonly #probeHttp: HttpClient
  readonly #limiter = new Limiter(MAX_CONCURRENT_REQUESTS)

  constructor(apiBase: string, auth: AuthProvider, onRetry?: (info: RetryInfo) => void) {
    this.http = new HttpClient({
      baseUrl: `${apiBase}/`,
      provider: 'graph',
      auth,
      maxAttempts: 5,
      baseDelayMs: 1_000,
      // Graph's Retry-After is usually seconds; a longer wait goes back to the job queue (RateLimitedError).
      maxRetryWaitMs: 30_000,
      timeoutMs: 30_000,
      ...(onRetry ? { onRetry } : {}),
    })
    this.#probeHttp = new HttpClient({
      baseUrl: `${apiBase}/`,
      provider: 'graph',
      auth,
      maxAttempts: 2,
      baseDelayMs: 250,
      timeoutMs: 10_000,
    })
  }

  /** One GET for a health probe: at most two quick attempts. */
  async probe(target: string, query: Record<string, string>): Promise<void> {
    await this.#limiter.run(() => this.#probeHttp.request('GET', target, { query, headers: { prefer: IMMUTABLE_IDS } }))
  }

  /** The parsed JSON answer; `prefer` adds to the Prefer header (e.g. `odata.maxpagesize=50`). */
  async request<T>(method: HttpMethod, target: string | URL, options: RequestOptions & { prefer?: string[] } = {}): Promise<T> {
    const { prefer = [], ...rest } = options
    return this.#limiter.run(() =>
      this.http.request<T>(method, target, { ...rest, headers: { ...rest.headers, prefer: [IMMUTABLE_IDS, ...prefer].join(', ') } }),
    )
  }

  /** The response unread, for the caller to stream; it holds one of the four slots until `release` is called. */
  async requestRaw(
    method: HttpMethod,
    target: string | URL,
    options: RequestOptions = {},
  ): Promise<{ response: Response; release: () => void }> {
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    const started = Promise.withResolvers<Response>()
    void this.#limiter
      .run(async () => {
        const response = await this.http.requestRaw(method, target, { ...options, headers: { ...options.headers, prefer: IMMUTABLE_IDS } })
        started.resolve(response)
        await held
      })
      .catch((error: unknown) => started.reject(error))
    return { response: await started.promise, release }
  }
}
