// Recovery: the queues are a means, the candidate store is the truth. A
// candidate whose job was lost (Redis flushed, enqueue failed after the
// record was written, a failure that could not be recorded) sits unfinished;
// this sweep queues its next step again. Each step is de-duplicated while its
// job is unfinished, so sweeping a candidate whose job is alive is a no-op.
import { Queue, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import { UNFINISHED_STATUSES, type Candidate, type CandidateStatus } from '../src/domain/candidate.ts'
import type { JobContext, JobServices } from './context.ts'
import type { HiringQueues } from './queues.ts'
import type { Schedules } from './schedules.ts'

export const RECOVERY_SCHEDULE = 'recover-unfinished'
const SWEEP_EVERY_MS = 5 * 60_000
/** Only candidates untouched this long are swept, so live work is left alone. */
const QUIET_FOR_MS = 2 * 60_000
const MAX_PER_STATUS = 500

export interface SweepOptions {
  /** Candidates updated more recently than this are left alone. */
  quietForMs?: number
  now?: () => Date
}

export interface RecoveryOptions {
  sweepEveryMs?: number
  quietForMs?: number
}

export type StepQueues = Pick<HiringQueues, 'enqueueIntake' | 'enqueueProcess' | 'enqueueNotify' | 'enqueueAcknowledge'>

type SweepContext = {
  services: Pick<JobServices, 'candidates'>
  queues: StepQueues
}

/**
 * Queues the step a candidate in its current state waits for; false when none
 * is due (finished, or failed in a way no step mends). The sweep and an
 * operator's retry decide the same way.
 */
export async function queueNextStep(queues: StepQueues, candidate: Candidate): Promise<boolean> {
  switch (candidate.status) {
    case 'received':
      await queues.enqueueIntake({ source: candidate.source, sourceItemId: candidate.sourceItemId, candidateId: candidate.id })
      return true
    case 'stored':
    case 'parsed':
    case 'scored':
      await queues.enqueueProcess(candidate.id)
      return true
    case 'decided':
      await queues.enqueueNotify(candidate.id, 'decision')
      return true
    // `notified` and `failed` wait for what follows them: the source item's acknowledgement, the unreadable email.
    case 'notified':
      if (!candidate.origin || candidate.acknowledgement) return false
      await queues.enqueueAcknowledge(candidate.id)
      return true
    case 'failed':
      if (candidate.failure?.reason !== 'unreadable_resume') return false
      if (!candidate.notification) await queues.enqueueNotify(candidate.id, 'unreadable')
      else if (candidate.origin && !candidate.acknowledgement) await queues.enqueueAcknowledge(candidate.id)
      else return false
      return true
    default:
      return false
  }
}

export async function requeueUnfinished({ services, queues }: SweepContext, options: SweepOptions = {}): Promise<number> {
  const cutoff = (options.now?.() ?? new Date()).getTime() - (options.quietForMs ?? QUIET_FOR_MS)
  let queued = 0
  const statuses: CandidateStatus[] = [...UNFINISHED_STATUSES, 'notified', 'failed']
  for (const status of statuses) {
    let cursor: string | undefined
    let seen = 0
    do {
      const page = await services.candidates.listCandidates({ status, limit: 100, ...(cursor ? { cursor } : {}) })
      for (const candidate of page.items) {
        if (Date.parse(candidate.updatedAt) > cutoff) continue
        if (await queueNextStep(queues, candidate)) queued++
      }
      seen += page.items.length
      cursor = page.nextCursor ?? undefined
    } while (cursor && seen < MAX_PER_STATUS)
  }
  return queued
}

/** A repeatable job on its own queue runs the sweep on one worker at a time. */
export async function scheduleRecovery(context: JobContext, connection: Redis, schedules: Schedules, options: RecoveryOptions = {}) {
  const prefix = context.config.queuePrefix
  const queue = new Queue('maintenance', { connection, prefix, defaultJobOptions: { removeOnComplete: 100, removeOnFail: 100 } })
  queue.on('error', () => {})
  await schedules.add({ queue, id: RECOVERY_SCHEDULE, everyMs: options.sweepEveryMs ?? SWEEP_EVERY_MS, jobName: 'recover' })
  const worker = new Worker(
    'maintenance',
    async () => {
      const queued = await requeueUnfinished(context, { quietForMs: options.quietForMs })
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
