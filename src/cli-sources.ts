// `hireflow reconcile --source <provider>` and `hireflow backfill --source
// <provider> --since <when>`: work at an intake source now, from a shell.
// Exit 0 done, 1 failed (one line on stderr), 2 usage; backfill 130 when
// interrupted (run it again to continue).
//
// Both run in this process and only queue looks at items; the workers (here
// or elsewhere, running at the same time) take the items in. That is safe
// beside them: a look is de-duplicated per item while queued and idempotent
// when run (the intake ledger, the processed marks), so an item a scheduled
// reconciliation also names is looked at once more at most. The reconcile
// moves the source's cursor as a scheduled one does (optimistic writes; the
// cursor is the start of a completed listing either way); a backfill never
// touches it.
import type { Queue } from 'bullmq'
import { openOperations, parseOptions, runCommand, sourceNamed, usageError, type OperatorCommand, type Operations } from './cli-context.ts'
import { Progress } from './cli-progress.ts'
import { createMonitoring, type Monitoring } from './monitor/monitoring.ts'
import { backfillKey, parseSince, runBackfill } from './sources/backfill.ts'
import { HiringQueues, type SourceJobData } from '../jobs/queues.ts'
import type { JobContext } from '../jobs/context.ts'
import { reconcileProcessor, sourceItemId } from '../jobs/sources.ts'

const RECONCILE_USAGE = 'hireflow reconcile --source <provider> [--wait <seconds>]'
const BACKFILL_USAGE = 'hireflow backfill --source <provider> --since <7d|48h|2026-11-01> [--restart]'
/** How long reconcile waits, by default, for the workers to look at the items it queued. */
const DEFAULT_WAIT_SECONDS = 120
const POLL_MS = 500
/** The states of a look not yet made. */
const OPEN_STATES = ['active', 'wait', 'delayed', 'prioritized', 'waiting-children'] as const
const JOBS_PAGE = 500

/** The queues, noting which items a reconciliation queued a look at. */
class RecordingQueues extends HiringQueues {
  readonly queuedItems = new Set<string>()

  override async enqueueSourceItem(provider: string, itemId: string): Promise<void> {
    await super.enqueueSourceItem(provider, itemId)
    this.queuedItems.add(itemId)
  }
}

/** The job context a reconciliation runs in; it lists and queues, and never reads a resume. */
function operatorJobContext(operations: Operations, monitoring: Monitoring): JobContext {
  return {
    config: operations.config,
    services: operations.services,
    queues: operations.queues,
    log: operations.log,
    extractor: {
      async extract() {
        throw new Error('resumes are read by the workers, not by an operator command')
      },
    },
    sources: operations.sources,
    alerts: monitoring.alerter,
    metrics: monitoring.metrics,
  }
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`

export const reconcileCommand: OperatorCommand = (config, args, out, err, progressOutput = process.stderr) =>
  runCommand(err, async () => {
    const { values, positionals } = parseOptions(args, { source: { type: 'string' }, wait: { type: 'string' } }, RECONCILE_USAGE)
    if (positionals.length > 0) throw usageError(RECONCILE_USAGE, `unexpected "${positionals[0]}"`)
    const provider = values.source
    if (!provider) throw usageError(RECONCILE_USAGE, '--source is missing')
    if (values.wait !== undefined && !/^\d{1,4}$/.test(values.wait)) {
      throw usageError(RECONCILE_USAGE, `--wait ${values.wait} is not a whole number of seconds`)
    }
    const waitSeconds = values.wait === undefined ? DEFAULT_WAIT_SECONDS : Number(values.wait)

    const operations = await openOperations(config, RecordingQueues)
    const monitoring = createMonitoring(config, operations.services.mailer, operations.log)
    const progress = new Progress(progressOutput)
    try {
      const source = sourceNamed(operations, provider)
      const queues = operations.queues as RecordingQueues
      const startedAt = Date.now()
      const listed = await reconcileProcessor(operatorJobContext(operations, monitoring))(provider, ({ listed }) =>
        progress.update(`reconciling ${provider}: items listed`, listed),
      )
      const itemIds = [...queues.queuedItems]
      const pending = await waitForLooks(queues.sources, provider, itemIds, waitSeconds * 1000, (done) =>
        progress.update(`${provider}: items looked at`, done, itemIds.length),
      )
      let candidates = 0
      let created = 0
      for (const itemId of itemIds) {
        for (const candidate of await operations.services.candidates.findBySourceItem(source.source, sourceItemId(provider, itemId))) {
          candidates++
          if (Date.parse(candidate.createdAt) >= startedAt) created++
        }
      }
      progress.end()
      let summary =
        `reconciled ${provider}: ${plural(listed.listed, 'item')} seen, ${itemIds.length} queued for a look, ` +
        `${plural(candidates, 'candidate')} (${created} new)`
      if (waitSeconds === 0 && itemIds.length > 0) summary += '; looks not waited for'
      else if (pending > 0) summary += `; ${plural(pending, 'look')} still queued after ${waitSeconds} s (are workers running?)`
      out(summary)
      return 0
    } finally {
      progress.end()
      await monitoring.close()
      await operations.close()
    }
  })

/** Waits until no job looks at any of `itemIds` any more (or the time is up); how many are still to be looked at. */
async function waitForLooks(
  queue: Queue<SourceJobData>,
  provider: string,
  itemIds: readonly string[],
  waitMs: number,
  onProgress: (done: number) => void,
): Promise<number> {
  let pending = new Set(itemIds)
  const deadline = Date.now() + waitMs
  while (pending.size > 0 && waitMs > 0) {
    const open = await itemsWithOpenJobs(queue, provider, pending)
    // Only ever fewer: a look finished is not waited for again when a webhook queues the item anew.
    pending = new Set([...pending].filter((itemId) => open.has(itemId)))
    onProgress(itemIds.length - pending.size)
    if (pending.size === 0 || Date.now() >= deadline) break
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
  return pending.size
}

async function itemsWithOpenJobs(queue: Queue<SourceJobData>, provider: string, itemIds: ReadonlySet<string>): Promise<Set<string>> {
  const open = new Set<string>()
  for (const state of OPEN_STATES) {
    for (let start = 0; ; start += JOBS_PAGE) {
      const jobs = await queue.getJobs([state], start, start + JOBS_PAGE - 1)
      for (const job of jobs) {
        const data = job?.data
        if (data?.kind === 'item' && data.provider === provider && itemIds.has(data.itemId)) open.add(data.itemId)
      }
      if (jobs.length < JOBS_PAGE) break
    }
  }
  return open
}

export const backfillCommand: OperatorCommand = (config, args, out, err, progressOutput = process.stderr) =>
  runCommand(err, async () => {
    const options = { source: { type: 'string' }, since: { type: 'string' }, restart: { type: 'boolean' } } as const
    const { values, positionals } = parseOptions(args, options, BACKFILL_USAGE)
    if (positionals.length > 0) throw usageError(BACKFILL_USAGE, `unexpected "${positionals[0]}"`)
    const provider = values.source
    if (!provider) throw usageError(BACKFILL_USAGE, '--source is missing')
    if (!values.since) throw usageError(BACKFILL_USAGE, '--since is missing')
    const since = parseSince(values.since, new Date())
    if ('problem' in since) throw usageError(BACKFILL_USAGE, since.problem)

    const operations = await openOperations(config)
    const progress = new Progress(progressOutput)
    const resume = 'the pages completed are kept: run the same command again to continue'
    // Ctrl-C: every completed page is stored, so the same command continues after the last one.
    const interrupted = () => {
      progress.end()
      err(`backfill interrupted; ${resume}`)
      process.exit(130)
    }
    process.once('SIGINT', interrupted)
    try {
      const source = sourceNamed(operations, provider)
      const result = await runBackfill({
        store: operations.services.candidates,
        source,
        key: backfillKey(provider, since.key),
        since: since.since,
        restart: values.restart === true,
        queue: (itemId) => operations.queues.enqueueSourceItem(provider, itemId),
        onPage: (done) => progress.update(`backfilling ${provider} since ${done.since} (page ${done.pages}): items queued`, done.queued),
      }).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}; ${resume}`, { cause: error })
      })
      progress.end()
      const { progress: done } = result
      const totals = `${plural(done.pages, 'page')}, ${plural(done.queued, 'item')} queued for a look`
      if (result.kind === 'finished-before') {
        out(`the backfill of ${provider} since ${done.since} finished at ${done.finishedAt}: ${totals} (--restart runs it again)`)
      } else {
        const resumed = result.resumedAfter > 0 ? ` (resumed after page ${result.resumedAfter})` : ''
        out(`backfilled ${provider} since ${done.since}: ${totals}${resumed}; finished`)
      }
      return 0
    } finally {
      process.off('SIGINT', interrupted)
      progress.end()
      await operations.close()
    }
  })
