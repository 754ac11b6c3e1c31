// Recovery: the queues are a means, the candidate store is the truth. A
// candidate whose job was lost (Redis flushed, enqueue failed after the
// record was written) sits unfinished; this sweep queues its next step again.
// Job ids de-duplicate, so sweeping a candidate whose job is alive is a no-op.
import { Queue, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import { UNFINISHED_STATUSES, type CandidateStatus } from '../src/domain/candidate.ts'
import type { JobContext } from './context.ts'

const SWEEP_EVERY_MS = 5 * 60_000
/** Only candidates untouched this long are swept, so live work is left alone. */
const QUIET_FOR_MS = 2 * 60_000
const MAX_PER_STATUS = 500

export async function requeueUnfinished({ services, queues }: Pick<JobContext, 'services' | 'queues'>, quietForMs = QUIET_FOR_MS): Promise<number> {
  const cutoff = Date.now() - quietForMs
  let queued = 0
  const statuses: CandidateStatus[] = [...UNFINISHED_STATUSES, 'failed']
  for (const status of statuses) {
    let cursor: string | undefined
    let seen = 0
    do {
      const page = await services.candidates.listCandidates({ status, limit: 100, ...(cursor ? { cursor } : {}) })
      for (const candidate of page.items) {
        if (Date.parse(candidate.updatedAt) > cutoff) continue
        if (status === 'received') {
          await queues.enqueueIntake({ source: candidate.source, sourceItemId: candidate.sourceItemId, candidateId: candidate.id })
        } else if (status === 'decided') {
          await queues.enqueueNotify(candidate.id, 'decision')
        } else if (status === 'failed') {
          if (candidate.failure?.reason !== 'unreadable_resume' || candidate.notification) continue
          await queues.enqueueNotify(candidate.id, 'unreadable')
        } else {
          await queues.enqueueProcess(candidate.id)
        }
        queued++
      }
      seen += page.items.length
      cursor = page.nextCursor ?? undefined
    } while (cursor && seen < MAX_PER_STATUS)
  }
  return queued
}

/** A repeatable job on its own queue runs the sweep on one worker at a time. */
export async function scheduleRecovery(context: JobContext, connection: Redis) {
  const prefix = context.config.queuePrefix
  const queue = new Queue('maintenance', { connection, prefix, defaultJobOptions: { removeOnComplete: 100, removeOnFail: 100 } })
  await queue.upsertJobScheduler('recover-unfinished', { every: SWEEP_EVERY_MS }, { name: 'recover' })
  const worker = new Worker(
    'maintenance',
    async () => {
      const queued = await requeueUnfinished(context)
      if (queued > 0) context.log.warn({ queued }, 're-queued unfinished candidates')
    },
    { connection, prefix, concurrency: 1 },
  )
  worker.on('error', (error) => context.log.error({ err: error }, 'maintenance worker error'))
  return {
    async close() {
      await worker.close()
      await queue.close()
    },
  }
}
