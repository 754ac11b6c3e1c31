// Watches the hiring folder with IMAP IDLE and calls `onChange` when mail
// arrives, so a resume is taken in within seconds instead of at the next
// reconciliation. However many workers run, exactly one holds the IDLE
// connection: the one holding a lease in Redis. The others try to take the
// lease every few seconds, so when the holder dies another one watches the
// folder within about one lease time. IDLE only says "look now": onChange
// starts a reconciliation, which finds the mail by its cursor, so a
// notification lost in a reconnect costs nothing but time.
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyBaseLogger } from 'fastify'
import { ImapFlow } from 'imapflow'
import type { Redis } from 'ioredis'
import type { ImapMailboxConfig } from '../../config.ts'
import { clientOptions, describeImapError, isAuthFailure } from './connection.ts'

export interface ImapIdleWatcherOptions {
  settings: ImapMailboxConfig
  redis: Redis
  /** The Redis key of the lease; every process watching the same folder must use the same one. */
  leaseKey: string
  /** Called after every (re)connect and whenever new mail arrives; never twice at once. */
  onChange: () => Promise<void>
  log: FastifyBaseLogger
  /** How long a lease lasts unless renewed (default 15 s); it is renewed every third of that. */
  leaseMs?: number
}

const DEFAULT_LEASE_MS = 15_000
/** Pauses between reconnects while holding the lease: 1 s, doubling up to 30 s. */
const RECONNECT_MIN_MS = 1_000
const RECONNECT_MAX_MS = 30_000
/**
 * IDLE is ended and begun again this often: servers end an IDLE after 30
 * minutes at most (RFC 9051), some far sooner, and a restart also proves
 * the connection still works.
 */
const MAX_IDLE_MS = 4 * 60_000
/** How soon after the folder is opened IDLE starts (imapflow waits 15 s by default, when new mail would go unheard). */
const IDLE_START_MS = 100
/** How long a lease release may take at close before it is left to expire. */
const RELEASE_TIMEOUT_MS = 1_000

/** Extends the lease only if it is still ours (a token compare, then PEXPIRE). */
const RENEW_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`
/** Deletes the lease only if it is still ours. */
const RELEASE_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`

class StoppedError extends Error {
  override name = 'StoppedError'
}

export class ImapIdleWatcher {
  readonly #settings: ImapMailboxConfig
  readonly #redis: Redis
  readonly #leaseKey: string
  readonly #onChange: () => Promise<void>
  readonly #log: FastifyBaseLogger
  readonly #leaseMs: number
  /** Redis answers in milliseconds; a command pending this long is taken as failed (ioredis may queue it while disconnected). */
  readonly #redisTimeoutMs: number
  /** How often a process without the lease tries to take it. */
  readonly #acquireEveryMs: number
  /** Ours alone: a lease holding another token belongs to another process. */
  readonly #token = randomUUID()
  readonly #stop = new AbortController()
  #running: Promise<void> | undefined
  #closing: Promise<void> | undefined
  #holding = false
  /** Until when the lease is certainly ours: when the last successful SET or renewal was sent, plus the lease time. */
  #heldUntil = 0
  #renewing = false
  #client: ImapFlow | undefined
  #changing: Promise<void> | undefined
  #changeAgain = false

  constructor(options: ImapIdleWatcherOptions) {
    this.#settings = options.settings
    this.#redis = options.redis
    this.#leaseKey = options.leaseKey
    this.#onChange = options.onChange
    this.#log = options.log
    this.#leaseMs = Math.max(300, Math.floor(options.leaseMs ?? DEFAULT_LEASE_MS))
    this.#redisTimeoutMs = Math.min(2_000, Math.floor(this.#leaseMs / 3))
    this.#acquireEveryMs = Math.min(5_000, Math.floor(this.#leaseMs / 3))
  }

  /** Whether this process holds the lease (and so the IDLE connection, or is reconnecting it). */
  get holding(): boolean {
    return this.#holding
  }

  start(): void {
    if (this.#running || this.#stop.signal.aborted) return
    this.#running = this.#loop().catch((error: unknown) => {
      if (!(error instanceof StoppedError)) this.#log.error({ err: error }, 'IMAP IDLE watcher stopped unexpectedly')
    })
  }

  /** Stops watching and gives the lease back, without waiting long for a Redis or an IMAP server that is away. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const held = this.#holding
      this.#stop.abort()
      this.#client?.close()
      await this.#running
      // A change being handed on (a reconciliation being queued) may finish, briefly: the caller closes its Redis next.
      const changing = this.#changing
      if (changing) await Promise.race([changing, sleep(RELEASE_TIMEOUT_MS, undefined, { ref: false })])
      if (!held) return
      try {
        await this.#redisCall(this.#redis.eval(RELEASE_SCRIPT, 1, this.#leaseKey, this.#token), RELEASE_TIMEOUT_MS, false)
      } catch (error) {
        // It expires by itself within a lease time; another process takes over then.
        this.#log.warn({ reason: (error as Error).message }, 'the IMAP IDLE lease could not be released; it will expire')
      }
    })()
    return this.#closing
  }

  async #loop(): Promise<void> {
    const stop = this.#stop.signal
    while (!stop.aborted) {
      let acquired = false
      try {
        acquired = await this.#acquire()
      } catch (error) {
        if (error instanceof StoppedError) return
        this.#log.warn({ reason: (error as Error).message }, 'the IMAP IDLE lease could not be asked for')
      }
      if (!acquired) {
        await this.#pause(this.#acquireEveryMs, stop)
        continue
      }
      await this.#hold()
    }
  }

  /** While the lease is ours: renew it, and keep an IDLE connection open until it is lost or the watcher closes. */
  async #hold(): Promise<void> {
    const stop = this.#stop.signal
    const lease = new AbortController()
    const onStop = () => lease.abort()
    stop.addEventListener('abort', onStop, { once: true })
    const renewal = setInterval(() => void this.#renew(lease), Math.floor(this.#leaseMs / 3))
    this.#holding = true
    this.#log.info({ folder: this.#settings.folder }, 'IMAP IDLE lease taken; this process watches the folder')
    try {
      await this.#watch(lease.signal)
    } finally {
      clearInterval(renewal)
      stop.removeEventListener('abort', onStop)
      this.#holding = false
    }
    if (!stop.aborted) this.#log.warn('IMAP IDLE lease lost; another process may watch the folder now')
  }

  async #acquire(): Promise<boolean> {
    const sentAt = Date.now()
    let ours = (await this.#redisCall(this.#redis.set(this.#leaseKey, this.#token, 'PX', this.#leaseMs, 'NX'))) === 'OK'
    // A SET that timed out here may still have reached Redis: then the lease holds our token and is ours.
    if (!ours) ours = (await this.#redisCall(this.#redis.eval(RENEW_SCRIPT, 1, this.#leaseKey, this.#token, this.#leaseMs))) === 1
    if (ours) this.#heldUntil = sentAt + this.#leaseMs
    return ours
  }

  async #renew(lease: AbortController): Promise<void> {
    if (lease.signal.aborted) return
    if (!this.#renewing) {
      this.#renewing = true
      const sentAt = Date.now()
      try {
        const renewed = await this.#redisCall(this.#redis.eval(RENEW_SCRIPT, 1, this.#leaseKey, this.#token, this.#leaseMs))
        if (renewed === 1) {
          this.#heldUntil = sentAt + this.#leaseMs
        } else {
          this.#log.warn('the IMAP IDLE lease was taken by another process')
          lease.abort()
        }
      } catch (error) {
        if (!(error instanceof StoppedError))
          this.#log.warn({ reason: (error as Error).message }, 'the IMAP IDLE lease could not be renewed')
      } finally {
        this.#renewing = false
      }
    }
    // Unconfirmed for a whole lease time: it may have expired and be another process's now, so this one stops watching.
    if (Date.now() >= this.#heldUntil) lease.abort()
  }

  /** IDLE sessions one after another while `lease` lasts, reconnecting with backoff. */
  async #watch(lease: AbortSignal): Promise<void> {
    let delay = RECONNECT_MIN_MS
    while (!lease.aborted) {
      const startedAt = Date.now()
      const session = await this.#session(lease)
      if (lease.aborted) return
      // A session that lasted proves the server fine again: the next failure waits the shortest time.
      if (session.established && Date.now() - startedAt >= RECONNECT_MAX_MS) delay = RECONNECT_MIN_MS
      const fields = { folder: this.#settings.folder, reason: session.reason, retryInMs: delay }
      if (session.authFailed) this.#log.error(fields, 'IMAP IDLE login refused; trying again')
      else this.#log.warn(fields, 'IMAP IDLE connection ended; reconnecting')
      await this.#pause(delay, lease)
      delay = Math.min(delay * 2, RECONNECT_MAX_MS)
    }
  }

  /** One IDLE connection, from connect to its end; says why it ended. */
  async #session(lease: AbortSignal): Promise<{ established: boolean; reason: string; authFailed: boolean }> {
    const client = new ImapFlow(
      clientOptions(this.#settings, { disableAutoIdle: false, autoIdleDelay: IDLE_START_MS, maxIdleTime: MAX_IDLE_MS }),
    )
    this.#client = client
    let failure: unknown
    let established = false
    const ended = new Promise<void>((resolve) => client.once('close', () => resolve()))
    client.on('error', (error: Error) => {
      failure ??= error
    })
    client.on('exists', (event) => {
      if (event.count > event.prevCount) this.#changed()
    })
    // A folder deleted or renamed under the session ends IDLE on it: a new session opens it again, or says why it cannot.
    client.on('mailboxClose', () => {
      if (established) client.close()
    })
    // imapflow reopens a folder whose UIDVALIDITY changed: the reconciliation this starts resyncs it.
    client.on('mailboxOpen', () => {
      if (established) this.#changed()
    })
    const cut = () => client.close()
    lease.addEventListener('abort', cut, { once: true })
    try {
      if (lease.aborted) return { established, reason: 'stopped', authFailed: false }
      await client.connect()
      // EXAMINE: watching needs no write access, and leaves \Recent to people's mail programs.
      await client.mailboxOpen(this.#settings.folder, { readOnly: true })
      established = true
      this.#log.info({ folder: this.#settings.folder }, 'IMAP IDLE watching the folder')
      // Mail that arrived while nobody watched is found by the reconciliation this starts.
      this.#changed()
      await ended
    } catch (error) {
      failure ??= error
    } finally {
      lease.removeEventListener('abort', cut)
      client.close()
      if (this.#client === client) this.#client = undefined
    }
    return {
      established,
      reason: failure ? describeImapError(failure, this.#settings) : 'the server closed the connection',
      authFailed: isAuthFailure(failure),
    }
  }

  /** Runs onChange, one call at a time; changes during a call make one more call after it. */
  #changed(): void {
    if (this.#stop.signal.aborted) return
    if (this.#changing) {
      this.#changeAgain = true
      return
    }
    this.#changing = (async () => {
      do {
        this.#changeAgain = false
        try {
          await this.#onChange()
        } catch (error) {
          this.#log.error({ err: error }, 'IMAP IDLE change handler failed')
        }
      } while (this.#changeAgain && !this.#stop.signal.aborted)
    })().finally(() => {
      this.#changing = undefined
    })
  }

  /** A Redis command bounded in time and by close(): ioredis queues commands while disconnected, possibly for long. */
  async #redisCall<T>(command: Promise<T>, timeoutMs = this.#redisTimeoutMs, stoppable = true): Promise<T> {
    // Its late answer or failure is of no interest once this gave up on it.
    command.catch(() => {})
    const timer = new AbortController()
    const signals = stoppable ? [timer.signal, this.#stop.signal] : [timer.signal]
    const expiry = sleep(timeoutMs, undefined, { signal: AbortSignal.any(signals) }).then(
      () => Promise.reject(new Error(`Redis did not answer within ${timeoutMs} ms`)),
      () => Promise.reject(new StoppedError('the watcher is closing')),
    )
    // The loser of the race below must not become an unhandled rejection.
    expiry.catch(() => {})
    try {
      return await Promise.race([command, expiry])
    } finally {
      timer.abort()
    }
  }

  async #pause(ms: number, signal: AbortSignal): Promise<void> {
    try {
      await sleep(ms, undefined, { signal })
    } catch {
      // Ended early by close() or a lost lease: the caller's loop sees the signal.
    }
  }
}
