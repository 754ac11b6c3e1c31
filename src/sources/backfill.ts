// A backfill: every item of a source that changed since a given time, queued
// for a look, page by page (after an outage longer than the look-back window,
// or for a new hiring project's history). Its progress is kept in the
// candidate store under a key of its own, `backfill:<provider>:<since>`,
// never in the source's state, so the reconciliation cursor is untouched; a
// backfill interrupted (Ctrl-C, a crash, a provider error) continues from the
// page after the last one completed. A page is marked completed only once
// every item on it is queued, so an interruption between the two queues that
// page's items again, which the item jobs' de-duplication makes harmless.
import type { SourceState } from '../domain/source-state.ts'
import type { CandidateStore } from '../ports/candidate-store.ts'
import type { IntakeSource } from '../ports/intake-source.ts'
import { updateSourceState } from './state.ts'

export interface BackfillProgress {
  /** Where the listing starts (ISO 8601). */
  since: string
  startedAt: string
  /** Pages completed: listed, and every item on them queued. */
  pages: number
  /** Items queued so far (an item changed on two pages counts twice). */
  queued: number
  /** The page after the last completed one: null before the first page and after the last. */
  nextPage: string | null
  finishedAt: string | null
}

/** The record a backfill is kept in: a source state of its own, carrying its progress. */
interface BackfillState extends SourceState {
  backfill?: BackfillProgress
}

export const backfillKey = (provider: string, since: string) => `backfill:${provider}:${since}`

const UNIT_MS = { h: 3_600_000, d: 86_400_000 } as const
const DATE = /^\d{4}-\d{2}-\d{2}$/
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/

/**
 * `7d`, `48h` (back from now), `2026-11-01` (midnight UTC) or an ISO 8601
 * time with its zone. `key` names the backfill: the duration as written, so
 * the same command run again finds the backfill it began (and keeps the time
 * it began from), or the instant.
 */
export function parseSince(text: string, now: Date): { since: Date; key: string } | { problem: string } {
  const relative = /^(\d{1,5})([hd])$/.exec(text)
  let since: Date
  let key: string
  if (relative) {
    const amount = Number(relative[1])
    if (amount === 0) return { problem: `--since ${text} is no time at all` }
    const unit = relative[2] as keyof typeof UNIT_MS
    since = new Date(now.getTime() - amount * UNIT_MS[unit])
    key = `${amount}${unit}`
  } else if (DATE.test(text) || DATE_TIME.test(text)) {
    // Date rolls 2026-02-31 over into March: a day that does not read back as written is not a date.
    const day = new Date(`${text.slice(0, 10)}T00:00:00Z`)
    if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== text.slice(0, 10)) {
      return { problem: `--since ${text} is not a real date` }
    }
    since = DATE.test(text) ? day : new Date(text)
    key = since.toISOString()
  } else {
    return { problem: `--since "${text}" is neither a duration like 7d or 48h nor a date like 2026-11-01` }
  }
  if (since.getTime() >= now.getTime()) return { problem: `--since ${text} is not in the past` }
  return { since, key }
}

export async function readBackfill(store: CandidateStore, key: string): Promise<BackfillProgress | undefined> {
  return ((await store.getSourceState(key)) as BackfillState | undefined)?.backfill
}

export interface BackfillRun {
  store: CandidateStore
  source: IntakeSource
  key: string
  /** Where a new backfill starts; one under way keeps the time it began from. */
  since: Date
  /** Begin again, even when a backfill under this key is under way or finished. */
  restart: boolean
  /** Queues a look at one item. */
  queue(itemId: string): Promise<void>
  /** After each completed page. */
  onPage?(progress: BackfillProgress): void
  clock?: () => Date
}

export type BackfillResult =
  /** Done earlier: nothing was listed. */
  | { kind: 'finished-before'; progress: BackfillProgress }
  /** Done now; `resumedAfter`: the pages an earlier run had completed. */
  | { kind: 'finished'; progress: BackfillProgress; resumedAfter: number }

export async function runBackfill(run: BackfillRun): Promise<BackfillResult> {
  const now = () => (run.clock?.() ?? new Date()).toISOString()
  let progress = run.restart ? undefined : await readBackfill(run.store, run.key)
  if (progress?.finishedAt) return { kind: 'finished-before', progress }
  const resumedAfter = progress?.pages ?? 0
  if (!progress) {
    progress = { since: run.since.toISOString(), startedAt: now(), pages: 0, queued: 0, nextPage: null, finishedAt: null }
    await save(run, progress)
  }
  const since = new Date(progress.since)
  let page = progress.nextPage
  do {
    const listed = await run.source.listChanges(since, page)
    for (const change of listed.changes) await run.queue(change.id)
    progress = {
      ...progress,
      pages: progress.pages + 1,
      queued: progress.queued + listed.changes.length,
      nextPage: listed.nextPage,
      finishedAt: listed.nextPage ? null : now(),
    }
    await save(run, progress)
    run.onPage?.(progress)
    page = listed.nextPage
  } while (page)
  return { kind: 'finished', progress, resumedAfter }
}

async function save(run: BackfillRun, progress: BackfillProgress): Promise<void> {
  await updateSourceState(run.store, run.key, (state): BackfillState => ({ ...state, backfill: progress }))
}
