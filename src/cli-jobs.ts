// `hireflow jobs retry-failed [--queue intake|process|notify|sources]`: the
// jobs that failed for good, run again.
//
// A failed job is not retried in place. Its candidate was marked `failed`
// when it failed, and the process and notify steps do nothing for a failed
// candidate, so the job alone would succeed without doing anything; and a
// job retried in place bypasses the de-duplication of its step, so a notify
// job could run beside a live one and email HR twice. Instead each failed
// job's work is queued again the way fresh work is: its failed candidate is
// reopened (as `hireflow candidates retry` does) and its step queued through
// the step's de-duplicated enqueue, a source job through its own; then the
// failed job is removed. Work that is done by now has its job removed; work
// no retry can do is left failed and listed.
import type { Job, Queue } from 'bullmq'
import { openOperations, parseOptions, runCommand, usageError, type OperatorCommand, type Operations } from './cli-context.ts'
import { Progress } from './cli-progress.ts'
import { retryFailedCandidate, type RetryDeps } from '../jobs/retry.ts'
import { queueNextStep } from '../jobs/recover.ts'
import type { NotifyJobData, SourceJobData } from '../jobs/queues.ts'

const QUEUE_NAMES = ['intake', 'process', 'notify', 'sources'] as const
type QueueName = (typeof QUEUE_NAMES)[number]
const USAGE = `hireflow jobs retry-failed [--queue ${QUEUE_NAMES.join('|')}]`
/** Ids listed per reason a job was left failed; the rest are counted. */
const IDS_SHOWN = 5

/** `left`: shown by the candidate's id where there is one (what `candidates retry` takes), else the job's. */
type Verdict = { kind: 'requeued'; reopened: boolean } | { kind: 'done' } | { kind: 'left'; why: string; id?: string }

interface Tally {
  failed: number
  requeued: number
  reopened: number
  done: number
  left: Map<string, Set<string>>
}

export const jobsCommand: OperatorCommand = (config, args, out, err, progressOutput = process.stderr) =>
  runCommand(err, async () => {
    const { values, positionals } = parseOptions(args, { queue: { type: 'string' } }, USAGE)
    if (positionals[0] !== 'retry-failed' || positionals.length > 1) {
      throw usageError(USAGE, positionals[0] && positionals[0] !== 'retry-failed' ? `unknown action "${positionals[0]}"` : undefined)
    }
    const only = values.queue
    if (only !== undefined && !(QUEUE_NAMES as readonly string[]).includes(only)) throw usageError(USAGE, `no queue "${only}"`)
    const names = only ? [only as QueueName] : [...QUEUE_NAMES]

    const operations = await openOperations(config)
    try {
      const progress = new Progress(progressOutput)
      for (const name of names) {
        const tally = await retryQueue(operations, name, progress)
        progress.end()
        for (const line of report(name, tally)) out(line)
      }
      return 0
    } finally {
      await operations.close()
    }
  })

async function retryQueue(operations: Operations, name: QueueName, progress: Progress): Promise<Tally> {
  const queue = operations.queues[name] as Queue
  // Listed first, then acted on: a job re-queued now must not shift the pages still to be read.
  const jobs = (await queue.getFailed(0, -1)).filter((job): job is Job => Boolean(job))
  const tally: Tally = { failed: jobs.length, requeued: 0, reopened: 0, done: 0, left: new Map() }
  const deps: RetryDeps = {
    candidates: operations.services.candidates,
    resumes: operations.services.resumes,
    queues: operations.queues,
    providers: new Set(operations.sources.keys()),
  }
  for (const [index, job] of jobs.entries()) {
    const verdict =
      name === 'sources' ? await requeueSourceJob(operations, deps, job.data as SourceJobData) : await requeueStep(operations, deps, job)
    if (verdict.kind === 'left') {
      const ids = tally.left.get(verdict.why) ?? new Set()
      tally.left.set(verdict.why, ids.add(verdict.id ?? `job ${job.id}`))
    } else {
      if (verdict.kind === 'done') tally.done++
      else {
        tally.requeued++
        if (verdict.reopened) tally.reopened++
      }
      await job.remove()
    }
    progress.update(`retrying failed ${name} jobs`, index + 1, jobs.length)
  }
  return tally
}

/** A job of the intake, process or notify queue: its candidate's step, queued again. */
async function requeueStep(operations: Operations, deps: RetryDeps, job: Job): Promise<Verdict> {
  const { candidateId, hrDecisionId } = job.data as Partial<NotifyJobData>
  if (!candidateId) return { kind: 'left', why: 'the job names no candidate' }
  const candidate = await deps.candidates.getCandidate(candidateId)
  if (!candidate) return { kind: 'left', why: 'the candidate no longer exists', id: candidateId }
  if (candidate.status === 'erased') return { kind: 'left', why: 'the candidate was erased', id: candidateId }
  if (hrDecisionId) {
    // HR changed the decision since: the newer one has a job of its own.
    if (candidate.hrDecision?.id !== hrDecisionId) return { kind: 'done' }
    await operations.queues.enqueueFinalDecisionNotify(candidateId, hrDecisionId)
    return { kind: 'requeued', reopened: false }
  }
  if (candidate.status === 'failed') {
    const retried = await retryFailedCandidate(deps, candidateId)
    if (retried.kind === 'reopened' || retried.kind === 'looking-again') return { kind: 'requeued', reopened: true }
    // Failed for a reason a retry does not mend (an unreadable resume): only what follows it may be due.
    if (await queueNextStep(deps.queues, candidate)) return { kind: 'requeued', reopened: false }
    const reason = candidate.failure?.reason ?? 'unknown'
    return { kind: 'left', why: `the candidate failed with ${reason} (see hireflow candidates retry <id>)`, id: candidateId }
  }
  return (await queueNextStep(deps.queues, candidate)) ? { kind: 'requeued', reopened: false } : { kind: 'done' }
}

/** A job of the sources queue: the same work queued again through its own de-duplicated enqueue. */
async function requeueSourceJob(operations: Operations, deps: RetryDeps, data: SourceJobData): Promise<Verdict> {
  const { queues } = operations
  if (data.kind === 'acknowledge') {
    const candidate = await deps.candidates.getCandidate(data.candidateId)
    if (!candidate) return { kind: 'left', why: 'the candidate no longer exists', id: data.candidateId }
    if (!candidate.origin || candidate.acknowledgement) return { kind: 'done' }
    if (!deps.providers.has(candidate.origin.provider)) return { kind: 'left', why: `${candidate.origin.provider} is not configured` }
    await queues.enqueueAcknowledge(data.candidateId)
    return { kind: 'requeued', reopened: false }
  }
  if (!deps.providers.has(data.provider)) return { kind: 'left', why: `${data.provider} is not configured` }
  switch (data.kind) {
    case 'item':
      await queues.enqueueSourceItem(data.provider, data.itemId)
      break
    case 'reconcile':
      await queues.enqueueReconcile(data.provider)
      break
    case 'keep-webhook':
      await queues.enqueueKeepWebhook(data.provider)
      break
    case 'lifecycle':
      await queues.enqueueLifecycle(data.provider, data.webhookId, data.event)
      break
  }
  return { kind: 'requeued', reopened: false }
}

function report(name: QueueName, tally: Tally): string[] {
  if (tally.failed === 0) return [`${name}: no failed jobs`]
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`
  const parts = [`${tally.requeued} re-queued${tally.reopened > 0 ? ` (${plural(tally.reopened, 'candidate')} reopened)` : ''}`]
  if (tally.done > 0) parts.push(`${tally.done} already done (removed)`)
  const leftCount = tally.failed - tally.requeued - tally.done
  if (leftCount > 0) parts.push(`${leftCount} left failed`)
  const lines = [`${name}: ${plural(tally.failed, 'failed job')}: ${parts.join(', ')}`]
  for (const [why, ids] of tally.left) {
    const shown = [...ids].slice(0, IDS_SHOWN).join(', ')
    lines.push(`  left failed, ${why}: ${shown}${ids.size > IDS_SHOWN ? ` and ${ids.size - IDS_SHOWN} more` : ''}`)
  }
  return lines
}
