// ClickUp webhook deliveries: `X-Signature` is the lowercase hex HMAC-SHA256
// of the raw body keyed with the webhook's secret (developer.clickup.com
// /docs/webhooksignature). ClickUp signs no time, so a replay of a genuine
// delivery verifies: that is harmless because a delivery only names a task to
// look at again. The body is parsed only once the signature holds.
import { signedByAny } from '../signature.ts'
import type { WebhookDelivery, WebhookVerdict } from '../../ports/intake-source.ts'

const SIGNATURE = /^[0-9a-f]{64}$/i

interface TaskEvent {
  event?: unknown
  task_id?: unknown
  webhook_id?: unknown
  history_items?: unknown
}

/** The task a verified delivery names, and ClickUp's key for the change (`webhook_id:history_item_id`). */
function parseDelivery(rawBody: Buffer): { itemIds: string[]; deliveryId: string | null } {
  let payload: TaskEvent
  try {
    payload = JSON.parse(rawBody.toString('utf8')) as TaskEvent
  } catch {
    // Authentic but unreadable: a 401 would make ClickUp suspend the webhook, so it is accepted and ignored.
    return { itemIds: [], deliveryId: null }
  }
  if (!payload || typeof payload !== 'object') return { itemIds: [], deliveryId: null }
  const event = typeof payload.event === 'string' ? payload.event : ''
  const taskId = typeof payload.task_id === 'string' && payload.task_id.length > 0 ? payload.task_id : null
  // A deleted task has nothing left to take in; list, folder and space events name no task.
  const itemIds = taskId && event.startsWith('task') && event !== 'taskDeleted' ? [taskId] : []
  const history = Array.isArray(payload.history_items) ? (payload.history_items as Array<{ id?: unknown }>) : []
  const historyId = history.find((entry) => entry && (typeof entry.id === 'string' || typeof entry.id === 'number'))?.id
  const deliveryId = typeof payload.webhook_id === 'string' && historyId != null ? `${payload.webhook_id}:${String(historyId)}` : null
  return { itemIds, deliveryId }
}

export function verifyClickUpDelivery(delivery: WebhookDelivery, secrets: readonly string[]): WebhookVerdict {
  const signature = delivery.headers['x-signature']?.trim()
  if (!signature) return { kind: 'rejected', reason: 'no X-Signature header' }
  if (!SIGNATURE.test(signature)) return { kind: 'rejected', reason: 'X-Signature is not a hex SHA-256 digest' }
  if (secrets.length === 0) return { kind: 'rejected', reason: 'no ClickUp webhook secret is stored: register the webhook first' }
  if (!signedByAny(delivery.rawBody, signature, secrets)) {
    return { kind: 'rejected', reason: 'X-Signature does not match the body under any registered secret' }
  }
  return { kind: 'accepted', ...parseDelivery(delivery.rawBody) }
}
