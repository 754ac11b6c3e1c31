// ClickUp as an intake source: tasks of the hiring List (HIRING_PROJECT_ID is
// the List id) whose resumes are task attachments. The personal token goes in
// Authorization as it is (the registry's auth does that). A listing never
// carries attachments, so every task is read with GET /task/{id}; adding an
// attachment fires no webhook, so reconciliation also walks the list's
// unprocessed tasks (see changes.ts).
import type { FastifyBaseLogger } from 'fastify'
import type { TaskManagerConfig } from '../../config.ts'
import type { WebhookRegistration } from '../../domain/source-state.ts'
import { HttpClient, ProviderHttpError, ProviderNetworkError, type AuthProvider } from '../../net/http-client.ts'
import {
  PermanentSourceError,
  type ChangePage,
  type IntakeSource,
  type SourceAttachment,
  type SourceItem,
  type SourceItemChange,
  type WebhookDelivery,
  type WebhookVerdict,
} from '../../ports/intake-source.ts'
import {
  CLICKUP_API,
  CLICKUP_ATTACHMENT_HOSTS,
  WEBHOOK_EVENTS,
  asLocationId,
  errorCode,
  isNotFound,
  isoFromMillis,
  type ClickUpTask,
  type ClickUpWebhook,
  type CreatedWebhook,
  type TaskPage,
} from './api.ts'
import { decodeCursor, encodeCursor, nextCursor, pageQuery, queryTags } from './changes.ts'
import { fetchAttachment, mayHaveExpired } from './downloads.ts'
import { attachmentPolicy, type AttachmentPolicy } from '../download-policy.ts'
import { attachmentsOf, hasAnyTag, isProcessed, toSourceItem, type ClickUpScope } from './tasks.ts'
import { verifyClickUpDelivery } from './webhooks.ts'

/** A runaway listing (a server that never says last_page) stops here; the next run goes on. */
const MAX_PAGE = 1_000
/** Colours of the processed tag when hireflow has to create it in the Space. */
const TAG_COLOURS = { tag_fg: '#ffffff', tag_bg: '#2f855a' }

export interface ClickUpSourceOptions {
  settings: TaskManagerConfig
  auth: AuthProvider
  log: FastifyBaseLogger
  /** Replaceable in tests: the HTTP client's backoff base (default 500 ms). */
  baseDelayMs?: number
}

interface Seen {
  task: ClickUpTask
  /** Attachment id -> the URL the task gave it when read. */
  urls: Map<string, string | null>
}

const path = (...parts: string[]) => parts.map(encodeURIComponent).join('/')

export class ClickUpSource implements IntakeSource {
  readonly provider = 'clickup'
  readonly source = 'task-manager' as const
  readonly #settings: TaskManagerConfig
  readonly #auth: AuthProvider
  readonly #log: FastifyBaseLogger
  readonly #api: HttpClient
  readonly #probeApi: HttpClient
  readonly #apiHost: string
  readonly #policy: AttachmentPolicy
  readonly #scope: ClickUpScope
  readonly #tags: string[]
  /** The task each item was read from, for its attachment URLs and its Space. */
  readonly #seen = new WeakMap<SourceItem, Seen>()
  /** Spaces known to have the processed tag. */
  readonly #spacesWithTag = new Set<string>()
  #teamId: Promise<string> | undefined

  constructor(options: ClickUpSourceOptions) {
    const { settings, auth, log } = options
    this.#settings = settings
    this.#auth = auth
    this.#log = log
    const baseUrl = new URL(settings.baseUrl ?? CLICKUP_API)
    this.#apiHost = baseUrl.hostname
    const onRetry = (info: { method: string; path: string; reason: number | string; delayMs: number }) =>
      log.debug({ method: info.method, path: info.path, reason: info.reason, delayMs: info.delayMs }, 'clickup call retried')
    this.#api = new HttpClient({ baseUrl, provider: 'clickup', auth, baseDelayMs: options.baseDelayMs, onRetry })
    // A probe answers a health check: one retry at most, and quickly.
    this.#probeApi = new HttpClient({
      baseUrl,
      provider: 'clickup',
      auth,
      maxAttempts: 2,
      timeoutMs: 5_000,
      baseDelayMs: options.baseDelayMs,
    })
    this.#policy = attachmentPolicy(settings, baseUrl, CLICKUP_ATTACHMENT_HOSTS)
    this.#scope = { listId: settings.projectId, filterLabels: settings.filterLabels, processedLabel: settings.processedLabel }
    this.#tags = queryTags(settings.filterLabels)
  }

  async listChanges(since: Date, page: string | null): Promise<ChangePage> {
    const cursor = decodeCursor(page, this.#tags.length)
    const answer = await this.#api.request<TaskPage>('GET', `list/${path(this.#settings.projectId)}/task`, {
      query: pageQuery(cursor, this.#tags[cursor.tag]!, since),
    })
    const tasks = Array.isArray(answer?.tasks) ? answer.tasks : []
    // Without last_page (not seen, but not promised either) an empty page ends the walk.
    let lastPage = typeof answer?.last_page === 'boolean' ? answer.last_page : tasks.length === 0
    if (!lastPage && cursor.page >= MAX_PAGE) {
      this.#log.warn({ phase: cursor.phase, page: cursor.page }, 'clickup listing did not end; the next reconciliation goes on')
      lastPage = true
    }
    const changes: SourceItemChange[] = []
    for (const task of tasks) {
      if (!task || typeof task.id !== 'string' || !hasAnyTag(task, this.#settings.filterLabels)) continue
      const updatedAt = isoFromMillis(task.date_updated) ?? new Date(0).toISOString()
      if (cursor.phase === 'open') {
        // Open tasks changed since were listed by the first walk; processed ones were looked at already.
        if (isProcessed(task, this.#scope) || Date.parse(updatedAt) >= since.getTime()) continue
      }
      changes.push({ id: task.id, updatedAt })
    }
    const next = nextCursor(cursor, lastPage, this.#tags.length)
    return { changes, nextPage: next ? encodeCursor(next) : null }
  }

  async getItem(itemId: string): Promise<SourceItem | undefined> {
    const task = await this.#task(itemId)
    if (!task) return undefined
    const attachments = attachmentsOf(task)
    const item = toSourceItem(task, this.#scope, attachments)
    this.#seen.set(item, { task, urls: new Map(attachments.map((ref) => [ref.attachment.id, ref.url])) })
    return item
  }

  async downloadAttachment(item: SourceItem, attachment: SourceAttachment, options: { maxBytes: number }): Promise<Buffer> {
    if (attachment.externalUrl) throw new PermanentSourceError(`${attachment.filename} is kept outside ClickUp and is not downloaded`)
    const known = this.#seen.get(item)?.urls.get(attachment.id)
    const url = known ?? (await this.#currentUrl(item.id, attachment.id))
    const fetchOptions = {
      policy: { ...this.#policy, maxBytes: options.maxBytes },
      apiHost: this.#apiHost,
      authorize: () => this.#auth.authorize(),
    }
    try {
      return await fetchAttachment(url, attachment, fetchOptions)
    } catch (error) {
      // A link read a while ago may have been replaced: the task's current one gets one try.
      if (!known || !mayHaveExpired(error)) throw error
      const renewed = await this.#currentUrl(item.id, attachment.id)
      if (renewed === url) throw error
      return await fetchAttachment(renewed, attachment, fetchOptions)
    }
  }

  async markProcessed(item: SourceItem): Promise<void> {
    if (item.processed) return
    const label = this.#settings.processedLabel
    const task = this.#seen.get(item)?.task ?? (await this.#task(item.id))
    if (!task) throw new PermanentSourceError(`ClickUp task ${item.id} is gone; it cannot be tagged`)
    const spaceId = task.space?.id != null ? String(task.space.id) : undefined
    if (spaceId) await this.#ensureSpaceTag(spaceId)
    try {
      // Tagging twice leaves one tag: safe to repeat.
      await this.#api.request('POST', `task/${path(item.id, 'tag', label)}`, {
        headers: { 'content-type': 'application/json' },
        idempotent: true,
      })
    } catch (error) {
      throw this.#gone(error, `ClickUp task ${item.id} could not be tagged ${label}`)
    }
    if (spaceId) this.#spacesWithTag.add(spaceId)
  }

  async comment(itemId: string, text: string): Promise<void> {
    try {
      // Not repeated after a failure the server may have acted on: a second comment would be a duplicate.
      await this.#api.request('POST', `task/${path(itemId)}/comment`, { body: { comment_text: text, notify_all: false } })
    } catch (error) {
      throw this.#gone(error, `ClickUp task ${itemId} could not be commented on`)
    }
  }

  verifyWebhook(delivery: WebhookDelivery, registrations: readonly WebhookRegistration[]): WebhookVerdict {
    const secrets = registrations.map((registration) => registration.secret).filter((secret): secret is string => !!secret)
    if (this.#settings.webhookSecret) secrets.push(this.#settings.webhookSecret)
    return verifyClickUpDelivery(delivery, secrets)
  }

  async registerWebhook(callbackUrl: string): Promise<WebhookRegistration> {
    const teamId = await this.#team()
    const existing = await this.#providerWebhooks(teamId)
    const ours = existing.find((webhook) => webhook.endpoint === callbackUrl && this.#watchesHiringList(webhook))
    if (ours) return this.#registration(await this.#reactivated(ours))
    try {
      const created = await this.#api.request<CreatedWebhook>('POST', `team/${path(teamId)}/webhook`, {
        body: { endpoint: callbackUrl, events: [...WEBHOOK_EVENTS], list_id: asLocationId(this.#settings.projectId) },
      })
      const id = created?.webhook?.id ?? created?.id
      if (typeof id !== 'string' || !id) throw new Error('clickup: the webhook was created but ClickUp did not answer its id')
      return this.#registration({ ...created.webhook, id, endpoint: created.webhook?.endpoint ?? callbackUrl })
    } catch (error) {
      // OAUTH_171: the same webhook already exists there (an earlier attempt that timed out, an echo we did not recognise).
      if (errorCode(error) !== 'OAUTH_171') throw error
      const again = (await this.#providerWebhooks(teamId)).find((webhook) => webhook.endpoint === callbackUrl)
      if (!again) throw error
      return this.#registration(await this.#reactivated(again))
    }
  }

  async listWebhooks(): Promise<WebhookRegistration[]> {
    const webhooks = await this.#providerWebhooks(await this.#team())
    return webhooks.filter((webhook) => this.#watchesHiringList(webhook)).map((webhook) => this.#registration(webhook))
  }

  async deleteWebhook(id: string): Promise<void> {
    try {
      await this.#api.request('DELETE', `webhook/${path(id)}`, { idempotent: true })
    } catch (error) {
      if (!isNotFound(error)) throw error
    }
  }

  async probe(): Promise<void> {
    try {
      await this.#probeApi.request('GET', `list/${path(this.#settings.projectId)}`)
    } catch (error) {
      throw new Error(`ClickUp: ${probeReason(error, this.#settings.projectId)}`, { cause: error })
    }
  }

  async #task(itemId: string): Promise<ClickUpTask | undefined> {
    try {
      const task = await this.#api.request<ClickUpTask>('GET', `task/${path(itemId)}`)
      return task && typeof task.id === 'string' ? task : undefined
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }

  async #currentUrl(itemId: string, attachmentId: string): Promise<string> {
    const task = await this.#task(itemId)
    if (!task) throw new PermanentSourceError(`ClickUp task ${itemId} is gone; its attachment cannot be downloaded`)
    const ref = attachmentsOf(task).find((candidate) => candidate.attachment.id === attachmentId)
    if (!ref?.url) throw new PermanentSourceError(`attachment ${attachmentId} is no longer on ClickUp task ${itemId}`)
    return ref.url
  }

  /** The tag must exist in the task's Space before a task can carry it (not documented either way: assumed). */
  async #ensureSpaceTag(spaceId: string): Promise<void> {
    if (this.#spacesWithTag.has(spaceId)) return
    const label = this.#settings.processedLabel
    try {
      const answer = await this.#api.request<{ tags?: Array<{ name?: string }> }>('GET', `space/${path(spaceId)}/tag`)
      if ((answer?.tags ?? []).some((tag) => tag?.name?.toLowerCase() === label.toLowerCase())) return
      await this.#api.request('POST', `space/${path(spaceId)}/tag`, { body: { tag: { name: label, ...TAG_COLOURS } } })
    } catch (error) {
      // "Already exists" (another worker was first) or no right to manage Space tags: tagging the task says if it matters.
      if (!(error instanceof ProviderHttpError && error.permanent)) throw error
      this.#log.debug({ spaceId, status: error.status, code: errorCode(error) }, 'clickup space tag not created')
    }
  }

  async #team(): Promise<string> {
    if (this.#settings.teamId) return this.#settings.teamId
    this.#teamId ??= this.#lookUpTeam().catch((error: unknown) => {
      this.#teamId = undefined
      throw error
    })
    return this.#teamId
  }

  async #lookUpTeam(): Promise<string> {
    const answer = await this.#api.request<{ teams?: Array<{ id?: string | number }> }>('GET', 'team')
    const teams = (answer?.teams ?? []).filter((team) => team?.id != null)
    if (teams.length !== 1) {
      throw new Error(
        `clickup: the token sees ${teams.length} Workspaces; set TASK_MANAGER_TEAM_ID to the Workspace of list ${this.#settings.projectId}`,
      )
    }
    return String(teams[0]!.id)
  }

  async #providerWebhooks(teamId: string): Promise<ClickUpWebhook[]> {
    const answer = await this.#api.request<{ webhooks?: ClickUpWebhook[] }>('GET', `team/${path(teamId)}/webhook`)
    return (answer?.webhooks ?? []).filter((webhook) => webhook && typeof webhook.id === 'string' && typeof webhook.endpoint === 'string')
  }

  #watchesHiringList(webhook: ClickUpWebhook): boolean {
    return webhook.list_id != null && String(webhook.list_id) === this.#settings.projectId
  }

  /**
   * A suspended webhook (ClickUp suspends one after a 401 or 410 answer, or 100
   * failed events) is switched on again, with our events, so registering is
   * also the repair.
   */
  async #reactivated(webhook: ClickUpWebhook): Promise<ClickUpWebhook> {
    const events = Array.isArray(webhook.events) ? webhook.events : webhook.events === '*' ? ['*'] : []
    const coversOurs = events.includes('*') || WEBHOOK_EVENTS.every((event) => events.includes(event))
    const status = webhook.health?.status
    if (coversOurs && (status === undefined || status === 'active' || status === 'failing')) return webhook
    const updated = await this.#api.request<CreatedWebhook>('PUT', `webhook/${path(webhook.id)}`, {
      body: { endpoint: webhook.endpoint, events: coversOurs ? webhook.events : [...WEBHOOK_EVENTS], status: 'active' },
      idempotent: true,
    })
    this.#log.info({ webhookId: webhook.id, was: status ?? 'unknown' }, 'clickup webhook reactivated')
    return { ...webhook, ...updated?.webhook, secret: updated?.webhook?.secret ?? webhook.secret }
  }

  #registration(webhook: ClickUpWebhook): WebhookRegistration {
    return {
      id: webhook.id,
      callbackUrl: webhook.endpoint,
      secret: webhook.secret || null,
      resource: `list:${webhook.list_id ?? this.#settings.projectId}`,
      // ClickUp does not say when a webhook was made: this is when hireflow saw it.
      createdAt: new Date().toISOString(),
      expiresAt: null,
    }
  }

  /** The task is gone or closed to the token: retrying cannot help. */
  #gone(error: unknown, what: string): unknown {
    if (isNotFound(error)) return new PermanentSourceError(`${what}: it no longer exists`, { cause: error })
    return error
  }
}

function probeReason(error: unknown, listId: string): string {
  if (error instanceof ProviderHttpError) {
    const code = errorCode(error)
    if (error.status === 401) return `the token was refused${code ? ` (${code})` : ''}: check TASK_MANAGER_TOKEN`
    if (isNotFound(error)) return `list ${listId} was not found: check HIRING_PROJECT_ID`
    return `GET /list answered ${error.status}${code ? ` (${code})` : ''}`
  }
  if (error instanceof ProviderNetworkError) return error.timedOut ? 'no answer in time' : `unreachable (${error.code})`
  return error instanceof Error ? error.message : String(error)
}
