// The named queues and what their jobs carry. Payloads hold ids only: BullMQ
// keeps job data in clear text in Redis, and resumes are personal data.
import { createHash, randomBytes } from 'node:crypto'
import { Queue, type JobsOptions } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Source } from '../src/domain/candidate.ts'

export interface IntakeJobData {
  source: Source
  /** Stable id of the item at its source. */
  sourceItemId: string
  /** Known when the candidate was created before the job (direct upload). */
  candidateId?: string
}

export interface CandidateJobData {
  candidateId: string
}

/** A notify job: hireflow's recommendation (or unreadable resume) by default; with `hrDecisionId`, HR's final decision. */
export interface NotifyJobData extends CandidateJobData {
  hrDecisionId?: string
}

/** Work at an intake source: look at one item again, reconcile the whole source, or tell the item's people the outcome. */
export type SourceJobData =
  | { kind: 'item'; provider: string; itemId: string }
  | { kind: 'reconcile'; provider: string }
  | { kind: 'acknowledge'; candidateId: string }
  /** Keep the source's expiring webhook alive (renew a Graph subscription; recreate it when the provider lost it). */
  | { kind: 'keep-webhook'; provider: string }
  /** Act on a provider's lifecycle notice about its webhook (reauthorize, recreate, resync). */
  | { kind: 'lifecycle'; provider: string; webhookId: string; event: string }

export interface JobPolicy {
  attempts: number
  backoffMs: number
}

const KEEP_COMPLETED = { age: 24 * 3600, count: 5_000 }
// Failed jobs stay for inspection for a week; the count bounds Redis memory
// when many fail at once (every re-queue of a candidate is a job of its own).
const KEEP_FAILED = { age: 7 * 24 * 3600, count: 10_000 }

const OUTCOME_BUCKET_TTL_SECONDS = 2 * 3600
// KEYS[1]: the minute's bucket; ARGV: the outcome, the failure reason ('' for none), the bucket's lifetime in seconds.
const COUNT_OUTCOME = `
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
if ARGV[2] ~= '' then redis.call('HINCRBY', KEYS[1], 'failed:' .. ARGV[2], 1) end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
`

/**
 * One job per step of a candidate at a time, yet always room for the next:
 * the de-duplication key (`step.<id>`) is held from the add until the job
 * completes or fails for good (BullMQ releases it then), so a second add
 * while one is waiting, running or backing off is a no-op. Each add gets a
 * job id of its own, so a finished or failed job kept for inspection never
 * turns a later add into a silent no-op.
 */
// Job ids are unique across processes by a random part drawn once per process, and within one by a counter:
// drawing random bytes per job cost more than the rest of a webhook's acknowledgement.
const PROCESS_PART = randomBytes(6).toString('hex')
let jobSequence = 0

function stepJob(deduplicationId: string): JobsOptions {
  return {
    jobId: `${deduplicationId}.${Date.now().toString(36)}${PROCESS_PART}${(jobSequence++).toString(36)}`,
    deduplication: { id: deduplicationId },
  }
}

export class HiringQueues {
  readonly intake: Queue<IntakeJobData>
  readonly process: Queue<CandidateJobData>
  /** Scanned resumes (images, PDFs without a text layer): seconds per page, so never ahead of a text resume in `process`. */
  readonly ocr: Queue<CandidateJobData>
  readonly notify: Queue<NotifyJobData>
  readonly sources: Queue<SourceJobData>
  readonly #connection: Redis
  readonly #failFast: boolean
  readonly #prefix: string
  readonly #pendingHints = new Map<string, { itemIds: Set<string>; written: PromiseWithResolvers<void> }>()

  /**
   * `failFast`: for the API. With the producer connection's enableOfflineQueue: false,
   * an add fails at once while Redis is away instead of holding the HTTP request.
   * Workers handing work on instead wait for Redis to come back.
   */
  constructor(connection: Redis, prefix: string, policy: JobPolicy, { failFast = false } = {}) {
    const defaultJobOptions: JobsOptions = {
      attempts: policy.attempts,
      backoff: { type: 'exponential', delay: policy.backoffMs },
      removeOnComplete: KEEP_COMPLETED,
      removeOnFail: KEEP_FAILED,
    }
    this.#connection = connection
    this.#failFast = failFast
    this.#prefix = prefix
    const options = { connection, prefix, defaultJobOptions, streams: { events: { maxLen: 1_000 } } }
    this.intake = new Queue<IntakeJobData>('intake', options)
    this.process = new Queue<CandidateJobData>('process', options)
    this.ocr = new Queue<CandidateJobData>('ocr', options)
    this.notify = new Queue<NotifyJobData>('notify', options)
    this.sources = new Queue<SourceJobData>('sources', options)
    // Connection errors are logged once, on the shared connection; an unhandled 'error' event would crash the process.
    for (const queue of this.all()) queue.on('error', () => {})
  }

  all(): Queue[] {
    return [this.intake, this.process, this.ocr, this.notify, this.sources] as Queue[]
  }

  #checkConnected(): void {
    if (this.#failFast && this.#connection.status !== 'ready') {
      throw new Error(`the job queue is unavailable (Redis connection ${this.#connection.status})`)
    }
  }

  /** A repeated intake of the same source item is a no-op while its job is unfinished. */
  async enqueueIntake(data: IntakeJobData): Promise<void> {
    this.#checkConnected()
    const item = createHash('sha256').update(`${data.source}\n${data.sourceItemId}`).digest('hex').slice(0, 32)
    await this.intake.add('intake', data, stepJob(`intake.${data.source}.${item}`))
  }

  async enqueueProcess(candidateId: string): Promise<void> {
    this.#checkConnected()
    await this.process.add('process', { candidateId }, stepJob(`process.${candidateId}`))
  }

  /** Hands a scanned resume from the process step to OCR. */
  async enqueueOcr(candidateId: string): Promise<void> {
    this.#checkConnected()
    await this.ocr.add('ocr', { candidateId }, stepJob(`ocr.${candidateId}`))
  }

  async enqueueNotify(candidateId: string, kind: 'decision' | 'unreadable'): Promise<void> {
    this.#checkConnected()
    await this.notify.add('notify', { candidateId }, stepJob(`notify.${kind}.${candidateId}`))
  }

  /** One job per HR decision: a repeated request for the same decision is a no-op while its job is unfinished. */
  async enqueueFinalDecisionNotify(candidateId: string, hrDecisionId: string): Promise<void> {
    this.#checkConnected()
    await this.notify.add('notify', { candidateId, hrDecisionId }, stepJob(`notify.final-decision.${candidateId}.${hrDecisionId}`))
  }

  /**
   * Look at a source item again. At most one job per item runs and one waits:
   * a delivery that arrives while the item's job runs (a task that gained an
   * attachment meanwhile) queues one more run instead of being dropped, and
   * ten deliveries at once become one job.
   */
  async enqueueSourceItem(provider: string, itemId: string): Promise<void> {
    this.#checkConnected()
    const deduplicationId = `item.${provider}.${createHash('sha256').update(itemId).digest('hex').slice(0, 32)}`
    await this.sources.add(
      'item',
      { kind: 'item', provider, itemId },
      { ...stepJob(deduplicationId), deduplication: { id: deduplicationId, keepLastIfActive: true } },
    )
  }

  /**
   * A webhook's hint that an item changed: one set member per item, so ten
   * deliveries about one task are one hint, and acknowledging a delivery costs
   * one cheap Redis command. The workers turn hints into item jobs
   * (drainSourceHints). A hint lost with Redis' data, or with a worker that
   * died between taking it and queueing its job, is found again by the next
   * reconciliation: webhooks are hints, the provider is the truth.
   */
  async hintSourceItem(provider: string, itemIds: readonly string[]): Promise<void> {
    this.#checkConnected()
    if (itemIds.length === 0) return
    let batch = this.#pendingHints.get(provider)
    if (!batch) {
      batch = { itemIds: new Set(), written: Promise.withResolvers<void>() }
      this.#pendingHints.set(provider, batch)
      setImmediate(() => this.#writeHints(provider))
    }
    for (const itemId of itemIds) batch.itemIds.add(itemId)
    return batch.written.promise
  }

  /**
   * The hints of one turn of the event loop go out as one SADD: under a burst
   * of deliveries Redis does one command's work instead of one per delivery.
   * Every caller waits for the write holding its items, so a delivery is
   * still answered only once its hint is in Redis, and each one hears of a
   * failure.
   */
  #writeHints(provider: string): void {
    const batch = this.#pendingHints.get(provider)
    if (!batch) return
    this.#pendingHints.delete(provider)
    this.#connection.sadd(this.#hintsKey(provider), ...batch.itemIds).then(
      () => batch.written.resolve(),
      (error: unknown) => batch.written.reject(error),
    )
  }

  /** Takes up to `count` hinted items of a source (each taken by one worker only) and queues a look at each; how many it took. */
  async drainSourceHints(provider: string, count = 500): Promise<number> {
    const itemIds = await this.#connection.spop(this.#hintsKey(provider), count)
    for (const itemId of itemIds) await this.enqueueSourceItem(provider, itemId)
    return itemIds.length
  }

  #hintsKey(provider: string): string {
    return `${this.#prefix}:source-hints:${provider}`
  }

  /** Graph's retries of one lifecycle notice become one job while it waits. */
  async enqueueLifecycle(provider: string, webhookId: string, event: string): Promise<void> {
    this.#checkConnected()
    const id = createHash('sha256').update(`${webhookId}\n${event}`).digest('hex').slice(0, 32)
    await this.sources.add('lifecycle', { kind: 'lifecycle', provider, webhookId, event }, stepJob(`lifecycle.${provider}.${id}`))
  }

  async enqueueKeepWebhook(provider: string): Promise<void> {
    this.#checkConnected()
    await this.sources.add('keep-webhook', { kind: 'keep-webhook', provider }, stepJob(`keep-webhook.${provider}`))
  }

  /** Counts one outcome of keeping a source's webhook alive (created, renewed, recreated, ...), for operators. */
  async countWebhookUpkeep(provider: string, outcome: string): Promise<void> {
    await this.#connection.hincrby(`${this.#prefix}:webhook-upkeep:${provider}`, outcome, 1)
  }

  /** The outcomes counted so far (since Redis last lost its data). */
  async webhookUpkeepCounts(provider: string): Promise<Record<string, number>> {
    const counts = await this.#connection.hgetall(`${this.#prefix}:webhook-upkeep:${provider}`)
    return Object.fromEntries(Object.entries(counts).map(([outcome, count]) => [outcome, Number(count)]))
  }

  /**
   * The job that has waited longest to start, over every queue (delayed jobs
   * wait on purpose and are not counted). A retried job counts from its last
   * attempt, so its backoff makes it look a little older than it is.
   */
  async oldestWaiting(now: number): Promise<{ queue: string; jobId: string; ageMs: number } | undefined> {
    let oldest: { queue: string; jobId: string; ageMs: number } | undefined
    for (const queue of this.all()) {
      const [job] = await queue.getJobs(['wait'], 0, 0, true)
      if (!job) continue
      const since = Math.max(job.timestamp + (job.opts.delay ?? 0), job.processedOn ?? 0)
      const ageMs = Math.max(0, now - since)
      if (!oldest || ageMs > oldest.ageMs) oldest = { queue: queue.name, jobId: job.id ?? '', ageMs }
    }
    return oldest
  }

  /**
   * Counts a candidate that finished (HR emailed, or failed with a reason) in
   * a bucket per minute, for the failure-rate alert; buckets expire after two
   * hours. Losing them with Redis costs one hour of that alert, nothing else.
   */
  async countOutcome(outcome: 'notified' | 'failed', reason: string | null, at: number): Promise<void> {
    const key = this.#outcomeKey(Math.floor(at / 60_000))
    // One script rather than MULTI: just as atomic (a bucket never lacks its expiry), and one command instead of
    // four, where building a MULTI on the queues' connection cost more than the rest of the count.
    await this.#connection.eval(COUNT_OUTCOME, 1, key, outcome, reason ?? '', OUTCOME_BUCKET_TTL_SECONDS)
  }

  /** Candidates notified and failed (with each failure reason) in the `minutes` before `now`. */
  async outcomeCounts(now: number, minutes: number): Promise<{ notified: number; failed: number; reasons: Record<string, number> }> {
    const last = Math.floor(now / 60_000)
    const pipeline = this.#connection.pipeline()
    for (let minute = last - minutes + 1; minute <= last; minute++) pipeline.hgetall(this.#outcomeKey(minute))
    const totals = { notified: 0, failed: 0, reasons: {} as Record<string, number> }
    for (const [error, counts] of (await pipeline.exec()) ?? []) {
      if (error) throw error
      for (const [field, value] of Object.entries(counts as Record<string, string>)) {
        if (field === 'notified') totals.notified += Number(value)
        else if (field === 'failed') totals.failed += Number(value)
        else if (field.startsWith('failed:')) {
          const reason = field.slice('failed:'.length)
          totals.reasons[reason] = (totals.reasons[reason] ?? 0) + Number(value)
        }
      }
    }
    return totals
  }

  #outcomeKey(minute: number): string {
    return `${this.#prefix}:outcomes:${minute}`
  }

  async enqueueReconcile(provider: string): Promise<void> {
    this.#checkConnected()
    await this.sources.add('reconcile', { kind: 'reconcile', provider }, stepJob(`reconcile.${provider}`))
  }

  async enqueueAcknowledge(candidateId: string): Promise<void> {
    this.#checkConnected()
    await this.sources.add('acknowledge', { kind: 'acknowledge', candidateId }, stepJob(`acknowledge.${candidateId}`))
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((queue) => queue.close()))
  }
}
