// Asana as an intake source: tasks of the hiring project (HIRING_PROJECT_ID is
// the project gid) whose resumes are task attachments. Reconciliation lists
// GET /tasks?project=…&modified_since=… (the project's own task listing has no
// modified_since); tags cannot be filtered on the server, so the filter labels
// are applied here. Asana delivers webhooks at most once, so reconciliation is
// what makes the source safe, not an extra.
import type { FastifyBaseLogger } from 'fastify'
import type { TaskManagerConfig } from '../../config.ts'
import type { WebhookRegistration } from '../../domain/source-state.ts'
import { HttpClient, ProviderHttpError, type AuthProvider, type QueryValue } from '../../net/http-client.ts'
import { DownloadRefusedError, safeDownload, type DownloadPolicy } from '../../net/safe-download.ts'
import { attachmentPolicy, type AttachmentPolicy } from '../download-policy.ts'
import {
  PermanentSourceError,
  type ChangePage,
  type IntakeSource,
  type SourceAttachment,
  type SourceItem,
  type WebhookDelivery,
  type WebhookVerdict,
} from '../../ports/intake-source.ts'
import {
  ASANA_API,
  ASANA_ATTACHMENT_HOSTS,
  ATTACHMENT_FIELDS,
  PAGE_LIMIT,
  TASK_FIELDS,
  WEBHOOK_FIELDS,
  isGid,
  type AsanaAttachment,
  type AsanaProject,
  type AsanaTag,
  type AsanaTask,
  type AsanaWebhook,
  type CreatedWebhook,
  type Envelope,
  type ListEnvelope,
} from './api.ts'
import { verifyAsanaDelivery } from './webhooks.ts'

const REQUISITION_TAG = /^requisition:\s*(.+)$/i

/**
 * The events that can bring a resume: a task added to the project, a task
 * changed (tags, name), a story added (an attachment upload is recorded as a
 * story; Asana fires no "attachment added" event).
 */
export const WEBHOOK_FILTERS = [
  { resource_type: 'task', action: 'added' },
  { resource_type: 'task', action: 'changed' },
  { resource_type: 'story', action: 'added' },
] as const

export interface AsanaSourceOptions {
  settings: TaskManagerConfig
  auth: AuthProvider
  log: FastifyBaseLogger
  /** Replaceable in tests: the HTTP client's backoff base (default 500 ms). */
  baseDelayMs?: number
}

export class AsanaSource implements IntakeSource {
  readonly provider = 'asana'
  readonly source = 'task-manager' as const
  readonly #settings: TaskManagerConfig
  readonly #auth: AuthProvider
  readonly #log: FastifyBaseLogger
  readonly #api: HttpClient
  readonly #apiOrigin: string
  readonly #policy: AttachmentPolicy
  readonly #filterLabels: Set<string>
  #workspace: Promise<string> | undefined
  #processedTag: Promise<string> | undefined

  constructor(options: AsanaSourceOptions) {
    const { settings, auth, log } = options
    this.#settings = settings
    this.#auth = auth
    this.#log = log
    const base = new URL(settings.baseUrl ?? ASANA_API)
    this.#apiOrigin = base.origin
    this.#api = new HttpClient({
      baseUrl: base,
      provider: 'asana',
      auth,
      ...(options.baseDelayMs === undefined ? {} : { baseDelayMs: options.baseDelayMs }),
      onRetry: (info) => log.debug({ ...info }, 'asana call retried'),
    })
    this.#policy = attachmentPolicy(settings, base, ASANA_ATTACHMENT_HOSTS)
    this.#filterLabels = new Set(settings.filterLabels.map((label) => label.toLowerCase()))
  }

  async listChanges(since: Date, page: string | null): Promise<ChangePage> {
    const answer = await this.#api.request<ListEnvelope<AsanaTask>>('GET', '/tasks', {
      query: {
        project: this.#settings.projectId,
        modified_since: since.toISOString(),
        limit: PAGE_LIMIT,
        opt_fields: 'modified_at,tags.name',
        offset: page ?? undefined,
      },
    })
    const changes = answer.data
      .filter((task) => this.#hasFilterLabel(tagNames(task)))
      .map((task) => ({ id: task.gid, updatedAt: task.modified_at ?? since.toISOString() }))
    return { changes, nextPage: answer.next_page?.offset ?? null }
  }

  async getItem(itemId: string): Promise<SourceItem | undefined> {
    // Asana ids are strings of digits: anything else names no task.
    if (!isGid(itemId)) return undefined
    let task: AsanaTask
    try {
      task = (await this.#api.request<Envelope<AsanaTask>>('GET', `/tasks/${itemId}`, { query: { opt_fields: TASK_FIELDS } })).data
    } catch (error) {
      if (error instanceof ProviderHttpError && error.status === 404) return undefined
      throw error
    }
    const attachments: SourceAttachment[] = []
    for await (const attachment of this.#pages<AsanaAttachment>('/attachments', { parent: task.gid, opt_fields: ATTACHMENT_FIELDS })) {
      attachments.push(toSourceAttachment(attachment, task))
    }
    const labels = tagNames(task)
    const lowered = labels.map((label) => label.toLowerCase())
    const inProject = (task.projects ?? []).some((project) => project.gid === this.#settings.projectId)
    return {
      id: task.gid,
      url: task.permalink_url ?? null,
      title: task.name ?? null,
      sender: task.created_by?.name ?? null,
      labels,
      updatedAt: task.modified_at ?? new Date().toISOString(),
      inScope: inProject && this.#hasFilterLabel(labels),
      processed: lowered.includes(this.#settings.processedLabel.toLowerCase()),
      requisitionId: requisitionOf(labels),
      attachments,
    }
  }

  async downloadAttachment(_item: SourceItem, attachment: SourceAttachment, options: { maxBytes: number }): Promise<Buffer> {
    if (attachment.externalUrl) throw new PermanentSourceError(`${attachment.filename} is kept outside Asana and is not downloaded`)
    const policy: DownloadPolicy = { ...this.#policy, maxBytes: options.maxBytes }
    const authHeaders = await this.#auth.authorize()
    // Asana's file URLs are pre-signed: its token goes to its own API origin only, never to S3 or another host.
    const headersFor = (url: URL) => (url.origin === this.#apiOrigin ? authHeaders : undefined)
    for (let attempt = 1; ; attempt++) {
      // download_url is valid for about two minutes from when it is read, so it is read right before use.
      const url = await this.#freshDownloadUrl(attachment)
      try {
        return (await safeDownload(url, policy, { headersFor })).bytes
      } catch (error) {
        // The link may have expired between reading and connecting (a slow queue, a clock skew): one fresh link more.
        const expired = error instanceof DownloadRefusedError && error.reason === 'bad_status' && error.status === 403
        if (!expired || attempt >= 2) throw error
      }
    }
  }

  async markProcessed(item: SourceItem): Promise<void> {
    if (item.processed) return
    const tag = await this.#processedTagGid()
    try {
      await this.#addTag(item.id, tag)
    } catch (error) {
      // The tag may have been deleted in Asana since it was looked up: look it up (or create it) again, once.
      if (!(error instanceof ProviderHttpError) || (error.status !== 400 && error.status !== 404)) throw error
      this.#processedTag = undefined
      await this.#addTag(item.id, await this.#processedTagGid())
    }
  }

  async comment(itemId: string, text: string): Promise<void> {
    if (!isGid(itemId)) throw new PermanentSourceError(`asana: "${itemId.slice(0, 40)}" is not a task gid`)
    try {
      // Not repeated after the request may have arrived: a second identical comment is worse than a retried job.
      await this.#api.request('POST', `/tasks/${itemId}/stories`, { body: { data: { text } } })
    } catch (error) {
      if (error instanceof ProviderHttpError && (error.status === 403 || error.status === 404)) {
        throw new PermanentSourceError(`asana: task ${itemId} cannot be commented on (${error.status})`, { cause: error })
      }
      throw error
    }
  }

  verifyWebhook(delivery: WebhookDelivery, registrations: readonly WebhookRegistration[]): WebhookVerdict {
    const secrets = registrations.map((registration) => registration.secret).filter((secret): secret is string => !!secret)
    if (this.#settings.webhookSecret) secrets.push(this.#settings.webhookSecret)
    return verifyAsanaDelivery(delivery, secrets)
  }

  async registerWebhook(callbackUrl: string, handshakeSecret: () => Promise<string | null>): Promise<WebhookRegistration> {
    const existing = (await this.listWebhooks()).find((webhook) => webhook.callbackUrl === callbackUrl)
    if (existing) return existing
    // Asana calls callbackUrl with X-Hook-Secret while this request is open, and answers only once that was echoed.
    const created = await this.#api.request<CreatedWebhook>('POST', '/webhooks', {
      body: { data: { resource: this.#settings.projectId, target: callbackUrl, filters: WEBHOOK_FILTERS } },
      query: { opt_fields: WEBHOOK_FIELDS },
      // The handshake is part of this call.
      timeoutMs: 30_000,
    })
    const fromHandshake = await handshakeSecret()
    // The answer to our own authenticated call is authoritative; the handshake reached a public route anyone can call.
    const returned = created['X-Hook-Secret'] || null
    if (returned && fromHandshake && returned !== fromHandshake) {
      this.#log.warn({ webhookId: created.data.gid }, 'the X-Hook-Secret of a handshake differs from the one Asana returned; using Asana’s')
    }
    const secret = returned ?? fromHandshake
    if (!secret)
      this.#log.warn({ webhookId: created.data.gid }, 'asana webhook registered without a known secret: its deliveries will be refused')
    return { ...toRegistration(created.data, callbackUrl, this.#settings.projectId), secret }
  }

  async listWebhooks(): Promise<WebhookRegistration[]> {
    const workspace = await this.#workspaceGid()
    const registrations: WebhookRegistration[] = []
    const query = { workspace, resource: this.#settings.projectId, opt_fields: WEBHOOK_FIELDS }
    for await (const webhook of this.#pages<AsanaWebhook>('/webhooks', query)) {
      registrations.push(toRegistration(webhook, webhook.target ?? '', this.#settings.projectId))
    }
    return registrations
  }

  async deleteWebhook(id: string): Promise<void> {
    if (!isGid(id)) throw new PermanentSourceError(`asana: "${id.slice(0, 40)}" is not a webhook gid`)
    try {
      await this.#api.request('DELETE', `/webhooks/${id}`, { idempotent: true })
    } catch (error) {
      // Already gone (deleted by hand, or by Asana after a day of failed deliveries): what was asked for is true.
      if (!(error instanceof ProviderHttpError && error.status === 404)) throw error
    }
  }

  async probe(): Promise<void> {
    try {
      await this.#project()
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      throw new Error(`asana: the hiring project ${this.#settings.projectId} cannot be read: ${reason}`, { cause: error })
    }
  }

  #hasFilterLabel(labels: string[]): boolean {
    return labels.some((label) => this.#filterLabels.has(label.toLowerCase()))
  }

  async #project(): Promise<AsanaProject> {
    const answer = await this.#api.request<Envelope<AsanaProject>>('GET', `/projects/${this.#settings.projectId}`, {
      query: { opt_fields: 'name,workspace' },
    })
    return answer.data
  }

  /** The hiring project's workspace, asked once; a failure is asked again next time. */
  #workspaceGid(): Promise<string> {
    this.#workspace ??= this.#project().then((project) => {
      const gid = project.workspace?.gid
      if (!gid) throw new Error(`asana: project ${this.#settings.projectId} names no workspace`)
      return gid
    })
    void this.#workspace.catch(() => (this.#workspace = undefined))
    return this.#workspace
  }

  /** The processed tag of the workspace, found by name (Asana has no name filter) or created; one lookup per process. */
  #processedTagGid(): Promise<string> {
    this.#processedTag ??= (async () => {
      const workspace = await this.#workspaceGid()
      const name = this.#settings.processedLabel
      for await (const tag of this.#pages<AsanaTag>(`/workspaces/${workspace}/tags`, { opt_fields: 'name' })) {
        if (tag.name?.toLowerCase() === name.toLowerCase()) return tag.gid
      }
      const created = await this.#api.request<Envelope<AsanaTag>>('POST', '/tags', { body: { data: { name, workspace } } })
      return created.data.gid
    })()
    void this.#processedTag.catch(() => (this.#processedTag = undefined))
    return this.#processedTag
  }

  async #addTag(taskId: string, tag: string): Promise<void> {
    // Adding a tag the task already has changes nothing, so a repeat after a lost answer is harmless.
    await this.#api.request('POST', `/tasks/${taskId}/addTag`, { body: { data: { tag } }, idempotent: true })
  }

  async #freshDownloadUrl(attachment: SourceAttachment): Promise<string> {
    const answer = await this.#api.request<Envelope<AsanaAttachment>>('GET', `/attachments/${attachment.id}`, {
      query: { opt_fields: 'download_url,host,name' },
    })
    const { host, download_url: url } = answer.data
    if (host !== 'asana') throw new PermanentSourceError(`${attachment.filename} is kept outside Asana (${host}) and is not downloaded`)
    if (!url) throw new PermanentSourceError(`asana offers no download link for ${attachment.filename}`)
    return url
  }

  /** Every item of a paged listing, 100 per call. */
  async *#pages<T>(path: string, query: Record<string, QueryValue>): AsyncGenerator<T> {
    let offset: string | undefined
    do {
      const answer = await this.#api.request<ListEnvelope<T>>('GET', path, { query: { ...query, limit: PAGE_LIMIT, offset } })
      yield* answer.data
      offset = answer.next_page?.offset ?? undefined
    } while (offset)
  }
}

function tagNames(task: AsanaTask): string[] {
  return (task.tags ?? []).map((tag) => tag.name ?? '').filter((name) => name !== '')
}

/** The documented rule: a tag `requisition:<id>` (any case) names the requisition; the first one counts. */
export function requisitionOf(labels: string[]): string | null {
  for (const label of labels) {
    const id = REQUISITION_TAG.exec(label.trim())?.[1]?.trim()
    if (id) return id
  }
  return null
}

function toSourceAttachment(attachment: AsanaAttachment, task: AsanaTask): SourceAttachment {
  const stored = attachment.host === 'asana'
  return {
    id: attachment.gid,
    filename: attachment.name || `attachment-${attachment.gid}`,
    size: stored && typeof attachment.size === 'number' ? attachment.size : null,
    mediaType: null,
    // A Drive, Dropbox or Box file is a link for HR: its view link, else the task, where a person can open it.
    externalUrl: stored
      ? null
      : (attachment.view_url ?? attachment.permanent_url ?? task.permalink_url ?? `https://app.asana.com/0/0/${task.gid}`),
  }
}

function toRegistration(webhook: AsanaWebhook, callbackUrl: string, project: string): WebhookRegistration {
  return {
    id: webhook.gid,
    callbackUrl: webhook.target ?? callbackUrl,
    // Asana reveals the secret only during registration; the caller keeps the one it stored then.
    secret: null,
    resource: webhook.resource?.gid ?? project,
    createdAt: webhook.created_at ?? new Date().toISOString(),
    expiresAt: null,
  }
}
