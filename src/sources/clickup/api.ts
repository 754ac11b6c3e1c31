// ClickUp API v2 as it answers (https://developer.clickup.com, the v2 OpenAPI
// spec and real responses): only the fields hireflow reads. Ids are strings,
// timestamps are milliseconds since the epoch sent as strings or numbers, a
// user's id is a number, and every field not in the spec's required lists may
// be absent or null.
import { ProviderHttpError } from '../../net/http-client.ts'

export const CLICKUP_API = 'https://api.clickup.com/api/v2'

/**
 * Where ClickUp serves task attachments: t{team}.p.clickup-attachments.com
 * today; older files and profile pictures on *.clickup.com. Whether uploads
 * still land on the latter is not documented, so both are allowed.
 */
export const CLICKUP_ATTACHMENT_HOSTS = ['*.clickup-attachments.com', '*.clickup.com'] as const

/** The events that can bring a resume. No event fires when an attachment is added: reconciliation finds those. */
export const WEBHOOK_EVENTS = ['taskCreated', 'taskUpdated', 'taskTagUpdated', 'taskMoved'] as const

/** GET /list/{id}/task answers at most this many tasks a page. */
export const PAGE_SIZE = 100

export interface ClickUpTag {
  name: string
  tag_fg?: string
  tag_bg?: string
}

export interface ClickUpUser {
  id?: number | string
  username?: string | null
  email?: string | null
}

export interface ClickUpAttachment {
  id: string
  title?: string | null
  date?: string | number | null
  extension?: string | null
  mimetype?: string | null
  size?: number | string | null
  url?: string | null
  url_w_host?: string | null
  deleted?: boolean | null
  is_folder?: boolean | null
}

export interface ClickUpTask {
  id: string
  name?: string | null
  url?: string | null
  date_updated?: string | number | null
  creator?: ClickUpUser | null
  tags?: ClickUpTag[] | null
  list?: { id: string | number } | null
  space?: { id: string | number } | null
  /** Only GET /task/{id} has them; a listing never does. */
  attachments?: ClickUpAttachment[] | null
}

export interface TaskPage {
  tasks?: ClickUpTask[]
  last_page?: boolean
}

export interface ClickUpWebhook {
  id: string
  endpoint: string
  events?: string[] | string
  list_id?: string | number | null
  team_id?: string | number | null
  secret?: string | null
  health?: { status?: string; fail_count?: number } | null
}

export interface CreatedWebhook {
  id: string
  webhook?: ClickUpWebhook
}

/** ClickUp's milliseconds (string or number) as ISO 8601; null when absent or unreadable. */
export function isoFromMillis(value: string | number | null | undefined): string | null {
  if (value == null || value === '') return null
  const millis = Number(value)
  return Number.isFinite(millis) && millis > 0 ? new Date(millis).toISOString() : null
}

export const tagNames = (task: ClickUpTask): string[] =>
  (task.tags ?? []).map((tag) => tag?.name).filter((name): name is string => typeof name === 'string')

/** The `ECODE` of a ClickUp error answer (`{"err": "...", "ECODE": "ITEM_013"}`), when the error carries one. */
export function errorCode(error: unknown): string | undefined {
  if (!(error instanceof ProviderHttpError)) return undefined
  return /"ECODE"\s*:\s*"([A-Z]+_\d+)"/.exec(error.bodySnippet)?.[1]
}

/**
 * The task is not there for us: 404, or an ITEM_ error (the not-found codes
 * are not documented one by one; ITEM_013 and ITEM_015 are seen for a
 * deleted or unknown task).
 */
export function isNotFound(error: unknown): boolean {
  if (!(error instanceof ProviderHttpError)) return false
  return error.status === 404 || (error.permanent && errorCode(error)?.startsWith('ITEM_') === true)
}

/** A numeric id as the number the webhook body's integer fields want; anything else as it is. */
export const asLocationId = (id: string): number | string => (/^\d{1,15}$/.test(id) ? Number(id) : id)
