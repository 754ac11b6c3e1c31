// Registering a source's webhook at its provider, from the API or the CLI.
// What the provider returns (its id and the secret deliveries are signed
// with) is kept in the candidate store, so every API process can verify
// deliveries and nothing depends on Redis. Registering again is idempotent:
// the provider's existing webhook for our callback URL is reused.
import type { WebhookRegistration } from '../domain/source-state.ts'
import type { CandidateStore } from '../ports/candidate-store.ts'
import type { IntakeSource } from '../ports/intake-source.ts'
import { readSourceState, updateSourceState } from './state.ts'

/** How long a registration waits for the provider's handshake call (Asana makes it while the request is in flight). */
const HANDSHAKE_WAIT_MS = 15_000
const HANDSHAKE_POLL_MS = 100

/** A webhook as shown to operators: never its secret. */
export interface WebhookView {
  id: string
  callbackUrl: string
  resource: string
  createdAt: string
  expiresAt: string | null
  /** Known to hireflow (stored with its secret), so its deliveries can be verified. */
  stored: boolean
  /** Listed by the provider right now. */
  atProvider: boolean
}

export class WebhookSetupError extends Error {
  override name = 'WebhookSetupError'
}

export function callbackUrlFor(publicUrl: string | undefined, provider: string): string {
  if (!publicUrl) throw new WebhookSetupError('PUBLIC_URL is not set: providers need an address to call back (https in production)')
  return `${publicUrl.replace(/\/+$/, '')}/webhooks/${provider}`
}

const view = (registration: WebhookRegistration, stored: boolean, atProvider: boolean): WebhookView => ({
  id: registration.id,
  callbackUrl: registration.callbackUrl,
  resource: registration.resource,
  createdAt: registration.createdAt,
  expiresAt: registration.expiresAt,
  stored,
  atProvider,
})

export async function registerSourceWebhook(
  source: IntakeSource,
  candidates: CandidateStore,
  publicUrl: string | undefined,
): Promise<WebhookView> {
  const callbackUrl = callbackUrlFor(publicUrl, source.provider)
  const startedAt = new Date().toISOString()
  // A handshake that arrives from now on belongs to this registration.
  const handshakeSecret = async (): Promise<string | null> => {
    const deadline = Date.now() + HANDSHAKE_WAIT_MS
    while (Date.now() < deadline) {
      const { handshake } = await readSourceState(candidates, source.provider)
      if (handshake && handshake.at >= startedAt) return handshake.secret
      await new Promise((resolve) => setTimeout(resolve, HANDSHAKE_POLL_MS))
    }
    return null
  }
  const registration = await source.registerWebhook(callbackUrl, handshakeSecret)
  const state = await updateSourceState(candidates, source.provider, (current) => {
    const previous = current.webhooks.find((webhook) => webhook.id === registration.id)
    // A provider shows a secret only when the webhook is created; an idempotent re-register keeps the stored one.
    const secret = registration.secret ?? previous?.secret ?? null
    return {
      ...current,
      webhooks: [...current.webhooks.filter((webhook) => webhook.id !== registration.id), { ...registration, secret }],
    }
  })
  const stored = state.webhooks.find((webhook) => webhook.id === registration.id)!
  if (!stored.secret) {
    throw new WebhookSetupError(
      `${source.provider} registered webhook ${registration.id} but gave no secret to verify its deliveries; delete it (hireflow webhooks delete) and register again`,
    )
  }
  return view(stored, true, true)
}

export async function listSourceWebhooks(source: IntakeSource, candidates: CandidateStore): Promise<WebhookView[]> {
  const [state, atProvider] = await Promise.all([readSourceState(candidates, source.provider), source.listWebhooks()])
  const providerIds = new Set(atProvider.map((webhook) => webhook.id))
  const storedIds = new Set(state.webhooks.map((webhook) => webhook.id))
  return [
    ...state.webhooks.map((webhook) => view(webhook, true, providerIds.has(webhook.id))),
    ...atProvider.filter((webhook) => !storedIds.has(webhook.id)).map((webhook) => view(webhook, false, true)),
  ]
}

/** Deletes hireflow's webhooks (those calling our callback URL, and every stored one) at the provider and forgets them. */
export async function deleteSourceWebhooks(
  source: IntakeSource,
  candidates: CandidateStore,
  publicUrl: string | undefined,
): Promise<string[]> {
  const state = await readSourceState(candidates, source.provider)
  const ours = new Set(state.webhooks.map((webhook) => webhook.id))
  if (publicUrl) {
    const callbackUrl = callbackUrlFor(publicUrl, source.provider)
    for (const webhook of await source.listWebhooks()) if (webhook.callbackUrl === callbackUrl) ours.add(webhook.id)
  }
  for (const id of ours) await source.deleteWebhook(id)
  await updateSourceState(candidates, source.provider, (current) => ({
    ...current,
    webhooks: current.webhooks.filter((webhook) => !ours.has(webhook.id)),
  }))
  return [...ours]
}
