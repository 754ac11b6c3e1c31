// Microsoft Graph change and lifecycle notifications
// (learn.microsoft.com/graph/change-notifications-delivery-webhooks and
// /graph/change-notifications-lifecycle-events). Graph signs nothing: the
// `clientState` we gave the subscription comes back in every notification,
// and is compared in constant time with the one stored for that
// subscription. Both endpoints are first called with `?validationToken=`,
// which must be echoed as text/plain within 10 seconds.
import { timingSafeEqual } from 'node:crypto'
import type { WebhookRegistration } from '../../domain/source-state.ts'
import type { LifecycleVerdict, WebhookDelivery, WebhookVerdict } from '../../ports/intake-source.ts'

/** Graph's lifecycle events, and what hireflow does about each. */
export const LIFECYCLE_EVENTS = ['reauthorizationRequired', 'subscriptionRemoved', 'missed'] as const
export type LifecycleEvent = (typeof LIFECYCLE_EVENTS)[number]

interface Notification {
  subscriptionId?: unknown
  clientState?: unknown
  changeType?: unknown
  lifecycleEvent?: unknown
  resourceData?: { id?: unknown } | null
}

/** The validation call Graph makes on both endpoints when a subscription is created. */
export function validationHandshake(delivery: WebhookDelivery): Extract<WebhookVerdict, { kind: 'handshake' }> | undefined {
  const token = delivery.query.validationToken
  if (token === undefined) return undefined
  return { kind: 'handshake', status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: token, secret: null }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8')
  const b = Buffer.from(expected, 'utf8')
  // Lengths differ: still compare (against itself) so the time taken does not depend on the secret's length.
  return a.length === b.length ? timingSafeEqual(a, b) : !timingSafeEqual(a, a)
}

/**
 * Whether `clientState` is the one hireflow gave subscription `subscriptionId`;
 * a subscription being created right now is stored under a provisional id,
 * so its notifications are checked against those too.
 */
function authentic(notification: Notification, registrations: readonly WebhookRegistration[]): boolean {
  const { subscriptionId, clientState } = notification
  if (typeof subscriptionId !== 'string' || typeof clientState !== 'string' || clientState === '') return false
  const candidates = registrations.filter((registration) => registration.id === subscriptionId || registration.id.startsWith('pending:'))
  let matched = false
  for (const registration of candidates) if (registration.secret && sameSecret(clientState, registration.secret)) matched = true
  return matched
}

function parse(rawBody: Buffer): Notification[] | string {
  let payload: { value?: unknown }
  try {
    payload = JSON.parse(rawBody.toString('utf8')) as { value?: unknown }
  } catch {
    return 'the body is not JSON'
  }
  if (!payload || !Array.isArray(payload.value) || payload.value.length === 0) return 'the body has no notifications (`value`)'
  return payload.value as Notification[]
}

/** The batch's notifications when every one carries its subscription's clientState; else the rejection. */
function authenticBatch(
  delivery: WebhookDelivery,
  registrations: readonly WebhookRegistration[],
): Notification[] | Extract<WebhookVerdict, { kind: 'rejected' }> {
  const notifications = parse(delivery.rawBody)
  if (typeof notifications === 'string') return { kind: 'rejected', reason: notifications }
  // One forged notification makes the whole batch suspect: Graph never mixes subscriptions of other apps into ours.
  if (!notifications.every((notification) => authentic(notification, registrations))) {
    return { kind: 'rejected', reason: 'clientState does not match the subscription it names' }
  }
  return notifications
}

/** Change notifications: the messages they name, when every one of them carries its subscription's clientState. */
export function verifyChangeNotifications(delivery: WebhookDelivery, registrations: readonly WebhookRegistration[]): WebhookVerdict {
  const handshake = validationHandshake(delivery)
  if (handshake) return handshake
  const notifications = authenticBatch(delivery, registrations)
  if (!Array.isArray(notifications)) return notifications
  const itemIds: string[] = []
  for (const notification of notifications) {
    const id = notification.resourceData?.id
    // A deleted message has nothing left to take in.
    if (typeof id === 'string' && id !== '' && notification.changeType !== 'deleted') itemIds.push(id)
  }
  return { kind: 'accepted', itemIds, deliveryId: null }
}

/** Lifecycle notifications: what happened to which subscription, when every one carries its clientState. */
export function verifyLifecycleNotifications(delivery: WebhookDelivery, registrations: readonly WebhookRegistration[]): LifecycleVerdict {
  const handshake = validationHandshake(delivery)
  if (handshake) return handshake
  const notifications = authenticBatch(delivery, registrations)
  if (!Array.isArray(notifications)) return notifications
  const events: Array<{ webhookId: string; event: LifecycleEvent }> = []
  for (const notification of notifications) {
    const event = notification.lifecycleEvent
    // An event this version does not know is acknowledged and ignored; the next reconciliation covers whatever it meant.
    if ((LIFECYCLE_EVENTS as readonly unknown[]).includes(event)) {
      events.push({ webhookId: notification.subscriptionId as string, event: event as LifecycleEvent })
    }
  }
  return { kind: 'accepted', events }
}
