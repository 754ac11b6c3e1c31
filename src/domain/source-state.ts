// What hireflow keeps about each intake source besides its candidates: where
// reconciliation stopped, the webhooks registered at the provider (with the
// secrets that authenticate their deliveries) and a rotated OAuth2 refresh
// token. It lives in the candidate store, never only in Redis, so a flushed
// Redis costs latency and never a resume or a registration.

export interface WebhookRegistration {
  /** The provider's id of the webhook. */
  id: string
  /** The URL the provider calls. */
  callbackUrl: string
  /** The shared secret deliveries are signed with; null where the provider signs with none. */
  secret: string | null
  /** What the webhook watches at the provider (a list, a project), as the provider names it. */
  resource: string
  createdAt: string
  /** When the provider will drop it unless renewed; null when it does not expire. */
  expiresAt: string | null
}

export interface SourceState {
  /** The source's name: the provider (`clickup`, `asana`, `jira`, `graph`, ...). */
  source: string
  /** Bumped by every write; a write names the version it read (optimistic concurrency). */
  version: number
  /** Where the next reconciliation starts; opaque to all but the source (a time, a delta link). */
  cursor: string | null
  /** When reconciliation last completed a run. */
  reconciledAt: string | null
  webhooks: WebhookRegistration[]
  /** The current OAuth2 refresh token, where the provider rotates it on every refresh. */
  refreshToken: string | null
  /** The secret of the last set-up handshake (Asana's X-Hook-Secret), for the registration waiting on it. */
  handshake: { secret: string; at: string } | null
  updatedAt: string
}

export function emptySourceState(source: string): SourceState {
  return {
    source,
    version: 0,
    cursor: null,
    reconciledAt: null,
    webhooks: [],
    refreshToken: null,
    handshake: null,
    updatedAt: new Date(0).toISOString(),
  }
}
