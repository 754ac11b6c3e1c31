// Microsoft Entra tokens for Graph, from @azure/msal-node's client-credentials
// flow. MSAL keeps the token in its in-memory cache and hands it out until
// shortly before it expires, so there is one token request per expiry, not
// one per call. A 401 from Graph drops it (the next call asks Entra again,
// once). Entra calls get a deadline and a few retries with backoff; an
// answer that says the app itself is wrong (a bad secret, an unknown tenant)
// is not retried: it needs an operator, and the mailbox is unhealthy until
// then with the reason.
import { createHash, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { ConfidentialClientApplication, LogLevel, type Configuration } from '@azure/msal-node'
import type { FastifyBaseLogger } from 'fastify'
import type { GraphMailboxConfig } from '../../config.ts'
import { backoffDelay, pause, type AuthProvider } from '../../net/http-client.ts'
import { withDeadline } from '../../async/deadline.ts'

/** Entra's own host: MSAL knows it; any other authority (a sovereign cloud, a stand-in) is trusted by name. */
const PUBLIC_AUTHORITY_HOST = 'login.microsoftonline.com'
const TOKEN_TIMEOUT_MS = 15_000
const TOKEN_ATTEMPTS = 3
const TOKEN_BASE_DELAY_MS = 500

/** A token could not be obtained from Entra. `permanent`: the app registration or its credential is wrong. */
export class GraphTokenError extends Error {
  override name = 'GraphTokenError'
  readonly permanent: boolean
  constructor(message: string, permanent: boolean, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause })
    this.permanent = permanent
  }
}

/** The certificate and private key of GRAPH_CLIENT_CERTIFICATE_PATH, as MSAL wants them. */
function certificateCredential(path: string): NonNullable<Configuration['auth']['clientCertificate']> {
  let pem: string
  try {
    pem = readFileSync(path, 'utf8')
  } catch (error) {
    throw new GraphTokenError(`GRAPH_CLIENT_CERTIFICATE_PATH cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, true)
  }
  const certificate = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0]
  const privateKey = /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/.exec(pem)?.[0]
  if (!certificate || !privateKey) {
    throw new GraphTokenError('GRAPH_CLIENT_CERTIFICATE_PATH must hold the certificate and its private key, both PEM', true)
  }
  const der = new X509Certificate(certificate).raw
  return { thumbprintSha256: createHash('sha256').update(der).digest('hex'), privateKey, x5c: certificate }
}

/** Entra error codes that only an operator can fix: retrying cannot help. */
const PERMANENT_CODES =
  /invalid_client|unauthorized_client|invalid_scope|invalid_request|AADSTS(?:700016|7000215|7000222|90002|50034|500011)/i

export class MsalTokenSource implements AuthProvider {
  readonly #app: ConfidentialClientApplication
  readonly #scopes: string[]
  #skipCache = false

  constructor(settings: GraphMailboxConfig, log: FastifyBaseLogger) {
    const authorityUrl = new URL(settings.authority)
    const known = authorityUrl.hostname.toLowerCase() === PUBLIC_AUTHORITY_HOST ? [] : [authorityUrl.host]
    this.#scopes = settings.scopes
    this.#app = new ConfidentialClientApplication({
      auth: {
        clientId: settings.clientId,
        authority: `${settings.authority}/${settings.tenantId}`,
        ...(known.length > 0 ? { knownAuthorities: known } : {}),
        ...(settings.credential.kind === 'secret'
          ? { clientSecret: settings.credential.secret }
          : { clientCertificate: certificateCredential(settings.credential.path) }),
      },
      system: {
        loggerOptions: {
          // MSAL's own lines never carry tokens or secrets with piiLoggingEnabled off.
          piiLoggingEnabled: false,
          logLevel: LogLevel.Warning,
          loggerCallback: (level, message) => {
            if (level <= LogLevel.Warning) log.warn({ msal: message.slice(0, 300) }, 'msal')
          },
        },
      },
    })
  }

  async authorize(): Promise<Record<string, string>> {
    return { authorization: `Bearer ${await this.token()}` }
  }

  /** Graph refused the token: the next call fetches a new one instead of the cached one. */
  onUnauthorized(): boolean {
    this.#skipCache = true
    return true
  }

  /** An access token: MSAL's cached one while valid. */
  async token(): Promise<string> {
    const skipCache = this.#skipCache
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await withDeadline(
          this.#app.acquireTokenByClientCredential({ scopes: this.#scopes, ...(skipCache ? { skipCache: true } : {}) }),
          TOKEN_TIMEOUT_MS,
          () => new GraphTokenError(`Microsoft Entra did not answer within ${TOKEN_TIMEOUT_MS} ms`, false),
        )
        if (!result?.accessToken) throw new GraphTokenError('Microsoft Entra answered without an access token', false)
        this.#skipCache = false
        return result.accessToken
      } catch (error) {
        const failure = describeTokenFailure(error)
        if (failure.permanent || attempt >= TOKEN_ATTEMPTS) throw failure
        await pause(backoffDelay(attempt, TOKEN_BASE_DELAY_MS, 10_000))
      }
    }
  }
}

function describeTokenFailure(error: unknown): GraphTokenError {
  if (error instanceof GraphTokenError) return error
  const { errorCode, errorMessage, message } = error as { errorCode?: string; errorMessage?: string; message?: string }
  const text = `${errorCode ?? ''} ${errorMessage ?? message ?? ''}`
  // The first line of Entra's description names the problem (AADSTS code and sentence); the rest is trace ids.
  const reason = (errorMessage ?? message ?? String(error)).split(/\r?\n/)[0]!.slice(0, 240)
  const permanent = PERMANENT_CODES.test(text)
  return new GraphTokenError(`no Microsoft Graph token from Entra: ${errorCode ? `${errorCode}: ` : ''}${reason}`, permanent, error)
}
