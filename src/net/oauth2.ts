// Credentials for the provider APIs, behind the AuthProvider interface that
// HttpClient uses. A personal token is sent the way its provider documents;
// an OAuth2 access token is obtained with the refresh_token grant (RFC 6749
// §6), cached until shortly before it expires, renewed by ONE request however
// many calls wait for it, and a rotated refresh token is stored before the new
// access token is used: a token lost between two processes is an outage that
// needs a human to re-authorise, so it must never be lost.
import { backoffDelay, describeNetworkError, parseRetryAfter, pause, redact, type AuthProvider } from './http-client.ts'

/** Why a token could not be obtained. `permanent` errors need an operator; the others pass with time. */
export class OAuth2Error extends Error {
  override name = 'OAuth2Error'
  /** The RFC 6749 §5.2 error code when the endpoint sent one, else 'http_<status>', 'network' or 'storage'. */
  readonly code: string
  readonly status: number | undefined
  readonly permanent: boolean
  constructor(message: string, init: { code: string; permanent: boolean; status?: number }) {
    super(message)
    this.code = init.code
    this.permanent = init.permanent
    this.status = init.status
  }
}

export interface OAuth2TokenSourceOptions {
  tokenEndpoint: string | URL
  clientId: string
  clientSecret: string
  /** How the client authenticates (RFC 6749 §2.3.1): in the form body (default) or as HTTP basic auth. */
  clientAuth?: 'client_secret_post' | 'client_secret_basic'
  /** The current refresh token, read before every refresh so a token rotated by another process is used. */
  loadRefreshToken: () => Promise<string | undefined> | string | undefined
  /** Stores a rotated refresh token; awaited before the new access token is handed out. */
  onRefreshToken?: (refreshToken: string) => Promise<void> | void
  scope?: string
  /** Sent as `redirect_uri` with every refresh, for providers that want it there too (Asana lists it as required). */
  redirectUri?: string
  /** Name used in messages ('asana', 'jira'). */
  provider?: string
  /** Per token request (default 10 s). */
  timeoutMs?: number
  /** Attempts per refresh on 5xx, 429 and network errors, the first included (default 3). */
  maxAttempts?: number
  baseDelayMs?: number
  maxRetryWaitMs?: number
  /** Renew this long before expiry (default 60 s), or at 90 % of the lifetime when that is sooner. */
  earlyRefreshMs?: number
  userAgent?: string
  /** Clock, replaceable so expiry can be tested without waiting. */
  now?: () => number
  random?: () => number
}

interface CachedToken {
  header: string
  refreshAt: number
  expiresAt: number
}

interface TokenAnswer {
  access_token?: unknown
  token_type?: unknown
  expires_in?: unknown
  refresh_token?: unknown
  error?: unknown
  error_description?: unknown
}

// Visible ASCII only: anything else would either break the header or make fetch echo the value in its error.
const HEADER_SAFE = /^[\x21-\x7e]+$/
const MAX_TOKEN_ANSWER_BYTES = 64 * 1024

export class OAuth2TokenSource implements AuthProvider {
  readonly #options: OAuth2TokenSourceOptions
  readonly #endpoint: URL
  readonly #provider: string
  readonly #now: () => number
  #cached: CachedToken | undefined
  #refreshing: Promise<CachedToken> | undefined
  /** A rotated refresh token that could not be stored yet (or no store was given): it is the one that works now. */
  #unsaved: string | undefined
  /** The last refresh token the endpoint refused: not sent again until the store holds another. */
  #rejected: string | undefined

  constructor(options: OAuth2TokenSourceOptions) {
    this.#options = options
    this.#endpoint = new URL(options.tokenEndpoint)
    this.#provider = options.provider ?? this.#endpoint.host
    this.#now = options.now ?? Date.now
    if (!options.clientId || !options.clientSecret) throw new Error(`${this.#provider}: OAuth2 needs a client id and a client secret`)
  }

  async authorize(): Promise<Record<string, string>> {
    return { authorization: await this.#header() }
  }

  /** Drops the cached token if it is the one the API refused, so the next call refreshes (once, for all callers). */
  onUnauthorized(rejected: Record<string, string>): boolean {
    const used = rejected.authorization ?? rejected.Authorization
    if (this.#cached && (used === undefined || used === this.#cached.header)) this.#cached = undefined
    return true
  }

  /** Forces the next call to refresh. */
  invalidate(): void {
    this.#cached = undefined
  }

  /** The current access token, refreshed when needed. */
  async accessToken(): Promise<string> {
    return (await this.#header()).slice('Bearer '.length)
  }

  async #header(): Promise<string> {
    const cached = this.#cached
    if (cached && this.#now() < cached.refreshAt) return cached.header
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined
    })
    try {
      return (await this.#refreshing).header
    } catch (error) {
      // Renewal runs early, so a passing outage of the token endpoint need not stop calls the old token still covers.
      const stillValid = this.#cached ?? cached
      if (error instanceof OAuth2Error && !error.permanent && stillValid && this.#now() < stillValid.expiresAt) return stillValid.header
      throw error
    }
  }

  async #refresh(): Promise<CachedToken> {
    const tried = new Set<string>()
    for (;;) {
      const stored = cleanToken(await this.#options.loadRefreshToken())
      const refreshToken = this.#unsaved ?? stored
      if (!refreshToken) {
        throw new OAuth2Error(`${this.#provider}: no OAuth2 refresh token is configured: authorise hireflow and store the refresh token`, {
          code: 'no_refresh_token',
          permanent: true,
        })
      }
      if (refreshToken === this.#rejected) throw this.#invalidGrant()
      tried.add(refreshToken)
      const startedAt = this.#now()
      let answer: TokenAnswer
      try {
        answer = await this.#requestToken(refreshToken)
      } catch (error) {
        if (!(error instanceof OAuth2Error) || error.code !== 'invalid_grant') throw error
        this.#unsaved = undefined
        // Another process may have rotated the token between our read and our request: try the stored one once.
        const current = cleanToken(await this.#options.loadRefreshToken())
        if (current && !tried.has(current)) continue
        this.#rejected = refreshToken
        throw error
      }
      const token = this.#toCachedToken(answer, startedAt)
      const next = typeof answer.refresh_token === 'string' && answer.refresh_token ? answer.refresh_token : refreshToken
      if (next !== stored) await this.#keep(next)
      this.#cached = token
      return token
    }
  }

  /** Stores a rotated refresh token; until that succeeds it stays in memory and is the one used. */
  async #keep(refreshToken: string): Promise<void> {
    this.#unsaved = refreshToken
    if (!this.#options.onRefreshToken) return
    try {
      await this.#options.onRefreshToken(refreshToken)
    } catch (error) {
      const reason = redact(error instanceof Error ? error.message : String(error), [refreshToken])
      throw new OAuth2Error(
        `${this.#provider}: the rotated refresh token could not be stored (${reason}); it will be stored on the next try`,
        {
          code: 'storage',
          permanent: false,
        },
      )
    }
    this.#unsaved = undefined
  }

  #toCachedToken(answer: TokenAnswer, startedAt: number): CachedToken {
    const accessToken = answer.access_token
    if (typeof accessToken !== 'string' || !HEADER_SAFE.test(accessToken)) {
      throw new OAuth2Error(`${this.#provider}: the token endpoint answered without a usable access_token`, {
        code: 'invalid_response',
        permanent: false,
      })
    }
    if (answer.token_type !== undefined && String(answer.token_type).toLowerCase() !== 'bearer') {
      throw new OAuth2Error(
        `${this.#provider}: the token endpoint issued an unsupported token type (${String(answer.token_type).slice(0, 20)})`,
        {
          code: 'unsupported_token_type',
          permanent: true,
        },
      )
    }
    const seconds = Number(answer.expires_in)
    // Without expires_in the token is used until the API refuses it (onUnauthorized then renews it).
    if (!(seconds > 0)) return { header: `Bearer ${accessToken}`, refreshAt: Infinity, expiresAt: Infinity }
    const lifetime = seconds * 1000
    const early = Math.min(this.#options.earlyRefreshMs ?? 60_000, lifetime * 0.1)
    return { header: `Bearer ${accessToken}`, refreshAt: startedAt + lifetime - early, expiresAt: startedAt + lifetime }
  }

  #invalidGrant(description = ''): OAuth2Error {
    return new OAuth2Error(
      `${this.#provider}: the refresh token was rejected (invalid_grant${description ? `: ${description}` : ''}): re-authorise hireflow with ${this.#provider} and store the new refresh token`,
      { code: 'invalid_grant', permanent: true },
    )
  }

  async #requestToken(refreshToken: string): Promise<TokenAnswer> {
    const { clientId, clientSecret } = this.#options
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken })
    if (this.#options.scope) form.set('scope', this.#options.scope)
    if (this.#options.redirectUri) form.set('redirect_uri', this.#options.redirectUri)
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      'user-agent': this.#options.userAgent ?? 'hireflow',
    }
    if (this.#options.clientAuth === 'client_secret_basic') {
      // RFC 6749 §2.3.1: each part form-encoded before the basic-auth encoding.
      headers.authorization = `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`
    } else {
      form.set('client_id', clientId)
      form.set('client_secret', clientSecret)
    }
    const secrets = [refreshToken, clientSecret, headers.authorization ?? '']
    const maxAttempts = Math.max(1, this.#options.maxAttempts ?? 3)
    const timeoutMs = this.#options.timeoutMs ?? 10_000
    const maxWait = this.#options.maxRetryWaitMs ?? 10_000
    const where = `${this.#provider}: token endpoint ${this.#endpoint.host}${this.#endpoint.pathname}`

    for (let attempt = 1; ; attempt++) {
      const backoff = backoffDelay(attempt, this.#options.baseDelayMs ?? 250, maxWait, this.#options.random)
      let response: Response
      try {
        // The body carries secrets: never let a redirect carry it somewhere else.
        response = await fetch(this.#endpoint, {
          method: 'POST',
          headers,
          body: form.toString(),
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'manual',
        })
      } catch (error) {
        const failure = describeNetworkError(error, timeoutMs)
        // Retrying after the endpoint may have got the request is still right: if it rotated the token, the
        // answer is invalid_grant and an operator is told, which beats giving up on a passing fault.
        if (attempt < maxAttempts) {
          await pause(backoff)
          continue
        }
        throw new OAuth2Error(`${where} failed: ${redact(failure.detail, secrets)}`, { code: 'network', permanent: false })
      }

      const status = response.status
      if (status >= 200 && status < 300) {
        const text = await readText(response)
        let answer: TokenAnswer
        try {
          answer = JSON.parse(text) as TokenAnswer
        } catch {
          throw new OAuth2Error(`${where} answered ${status} with a body that is not JSON`, {
            code: 'invalid_response',
            status,
            permanent: false,
          })
        }
        if (answer && typeof answer === 'object' && answer.error === undefined) return answer
        return this.#oauthError(where, status, answer, secrets)
      }
      if (status === 429 || status === 408 || status >= 500) {
        const hinted = parseRetryAfter(response.headers.get('retry-after'))
        await response.body?.cancel().catch(() => {})
        if (attempt < maxAttempts && (hinted ?? 0) <= maxWait) {
          await pause(Math.max(hinted ?? 0, backoff))
          continue
        }
        throw new OAuth2Error(`${where} answered ${status} after ${attempt} attempt(s)`, {
          code: `http_${status}`,
          status,
          permanent: false,
        })
      }
      if (status >= 300 && status < 400) {
        await response.body?.cancel().catch(() => {})
        throw new OAuth2Error(`${where} answered with a redirect (${status}); configure the final token endpoint URL`, {
          code: `http_${status}`,
          status,
          permanent: true,
        })
      }
      const text = await readText(response)
      let answer: TokenAnswer | undefined
      try {
        answer = JSON.parse(text) as TokenAnswer
      } catch {
        answer = undefined
      }
      if (answer && typeof answer === 'object' && typeof answer.error === 'string') return this.#oauthError(where, status, answer, secrets)
      const snippet = redact(text.replace(/\s+/g, ' ').trim(), secrets).slice(0, 200)
      throw new OAuth2Error(`${where} answered ${status}${snippet ? `: ${snippet}` : ''}`, {
        code: `http_${status}`,
        status,
        permanent: status >= 400 && status < 500,
      })
    }
  }

  /** RFC 6749 §5.2 error answer: every one of them needs an operator, except a server that calls itself unavailable. */
  #oauthError(where: string, status: number, answer: TokenAnswer, secrets: string[]): never {
    const code = typeof answer.error === 'string' ? answer.error.slice(0, 40) : 'unknown_error'
    const description =
      typeof answer.error_description === 'string' ? redact(answer.error_description.replace(/\s+/g, ' '), secrets).slice(0, 200) : ''
    if (code === 'invalid_grant') throw this.#invalidGrant(description)
    if (code === 'invalid_client' || code === 'unauthorized_client') {
      throw new OAuth2Error(`${where}: the client credentials were rejected (${code}): check the client id and secret`, {
        code,
        status,
        permanent: true,
      })
    }
    const transient = code === 'temporarily_unavailable' || code === 'server_error'
    throw new OAuth2Error(`${where} answered ${status} (${code}${description ? `: ${description}` : ''})`, {
      code,
      status,
      permanent: !transient,
    })
  }
}

async function readText(response: Response): Promise<string> {
  const reader = response.body?.getReader()
  if (!reader) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    size += value.byteLength
    if (size > MAX_TOKEN_ANSWER_BYTES) {
      await reader.cancel().catch(() => {})
      break
    }
  }
  return Buffer.concat(chunks).toString('utf8')
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2)
}

function cleanToken(value: string | undefined): string | undefined {
  const token = value?.trim()
  return token ? token : undefined
}

/**
 * How a personal token is presented: `bearer` (Asana PAT: `Bearer <pat>`),
 * `plain` (ClickUp personal token: the token itself, no scheme) or `basic`
 * (Jira Cloud API token: basic auth with the account's email as user).
 */
export type TokenFormat = 'bearer' | 'plain' | 'basic'

export interface StaticTokenSourceOptions {
  token: string
  format?: TokenFormat
  /** The account's email, for `basic`. */
  username?: string
}

/** A personal token: nothing to renew, so a 401 is final. */
export class StaticTokenSource implements AuthProvider {
  readonly #header: string

  constructor(options: StaticTokenSourceOptions) {
    const token = options.token.trim()
    const format = options.format ?? 'bearer'
    // The messages never repeat the token: they end up in logs.
    if (!token) throw new Error('the API token is empty')
    if (!HEADER_SAFE.test(token)) throw new Error('the API token contains spaces or characters not allowed in an HTTP header')
    if (format === 'basic') {
      const username = options.username?.trim()
      if (!username) throw new Error('a basic-auth API token needs the account email as user')
      this.#header = `Basic ${Buffer.from(`${username}:${token}`).toString('base64')}`
    } else {
      this.#header = format === 'plain' ? token : `Bearer ${token}`
    }
  }

  /** The format each provider documents for its personal tokens. */
  static forProvider(provider: 'clickup' | 'asana' | 'jira', token: string, username?: string): StaticTokenSource {
    if (provider === 'clickup') return new StaticTokenSource({ token, format: 'plain' })
    // Jira Cloud API tokens are basic auth with the email; a Jira personal access token (Data Center) is a bearer token.
    if (provider === 'jira' && username) return new StaticTokenSource({ token, format: 'basic', username })
    return new StaticTokenSource({ token, format: 'bearer' })
  }

  async authorize(): Promise<Record<string, string>> {
    return { authorization: this.#header }
  }

  onUnauthorized(): boolean {
    return false
  }
}
