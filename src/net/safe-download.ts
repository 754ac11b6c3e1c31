// Downloading from a URL someone else chose (an attachment link from a task
// manager or a mailbox): only to allow-listed hosts, over https, never to a
// private address, with every redirect judged like the first URL, credentials
// kept to the host they were meant for, and the size and time bounded while
// reading, so a hostile or broken link costs one refused download and nothing
// else.
import { lookup as systemLookup } from 'node:dns/promises'
import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import { urlToHttpOptions } from 'node:url'
import { isPrivateAddress } from './public-address.ts'

export interface ResolvedAddress {
  address: string
  family: number
}

/** Turns a host name into the addresses to connect to. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>

export interface DownloadPolicy {
  /** Host names downloads may go to: exact, case-insensitive; '*.example.com' allows every subdomain of example.com (not example.com itself). */
  allowedHosts: readonly string[]
  /**
   * Hosts the operator configured explicitly (exact names): for these alone http is allowed and a private or loopback
   * address is accepted, e.g. a self-hosted Jira on the internal network.
   */
  trustedHosts?: readonly string[]
  /** Largest body accepted, in bytes; more is refused while reading, before it is all in memory. */
  maxBytes: number
  /** Deadline for the whole download: every redirect, connect, headers and body. */
  timeoutMs: number
  /** Deadline for each connection to be established (name resolution included); defaults to timeoutMs. */
  connectTimeoutMs?: number
  /** Redirects followed before giving up (default 5; 0 follows none). */
  maxRedirects?: number
  /** How host names become addresses; defaults to the system resolver (dns.lookup). */
  resolve?: Resolver
}

export interface DownloadRequest {
  /** Sent only to the origin (scheme, host, port) of the URL first asked for: a redirect elsewhere never sees them. */
  headers?: Record<string, string>
  /** Headers for one URL, asked for every request including redirects, for callers that decide per host. */
  headersFor?: (url: URL) => Record<string, string> | undefined
}

export interface Download {
  bytes: Buffer
  contentType: string | null
  /** The URL the body came from after redirects; it may carry a signed query string, so keep it out of logs. */
  finalUrl: string
  /** The filename of Content-Disposition, as the server sent it: untrusted, sanitise before showing or storing it. */
  filename?: string
}

export type DownloadRefusal =
  | 'bad_url'
  | 'host_not_allowed'
  | 'insecure_scheme'
  | 'private_address'
  | 'too_many_redirects'
  | 'bad_status'
  | 'too_large'
  | 'timeout'
  | 'network_error'

/**
 * Why a download did not happen. `retryable` is true only where trying again later can succeed (a timeout, a network
 * failure, a 5xx or 429 answer); everything else is a property of the URL or the file and fails the same way again.
 * Messages name the host, never the path or query, which often carry signed tokens.
 */
export class DownloadRefusedError extends Error {
  override readonly name = 'DownloadRefusedError'
  readonly reason: DownloadRefusal
  readonly retryable: boolean
  readonly host: string | undefined
  /** The HTTP status, for 'bad_status'. */
  readonly status: number | undefined

  constructor(
    reason: DownloadRefusal,
    message: string,
    details: { host?: string; status?: number; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.reason = reason
    this.host = details.host
    this.status = details.status
    this.retryable = details.retryable ?? (reason === 'timeout' || reason === 'network_error')
  }
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])
const DEFAULT_MAX_REDIRECTS = 5

interface Rules {
  exact: Set<string>
  suffixes: string[]
  trusted: Set<string>
  maxBytes: number
  connectTimeoutMs: number
  maxRedirects: number
  resolve: Resolver
}

function normalizeHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
}

function rulesOf(policy: DownloadPolicy): Rules {
  const allowed = policy.allowedHosts.map(normalizeHost).filter((host) => host !== '')
  return {
    exact: new Set(allowed.filter((host) => !host.startsWith('*.'))),
    suffixes: allowed.filter((host) => host.startsWith('*.')).map((host) => host.slice(1)),
    trusted: new Set((policy.trustedHosts ?? []).map(normalizeHost).filter((host) => host !== '')),
    maxBytes: policy.maxBytes,
    connectTimeoutMs: policy.connectTimeoutMs ?? policy.timeoutMs,
    maxRedirects: policy.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
    resolve: policy.resolve ?? ((hostname) => systemLookup(hostname, { all: true, order: 'verbatim' })),
  }
}

const hostOf = (url: URL) => normalizeHost(url.hostname)

function parseUrl(text: string, base?: URL): URL {
  try {
    return new URL(text, base)
  } catch {
    throw new DownloadRefusedError('bad_url', 'download refused: the link is not a valid URL')
  }
}

/** Throws unless the URL may be requested at all; the address behind a host name is judged later, at connect time. */
function admit(url: URL, rules: Rules): URL {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new DownloadRefusedError('bad_url', `download refused: ${url.protocol} links are not downloaded`)
  }
  const host = hostOf(url)
  if (url.username !== '' || url.password !== '') {
    throw new DownloadRefusedError('bad_url', `download from ${host} refused: credentials in the URL are not accepted`, { host })
  }
  const trusted = rules.trusted.has(host)
  // Node connects to a literal IP without any lookup, so it is judged here.
  if (!trusted && isIP(host) !== 0 && isPrivateAddress(host)) {
    throw new DownloadRefusedError('private_address', `download from ${host} refused: not a public address`, { host })
  }
  const allowed = trusted || rules.exact.has(host) || (isIP(host) === 0 && rules.suffixes.some((suffix) => host.endsWith(suffix)))
  if (!allowed) throw new DownloadRefusedError('host_not_allowed', `download from ${host} refused: host is not allowed`, { host })
  if (url.protocol === 'http:' && !trusted) {
    throw new DownloadRefusedError('insecure_scheme', `download from ${host} refused: only https is allowed`, { host })
  }
  return url
}

/**
 * Resolves and judges in one step, inside the connection attempt: the addresses checked are the addresses connected
 * to, so a name that answers with a public address to a check and a private one to the connect (DNS rebinding) gains
 * nothing.
 */
function guardedLookup(host: string, trusted: boolean, resolve: Resolver): LookupFunction {
  return (hostname, options, callback) => {
    const judged = (async () => {
      const found = await resolve(hostname)
      if (!trusted) {
        const inside = found.find((entry) => isPrivateAddress(entry.address))
        if (inside) {
          throw new DownloadRefusedError('private_address', `download from ${host} refused: it resolves to a non-public address`, { host })
        }
      }
      const family = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0
      const usable = family === 0 ? found : found.filter((entry) => entry.family === family)
      if (usable.length === 0) throw Object.assign(new Error(`no address found for ${host}`), { code: 'ENOTFOUND' })
      return usable
    })()
    void judged.then(
      (usable) => (options.all ? callback(null, usable) : callback(null, usable[0]!.address, usable[0]!.family)),
      (error: Error) => callback(error, ''),
    )
  }
}

function open(url: URL, headers: Record<string, string>, rules: Rules, signal: AbortSignal) {
  return new Promise<{ request: ClientRequest; response: IncomingMessage }>((resolve, reject) => {
    const host = hostOf(url)
    const options: RequestOptions = {
      ...urlToHttpOptions(url),
      method: 'GET',
      headers,
      // One connection per request: nothing pooled is reused for a host judged differently.
      agent: false,
      signal,
      lookup: guardedLookup(host, rules.trusted.has(host), rules.resolve),
    }
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(options)
    const connectTimer = setTimeout(() => {
      request.destroy(
        new DownloadRefusedError('timeout', `download from ${host} failed: no connection within ${rules.connectTimeoutMs} ms`, { host }),
      )
    }, rules.connectTimeoutMs)
    request.once('socket', (socket) => {
      if (socket.connecting) socket.once('connect', () => clearTimeout(connectTimer))
      else clearTimeout(connectTimer)
    })
    request.once('response', (response) => {
      clearTimeout(connectTimer)
      resolve({ request, response })
    })
    // Kept for the request's whole life: an error after the response is read through the body instead.
    request.on('error', (error) => {
      clearTimeout(connectTimer)
      reject(error)
    })
    request.end()
  })
}

async function readCapped(request: ClientRequest, response: IncomingMessage, maxBytes: number, host: string): Promise<Buffer> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of response as AsyncIterable<Buffer>) {
    total += chunk.length
    if (total > maxBytes) {
      request.destroy()
      throw new DownloadRefusedError('too_large', `download from ${host} refused: larger than ${maxBytes} bytes`, { host })
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks, total)
}

function percentDecode(text: string, charset: string): string | undefined {
  const bytes: number[] = []
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%' && /^[0-9a-f]{2}$/i.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16))
      i += 2
    } else bytes.push(text.charCodeAt(i) & 0xff)
  }
  try {
    return new TextDecoder(charset, { fatal: true }).decode(new Uint8Array(bytes))
  } catch {
    return undefined
  }
}

/** The filename of a Content-Disposition header (RFC 6266): filename* (RFC 8187) preferred over filename. */
function dispositionFilename(header: string | undefined): string | undefined {
  if (!header) return undefined
  const extended = /(?:^|;)\s*filename\*\s*=\s*([\w!#$%&+.^`{}~-]+)'[\w-]*'([^;\s]*)/i.exec(header)
  if (extended) {
    const charset = extended[1]!.toLowerCase()
    const decoded = charset === 'utf-8' || charset === 'iso-8859-1' ? percentDecode(extended[2]!, charset) : undefined
    if (decoded) return decoded
  }
  const plain = /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(header)
  const name = plain?.[1]?.replace(/\\(.)/g, '$1') ?? plain?.[2]
  return name || undefined
}

/**
 * Downloads `url` under `policy`: https to allowed hosts only (http and private addresses only for trusted hosts),
 * every redirect re-checked, `request.headers` sent to the original origin only, the body capped at maxBytes while it
 * streams, the whole exchange bounded by timeoutMs. Every failure is a DownloadRefusedError.
 */
export async function safeDownload(url: string, policy: DownloadPolicy, request: DownloadRequest = {}): Promise<Download> {
  const rules = rulesOf(policy)
  const deadline = new AbortController()
  const timer = setTimeout(() => deadline.abort(), policy.timeoutMs)
  let target: URL | undefined
  try {
    target = admit(parseUrl(url), rules)
    const origin = target.origin
    for (let redirects = 0; ; redirects++) {
      const host = hostOf(target)
      const headers = { ...(target.origin === origin ? request.headers : undefined), ...request.headersFor?.(target) }
      const { request: sent, response } = await open(target, headers, rules, deadline.signal)
      const status = response.statusCode ?? 0
      if (REDIRECT_STATUSES.has(status)) {
        sent.destroy()
        const location = response.headers.location
        if (!location) {
          throw new DownloadRefusedError('bad_status', `download from ${host} failed: redirect without a location`, { host, status })
        }
        if (redirects >= rules.maxRedirects) {
          throw new DownloadRefusedError('too_many_redirects', `download from ${host} refused: more than ${rules.maxRedirects} redirects`, {
            host,
          })
        }
        target = admit(parseUrl(location, target), rules)
        continue
      }
      if (status < 200 || status > 299) {
        sent.destroy()
        throw new DownloadRefusedError('bad_status', `download from ${host} failed: HTTP ${status}`, {
          host,
          status,
          retryable: status >= 500 || status === 429,
        })
      }
      const declared = Number(response.headers['content-length'])
      if (declared > rules.maxBytes) {
        sent.destroy()
        throw new DownloadRefusedError('too_large', `download from ${host} refused: ${declared} bytes is more than ${rules.maxBytes}`, {
          host,
        })
      }
      const bytes = await readCapped(sent, response, rules.maxBytes, host)
      const filename = dispositionFilename(response.headers['content-disposition'])
      return { bytes, contentType: response.headers['content-type'] ?? null, finalUrl: target.href, ...(filename ? { filename } : {}) }
    }
  } catch (error) {
    if (error instanceof DownloadRefusedError) throw error
    const host = target ? hostOf(target) : undefined
    if (deadline.signal.aborted) {
      throw new DownloadRefusedError('timeout', `download from ${host} failed: not finished within ${policy.timeoutMs} ms`, { host })
    }
    const code = (error as NodeJS.ErrnoException).code
    throw new DownloadRefusedError('network_error', `download from ${host} failed: ${code ?? (error as Error).message}`, {
      host,
      cause: error,
    })
  } finally {
    clearTimeout(timer)
  }
}
