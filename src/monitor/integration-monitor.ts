// Probes every integration, keeps what it learnt (status, since when, the last
// error, recent history) where every process can read it, publishes `Health`
// 1/0 per probe (seed §4) and alerts on a change: unhealthy after
// ALERT_AFTER_FAILURES failures in a row (one blip never pages), once on
// recovery, and a reminder every ALERT_REPEAT_MINUTES while it stays down.
//
// The state lives in Redis so the API answers with what the workers saw; a
// copy is kept in memory, because the integration that fails may be Redis
// itself, and that is when the monitor matters most.
import type { Redis } from 'ioredis'
import type { FastifyBaseLogger } from 'fastify'
import type { Alert, Alerter } from '../ports/alerts.ts'
import type { MetricsSink } from '../ports/metrics.ts'
import { SingleFlight } from '../async/single-flight.ts'
import { withDeadline } from '../async/deadline.ts'
import {
  INTEGRATION_NAMES,
  type IntegrationDetail,
  type IntegrationFacts,
  type IntegrationName,
  type IntegrationStatus,
  type IntegrationStatusReader,
  type ProbeResult,
} from './integration.ts'

export interface Probe {
  /** The adapter behind the integration (`clickup`, `ses`, `sqlite`, ...); null: not configured, never probed. */
  adapter: string | null
  /** A cheap authenticated call; throws with a short reason when the integration cannot be used, else returns facts. */
  run?: () => Promise<IntegrationFacts | void>
  /** What to check when it fails, for the alert. */
  advice: string
}

export type Probes = Record<IntegrationName, Probe>

export interface AlertPolicy {
  afterFailures: number
  repeatMinutes: number
}

export interface IntegrationMonitorOptions {
  probes: Probes
  redis: Redis
  /** Queue prefix: the state is kept under `<prefix>:monitor:*`. */
  prefix: string
  alerter: Alerter
  metrics: MetricsSink
  log: FastifyBaseLogger
  policy: AlertPolicy
  timeoutMs: number
  now?: () => number
}

interface StoredState extends IntegrationStatus {
  /** When the current run of failures began. */
  failingSince: string | null
  /** Whether an unhealthy alert went out and no recovery since; when the last one (or reminder) went. */
  alerting: boolean
  alertedAt: string | null
}

/** How much history each integration keeps. */
export const HISTORY_LENGTH = 50

export class ProbeTimeoutError extends Error {
  override name = 'ProbeTimeoutError'
}

/** The error as an operator needs it: its message, and its cause's when that says more. One line, bounded. */
export function describeProbeError(error: unknown): string {
  const parts: string[] = []
  let current: unknown = error
  for (let depth = 0; depth < 3 && current !== undefined; depth++) {
    const message = current instanceof Error ? current.message || current.name : String(current)
    if (message && !parts.some((part) => part.includes(message))) parts.push(message)
    current = current instanceof Error ? current.cause : undefined
  }
  return parts.join(': ').replace(/\s+/g, ' ').slice(0, 500) || 'failed'
}

export class IntegrationMonitor implements IntegrationStatusReader {
  readonly #options: IntegrationMonitorOptions
  readonly #now: () => number
  readonly #memory = new Map<IntegrationName, StoredState>()
  readonly #memoryHistory = new Map<IntegrationName, ProbeResult[]>()
  readonly #running = new SingleFlight<IntegrationName, IntegrationStatus>()

  constructor(options: IntegrationMonitorOptions) {
    this.#options = options
    this.#now = options.now ?? Date.now
  }

  get names(): readonly IntegrationName[] {
    return INTEGRATION_NAMES
  }

  /** Every integration as last probed; one never probed yet is probed now. */
  async list(): Promise<IntegrationStatus[]> {
    return Promise.all(INTEGRATION_NAMES.map(async (name) => publicView((await this.#read(name)) ?? (await this.probe(name)))))
  }

  async get(name: IntegrationName): Promise<IntegrationDetail> {
    const state = (await this.#read(name)) ?? (await this.probe(name))
    return { ...publicView(state), history: await this.#history(name) }
  }

  /** Probes all integrations at once (each under its own deadline). */
  async probeAll(): Promise<IntegrationStatus[]> {
    return Promise.all(INTEGRATION_NAMES.map((name) => this.probe(name)))
  }

  /** Probes one integration now; a probe already running for it is shared, not doubled. */
  probe(name: IntegrationName): Promise<IntegrationStatus> {
    return this.#running.run(name, () => this.#probe(name))
  }

  async #probe(name: IntegrationName): Promise<IntegrationStatus> {
    const { probes, timeoutMs, metrics, policy } = this.#options
    const probe = probes[name]
    const at = new Date(this.#now()).toISOString()
    const previous = await this.#read(name)
    if (!probe.run || probe.adapter === null) {
      const state: StoredState = {
        ...blankState(name, null),
        status: 'disabled',
        since: previous?.status === 'disabled' ? previous.since : at,
        lastProbeAt: at,
      }
      await this.#write(state, null)
      return publicView(state)
    }

    const started = performance.now()
    let error: string | null = null
    let facts: IntegrationFacts = {}
    try {
      facts = (await withDeadline(probe.run(), timeoutMs, () => new ProbeTimeoutError(`no answer within ${timeoutMs} ms`))) ?? {}
    } catch (failure) {
      error = describeProbeError(failure)
    }
    const latencyMs = Math.round(performance.now() - started)
    const ok = error === null
    const timestamp = new Date(at)
    metrics.record({ namespace: `${name}Integration`, name: 'Health', value: ok ? 1 : 0, unit: 'None', timestamp })
    metrics.record({ namespace: `${name}Integration`, name: 'ProbeLatency', value: latencyMs, unit: 'Milliseconds', timestamp })

    const before = previous ?? blankState(name, probe.adapter)
    const consecutiveFailures = ok ? 0 : before.consecutiveFailures + 1
    const failingSince = ok ? null : (before.failingSince ?? at)
    const unhealthy = consecutiveFailures >= policy.afterFailures
    const status = unhealthy ? 'unhealthy' : 'healthy'
    const state: StoredState = {
      ...before,
      adapter: probe.adapter,
      status,
      since: before.status === status && before.since ? before.since : unhealthy ? failingSince : at,
      lastProbeAt: at,
      latencyMs,
      lastError: ok ? before.lastError : error,
      consecutiveFailures,
      // A failed probe keeps the facts last seen: the subscription's expiry is still worth showing.
      facts: ok ? facts : before.facts,
      failingSince,
    }
    if (ok) state.lastError = null

    const alert = this.#alertFor(before, state, probe, error)
    if (alert) {
      state.alerting = alert.kind !== 'recovered'
      state.alertedAt = alert.kind === 'recovered' ? null : at
    }
    await this.#write(state, { at, ok, latencyMs, error })
    if (alert) await this.#options.alerter.raise(alert)
    return publicView(state)
  }

  #alertFor(before: StoredState, after: StoredState, probe: Probe, error: string | null): Alert | undefined {
    const { repeatMinutes } = this.#options.policy
    const key = `integration:${after.name}`
    const what = `${after.name} (${after.adapter})`
    if (after.status === 'healthy') {
      if (!before.alerting) return undefined
      return {
        key,
        kind: 'recovered',
        subject: `${what} is healthy again`,
        message: [
          `${what} answered its probe at ${after.lastProbeAt} (${after.latencyMs} ms).`,
          `It had been unhealthy since ${before.failingSince ?? before.since ?? 'an unknown time'}; the last error was: ${before.lastError ?? 'none recorded'}.`,
          'Work that waited for it is retried by the job queues and the reconciliation; nothing needs doing.',
        ].join('\n'),
      }
    }
    if (after.status !== 'unhealthy') return undefined
    const details = [
      `Unhealthy since: ${after.failingSince} (${after.consecutiveFailures} failed probes in a row)`,
      `Last error: ${error ?? after.lastError}`,
      `What to check: ${probe.advice}`,
      'Candidates are not lost meanwhile: their jobs retry with backoff, and the sources are reconciled once it answers again.',
    ]
    if (!before.alerting) {
      return {
        key,
        kind: 'unhealthy',
        subject: `${what} is unhealthy`,
        message: [`${what} failed its health probe.`, ...details].join('\n'),
      }
    }
    const last = before.alertedAt ? Date.parse(before.alertedAt) : 0
    if (this.#now() - last < repeatMinutes * 60_000) return undefined
    return {
      key,
      kind: 'reminder',
      subject: `${what} is still unhealthy`,
      message: [`${what} is still failing its health probe.`, ...details].join('\n'),
    }
  }

  #stateKey(): string {
    return `${this.#options.prefix}:monitor:state`
  }

  #historyKey(name: IntegrationName): string {
    return `${this.#options.prefix}:monitor:history:${name}`
  }

  /** The newer of Redis' copy and this process' own (Redis may have been away, or restarted empty). */
  async #read(name: IntegrationName): Promise<StoredState | undefined> {
    const mine = this.#memory.get(name)
    let stored: StoredState | undefined
    try {
      const raw = await this.#options.redis.hget(this.#stateKey(), name)
      stored = raw ? (JSON.parse(raw) as StoredState) : undefined
    } catch {
      return mine
    }
    if (!stored) return mine
    if (!mine) return stored
    return (stored.lastProbeAt ?? '') >= (mine.lastProbeAt ?? '') ? stored : mine
  }

  async #write(state: StoredState, result: ProbeResult | null): Promise<void> {
    this.#memory.set(state.name, state)
    if (result) {
      const history = [result, ...(this.#memoryHistory.get(state.name) ?? [])].slice(0, HISTORY_LENGTH)
      this.#memoryHistory.set(state.name, history)
    }
    try {
      const multi = this.#options.redis.multi().hset(this.#stateKey(), state.name, JSON.stringify(state))
      if (result) {
        multi.lpush(this.#historyKey(state.name), JSON.stringify(result)).ltrim(this.#historyKey(state.name), 0, HISTORY_LENGTH - 1)
      }
      await multi.exec()
    } catch (error) {
      this.#options.log.warn(
        { integration: state.name, err: { message: (error as Error).message } },
        'could not keep the probe result in Redis',
      )
    }
  }

  async #history(name: IntegrationName): Promise<ProbeResult[]> {
    try {
      const raw = await this.#options.redis.lrange(this.#historyKey(name), 0, HISTORY_LENGTH - 1)
      if (raw.length > 0) return raw.map((entry) => JSON.parse(entry) as ProbeResult)
    } catch {
      // Redis away: this process' own history is the best there is.
    }
    return this.#memoryHistory.get(name) ?? []
  }
}

function blankState(name: IntegrationName, adapter: string | null): StoredState {
  return {
    name,
    adapter,
    status: 'healthy',
    since: null,
    lastProbeAt: null,
    latencyMs: null,
    lastError: null,
    consecutiveFailures: 0,
    facts: {},
    failingSince: null,
    alerting: false,
    alertedAt: null,
  }
}

function publicView(state: IntegrationStatus): IntegrationStatus {
  const { name, adapter, status, since, lastProbeAt, latencyMs, lastError, consecutiveFailures, facts } = state
  return { name, adapter, status, since, lastProbeAt, latencyMs, lastError, consecutiveFailures, facts }
}
