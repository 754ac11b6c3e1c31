// Alerts about the pipeline as a whole, checked with every round of probes:
// too many candidates failing in the last hour, or a job that has waited too
// long to start (no worker running, a stuck queue). Each alert goes out when
// its condition starts, as a reminder while it lasts, and once when it ends.
import type { Redis } from 'ioredis'
import type { FastifyBaseLogger } from 'fastify'
import type { Alerter, AlertKind } from '../ports/alerts.ts'
import type { HiringQueues } from '../../jobs/queues.ts'

interface ConditionState {
  alerting: boolean
  since: string | null
  alertedAt: string | null
}

export interface PipelineWatchOptions {
  queues: Pick<HiringQueues, 'outcomeCounts' | 'oldestWaiting'>
  redis: Redis
  prefix: string
  alerter: Alerter
  log: FastifyBaseLogger
  failedPercent: number
  failedMinCandidates: number
  oldestJobMinutes: number
  repeatMinutes: number
  now?: () => number
}

/** What a failure reason usually means, for the person paged. */
const REASON_ADVICE: Record<string, string> = {
  unreadable_resume: 'resumes that cannot be read: look at a few in GET /candidates?status=failed (scans without text, broken files)',
  resume_missing: 'resume files gone from the resume store: check the bucket or folder and its lifecycle rules',
  notify_failed: 'HR email not sent: check the HREmail integration (GET /integrations/HREmail)',
  intake_failed: 'resumes not stored: check the ResumeStore and CandidateStore integrations',
  parse_failed: 'the pipeline itself failed: check the worker logs',
}

export class PipelineWatch {
  readonly #options: PipelineWatchOptions
  readonly #now: () => number
  readonly #memory = new Map<string, ConditionState>()

  constructor(options: PipelineWatchOptions) {
    this.#options = options
    this.#now = options.now ?? Date.now
  }

  async check(): Promise<void> {
    await Promise.all([this.#checkFailureRate(), this.#checkOldestJob()])
  }

  async #checkFailureRate(): Promise<void> {
    const { failedPercent, failedMinCandidates, queues } = this.#options
    if (failedPercent <= 0) return
    let counts: Awaited<ReturnType<typeof queues.outcomeCounts>>
    try {
      counts = await queues.outcomeCounts(this.#now(), 60)
    } catch (error) {
      // Redis is away: the Queue integration's own alert says so.
      this.#options.log.warn({ err: { message: (error as Error).message } }, 'could not read the failure counts')
      return
    }
    const finished = counts.notified + counts.failed
    const percent = finished === 0 ? 0 : (counts.failed / finished) * 100
    const failing = counts.failed >= failedMinCandidates && percent > failedPercent
    const reasons = Object.entries(counts.reasons).sort((a, b) => b[1] - a[1])
    await this.#evaluate('failure-rate', failing, () => ({
      subject: `${counts.failed} of ${finished} candidates failed in the last hour`,
      message: [
        `${counts.failed} of the ${finished} candidates finished in the last hour failed (${percent.toFixed(0)} %, above ALERT_FAILED_PERCENT=${failedPercent} %).`,
        'By reason:',
        ...reasons.map(
          ([reason, count]) => `  ${reason}: ${count} (${REASON_ADVICE[reason] ?? 'see the candidates failed with this reason'})`,
        ),
        'Failed candidates can be retried once the cause is fixed: hireflow candidates retry <id>.',
      ].join('\n'),
      recovered: `Candidate failures are back under ${failedPercent} % (${counts.failed} of ${finished} in the last hour).`,
    }))
  }

  async #checkOldestJob(): Promise<void> {
    const { oldestJobMinutes, queues } = this.#options
    if (oldestJobMinutes <= 0) return
    let oldest: Awaited<ReturnType<typeof queues.oldestWaiting>>
    try {
      oldest = await queues.oldestWaiting(this.#now())
    } catch (error) {
      this.#options.log.warn({ err: { message: (error as Error).message } }, 'could not read the oldest waiting job')
      return
    }
    const minutes = oldest ? oldest.ageMs / 60_000 : 0
    await this.#evaluate('oldest-job', minutes > oldestJobMinutes, () => ({
      subject: `a ${oldest?.queue} job has waited ${Math.round(minutes)} minutes to start`,
      message: [
        `Job ${oldest?.jobId} on the ${oldest?.queue} queue has waited ${Math.round(minutes)} minutes (ALERT_OLDEST_JOB_MINUTES=${oldestJobMinutes}).`,
        'What to check: are worker processes running (hireflow worker, or the all role), are they stuck on a slow integration (GET /integrations), is PROCESS_CONCURRENCY too low for the arrivals; the queue board at /queues shows the jobs.',
      ].join('\n'),
      recovered: 'Jobs start on time again: the oldest waiting job is under the threshold.',
    }))
  }

  async #evaluate(key: string, failing: boolean, text: () => { subject: string; message: string; recovered: string }): Promise<void> {
    const now = this.#now()
    const at = new Date(now).toISOString()
    const before = (await this.#read(key)) ?? { alerting: false, since: null, alertedAt: null }
    let kind: AlertKind | undefined
    let after = before
    if (failing && !before.alerting) {
      kind = key === 'failure-rate' ? 'failure-rate' : 'oldest-job'
      after = { alerting: true, since: at, alertedAt: at }
    } else if (failing && now - Date.parse(before.alertedAt ?? at) >= this.#options.repeatMinutes * 60_000) {
      kind = 'reminder'
      after = { ...before, alertedAt: at }
    } else if (!failing && before.alerting) {
      kind = 'recovered'
      after = { alerting: false, since: null, alertedAt: null }
    }
    if (!kind) return
    await this.#write(key, after)
    const { subject, message, recovered } = text()
    if (kind === 'recovered') {
      await this.#options.alerter.raise({ key, kind, subject: `resolved: ${key}`, message: `${recovered}\nIt began at ${before.since}.` })
    } else {
      const reminder = kind === 'reminder' ? `Still going on since ${before.since}.\n` : ''
      await this.#options.alerter.raise({ key, kind, subject: subject.slice(0, 100), message: `${reminder}${message}` })
    }
  }

  #key(): string {
    return `${this.#options.prefix}:monitor:conditions`
  }

  async #read(key: string): Promise<ConditionState | undefined> {
    try {
      const raw = await this.#options.redis.hget(this.#key(), key)
      return raw ? (JSON.parse(raw) as ConditionState) : this.#memory.get(key)
    } catch {
      return this.#memory.get(key)
    }
  }

  async #write(key: string, state: ConditionState): Promise<void> {
    this.#memory.set(key, state)
    try {
      await this.#options.redis.hset(this.#key(), key, JSON.stringify(state))
    } catch (error) {
      this.#options.log.warn({ err: { message: (error as Error).message } }, 'could not keep an alert condition in Redis')
    }
  }
}
