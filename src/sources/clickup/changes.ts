// How a reconciliation walks the hiring list. ClickUp fires no webhook when an
// attachment is added, and whether that moves `date_updated` is not
// documented, so listing what changed since the cursor is not enough: after
// the changed tasks come the list's open tasks that carry a filter tag but not
// the processed tag yet, whenever they changed. Those are few in steady state
// (the item job tags every task it has looked at) and bounded by the list.
//
// Each filter tag is its own query: whether several `tags[]` mean "all of" or
// "any of" is not documented, and one tag at a time is right either way.
import type { QueryValue } from '../../net/http-client.ts'

export type Phase = 'changed' | 'open'

export interface PageCursor {
  phase: Phase
  /** Index into the tags queried. */
  tag: number
  /** ClickUp's page number, from 0. */
  page: number
}

const PHASES: readonly Phase[] = ['changed', 'open']
const CURSOR = /^(changed|open):(\d{1,4}):(\d{1,6})$/

/** The tag names to query: as configured, and in lower case too where that differs (ClickUp may keep tags lower-cased). */
export function queryTags(filterLabels: readonly string[]): string[] {
  return [...new Set(filterLabels.flatMap((label) => [label, label.toLowerCase()]))]
}

export const firstCursor = (): PageCursor => ({ phase: 'changed', tag: 0, page: 0 })

export function encodeCursor(cursor: PageCursor): string {
  return `${cursor.phase}:${cursor.tag}:${cursor.page}`
}

export function decodeCursor(token: string | null, tagCount: number): PageCursor {
  if (token === null) return firstCursor()
  const match = CURSOR.exec(token)
  if (!match || Number(match[2]) >= tagCount) throw new Error(`clickup: "${token.slice(0, 40)}" is not a page of this listing`)
  return { phase: match[1] as Phase, tag: Number(match[2]), page: Number(match[3]) }
}

/** The cursor after `cursor`, once its page has been read; null when the walk is over. */
export function nextCursor(cursor: PageCursor, lastPage: boolean, tagCount: number): PageCursor | null {
  if (!lastPage) return { ...cursor, page: cursor.page + 1 }
  if (cursor.tag + 1 < tagCount) return { phase: cursor.phase, tag: cursor.tag + 1, page: 0 }
  const phase = PHASES[PHASES.indexOf(cursor.phase) + 1]
  return phase ? { phase, tag: 0, page: 0 } : null
}

/** The query of GET /list/{id}/task for one page of the walk. */
export function pageQuery(cursor: PageCursor, tag: string, since: Date): Record<string, QueryValue> {
  const query: Record<string, QueryValue> = {
    page: cursor.page,
    'tags[]': [tag],
    subtasks: true,
    order_by: 'created',
  }
  if (cursor.phase === 'changed') {
    // "At or after since": whether date_updated_gt is strict is not documented, so one millisecond earlier.
    query.date_updated_gt = since.getTime() - 1
    query.include_closed = true
  }
  return query
}
