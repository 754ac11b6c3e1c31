// Jira Cloud (REST v3) as an intake source: issues of the hiring project
// carrying a filter label, their attachments read through Jira's content
// endpoint, a label and comments written back, admin webhooks signed with a
// secret hireflow makes. Basic auth (email and API token) against
// https://<site>.atlassian.net, or OAuth 2.0 (3LO) against
// https://api.atlassian.com/ex/jira/<cloudId>: the base URL says which.
import { randomBytes } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { TaskManagerConfig } from '../../config.ts'
import type { WebhookRegistration } from '../../domain/source-state.ts'
import type { ChangePage, IntakeSource, SourceAttachment, SourceItem, WebhookDelivery, WebhookVerdict } from '../../ports/intake-source.ts'
import { PermanentSourceError } from '../../ports/intake-source.ts'
import { HttpClient, ProviderHttpError, type AuthProvider } from '../../net/http-client.ts'
import { DownloadRefusedError, safeDownload, type DownloadPolicy } from '../../net/safe-download.ts'
import { attachmentPolicy, type AttachmentPolicy } from '../download-policy.ts'
import { changedIssuesJql, jqlString } from './jql.ts'
import { ITEM_FIELDS, jiraId, parseJiraDate, toSourceItem, type ItemRules, type JiraIssue } from './issue.ts'
import {
  filterOf,
  isHireflowWebhook,
  toRegistration,
  verifyJiraDelivery,
  WEBHOOK_EVENTS,
  WEBHOOK_NAME,
  type JiraWebhook,
} from './webhooks.ts'

/**
 * Where Jira sends attachment downloads: the content endpoint redirects to
 * Atlassian's media service (third-party reports name api.media.atlassian.com;
 * Atlassian documents no host, hence the subdomain rule).
 */
export const JIRA_MEDIA_HOSTS = ['api.media.atlassian.com', '*.media.atlassian.com']

/** Issues asked for per search page; Jira may send fewer. */
const SEARCH_PAGE_SIZE = 100
const WEBHOOKS_PATH = '/rest/webhooks/1.0/webhook'

export interface JiraSourceOptions {
  settings: TaskManagerConfig
  auth: AuthProvider
  log: FastifyBaseLogger
}

interface SearchAnswer {
  issues?: JiraIssue[]
  nextPageToken?: string | null
  isLast?: boolean
}

const isStatus = (error: unknown, ...statuses: number[]) => error instanceof ProviderHttpError && statuses.includes(error.status)

export class JiraSource implements IntakeSource {
  readonly provider = 'jira'
  readonly source = 'task-manager' as const
  readonly #settings: TaskManagerConfig
  readonly #auth: AuthProvider
  readonly #log: FastifyBaseLogger
  readonly #http: HttpClient
  readonly #base: URL
  readonly #rules: ItemRules
  readonly #download: AttachmentPolicy
  #siteUrl: Promise<string | null> | undefined

  constructor(options: JiraSourceOptions) {
    const { settings, auth, log } = options
    // There is no public default: every Jira Cloud site has its own host (or cloud id with OAuth).
    if (!settings.baseUrl) {
      throw new Error(
        'TASK_MANAGER_BASE_URL is required with TASK_MANAGER=jira: https://<site>.atlassian.net, or https://api.atlassian.com/ex/jira/<cloudId> with OAuth2',
      )
    }
    this.#settings = settings
    this.#auth = auth
    this.#log = log
    this.#base = new URL(settings.baseUrl)
    this.#http = new HttpClient({ baseUrl: this.#base, provider: 'jira', auth })
    this.#rules = { projectId: settings.projectId, filterLabels: settings.filterLabels, processedLabel: settings.processedLabel }
    this.#download = attachmentPolicy(settings, this.#base, JIRA_MEDIA_HOSTS)
  }

  async listChanges(since: Date, page: string | null): Promise<ChangePage> {
    const answer = await this.#http.request<SearchAnswer>('POST', '/rest/api/3/search/jql', {
      body: {
        jql: changedIssuesJql(this.#settings.projectId, this.#settings.filterLabels, since),
        maxResults: SEARCH_PAGE_SIZE,
        fields: ['updated'],
        ...(page ? { nextPageToken: page } : {}),
      },
      // A search changes nothing: repeating it is safe.
      idempotent: true,
    })
    const changes: ChangePage['changes'] = []
    for (const issue of answer?.issues ?? []) {
      const id = jiraId(issue.id)
      if (!id) continue
      const updated = parseJiraDate(issue.fields?.updated)
      // The query was widened for the user's time zone (see jql.ts); the exact time decides. No time: listed, to be safe.
      if (updated && updated.getTime() < since.getTime()) continue
      changes.push({ id, updatedAt: (updated ?? new Date()).toISOString() })
    }
    // The last page omits nextPageToken (Jira) or says isLast; either ends the walk.
    const next =
      typeof answer?.nextPageToken === 'string' && answer.nextPageToken !== '' && answer.isLast !== true ? answer.nextPageToken : null
    return { changes, nextPage: next }
  }

  async getItem(itemId: string): Promise<SourceItem | undefined> {
    const id = jiraId(itemId)
    if (!id) return undefined
    let issue: JiraIssue
    try {
      issue = await this.#http.request<JiraIssue>('GET', `/rest/api/3/issue/${encodeURIComponent(id)}`, {
        query: { fields: ITEM_FIELDS.join(',') },
      })
    } catch (error) {
      // Jira answers 404 both for a deleted issue and for one the account may no longer see.
      if (isStatus(error, 404)) return undefined
      throw error
    }
    return toSourceItem(issue ?? {}, this.#rules, await this.#site())
  }

  async downloadAttachment(_item: SourceItem, attachment: SourceAttachment, options: { maxBytes: number }): Promise<Buffer> {
    const id = jiraId(attachment.id)
    if (!id) throw new DownloadRefusedError('bad_url', 'download refused: the attachment id is not one Jira issues')
    // Built from the id on the configured site rather than the attachment's `content` link, so the answer cannot point us elsewhere.
    const url = this.#http.url(`/rest/api/3/attachment/content/${encodeURIComponent(id)}`).href
    const policy: DownloadPolicy = { ...this.#download, maxBytes: options.maxBytes }
    for (let renewed = false; ; renewed = true) {
      const credentials = await this.#auth.authorize()
      try {
        // Credentials go to the Jira host only; the media host's signed URL carries its own token.
        const download = await safeDownload(url, policy, {
          headersFor: (target) => (target.origin === this.#base.origin ? { ...credentials, accept: '*/*' } : undefined),
        })
        return download.bytes
      } catch (error) {
        const expired = error instanceof DownloadRefusedError && error.status === 401 && error.host === this.#base.hostname.toLowerCase()
        if (expired && !renewed && this.#auth.onUnauthorized && (await this.#auth.onUnauthorized(credentials)) !== false) continue
        throw error
      }
    }
  }

  async markProcessed(item: SourceItem): Promise<void> {
    const label = this.#settings.processedLabel
    if (item.labels.some((existing) => existing.toLowerCase() === label.toLowerCase())) return
    try {
      await this.#http.request('PUT', `/rest/api/3/issue/${encodeURIComponent(item.id)}`, {
        body: { update: { labels: [{ add: label }] } },
        // Adding a label that is there already leaves it once.
        idempotent: true,
      })
    } catch (error) {
      throw this.#permanentIfGone(error, item.id)
    }
  }

  async comment(itemId: string, text: string): Promise<void> {
    try {
      // Not marked idempotent: a repeat after Jira stored the first would leave the note twice.
      await this.#http.request('POST', `/rest/api/3/issue/${encodeURIComponent(itemId)}/comment`, { body: { body: adfDocument(text) } })
    } catch (error) {
      throw this.#permanentIfGone(error, itemId)
    }
  }

  verifyWebhook(delivery: WebhookDelivery, registrations: readonly WebhookRegistration[]): WebhookVerdict {
    return verifyJiraDelivery(delivery, registrations, this.#settings.webhookSecret)
  }

  async registerWebhook(callbackUrl: string): Promise<WebhookRegistration> {
    const project = this.#settings.projectId
    const existing = (await this.#webhooks()).find((webhook) => webhook.url === callbackUrl)
    if (existing) {
      const registration = toRegistration(existing, filterOf(existing) ?? project, null)
      if (registration) return registration
    }
    // Jira never shows a secret again, so hireflow makes it and the caller stores what is returned.
    const secret = randomBytes(32).toString('hex')
    const created = await this.#http.request<JiraWebhook>('POST', WEBHOOKS_PATH, {
      body: {
        name: WEBHOOK_NAME,
        url: callbackUrl,
        events: [...WEBHOOK_EVENTS],
        // Whether Jira applies this filter to attachment events is not documented; getItem checks project and labels anyway.
        filters: { 'issue-related-events-section': `project = ${jqlString(project)}` },
        excludeBody: false,
        secret,
      },
    })
    const registration = toRegistration(created ?? {}, project, secret)
    if (!registration) throw new Error('jira: the webhook was created but Jira did not say its id')
    this.#log.info({ webhookId: registration.id }, 'jira webhook registered')
    return registration
  }

  async listWebhooks(): Promise<WebhookRegistration[]> {
    const registrations: WebhookRegistration[] = []
    for (const webhook of await this.#webhooks()) {
      if (!isHireflowWebhook(webhook)) continue
      const registration = toRegistration(webhook, filterOf(webhook) ?? '', null)
      if (registration) registrations.push(registration)
    }
    return registrations
  }

  async deleteWebhook(id: string): Promise<void> {
    const webhookId = jiraId(id)
    if (!webhookId) throw new PermanentSourceError(`jira: "${id.slice(0, 40)}" is not a webhook id`)
    try {
      await this.#http.request('DELETE', `${WEBHOOKS_PATH}/${encodeURIComponent(webhookId)}`, { idempotent: true })
    } catch (error) {
      // Already gone is what was asked for.
      if (!isStatus(error, 404)) throw error
    }
  }

  async probe(): Promise<void> {
    try {
      await this.#http.request('GET', `/rest/api/3/project/${encodeURIComponent(this.#settings.projectId)}`, { timeoutMs: 10_000 })
    } catch (error) {
      const reason = isStatus(error, 404)
        ? `project ${this.#settings.projectId} does not exist or the account cannot see it`
        : isStatus(error, 401)
          ? 'the credentials were refused (401)'
          : isStatus(error, 403)
            ? 'the account may not browse the hiring project (403)'
            : (error instanceof Error ? error.message : String(error)).replace(/^jira /, '').slice(0, 200)
      throw new Error(`jira: ${reason}`, { cause: error })
    }
  }

  async #webhooks(): Promise<JiraWebhook[]> {
    const answer = await this.#http.request<unknown>('GET', WEBHOOKS_PATH)
    return Array.isArray(answer) ? (answer as JiraWebhook[]) : []
  }

  /**
   * The site's own URL, for links people open: the base URL itself with basic
   * auth, asked of Jira once (serverInfo) when calls go through the OAuth
   * gateway, whose URLs are not for browsers.
   */
  #site(): Promise<string | null> {
    this.#siteUrl ??= (async () => {
      const base = this.#base.href.replace(/\/+$/, '')
      if (!/\/ex\/jira\/[^/]+$/.test(this.#base.pathname.replace(/\/+$/, ''))) return base
      try {
        const info = await this.#http.request<{ baseUrl?: unknown }>('GET', '/rest/api/3/serverInfo')
        const site = typeof info?.baseUrl === 'string' ? new URL(info.baseUrl) : undefined
        return site && (site.protocol === 'https:' || site.protocol === 'http:') ? site.href.replace(/\/+$/, '') : null
      } catch (error) {
        this.#siteUrl = undefined
        this.#log.warn({ err: { message: (error as Error).message } }, 'jira site URL unknown; items are listed without links')
        return null
      }
    })()
    return this.#siteUrl
  }

  #permanentIfGone(error: unknown, itemId: string): unknown {
    if (isStatus(error, 404)) return new PermanentSourceError(`jira: issue ${itemId} does not exist or the account cannot see it`)
    if (isStatus(error, 403)) return new PermanentSourceError(`jira: the account may not edit or comment on issue ${itemId}`)
    return error
  }
}

/** Jira v3 takes comments as Atlassian Document Format: one paragraph per line of the note. */
export function adfDocument(text: string) {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '')
  return {
    type: 'doc',
    version: 1,
    content: (lines.length ? lines : ['(empty)']).map((line) => ({ type: 'paragraph', content: [{ type: 'text', text: line }] })),
  }
}
