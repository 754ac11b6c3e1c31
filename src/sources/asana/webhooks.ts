// Asana webhook deliveries. Registration starts with a handshake: while
// POST /webhooks is in flight Asana calls the target with X-Hook-Secret, and
// the answer must echo it. Every later delivery carries X-Hook-Signature, the
// hex HMAC-SHA256 of the raw body under that secret. Asana signs no time (a
// retry may legitimately come up to 24 hours later), so there is no staleness
// window: a replay only makes hireflow look at a task again.
import { signedByAny } from '../signature.ts'
import type { WebhookDelivery, WebhookVerdict } from '../../ports/intake-source.ts'
import { isGid } from './api.ts'

// Asana sends 64 hex characters; any visible ASCII is accepted so a longer secret still works, nothing that could break a header.
const HANDSHAKE_SECRET = /^[\x21-\x7e]{16,256}$/

interface AsanaEvent {
  resource?: { gid?: unknown; resource_type?: unknown } | null
  parent?: { gid?: unknown; resource_type?: unknown } | null
}

/** The handshake answer, or undefined when the delivery is not a handshake. */
export function handshakeVerdict(delivery: WebhookDelivery): WebhookVerdict | undefined {
  const secret = delivery.headers['x-hook-secret']
  if (secret === undefined) return undefined
  if (!HANDSHAKE_SECRET.test(secret)) return { kind: 'rejected', reason: 'X-Hook-Secret is not a usable secret' }
  return { kind: 'handshake', status: 200, headers: { 'X-Hook-Secret': secret }, body: null, secret }
}

/**
 * The tasks a verified payload concerns: the task itself for task events, the
 * parent task for a story (a comment, an attachment added) or an attachment.
 * Undefined when the body is not an Asana event payload.
 */
export function taskIdsOf(rawBody: Buffer): string[] | undefined {
  let payload: unknown
  try {
    payload = JSON.parse(rawBody.toString('utf8'))
  } catch {
    return undefined
  }
  const events = (payload as { events?: unknown } | null)?.events
  if (!Array.isArray(events)) return undefined
  const ids = new Set<string>()
  for (const event of events as AsanaEvent[]) {
    const { resource, parent } = event ?? {}
    const task = resource?.resource_type === 'task' ? resource : parent?.resource_type === 'task' ? parent : undefined
    if (typeof task?.gid === 'string' && isGid(task.gid)) ids.add(task.gid)
  }
  return [...ids]
}

export function verifyAsanaDelivery(delivery: WebhookDelivery, secrets: readonly string[]): WebhookVerdict {
  const handshake = handshakeVerdict(delivery)
  if (handshake) return handshake
  const signature = delivery.headers['x-hook-signature']
  // Heartbeats are signed too (UNCONFIRMED): an unsigned one is refused, which at worst costs a webhook that reconciliation stands in for.
  if (!signature) return { kind: 'rejected', reason: 'no X-Hook-Signature header' }
  if (secrets.length === 0) return { kind: 'rejected', reason: 'no webhook secret is known for asana' }
  if (!signedByAny(delivery.rawBody, signature.trim(), secrets)) return { kind: 'rejected', reason: 'X-Hook-Signature does not match' }
  const itemIds = taskIdsOf(delivery.rawBody)
  if (!itemIds) return { kind: 'rejected', reason: 'the signed body is not an Asana event payload' }
  // A heartbeat ({"events":[]}) is accepted with nothing to look at.
  return { kind: 'accepted', itemIds, deliveryId: null }
}
