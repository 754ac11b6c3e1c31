// Repeatable jobs (the recovery sweep, and the reconciliations of each
// source) live only in Redis: a Redis that restarts empty or is flushed
// forgets them, and nothing would ever run them again. Every schedule is
// registered here once and re-asserted on a timer and whenever the
// connection is ready again. Upserting an unchanged schedule keeps its next
// run, so re-asserting never delays one.
import type { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import type { FastifyBaseLogger } from 'fastify'

export interface Schedule {
  /** Runs jobs named `jobName` on `queue` every `everyMs`. */
  queue: Queue
  /** Scheduler id, unique within its queue. */
  id: string
  everyMs: number
  jobName: string
  /** The payload of every job it creates (ids only). */
  data?: Record<string, unknown>
}

export interface SchedulesOptions {
  /** How often every schedule is re-asserted besides on reconnect. */
  reassertEveryMs?: number
}

const REASSERT_EVERY_MS = 60_000

export class Schedules {
  readonly #entries = new Map<string, Schedule>()
  readonly #connection: Redis
  readonly #log: FastifyBaseLogger
  readonly #timer: NodeJS.Timeout
  readonly #onReady = () => void this.reassert()
  #running: Promise<void> | undefined
  #closed = false

  /** `connection`: the one the schedules' queues use; its 'ready' means Redis may have come back empty. */
  constructor(connection: Redis, log: FastifyBaseLogger, options: SchedulesOptions = {}) {
    this.#connection = connection
    this.#log = log
    this.#timer = setInterval(this.#onReady, options.reassertEveryMs ?? REASSERT_EVERY_MS)
    // A timer alone must not keep a process alive that is otherwise done.
    this.#timer.unref()
    connection.on('ready', this.#onReady)
  }

  /** Registers a schedule and creates it now; a failure here is the caller's to report. */
  async add(schedule: Schedule): Promise<void> {
    this.#entries.set(`${schedule.queue.name}\n${schedule.id}`, schedule)
    await Schedules.#upsert(schedule)
  }

  /**
   * Re-creates whatever schedule Redis lost. One pass at a time: while Redis
   * is away a pass waits for it, and the ticks in between are skipped.
   */
  reassert(): Promise<void> {
    if (this.#closed) return Promise.resolve()
    this.#running ??= this.#reassertAll().finally(() => {
      this.#running = undefined
    })
    return this.#running
  }

  async #reassertAll(): Promise<void> {
    for (const schedule of this.#entries.values()) {
      try {
        const known = await schedule.queue.getJobScheduler(schedule.id)
        await Schedules.#upsert(schedule)
        if (!known)
          this.#log.warn({ queue: schedule.queue.name, schedule: schedule.id }, 'schedule was missing from Redis and is created again')
      } catch (error) {
        if (this.#closed) return
        this.#log.error(
          { err: error, queue: schedule.queue.name, schedule: schedule.id },
          'could not re-assert a schedule; trying again later',
        )
      }
    }
  }

  static async #upsert({ queue, id, everyMs, jobName, data }: Schedule): Promise<void> {
    await queue.upsertJobScheduler(id, { every: everyMs }, { name: jobName, ...(data ? { data } : {}) })
  }

  /** Stops re-asserting. A pass still waiting for Redis ends when the connection closes. */
  close(): void {
    this.#closed = true
    clearInterval(this.#timer)
    this.#connection.off('ready', this.#onReady)
  }
}
