// One IMAP session per piece of work: connect, log in, do it, log out. A
// job touches the mailbox a few times a minute at most, so a connection of
// its own costs little and leaves nothing to repair when the server or the
// network drops one. Every step has a deadline, transient failures are tried
// again a bounded number of times with backoff, and a refused login or a
// missing folder is reported at once: trying again cannot fix either.
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyBaseLogger } from 'fastify'
import { ImapFlow, type ImapFlowOptions } from 'imapflow'
import type { ImapMailboxConfig } from '../../config.ts'
import { PermanentSourceError } from '../../ports/intake-source.ts'
import { DownloadRefusedError } from '../../net/safe-download.ts'

/** TCP (and TLS) connect, then the server's greeting: each must come within this. */
export const CONNECT_TIMEOUT_MS = 10_000
/** A command whose answer stays away this long means a dead connection. */
export const SOCKET_TIMEOUT_MS = 60_000
/** How long one operation (connect, work, log out) may take before its connection is cut. */
export const OPERATION_DEADLINE_MS = 60_000
/** Attempts of one operation when the failure may pass (the connection dropped, the server was away). */
export const OPERATION_ATTEMPTS = 3
/** First pause between attempts; doubled each time, with jitter. */
const RETRY_BASE_MS = 500
/** A LOGOUT the server does not answer in this time is not waited for: the socket is closed instead. */
const LOGOUT_TIMEOUT_MS = 2_000

/** The error shape imapflow gives its failures (ImapFlowError): only the fields read here. */
interface ImapErrorFields {
  code?: string
  authenticationFailed?: boolean
  mailboxMissing?: boolean
  serverResponseCode?: string
  responseStatus?: string
  responseText?: string
  tlsFailed?: boolean
}

const fields = (error: unknown): ImapErrorFields => (typeof error === 'object' && error !== null ? (error as ImapErrorFields) : {})

/** An operation ran past its deadline; the connection was cut. */
export class ImapTimeoutError extends Error {
  override name = 'ImapTimeoutError'
}

/** The server refused the login: the configured user or password is wrong (or needs an app password). */
export function isAuthFailure(error: unknown): boolean {
  const { authenticationFailed, serverResponseCode } = fields(error)
  return authenticationFailed === true || serverResponseCode === 'AUTHENTICATIONFAILED' || serverResponseCode === 'AUTHORIZATIONFAILED'
}

/** The folder asked for does not exist on the server. */
export function isMissingFolder(error: unknown): boolean {
  const { mailboxMissing, code, serverResponseCode } = fields(error)
  return mailboxMissing === true || code === 'NotFound' || serverResponseCode === 'NONEXISTENT'
}

/** Response codes (RFC 5530) with which a server says a refusal is temporary. */
const TEMPORARY_REFUSALS = new Set(['UNAVAILABLE', 'INUSE', 'SERVERBUG', 'LIMIT', 'OVERQUOTA'])

/**
 * Whether trying the operation again may succeed: a dropped or refused
 * connection, a timeout, a server that said it is busy. A refused login, a
 * missing folder, a command the server rejected and hireflow's own verdicts
 * fail the same way again.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof PermanentSourceError) return false
  if (error instanceof DownloadRefusedError) return error.retryable
  if (isAuthFailure(error) || isMissingFolder(error) || fields(error).tlsFailed) return false
  const { responseStatus, serverResponseCode } = fields(error)
  if (responseStatus === 'NO' || responseStatus === 'BAD')
    return serverResponseCode !== undefined && TEMPORARY_REFUSALS.has(serverResponseCode)
  return true
}

/** A short reason for logs and probe results: never the password, never mail content. */
export function describeImapError(error: unknown, settings: ImapMailboxConfig): string {
  const { code, responseText } = fields(error)
  const server = `${settings.host}:${settings.port}`
  if (error instanceof ImapTimeoutError) return error.message
  if (isAuthFailure(error)) return `IMAP login failed for ${settings.user}${responseText ? ` (${responseText.slice(0, 120)})` : ''}`
  if (fields(error).tlsFailed) return `TLS with ${server} failed: ${(error as Error).message.slice(0, 120)}`
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused by ${server}`
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host ${settings.host} was not found`
    case 'CONNECT_TIMEOUT':
    case 'GREETING_TIMEOUT':
    case 'ETIMEOUT':
    case 'ETIMEDOUT':
      return `${server} did not answer in time`
    case 'ECONNRESET':
    case 'EPIPE':
    case 'NoConnection':
    case 'EConnectionClosed':
    case 'ClosedAfterConnectText':
    case 'ClosedAfterConnectTLS':
      return `${server} closed the connection`
  }
  return (error instanceof Error ? error.message : String(error)).slice(0, 200)
}

/** imapflow's options for hireflow's settings: every wait bounded, its own logging off (it would log addresses and commands). */
export function clientOptions(settings: ImapMailboxConfig, extra: Partial<ImapFlowOptions> = {}): ImapFlowOptions {
  return {
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    auth: { user: settings.user, pass: settings.password },
    logger: false,
    connectionTimeout: CONNECT_TIMEOUT_MS,
    greetingTimeout: CONNECT_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    disableAutoIdle: true,
    ...extra,
  }
}

/**
 * Ends a session: LOGOUT when the server answers, else the socket is
 * closed. Never throws and never waits longer than LOGOUT_TIMEOUT_MS.
 */
export async function endSession(client: ImapFlow): Promise<void> {
  if (client.isClosed) return
  if (!client.usable) {
    client.close()
    return
  }
  const timer = setTimeout(() => client.close(), LOGOUT_TIMEOUT_MS)
  try {
    await client.logout()
  } catch {
    client.close()
  } finally {
    clearTimeout(timer)
  }
}

export interface SessionOptions {
  /** For the logs: what the operation is. */
  what: string
  deadlineMs?: number
  attempts?: number
}

/**
 * Runs `work` on a fresh logged-in connection and logs out after it; tries
 * again with a new connection while the failure is transient.
 */
export async function withSession<T>(
  settings: ImapMailboxConfig,
  log: FastifyBaseLogger,
  options: SessionOptions,
  work: (client: ImapFlow) => Promise<T>,
): Promise<T> {
  const attempts = options.attempts ?? OPERATION_ATTEMPTS
  const deadlineMs = options.deadlineMs ?? OPERATION_DEADLINE_MS

  /** One connection, cut when it runs past the deadline, and logged out of whatever happens. */
  async function session(): Promise<T> {
    const client = new ImapFlow(clientOptions(settings))
    // imapflow emits 'error' for a connection that fails outside a command; unheard, it would end the process.
    client.on('error', (error: Error) =>
      log.debug({ operation: options.what, reason: describeImapError(error, settings) }, 'IMAP connection error'),
    )
    let expired = false
    const deadline = setTimeout(() => {
      expired = true
      // Closing the socket fails whatever command is waiting, so `work` returns at once.
      client.close()
    }, deadlineMs)
    try {
      await client.connect()
      return await work(client)
    } catch (error) {
      if (expired) throw new ImapTimeoutError(`IMAP ${options.what} took longer than ${deadlineMs} ms`, { cause: error })
      throw error
    } finally {
      clearTimeout(deadline)
      await endSession(client)
    }
  }

  for (let attempt = 1; ; attempt++) {
    try {
      return await session()
    } catch (error) {
      if (attempt >= attempts || !isTransient(error)) throw explained(error, settings, options.what)
      const pause = RETRY_BASE_MS * 2 ** (attempt - 1) * (0.75 + Math.random() / 2)
      log.warn({ operation: options.what, attempt, reason: describeImapError(error, settings) }, 'IMAP operation failed; trying again')
      await sleep(pause)
    }
  }
}

/**
 * imapflow's own messages say little ("Command failed"): an IMAP failure
 * leaves here saying what was done and why it failed, with the original as
 * its cause and the fields that classify it (a refused login, a missing
 * folder) kept. hireflow's own verdicts pass unchanged.
 */
function explained(error: unknown, settings: ImapMailboxConfig, what: string): unknown {
  if (error instanceof PermanentSourceError || error instanceof DownloadRefusedError || !(error instanceof Error)) return error
  const { code, authenticationFailed, mailboxMissing, serverResponseCode } = fields(error)
  return Object.assign(new Error(`imap: ${what} failed: ${describeImapError(error, settings)}`, { cause: error }), {
    code,
    authenticationFailed,
    mailboxMissing,
    serverResponseCode,
  })
}
