// A small JSON client for the task managers' REST APIs. Every call has a
// timeout and bounded retries with backoff; a rate limit is honoured while the
// wait is short and handed back to the job (RateLimitedError.retryAt) when it
// is not; a rejected token is renewed once. Credentials never leave the base
// URL's origin and never appear in an error: the message names the provider,
// the method and the path, nothing from the query string or the auth headers.
import { setTimeout as sleep } from 'node:timers/promises'

/** Gives the headers that authenticate a call; see StaticTokenSource and OAuth2TokenSource. */
export interface AuthProvider {
  authorize(): Promise<Record<string, string>>
  /**
   * Called once when the API answers 401 to a call made with `rejected`
   * headers. Returning false says nothing can change (a personal token), so
   * the call is not repeated.
   */
  onUnauthorized?(rejected: Record<string, string>): Promise<boolean | void> | boolean | void
}

export type HttpMethod = 'GET' | 'HEAD' | 'OPTIONS' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export type QueryValue = string | number | boolean | undefined | null | ReadonlyArray<string | number | boolean>

export interface RequestOptions {
  /** Appended to the URL; an array repeats the key (ClickUp's `tags[]=a&tags[]=b`); undefined and null are left out. */
  query?: Record<string, QueryValue>
  /** Sent as JSON. */
  body?: unknown
  headers?: Record<string, string>
  /** Per attempt, body included. */
  timeoutMs?: number
  signal?: AbortSignal
  /** The caller knows repeating this POST/PUT/PATCH/DELETE is harmless, so it may be retried after the server got it. */
  idempotent?: boolean
}

export interface RetryInfo {
  attempt: number
  delayMs: number
  method: string
  path: string
  /** HTTP status, or the network error code ('ETIMEDOUT' for our own timeout). */
  reason: number | string
}

export interface HttpClientOptions {
  baseUrl: string | URL
  /** Name used in error messages ('clickup', 'asana', 'jira'). */
  provider: string
  auth?: AuthProvider
  /** Attempts per call, the first included (default 4). */
  maxAttempts?: number
  /** First backoff ceiling; doubled per attempt, full jitter (default 500 ms). */
  baseDelayMs?: number
  /** Longest wait between attempts, a provider's Retry-After included (default 60 s). */
  maxRetryWaitMs?: number
  /** Default per-attempt timeout (default 15 s). */
  timeoutMs?: number
  userAgent?: string
  /** Largest JSON answer read (default 10 MiB): a runaway answer must not fill the memory. */
  maxResponseBytes?: number
  /** Observability hook (a log line or a metric); it gets no headers and no query string. */
  onRetry?: (info: RetryInfo) => void
  /** Source of jitter in [0, 1); replaceable so a test can make the backoff exact. */
  random?: () => number
}

/** The provider answered with an error status (after the retries that apply). */
export class ProviderHttpError extends Error {
  override name = 'ProviderHttpError'
  readonly status: number
  readonly provider: string
  readonly method: string
  /** Path only: no query string, no host. */
  readonly path: string
  /** The start of the provider's answer, whitespace folded and credentials removed. */
  readonly bodySnippet: string
  /** Repeating the same call cannot succeed (a 4xx other than 408 and 429). */
  readonly permanent: boolean
  /** When the provider said a new attempt may succeed, if it said so. */
  readonly retryAt: Date | undefined
  constructor(init: {
    status: number
    provider: string
    method: string
    path: string
    bodySnippet: string
    retryAt?: Date
    detail?: string
  }) {
    const what = init.detail ?? (init.bodySnippet ? `: ${init.bodySnippet}` : '')
    super(`${init.provider} ${init.method} ${init.path} answered ${init.status}${what}`)
    this.status = init.status
    this.provider = init.provider
    this.method = init.method
    this.path = init.path
    this.bodySnippet = init.bodySnippet
    this.permanent = isPermanentStatus(init.status)
    this.retryAt = init.retryAt
  }
}

/** 429 with a wait longer than the client may sleep: reschedule the job at retryAt instead. */
export class RateLimitedError extends ProviderHttpError {
  override name = 'RateLimitedError'
  declare readonly retryAt: Date
  constructor(init: { provider: string; method: string; path: string; bodySnippet: string; retryAt: Date }) {
    super({ ...init, status: 429, detail: ` (rate limited until ${init.retryAt.toISOString()})` })
  }
}

/** No answer: connection refused, reset, DNS failure or our own timeout. */
export class ProviderNetworkError extends Error {
  override name = 'ProviderNetworkError'
  readonly provider: string
  readonly method: string
  readonly path: string
  /** The system or undici error code; 'ETIMEDOUT' when our timeout fired. */
  readonly code: string
  readonly timedOut: boolean
  readonly permanent = false
  constructor(init: { provider: string; method: string; path: string; code: string; timedOut: boolean; detail: string }) {
    super(`${init.provider} ${init.method} ${init.path} failed: ${init.detail}`)
    this.provider = init.provider
    this.method = init.method
    this.path = init.path
    this.code = init.code
    this.timedOut = init.timedOut
  }
}

export function isPermanentStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
// Failures where the request provably never reached the server, so even a POST may be repeated.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
])
const MAX_REDIRECTS = 5
const SNIPPET_READ_BYTES = 4096
const SNIPPET_CHARS = 300

/** Full jitter: anywhere between 0 and base·2^(attempt-1), capped. */
export function backoffDelay(attempt: number, baseDelayMs: number, capMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseDelayMs * 2 ** (attempt - 1)))
}

/** Retry-After in seconds or as an HTTP date, as milliseconds from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value == null || value.trim() === '') return undefined
  const text = value.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000)
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/**
 * X-RateLimit-Reset as unix seconds (ClickUp); a small number is read as seconds from now, as some APIs send it, and
 * one over 1e12 as unix milliseconds (ClickUp does not document the unit; clients have seen both).
 */
export function parseRateLimitReset(value: string | null, now = Date.now()): number | undefined {
  if (value == null || !/^\d+(\.\d+)?$/.test(value.trim())) return undefined
  const seconds = Number(value.trim())
  if (seconds < 1e9) return Math.ceil(seconds * 1000)
  if (seconds > 1e12) return Math.max(0, Math.ceil(seconds - now))
  return Math.max(0, Math.ceil(seconds * 1000 - now))
}

const SECRET_FIELDS =
  /((?:access|refresh|id)_token|client_secret|token|password|secret|api[_-]?key|authorization)("?\s*[:=]\s*"?)(?:(?:bearer|basic)\s+)?[^"'&\s,;}]+/gi
const AUTH_SCHEMES = /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi

/** Removes the given secrets and anything that looks like a credential field from text meant for an error or a log. */
export function redact(text: string, secrets: Iterable<string> = []): string {
  let result = text
  for (const secret of secrets) if (secret.length >= 4) result = result.split(secret).join('[redacted]')
  return result.replace(SECRET_FIELDS, '$1$2[redacted]').replace(AUTH_SCHEMES, '$1 [redacted]')
}

/** Every form in which an auth header's credential could come back in an answer. */
export function secretsOf(headers: Record<string, string>): string[] {
  const secrets: string[] = []
  for (const value of Object.values(headers)) {
    secrets.push(value)
    const [scheme, credential] = value.split(/\s+(.*)/s)
    if (!credential) continue
    secrets.push(credential)
    if (scheme!.toLowerCase() === 'basic') {
      const decoded = Buffer.from(credential, 'base64').toString('utf8')
      secrets.push(decoded, decoded.slice(decoded.indexOf(':') + 1))
    }
  }
  return secrets
}

/** Reads at most `limit` bytes of a body and cancels the rest. */
async function readBounded(response: Response, limit: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  if (!response.body) return { bytes: Buffer.alloc(0), truncated: false }
  const chunks: Buffer[] = []
  let size = 0
  const reader = response.body.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return { bytes: Buffer.concat(chunks), truncated: false }
      chunks.push(Buffer.from(value))
      size += value.byteLength
      if (size > limit) {
        await reader.cancel().catch(() => {})
        return { bytes: Buffer.concat(chunks).subarray(0, limit), truncated: true }
      }
    }
  } finally {
    reader.releaseLock()
  }
}

/** The start of an error body, readable in one log line, with credentials removed. */
export async function bodySnippet(response: Response, secrets: Iterable<string> = []): Promise<string> {
  const { bytes } = await readBounded(response, SNIPPET_READ_BYTES).catch(() => ({ bytes: Buffer.alloc(0) }))
  const text = redact(
    bytes
      .toString('utf8')
      .replace(/[\s\u0000-\u001f]+/g, ' ')
      .trim(),
    secrets,
  )
  return text.length > SNIPPET_CHARS ? `${text.slice(0, SNIPPET_CHARS)}…` : text
}

/** What a network failure was, without the request's URL or headers. */
export function describeNetworkError(error: unknown, timeoutMs: number): { code: string; timedOut: boolean; detail: string } {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return { code: 'ETIMEDOUT', timedOut: true, detail: `no answer within ${timeoutMs} ms` }
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause
  const code = typeof cause?.code === 'string' ? cause.code : error instanceof Error && 'code' in error ? String(error.code) : 'ENETWORK'
  const reason = typeof cause?.message === 'string' ? cause.message : error instanceof Error ? error.message : String(error)
  return { code, timedOut: false, detail: reason }
}

/** The caller's own signal fired: stop at once, no retry, its reason rethrown. */
function throwIfCallerAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason
}

/** Sleeps, unless the caller's signal fires first: then its own reason is thrown. */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, signal ? { signal } : undefined)
  } catch (error) {
    throwIfCallerAborted(signal)
    throw error
  }
}

export class HttpClient {
  readonly provider: string
  readonly #base: URL
  readonly #auth: AuthProvider | undefined
  readonly #maxAttempts: number
  readonly #baseDelayMs: number
  readonly #maxRetryWaitMs: number
  readonly #timeoutMs: number
  readonly #userAgent: string
  readonly #maxResponseBytes: number
  readonly #onRetry: ((info: RetryInfo) => void) | undefined
  readonly #random: () => number

  constructor(options: HttpClientOptions) {
    this.provider = options.provider
    this.#base = new URL(options.baseUrl)
    this.#auth = options.auth
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 4)
    this.#baseDelayMs = options.baseDelayMs ?? 500
    this.#maxRetryWaitMs = options.maxRetryWaitMs ?? 60_000
    this.#timeoutMs = options.timeoutMs ?? 15_000
    this.#userAgent = options.userAgent ?? 'hireflow'
    this.#maxResponseBytes = options.maxResponseBytes ?? 10 * 1024 * 1024
    this.#onRetry = options.onRetry
    this.#random = options.random ?? Math.random
  }

  /** The parsed JSON answer; undefined for 204 or an empty body. */
  async request<T>(method: HttpMethod, target: string | URL, options: RequestOptions = {}): Promise<T> {
    return this.#send(method, target, options, async (response, url, secrets) => {
      if (response.status === 204 || method === 'HEAD') {
        await response.body?.cancel().catch(() => {})
        return undefined as T
      }
      const { bytes, truncated } = await readBounded(response, this.#maxResponseBytes)
      const fail = (detail: string) =>
        new ProviderHttpError({ status: response.status, provider: this.provider, method, path: url.pathname, bodySnippet: '', detail })
      if (truncated) throw fail(` with more than ${this.#maxResponseBytes} bytes`)
      if (bytes.length === 0) return undefined as T
      try {
        return JSON.parse(bytes.toString('utf8')) as T
      } catch {
        const type = response.headers.get('content-type') ?? 'no content type'
        throw fail(` with a body that is not JSON (${redact(type, secrets).slice(0, 80)})`)
      }
    })
  }

  /**
   * The successful Response, body unread, for the caller to stream (the
   * timeout keeps running while it reads). A redirect to another origin is
   * returned as it is, not followed: the caller re-checks the target and
   * fetches it without our credentials.
   */
  async requestRaw(method: HttpMethod, target: string | URL, options: RequestOptions = {}): Promise<Response> {
    return this.#send(method, target, options, async (response) => response, true)
  }

  /** The URL of a path under the base URL; an absolute URL must stay on the base URL's origin. */
  url(target: string | URL, query?: Record<string, QueryValue>): URL {
    let url: URL
    if (target instanceof URL || /^[a-z][a-z0-9+.-]*:/i.test(target)) {
      url = new URL(target)
      if (url.origin !== this.#base.origin) {
        throw new Error(`${this.provider}: refusing to send credentials to another origin than the API's (${url.protocol}//${url.host})`)
      }
    } else {
      url = new URL(this.#base)
      const [path, search] = target.split(/\?(.*)/s)
      url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path!.replace(/^\/+/, '')}`
      url.search = search ?? ''
    }
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value == null) continue
      if (Array.isArray(value)) for (const item of value) url.searchParams.append(key, String(item))
      else url.searchParams.append(key, String(value))
    }
    return url
  }

  async #send<R>(
    method: HttpMethod,
    target: string | URL,
    options: RequestOptions,
    onSuccess: (response: Response, url: URL, secrets: string[]) => Promise<R>,
    raw = false,
  ): Promise<R> {
    const requestUrl = this.url(target, options.query)
    const repeatable = SAFE_METHODS.has(method) || options.idempotent === true
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs
    let renewedAuth = false
    let attempt = 0

    for (;;) {
      attempt++
      throwIfCallerAborted(options.signal)
      const authHeaders = this.#auth ? await this.#auth.authorize() : {}
      const secrets = secretsOf(authHeaders)
      const headers: Record<string, string> = {
        accept: 'application/json',
        'user-agent': this.#userAgent,
        ...options.headers,
        ...authHeaders,
      }
      let body: string | undefined
      if (options.body !== undefined) {
        body = JSON.stringify(options.body)
        headers['content-type'] = 'application/json'
      }
      const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs)
      const path = requestUrl.pathname

      let response: Response
      let url: URL
      try {
        ;({ response, url } = await this.#fetchFollowingSameOrigin(method, requestUrl, headers, body, signal, raw))
      } catch (error) {
        throwIfCallerAborted(options.signal)
        if (error instanceof ProviderHttpError) throw error
        const failure = describeNetworkError(error, timeoutMs)
        const retriable = repeatable || NOT_SENT_CODES.has(failure.code)
        if (retriable && attempt < this.#maxAttempts) {
          await this.#pause(attempt, this.#backoff(attempt), method, path, failure.code, options.signal)
          continue
        }
        throw new ProviderNetworkError({ provider: this.provider, method, path, ...failure, detail: redact(failure.detail, secrets) })
      }

      if (response.ok || (raw && response.status >= 300 && response.status < 400)) {
        try {
          return await onSuccess(response, url, secrets)
        } catch (error) {
          throwIfCallerAborted(options.signal)
          if (error instanceof ProviderHttpError) throw error
          // The body broke off or timed out half-way: the same rules as a failure before the answer.
          const failure = describeNetworkError(error, timeoutMs)
          if (repeatable && attempt < this.#maxAttempts) {
            await this.#pause(attempt, this.#backoff(attempt), method, path, failure.code, options.signal)
            continue
          }
          throw new ProviderNetworkError({ provider: this.provider, method, path, ...failure, detail: redact(failure.detail, secrets) })
        }
      }

      const status = response.status
      const snippet = await bodySnippet(response, secrets)
      const failure = { provider: this.provider, method, path, bodySnippet: snippet }

      if (status === 401 && !renewedAuth && this.#auth?.onUnauthorized) {
        renewedAuth = true
        // A 401 says the request was not acted on, so it is repeated for any method, once.
        if ((await this.#auth.onUnauthorized(authHeaders)) !== false) {
          attempt--
          continue
        }
      }

      if (status === 429) {
        const hinted = this.#rateLimitWait(response)
        // A 429 means the request was refused, not processed: repeating it is safe for any method.
        if (hinted !== undefined && hinted > this.#maxRetryWaitMs) {
          throw new RateLimitedError({ ...failure, retryAt: new Date(Date.now() + hinted) })
        }
        const wait = hinted ?? this.#backoff(attempt)
        if (attempt >= this.#maxAttempts) throw new RateLimitedError({ ...failure, retryAt: new Date(Date.now() + wait) })
        await this.#pause(attempt, wait, method, path, status, options.signal)
        continue
      }

      if ((status >= 500 || status === 408) && repeatable && attempt < this.#maxAttempts) {
        const hinted = parseRetryAfter(response.headers.get('retry-after'))
        if (hinted === undefined || hinted <= this.#maxRetryWaitMs) {
          await this.#pause(attempt, Math.max(hinted ?? 0, this.#backoff(attempt)), method, path, status, options.signal)
          continue
        }
        throw new ProviderHttpError({ ...failure, status, retryAt: new Date(Date.now() + hinted) })
      }

      throw new ProviderHttpError({ ...failure, status })
    }
  }

  /** Follows redirects within the API's origin (credentials stay there); another origin ends the walk. */
  async #fetchFollowingSameOrigin(
    method: HttpMethod,
    start: URL,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal,
    raw: boolean,
  ): Promise<{ response: Response; url: URL }> {
    let url = start
    let currentMethod: string = method
    let currentBody = body
    for (let hop = 0; ; hop++) {
      const response = await fetch(url, { method: currentMethod, headers, body: currentBody, signal, redirect: 'manual' })
      const location = response.headers.get('location')
      if (response.status < 300 || response.status >= 400 || response.status === 304 || !location) return { response, url }
      const next = new URL(location, url)
      if (next.origin !== this.#base.origin || hop >= MAX_REDIRECTS) {
        if (raw) return { response, url }
        await response.body?.cancel().catch(() => {})
        const why = hop >= MAX_REDIRECTS ? `more than ${MAX_REDIRECTS} redirects` : 'a redirect to another origin, not followed'
        throw new ProviderHttpError({
          status: response.status,
          provider: this.provider,
          method,
          path: start.pathname,
          bodySnippet: '',
          detail: ` with ${why}`,
        })
      }
      await response.body?.cancel().catch(() => {})
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && currentMethod === 'POST')) {
        currentMethod = 'GET'
        currentBody = undefined
        delete headers['content-type']
      }
      url = next
    }
  }

  /** The longer of Retry-After and X-RateLimit-Reset, when the provider sent either. */
  #rateLimitWait(response: Response): number | undefined {
    const hints = [parseRetryAfter(response.headers.get('retry-after')), parseRateLimitReset(response.headers.get('x-ratelimit-reset'))]
    const known = hints.filter((hint): hint is number => hint !== undefined)
    return known.length ? Math.max(...known) : undefined
  }

  #backoff(attempt: number): number {
    return backoffDelay(attempt, this.#baseDelayMs, this.#maxRetryWaitMs, this.#random)
  }

  async #pause(attempt: number, delayMs: number, method: string, path: string, reason: number | string, signal?: AbortSignal) {
    this.#onRetry?.({ attempt, delayMs, method, path, reason })
    await pause(delayMs, signal)
  }
}
