// Metrics to CloudWatch in batched PutMetricData calls. record() only pushes
// into a bounded buffer; a timer (and a full batch) sends it. CloudWatch being
// slow or down costs data points, counted and logged once in a while, never a
// request or a job: nothing here throws to its caller or makes it wait.
import { type CloudWatchClient, PutMetricDataCommand, type MetricDatum as CloudWatchDatum } from '@aws-sdk/client-cloudwatch'
import type { FastifyBaseLogger } from 'fastify'
import type { MetricDatum, MetricsSink } from '../ports/metrics.ts'

/** CloudWatch's limit of data points per PutMetricData call. */
export const MAX_DATA_PER_REQUEST = 1000
/** CloudWatch takes at most 1 MB per request; the rest of this margin is the envelope and the estimate's slack. */
const MAX_DATA_BYTES_PER_REQUEST = 900_000
const MAX_DIMENSIONS = 30
const TWO_WEEKS_MS = 14 * 24 * 3600 * 1000
const TWO_HOURS_MS = 2 * 3600 * 1000
/** One warning per this interval at most, however many batches fail meanwhile. */
const WARN_EVERY_MS = 60_000

export interface CloudWatchMetricsOptions {
  /** How often the buffer is sent. */
  flushSeconds: number
  log: FastifyBaseLogger
  /** Most data points held while CloudWatch is slow or down; past it the oldest are dropped. */
  maxBuffered?: number
  /** How long close() waits for the last flush before giving its points up. */
  closeTimeoutMs?: number
}

interface Pending {
  namespace: string
  datum: CloudWatchDatum
}

interface Batch {
  namespace: string
  points: Pending[]
}

export class CloudWatchMetrics implements MetricsSink {
  readonly #client: CloudWatchClient
  readonly #log: FastifyBaseLogger
  readonly #maxBuffered: number
  readonly #closeTimeoutMs: number
  readonly #timer: NodeJS.Timeout
  #buffer: Pending[] = []
  #inFlight = 0
  #sent = 0
  #dropped = 0
  #running: Promise<void> | undefined
  #queued: Promise<void> | undefined
  /** Aborted when close() gives up waiting: the call in flight and any after it end at once. */
  readonly #shutdown = new AbortController()
  #earlyFlushScheduled = false
  /** After a failed call, only the timer flushes again: a full buffer must not hammer a service that is down. */
  #failing = false
  #closed = false
  #lastWarnAt = -Infinity
  #unreported = 0

  constructor(client: CloudWatchClient, options: CloudWatchMetricsOptions) {
    this.#client = client
    this.#log = options.log
    this.#maxBuffered = options.maxBuffered ?? 20_000
    this.#closeTimeoutMs = options.closeTimeoutMs ?? 5_000
    this.#timer = setInterval(() => {
      this.#failing = false
      void this.flush()
    }, options.flushSeconds * 1000)
    this.#timer.unref()
  }

  record(datum: MetricDatum): void {
    if (this.#closed) {
      this.#dropped += 1
      return
    }
    const problem = invalid(datum)
    if (problem) {
      this.#dropped += 1
      this.#warn({ namespace: datum.namespace, metric: datum.name, problem }, 'metric data point dropped: CloudWatch would refuse it')
      return
    }
    this.#buffer.push({ namespace: datum.namespace, datum: toCloudWatch(datum) })
    this.#trim()
    if (this.#buffer.length >= MAX_DATA_PER_REQUEST && !this.#running && !this.#failing && !this.#earlyFlushScheduled) {
      this.#earlyFlushScheduled = true
      setImmediate(() => {
        this.#earlyFlushScheduled = false
        void this.flush()
      })
    }
  }

  /** Sends what is buffered now; a flush already under way is waited for, then one more follows for what came in meanwhile. */
  flush(): Promise<void> {
    if (this.#running) {
      this.#queued ??= this.#running.then(() => {
        this.#queued = undefined
        return this.flush()
      })
      return this.#queued
    }
    if (this.#buffer.length === 0) return Promise.resolve()
    this.#running = this.#send().finally(() => {
      this.#running = undefined
    })
    return this.#running
  }

  stats() {
    return { sent: this.#sent, dropped: this.#dropped, buffered: this.#buffer.length + this.#inFlight }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    clearInterval(this.#timer)
    const flushed = this.flush()
    let deadline: NodeJS.Timeout | undefined
    const timedOut = await Promise.race([
      flushed.then(() => false),
      new Promise<boolean>((resolve) => {
        deadline = setTimeout(() => resolve(true), this.#closeTimeoutMs)
      }),
    ])
    clearTimeout(deadline)
    if (timedOut) {
      // Cancels the call in flight; its batch and whatever waited behind it are counted as dropped.
      this.#shutdown.abort()
      await flushed
      this.#dropped += this.#buffer.length
      this.#buffer = []
      this.#log.warn({ dropped: this.#dropped }, `CloudWatch did not take the last metrics within ${this.#closeTimeoutMs} ms of shutdown`)
    }
  }

  async #send(): Promise<void> {
    const taken = this.#buffer
    this.#buffer = []
    this.#inFlight = taken.length
    const batches = batchesOf(taken)
    for (const [index, batch] of batches.entries()) {
      try {
        await this.#client.send(
          new PutMetricDataCommand({ Namespace: batch.namespace, MetricData: batch.points.map((point) => point.datum) }),
          { abortSignal: this.#shutdown.signal },
        )
        this.#sent += batch.points.length
        this.#inFlight -= batch.points.length
      } catch (error) {
        this.#dropped += batch.points.length
        this.#inFlight -= batch.points.length
        this.#failing = true
        // The batches not tried yet wait for the next flush rather than queue up behind a service that just failed
        // (at shutdown there is no next flush: they are dropped too).
        const untried = batches.slice(index + 1).flatMap((rest) => rest.points)
        this.#inFlight -= untried.length
        if (this.#closed) this.#dropped += untried.length
        else this.#buffer = untried.concat(this.#buffer)
        this.#trim()
        this.#warn(
          { err: error, namespace: batch.namespace, lost: batch.points.length },
          'CloudWatch did not take a metrics batch; it is dropped',
        )
        return
      }
    }
    if (this.#buffer.length >= MAX_DATA_PER_REQUEST && !this.#closed) setImmediate(() => void this.flush())
  }

  #trim(): void {
    const excess = this.#buffer.length - this.#maxBuffered
    if (excess <= 0) return
    this.#buffer.splice(0, excess)
    this.#dropped += excess
    this.#warn({ maxBuffered: this.#maxBuffered }, 'metrics buffer full: the oldest data points are dropped')
  }

  #warn(detail: Record<string, unknown>, message: string): void {
    const now = Date.now()
    if (now - this.#lastWarnAt < WARN_EVERY_MS) {
      this.#unreported += 1
      return
    }
    this.#lastWarnAt = now
    this.#log.warn({ ...detail, dropped: this.#dropped, warningsSuppressed: this.#unreported }, message)
    this.#unreported = 0
  }
}

function toCloudWatch(datum: MetricDatum): CloudWatchDatum {
  return {
    MetricName: datum.name,
    Value: datum.value,
    Unit: datum.unit,
    Timestamp: datum.timestamp ?? new Date(),
    ...(datum.dimensions ? { Dimensions: Object.entries(datum.dimensions).map(([Name, Value]) => ({ Name, Value })) } : {}),
  }
}

/** Why CloudWatch would refuse the data point (and with it the whole batch), or undefined. */
function invalid(datum: MetricDatum): string | undefined {
  if (!datum.namespace || datum.namespace.length > 255 || datum.namespace.startsWith('AWS/')) return 'namespace'
  if (!datum.name || datum.name.length > 255) return 'name'
  const magnitude = Math.abs(datum.value)
  if (!Number.isFinite(datum.value) || magnitude > 2 ** 360 || (magnitude !== 0 && magnitude < 2 ** -260)) return 'value'
  if (datum.timestamp) {
    // CloudWatch takes data points from the last two weeks up to two hours ahead.
    const age = Date.now() - datum.timestamp.getTime()
    if (!(age <= TWO_WEEKS_MS && age >= -TWO_HOURS_MS)) return 'timestamp'
  }
  const dimensions = Object.entries(datum.dimensions ?? {})
  if (dimensions.length > MAX_DIMENSIONS) return 'too many dimensions'
  for (const [name, value] of dimensions) {
    if (!name || name.length > 255 || !value || value.length > 1024) return 'dimension'
  }
  return undefined
}

/** One namespace per call (PutMetricData's rule), at most 1000 data points and well under 1 MB each. */
function batchesOf(points: Pending[]): Batch[] {
  const byNamespace = new Map<string, Pending[]>()
  for (const point of points) {
    const group = byNamespace.get(point.namespace)
    if (group) group.push(point)
    else byNamespace.set(point.namespace, [point])
  }
  const batches: Batch[] = []
  for (const [namespace, group] of byNamespace) {
    let batch: Batch = { namespace, points: [] }
    let bytes = 0
    for (const point of group) {
      const size = Buffer.byteLength(JSON.stringify(point.datum)) + 1
      if (batch.points.length === MAX_DATA_PER_REQUEST || (batch.points.length > 0 && bytes + size > MAX_DATA_BYTES_PER_REQUEST)) {
        batches.push(batch)
        batch = { namespace, points: [] }
        bytes = 0
      }
      batch.points.push(point)
      bytes += size
    }
    if (batch.points.length > 0) batches.push(batch)
  }
  return batches
}
