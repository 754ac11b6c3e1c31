// Jira admin webhooks: the signature check of a delivery and what the
// webhook REST resource answers. A webhook registered with a secret signs
// each delivery with `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw
// body>` (WebSub form); the check runs on the bytes as they arrived, in
// constant time, before the JSON is read.
import { signedByAny } from '../signature.ts'
import type { WebhookRegistration } from '../../domain/source-state.ts'
import type { WebhookDelivery, WebhookVerdict } from '../../ports/intake-source.ts'
import { jiraId } from './issue.ts'

/** The events that can bring a resume: a new issue, a change (labels, attachments), an attachment added. */
export const WEBHOOK_EVENTS = ['jira:issue_created', 'jira:issue_updated', 'attachment_created'] as const
export const WEBHOOK_NAME = 'hireflow'

const SIGNATURE = /^([a-z0-9-]+)=([0-9a-f]+)$/i

/** The secrets a delivery may be signed with: every stored registration's, and one configured by hand. */
function secretsOf(registrations: readonly WebhookRegistration[], configured: string | undefined): string[] {
  const secrets = new Set<string>()
  for (const registration of registrations) if (registration.secret) secrets.add(registration.secret)
  if (configured) secrets.add(configured)
  return [...secrets]
}

/**
 * The issue a delivery is about. Issue events carry `issue.id`. An
 * `attachment_created` payload is documented by third parties only, without
 * an issue; its `attachment.issueId` is read where present and otherwise the
 * delivery names nothing (the `jira:issue_updated` Jira sends for the same
 * attachment, or the next reconciliation, brings the issue in).
 */
function issueIdsOf(payload: unknown): string[] {
  if (!payload || typeof payload !== 'object') return []
  const { issue, attachment } = payload as { issue?: { id?: unknown }; attachment?: { issueId?: unknown } }
  const id = jiraId(issue?.id) ?? jiraId(attachment?.issueId)
  return id ? [id] : []
}

/**
 * Jira signs no time of its own (the payload's `timestamp` is when the event
 * happened, and a retry carries the same one up to 30 minutes or more
 * later), so there is no freshness window: a replayed delivery is harmless,
 * as it only makes hireflow read the issue again, and the delivery id lets
 * the caller drop a duplicate.
 */
export function verifyJiraDelivery(
  delivery: WebhookDelivery,
  registrations: readonly WebhookRegistration[],
  configuredSecret: string | undefined,
): WebhookVerdict {
  const header = delivery.headers['x-hub-signature']
  if (!header) return { kind: 'rejected', reason: 'no X-Hub-Signature header (is the webhook registered with a secret?)' }
  const match = SIGNATURE.exec(header.trim())
  if (!match) return { kind: 'rejected', reason: 'X-Hub-Signature is not in the form sha256=<hex>' }
  if (match[1]!.toLowerCase() !== 'sha256')
    return { kind: 'rejected', reason: `X-Hub-Signature uses an unsupported method (${match[1]!.slice(0, 16)})` }
  if (match[2]!.length !== 64) return { kind: 'rejected', reason: 'X-Hub-Signature is not a SHA-256 digest' }
  const secrets = secretsOf(registrations, configuredSecret)
  if (secrets.length === 0) return { kind: 'rejected', reason: 'no webhook secret is stored or configured for jira' }
  if (!signedByAny(delivery.rawBody, match[2]!, secrets)) {
    return { kind: 'rejected', reason: 'X-Hub-Signature does not match the body' }
  }
  let payload: unknown
  try {
    payload = JSON.parse(delivery.rawBody.toString('utf8'))
  } catch {
    return { kind: 'rejected', reason: 'the signed body is not JSON' }
  }
  const deliveryId = delivery.headers['x-atlassian-webhook-identifier']?.trim()
  return { kind: 'accepted', itemIds: issueIdsOf(payload), deliveryId: deliveryId ? deliveryId.slice(0, 200) : null }
}

/** A webhook as GET/POST /rest/webhooks/1.0/webhook describe it. */
export interface JiraWebhook {
  id?: unknown
  self?: unknown
  name?: unknown
  url?: unknown
  lastUpdated?: unknown
  filters?: unknown
}

/** The webhook's id: only the tail of `self` in the answers seen, an `id` field read too in case newer answers add one. */
export function webhookIdOf(webhook: JiraWebhook): string | undefined {
  const direct = jiraId(webhook.id)
  if (direct) return direct
  if (typeof webhook.self !== 'string') return undefined
  return jiraId(/\/webhook\/([^/?#]+)\/?(?:[?#].*)?$/.exec(webhook.self)?.[1])
}

/** A registration as hireflow stores it; the secret is never read back from Jira, so only the caller can supply it. */
export function toRegistration(webhook: JiraWebhook, resource: string, secret: string | null): WebhookRegistration | undefined {
  const id = webhookIdOf(webhook)
  if (!id || typeof webhook.url !== 'string') return undefined
  const updated =
    typeof webhook.lastUpdated === 'number' && Number.isFinite(webhook.lastUpdated) ? new Date(webhook.lastUpdated) : new Date()
  return { id, callbackUrl: webhook.url, secret, resource, createdAt: updated.toISOString(), expiresAt: null }
}

/** Whether a webhook on the site is hireflow's: Jira lists every admin webhook of the site, other integrations' too. */
export function isHireflowWebhook(webhook: JiraWebhook): boolean {
  if (webhook.name === WEBHOOK_NAME) return true
  if (typeof webhook.url !== 'string') return false
  try {
    return new URL(webhook.url).pathname.replace(/\/+$/, '').endsWith('/webhooks/jira')
  } catch {
    return false
  }
}

/** The project a webhook watches, read from its JQL filter for display. */
export function filterOf(webhook: JiraWebhook): string | undefined {
  const filters = webhook.filters as Record<string, unknown> | undefined
  const jql = filters?.['issue-related-events-section']
  return typeof jql === 'string' ? jql : undefined
}
