// The hiring mailbox's subscription (Microsoft Graph change notifications),
// from the API or the CLI: the same operations as webhook-registrations.ts,
// for a source whose webhook expires and must be kept alive. Subscribing
// creates the subscription, or renews the one stored (recreating it when
// Graph lost it); what Graph returns, with the clientState that
// authenticates its notifications, is kept in the candidate store.
import type { CandidateStore } from '../ports/candidate-store.ts'
import type { IntakeSource, WebhookUpkeep } from '../ports/intake-source.ts'
import { readSourceState } from './state.ts'
import { callbackUrlFor, deleteSourceWebhooks, WebhookSetupError } from './webhook-registrations.ts'

/** A subscription as shown to operators: never its clientState. */
export interface SubscriptionView {
  id: string
  resource: string
  notificationUrl: string
  lifecycleNotificationUrl: string
  expirationDateTime: string | null
}

export interface SubscriptionStatus {
  provider: string
  subscription: SubscriptionView | null
  /** Graph lists the stored subscription right now (false: it lapsed or was removed; subscribe again). */
  atProvider: boolean
}

function requireSubscriptions(source: IntakeSource): asserts source is IntakeSource & Required<Pick<IntakeSource, 'keepWebhook'>> {
  if (!source.keepWebhook) {
    throw new WebhookSetupError(`${source.provider} has no subscription to manage (IMAP is watched with IDLE and needs none)`)
  }
}

const view = (upkeep: {
  registration: { id: string; resource: string; callbackUrl: string; expiresAt: string | null }
}): SubscriptionView => ({
  id: upkeep.registration.id,
  resource: upkeep.registration.resource,
  notificationUrl: upkeep.registration.callbackUrl,
  lifecycleNotificationUrl: `${upkeep.registration.callbackUrl}/lifecycle`,
  expirationDateTime: upkeep.registration.expiresAt,
})

/** Creates or renews the subscription; `resync` says notifications may have been missed (the caller queues a reconciliation). */
export async function subscribeMailbox(
  source: IntakeSource,
  publicUrl: string | undefined,
): Promise<{ outcome: WebhookUpkeep['outcome']; subscription: SubscriptionView; resync: boolean }> {
  requireSubscriptions(source)
  const upkeep = await source.keepWebhook(callbackUrlFor(publicUrl, source.provider))
  if (!upkeep.registration) throw new WebhookSetupError(`${source.provider} kept no subscription`)
  return { outcome: upkeep.outcome, subscription: view({ registration: upkeep.registration }), resync: upkeep.resync }
}

export async function mailboxSubscriptionStatus(source: IntakeSource, candidates: CandidateStore): Promise<SubscriptionStatus> {
  requireSubscriptions(source)
  const [state, listed] = await Promise.all([readSourceState(candidates, source.provider), source.listWebhooks()])
  const stored = state.webhooks.find((webhook) => !webhook.id.startsWith('pending:'))
  if (!stored) return { provider: source.provider, subscription: null, atProvider: false }
  const atProvider = listed.find((webhook) => webhook.id === stored.id)
  // Graph's expiry is the truth when it lists the subscription.
  const registration = { ...stored, expiresAt: atProvider?.expiresAt ?? stored.expiresAt }
  return { provider: source.provider, subscription: view({ registration }), atProvider: !!atProvider }
}

export async function unsubscribeMailbox(
  source: IntakeSource,
  candidates: CandidateStore,
  publicUrl: string | undefined,
): Promise<string[]> {
  requireSubscriptions(source)
  return deleteSourceWebhooks(source, candidates, publicUrl)
}
