// Turns webhook hints into item jobs in the worker processes. The webhook
// route only adds the item to a per-source set (so a delivery is acknowledged
// with one cheap Redis command, and duplicates collapse); this loop takes the
// hints out and queues one look at each item. Several workers may drain at
// once: each hint is taken by one of them.
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyBaseLogger } from 'fastify'
import type { HiringQueues } from './queues.ts'

const CLOSE_WAIT_MS = 2_000

export interface HintDrainOptions {
  /** Pause between rounds that found nothing to take. */
  idleMs?: number
  /** Pause after a round that failed (Redis away). */
  errorMs?: number
}

export class SourceHintDrainer {
  readonly #stop = new AbortController()
  readonly #running: Promise<void>

  constructor(
    queues: Pick<HiringQueues, 'drainSourceHints'>,
    providers: readonly string[],
    log: FastifyBaseLogger,
    options: HintDrainOptions = {},
  ) {
    const idleMs = options.idleMs ?? 200
    const errorMs = options.errorMs ?? 1_000
    const signal = this.#stop.signal
    this.#running =
      providers.length === 0
        ? Promise.resolve()
        : (async () => {
            while (!signal.aborted) {
              let taken = 0
              try {
                for (const provider of providers) taken += await queues.drainSourceHints(provider)
              } catch (error) {
                if (signal.aborted) return
                log.warn({ err: { message: (error as Error).message } }, 'could not take webhook hints; trying again shortly')
                await sleep(errorMs, undefined, { signal }).catch(() => {})
                continue
              }
              // A full round may have left more behind: go again at once; otherwise wait for new hints.
              if (taken === 0) await sleep(idleMs, undefined, { signal }).catch(() => {})
            }
          })()
  }

  /** Stops taking hints. A round waiting on a Redis that is away is not waited for: its hints stay in the set. */
  async close(): Promise<void> {
    this.#stop.abort()
    await Promise.race([this.#running, sleep(CLOSE_WAIT_MS, undefined, { ref: false })])
  }
}
