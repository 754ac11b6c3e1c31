// Runs the probes every HEALTH_INTERVAL_SECONDS in the worker processes. One
// process probes per round (a lease in Redis), so five workers do not make
// five rounds of calls. A timer, not a repeatable job: a job queue kept in
// Redis cannot say that Redis is down; when the lease cannot be taken because
// Redis is away, every process probes, and the Queue integration's alert
// goes out.
import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import { whenReady } from '../redis.ts'
import type { FastifyBaseLogger } from 'fastify'
import type { IntegrationMonitor } from './integration-monitor.ts'
import type { PipelineWatch } from './pipeline-watch.ts'

export interface HealthLoopOptions {
  monitor: IntegrationMonitor
  watch: PipelineWatch
  redis: Redis
  prefix: string
  intervalMs: number
  log: FastifyBaseLogger
}

export class HealthLoop {
  readonly #options: HealthLoopOptions
  readonly #id = randomUUID()
  #timer: NodeJS.Timeout | undefined
  #round: Promise<void> | undefined
  #closed = false

  constructor(options: HealthLoopOptions) {
    this.#options = options
  }

  start(): void {
    // The first round one interval after start: a process that restarts often does not hammer the providers,
    // and GET /integrations probes on the spot whatever has never been probed.
    this.#timer = setInterval(() => void this.runOnce(), this.#options.intervalMs)
    this.#timer.unref()
  }

  /** One round, unless another process holds this round's lease; a round still running is not doubled. */
  runOnce(): Promise<void> {
    this.#round ??= this.#run().finally(() => {
      this.#round = undefined
    })
    return this.#round
  }

  async #run(): Promise<void> {
    if (this.#closed) return
    const { redis, prefix, intervalMs, monitor, watch, log } = this.#options
    let mine: boolean
    await whenReady(redis, 5_000)
    try {
      // The lease lapses a little before the next round, so the holder's next tick can take it again.
      const taken = await redis.set(`${prefix}:monitor:lease`, this.#id, 'PX', Math.max(500, Math.floor(intervalMs * 0.9)), 'NX')
      mine = taken === 'OK'
    } catch {
      // Redis is away: every process probes, so the Queue integration's alert goes out.
      mine = true
    }
    if (!mine) return
    try {
      await monitor.probeAll()
      await watch.check()
    } catch (error) {
      log.error({ err: error }, 'a round of integration probes failed')
    }
  }

  async close(): Promise<void> {
    this.#closed = true
    clearInterval(this.#timer)
    await this.#round
  }
}
