// The hiring mailbox in Microsoft 365, through Microsoft Graph v1.0 with an
// app-only token (client credentials). Reconciliation walks the folder's
// message delta (the delta link is the stored cursor); change notifications
// only name messages to look at. Attachment bytes always come from
// /attachments/{id}/$value, streamed under MAX_RESUME_BYTES: a listing omits
// contentBytes for large files and is never relied on. hireflow never writes
// to a sender: a mail is marked with a category and an extended property
// holding its candidate ids, and optionally moved.
import { randomBytes } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import { simpleParser, type Attachment as ParsedAttachment } from 'mailparser'
import type { GraphMailboxConfig } from '../../config.ts'
import type { WebhookRegistration } from '../../domain/source-state.ts'
import { ProviderHttpError } from '../../net/http-client.ts'
import { DownloadRefusedError } from '../../net/safe-download.ts'
import type { CandidateStore } from '../../ports/candidate-store.ts'
import {
  PermanentSourceError,
  type ChangePage,
  type CursorPage,
  type IntakeSource,
  type ItemOutcome,
  type LifecycleVerdict,
  type SourceAttachment,
  type SourceItem,
  type WebhookDelivery,
  type WebhookUpkeep,
  type WebhookVerdict,
} from '../../ports/intake-source.ts'
import { requisitionFromMail } from '../mail-requisition.ts'
import { readSourceState, updateSourceState } from '../state.ts'
import type { MailboxSourceContext } from '../context.ts'
import { GraphApi, graphErrorCode } from './api.ts'
import { MsalTokenSource } from './auth.ts'
import { verifyChangeNotifications, verifyLifecycleNotifications } from './notifications.ts'

/** Messages per delta page (Prefer: odata.maxpagesize). */
const DELTA_PAGE_SIZE = 50
/** Graph's longest lifetime for a subscription to messages, in minutes. */
export const MAX_SUBSCRIPTION_MINUTES = 4_230
/** New and renewed subscriptions ask for this long: well inside the limit, so a clock skew or a slow call cannot overshoot it. */
export const SUBSCRIPTION_MINUTES = 4_000
/** The category a mail without any resume gets. */
export const NO_RESUME_CATEGORY = 'hireflow: no resume'
/** hireflow's own property set (a GUID fixed for hireflow), holding the ids of the candidates a mail became. */
export const CANDIDATES_PROPERTY = 'String {fd2a6922-89bb-48bf-8778-c2d756f8adea} Name hireflowCandidateIds'
const MESSAGE_FIELDS = [
  'id',
  'subject',
  'from',
  'sender',
  'toRecipients',
  'ccRecipients',
  'receivedDateTime',
  'lastModifiedDateTime',
  'categories',
  'hasAttachments',
  'internetMessageId',
  'webLink',
  'parentFolderId',
].join(',')
/**
 * A forwarded mail attached to a mail is read whole to open its attachments
 * (Graph gives an attached item only as MIME): at most this much, or twice
 * MAX_RESUME_BYTES if that is more.
 */
const FORWARDED_MAIL_MAX_BYTES = 64 * 1024 * 1024

interface GraphRecipient {
  emailAddress?: { name?: string; address?: string }
}

interface GraphMessage {
  id: string
  subject?: string | null
  from?: GraphRecipient | null
  sender?: GraphRecipient | null
  toRecipients?: GraphRecipient[]
  ccRecipients?: GraphRecipient[]
  receivedDateTime?: string
  lastModifiedDateTime?: string
  categories?: string[]
  internetMessageId?: string | null
  webLink?: string | null
  parentFolderId?: string
  singleValueExtendedProperties?: Array<{ id: string; value: string }>
  '@removed'?: unknown
}

interface GraphAttachment {
  '@odata.type'?: string
  id: string
  name?: string | null
  contentType?: string | null
  size?: number
  isInline?: boolean
}

interface GraphPage<T> {
  value?: T[]
  '@odata.nextLink'?: string
  '@odata.deltaLink'?: string
}

interface GraphSubscription {
  id: string
  resource?: string
  expirationDateTime?: string
  notificationUrl?: string
  lifecycleNotificationUrl?: string
  clientState?: string | null
}

const isStatus = (error: unknown, ...statuses: number[]) => error instanceof ProviderHttpError && statuses.includes(error.status)

function address(recipient: GraphRecipient | null | undefined): string | null {
  const { name, address } = recipient?.emailAddress ?? {}
  if (!address) return name ?? null
  return name && name !== address ? `${name} <${address}>` : address
}

/** A delta link Graph no longer knows: resync from the look-back time (410 Gone, or 400 syncStateNotFound / resyncRequired). */
function deltaExpired(error: unknown): boolean {
  if (!(error instanceof ProviderHttpError)) return false
  if (error.status === 410) return true
  const code = graphErrorCode(error.bodySnippet) ?? ''
  return error.status === 400 && /syncStateNotFound|resyncRequired|InvalidDeltaToken/i.test(code + error.bodySnippet)
}

/** Reads a body to the end, refusing more than `maxBytes` while reading. */
async function readUnder(response: Response, maxBytes: number, what: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? NaN)
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {})
    throw new DownloadRefusedError('too_large', `${what} refused: ${declared} bytes is more than ${maxBytes}`)
  }
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of response.body ?? []) {
    total += (chunk as Uint8Array).byteLength
    if (total > maxBytes) {
      await response.body?.cancel().catch(() => {})
      throw new DownloadRefusedError('too_large', `${what} refused: larger than ${maxBytes} bytes`)
    }
    chunks.push(Buffer.from(chunk as Uint8Array))
  }
  return Buffer.concat(chunks)
}

export class GraphSource implements IntakeSource {
  readonly provider = 'graph'
  readonly source = 'mailbox' as const
  readonly #settings: GraphMailboxConfig
  readonly #candidates: CandidateStore
  readonly #log: FastifyBaseLogger
  readonly #auth: MsalTokenSource
  readonly #api: GraphApi
  readonly #user: string
  #folderIds: Promise<{ hiring: string; moveTo: string | null }> | undefined

  constructor({ settings, candidates, log }: MailboxSourceContext<GraphMailboxConfig>) {
    this.#settings = settings
    this.#candidates = candidates
    this.#log = log
    this.#auth = new MsalTokenSource(settings, log)
    this.#api = new GraphApi(settings.apiBase, this.#auth, (retry) => log.info({ graph: retry }, 'Graph call retried'))
    this.#user = `users/${encodeURIComponent(settings.mailbox)}`
  }

  /** The subscription resource: the hiring folder's messages. */
  get resource(): string {
    return `${this.#user}/mailFolders('${this.#settings.folder.replaceAll("'", "''")}')/messages`
  }

  #folderPath(folder: string): string {
    return `${this.#user}/mailFolders/${encodeURIComponent(folder)}`
  }

  /** The ids of the hiring folder and of MAILBOX_MOVE_TO, asked once (a well-known name like Inbox is not an id). */
  async #folders(): Promise<{ hiring: string; moveTo: string | null }> {
    this.#folderIds ??= (async () => {
      const folderId = async (folder: string): Promise<string> => {
        try {
          return (await this.#api.request<{ id: string }>('GET', this.#folderPath(folder), { query: { $select: 'id' } })).id
        } catch (error) {
          if (!isStatus(error, 404, 400)) throw error
        }
        // Not an id or a well-known name: a top-level folder's display name, as people name folders.
        const named = await this.#api.request<GraphPage<{ id: string }>>('GET', `${this.#user}/mailFolders`, {
          query: { $filter: `displayName eq '${folder.replaceAll("'", "''")}'`, $select: 'id' },
        })
        const id = named.value?.[0]?.id
        if (!id) throw new PermanentSourceError(`the folder "${folder}" does not exist in ${this.#settings.mailbox}`)
        return id
      }
      const hiring = await folderId(this.#settings.folder)
      const moveTo = this.#settings.moveTo ? await folderId(this.#settings.moveTo) : null
      return { hiring, moveTo }
    })().catch((error: unknown) => {
      this.#folderIds = undefined
      throw error
    })
    return this.#folderIds
  }

  async probe(): Promise<void> {
    // A token failure says why in its own message (GraphTokenError).
    await this.#auth.token()
    try {
      // Asked every time (the folder ids are cached; the probe is about now).
      await this.#api.probe(this.#folderPath((await this.#folders()).hiring), { $select: 'id,displayName' })
    } catch (error) {
      if (isStatus(error, 404) || error instanceof PermanentSourceError) {
        throw new Error(`the folder "${this.#settings.folder}" of ${this.#settings.mailbox} does not exist`, { cause: error })
      }
      if (isStatus(error, 401, 403)) {
        const status = (error as ProviderHttpError).status
        const why = `Graph refused access to ${this.#settings.mailbox} (${status}): check Mail.ReadWrite and the app's mailbox scope`
        throw new Error(why, { cause: error })
      }
      throw error
    }
  }

  async listChanges(since: Date, page: string | null): Promise<ChangePage> {
    const answer = page
      ? await this.#api.request<GraphPage<GraphMessage>>('GET', page)
      : await this.#api.request<GraphPage<GraphMessage>>('GET', `${this.#folderPath((await this.#folders()).hiring)}/messages`, {
          query: {
            $filter: `receivedDateTime ge ${since.toISOString()}`,
            $select: 'id,lastModifiedDateTime,categories',
            $top: DELTA_PAGE_SIZE,
          },
        })
    return { changes: this.#changes(answer), nextPage: answer['@odata.nextLink'] ?? null }
  }

  async syncChanges(cursor: string | null, lookback: Date, page: string | null): Promise<CursorPage> {
    const prefer = [`odata.maxpagesize=${DELTA_PAGE_SIZE}`]
    const start = async () =>
      this.#api.request<GraphPage<GraphMessage>>('GET', `${this.#folderPath((await this.#folders()).hiring)}/messages/delta`, {
        query: { $select: 'id,lastModifiedDateTime,categories', $filter: `receivedDateTime ge ${lookback.toISOString()}` },
        prefer,
      })
    let answer: GraphPage<GraphMessage>
    let resynced = false
    if (page) {
      answer = await this.#api.request<GraphPage<GraphMessage>>('GET', page, { prefer })
    } else if (cursor) {
      try {
        answer = await this.#api.request<GraphPage<GraphMessage>>('GET', cursor, { prefer })
      } catch (error) {
        if (!deltaExpired(error)) throw error
        resynced = true
        answer = await start()
      }
    } else {
      answer = await start()
    }
    const nextPage = answer['@odata.nextLink'] ?? null
    const deltaLink = answer['@odata.deltaLink'] ?? null
    if (!nextPage && !deltaLink) throw new Error('Graph ended a delta page with neither @odata.nextLink nor @odata.deltaLink')
    return { changes: this.#changes(answer), nextPage, cursor: nextPage ? null : deltaLink, resynced }
  }

  /** Messages to look at: not removed, and not already marked by hireflow (our own marks come back as changes). */
  #changes(answer: GraphPage<GraphMessage>): ChangePage['changes'] {
    const marks = new Set([this.#settings.processedCategory, NO_RESUME_CATEGORY])
    return (answer.value ?? [])
      .filter((message) => message.id && message['@removed'] === undefined)
      .filter((message) => !(message.categories ?? []).some((category) => marks.has(category)))
      .map((message) => ({ id: message.id, updatedAt: message.lastModifiedDateTime ?? new Date().toISOString() }))
  }

  async getItem(itemId: string): Promise<SourceItem | undefined> {
    let message: GraphMessage
    try {
      message = await this.#api.request<GraphMessage>('GET', `${this.#user}/messages/${encodeURIComponent(itemId)}`, {
        query: { $select: MESSAGE_FIELDS, $expand: `singleValueExtendedProperties($filter=id eq '${CANDIDATES_PROPERTY}')` },
      })
    } catch (error) {
      // Deleted, or an id Graph cannot read as one of its own.
      if (isStatus(error, 404, 400)) return undefined
      throw error
    }
    const folders = await this.#folders()
    const categories = message.categories ?? []
    const recipients = [...(message.toRecipients ?? []), ...(message.ccRecipients ?? [])]
      .map((recipient) => recipient.emailAddress?.address)
      .filter((value): value is string => !!value)
    return {
      id: message.id,
      url: message.webLink ?? null,
      title: message.subject ?? null,
      sender: address(message.from ?? message.sender),
      receivedAt: message.receivedDateTime ?? null,
      messageId: message.internetMessageId ?? null,
      labels: categories,
      updatedAt: message.lastModifiedDateTime ?? message.receivedDateTime ?? new Date().toISOString(),
      // Mail in the hiring folder, or already moved out of it by hireflow.
      inScope:
        message.parentFolderId === undefined || message.parentFolderId === folders.hiring || message.parentFolderId === folders.moveTo,
      processed: categories.includes(this.#settings.processedCategory) || categories.includes(NO_RESUME_CATEGORY),
      requisitionId: requisitionFromMail(message.subject ?? null, recipients, this.#settings.mailbox),
      attachments: await this.#attachments(message),
    }
  }

  async #attachments(message: GraphMessage): Promise<SourceAttachment[]> {
    const path = `${this.#user}/messages/${encodeURIComponent(message.id)}/attachments`
    const listed: GraphAttachment[] = []
    let next: string | null = path
    while (next) {
      const page: GraphPage<GraphAttachment> = await this.#api.request<GraphPage<GraphAttachment>>(
        'GET',
        next,
        next === path ? { query: { $select: 'id,name,contentType,size,isInline' } } : {},
      )
      listed.push(...(page.value ?? []))
      next = page['@odata.nextLink'] ?? null
    }
    const attachments: SourceAttachment[] = []
    for (const attachment of listed) {
      const type = (attachment['@odata.type'] ?? '').toLowerCase()
      const name = attachment.name || 'attachment'
      if (type.endsWith('referenceattachment')) {
        // A OneDrive or SharePoint link: HR opens it from the mail; hireflow does not fetch it.
        attachments.push({
          id: attachment.id,
          filename: name,
          size: null,
          mediaType: null,
          externalUrl: message.webLink ?? 'the original mail',
        })
      } else if (type.endsWith('itemattachment')) {
        attachments.push(...(await this.#forwardedAttachments(message.id, attachment)))
      } else {
        // Pictures in a signature are inline; a resume is never shown inline.
        if (attachment.isInline && (attachment.contentType ?? '').startsWith('image/')) continue
        attachments.push({
          id: attachment.id,
          filename: name,
          size: attachment.size ?? null,
          mediaType: attachment.contentType ?? null,
          externalUrl: null,
        })
      }
    }
    return attachments
  }

  /** The file attachments of a mail attached to the mail (a forward), one level deep; ids are `<item attachment>/<index>`. */
  async #forwardedAttachments(messageId: string, item: GraphAttachment): Promise<SourceAttachment[]> {
    const parsed = await this.#forwardedMail(messageId, item.id, FORWARDED_MAIL_MAX_BYTES)
    if (!parsed) return []
    return parsed
      .map((attachment, index) => ({ attachment, index }))
      .filter(({ attachment }) => attachment.contentType !== 'message/rfc822')
      .map(({ attachment, index }) => ({
        id: `${item.id}/${index}`,
        filename: attachment.filename || `attachment-${index + 1}`,
        size: attachment.size,
        mediaType: attachment.contentType || null,
        externalUrl: null,
      }))
  }

  /** The attached mail's own attachments, or undefined when it is too large to open. */
  async #forwardedMail(messageId: string, attachmentId: string, maxBytes: number): Promise<ParsedAttachment[] | undefined> {
    let mime: Buffer
    try {
      mime = await this.#value(messageId, attachmentId, maxBytes, 'the attached mail')
    } catch (error) {
      if (error instanceof DownloadRefusedError && error.reason === 'too_large') {
        this.#log.warn({ messageId, attachmentId }, 'attached mail too large to open; its attachments are skipped')
        return undefined
      }
      throw error
    }
    const parsed = await simpleParser(mime, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true })
    return parsed.attachments
  }

  async #value(messageId: string, attachmentId: string, maxBytes: number, what: string): Promise<Buffer> {
    const target = `${this.#user}/messages/${encodeURIComponent(messageId)}/attachments/${encodeURIComponent(attachmentId)}/$value`
    let held: { response: Response; release: () => void }
    try {
      held = await this.#api.requestRaw('GET', target, { timeoutMs: 120_000 })
    } catch (error) {
      if (isStatus(error, 404)) throw new PermanentSourceError(`${what} is no longer on the mail`, { cause: error })
      throw error
    }
    try {
      return await readUnder(held.response, maxBytes, `${what} from Graph`)
    } finally {
      held.release()
    }
  }

  async downloadAttachment(item: SourceItem, attachment: SourceAttachment, options: { maxBytes: number }): Promise<Buffer> {
    if (attachment.size !== null && attachment.size > options.maxBytes * 1.5) {
      // Graph's size counts the attachment's whole item; far over the limit means the file is too.
      throw new DownloadRefusedError(
        'too_large',
        `download of ${attachment.filename} refused: ${attachment.size} bytes is more than ${options.maxBytes}`,
      )
    }
    const nested = /^(.+)\/(\d+)$/.exec(attachment.id)
    if (!nested) return this.#value(item.id, attachment.id, options.maxBytes, `download of ${attachment.filename}`)
    const parsed = await this.#forwardedMail(item.id, nested[1]!, Math.max(FORWARDED_MAIL_MAX_BYTES, 2 * options.maxBytes))
    const file = parsed?.[Number(nested[2])]
    if (!parsed) throw new DownloadRefusedError('too_large', `download of ${attachment.filename} refused: the attached mail is too large`)
    if (!file) throw new PermanentSourceError(`${attachment.filename} is no longer in the attached mail`)
    if (file.content.length > options.maxBytes) {
      throw new DownloadRefusedError('too_large', `download of ${attachment.filename} refused: larger than ${options.maxBytes} bytes`)
    }
    return file.content
  }

  async markProcessed(item: SourceItem, outcome: ItemOutcome): Promise<void> {
    const category = outcome.noResume ? NO_RESUME_CATEGORY : this.#settings.processedCategory
    const path = `${this.#user}/messages/${encodeURIComponent(item.id)}`
    try {
      if (!item.labels.includes(category)) {
        await this.#api.request('PATCH', path, {
          body: {
            categories: [...item.labels, category],
            singleValueExtendedProperties: [{ id: CANDIDATES_PROPERTY, value: outcome.candidateIds.join(' ') || 'none' }],
          },
          // Setting the same categories and property again changes nothing.
          idempotent: true,
        })
      }
      if (this.#settings.moveTo) {
        const { moveTo } = await this.#folders()
        // With immutable ids the mail keeps its id in the new folder; moving it there twice is harmless.
        await this.#api.request('POST', `${path}/move`, { body: { destinationId: moveTo ?? this.#settings.moveTo }, idempotent: true })
      }
    } catch (error) {
      if (isStatus(error, 404))
        throw new PermanentSourceError(`the mail ${item.id} is gone from ${this.#settings.mailbox}`, { cause: error })
      throw error
    }
  }

  async comment(itemId: string, text: string): Promise<void> {
    // A mailbox has no place for notes, and hireflow never writes to a candidate: the note is logged.
    this.#log.info({ itemId, note: text }, 'mail processed')
  }

  verifyWebhook(delivery: WebhookDelivery, registrations: readonly WebhookRegistration[]): WebhookVerdict {
    return verifyChangeNotifications(delivery, registrations)
  }

  verifyLifecycle(delivery: WebhookDelivery, registrations: readonly WebhookRegistration[]): LifecycleVerdict {
    return verifyLifecycleNotifications(delivery, registrations)
  }

  async registerWebhook(callbackUrl: string): Promise<WebhookRegistration> {
    const { registration } = await this.keepWebhook(callbackUrl)
    return registration!
  }

  async listWebhooks(): Promise<WebhookRegistration[]> {
    const answer = await this.#api.request<GraphPage<GraphSubscription>>('GET', 'subscriptions')
    return (answer.value ?? [])
      .filter((subscription) => (subscription.resource ?? '').toLowerCase() === this.resource.toLowerCase())
      .map((subscription) => this.#registration(subscription, null))
  }

  async deleteWebhook(id: string): Promise<void> {
    if (id.startsWith('pending:')) return
    try {
      await this.#api.request('DELETE', `subscriptions/${encodeURIComponent(id)}`, { idempotent: true })
    } catch (error) {
      if (!isStatus(error, 404)) throw error
    }
  }

  #registration(subscription: GraphSubscription, clientState: string | null): WebhookRegistration {
    return {
      id: subscription.id,
      callbackUrl: subscription.notificationUrl ?? '',
      secret: clientState,
      resource: subscription.resource ?? this.resource,
      createdAt: new Date().toISOString(),
      expiresAt: subscription.expirationDateTime ?? null,
    }
  }

  async #stored(): Promise<WebhookRegistration | undefined> {
    const { webhooks } = await readSourceState(this.#candidates, this.provider)
    return webhooks.find((webhook) => !webhook.id.startsWith('pending:'))
  }

  async keepWebhook(callbackUrl: string): Promise<WebhookUpkeep> {
    const stored = await this.#stored()
    if (stored) {
      try {
        const renewed = await this.#api.request<GraphSubscription>('PATCH', `subscriptions/${encodeURIComponent(stored.id)}`, {
          body: { expirationDateTime: expiry() },
          idempotent: true,
        })
        const registration = { ...stored, expiresAt: renewed.expirationDateTime ?? stored.expiresAt }
        await this.#save(registration, [stored.id])
        this.#log.info({ subscriptionId: stored.id, expiresAt: registration.expiresAt }, 'Graph subscription renewed')
        return { outcome: 'renewed', registration, resync: false }
      } catch (error) {
        if (!isStatus(error, 404)) throw error
        // Graph lost it (deleted, expired, or removed by an admin): whatever arrived meanwhile was not notified.
        this.#log.warn({ subscriptionId: stored.id }, 'Graph subscription gone; creating a new one and resyncing')
        const registration = await this.#create(callbackUrl, [stored.id])
        return { outcome: 'recreated', registration, resync: true }
      }
    }
    const registration = await this.#create(callbackUrl, [])
    return { outcome: 'created', registration, resync: false }
  }

  /**
   * Creates the subscription. Its clientState is stored first under a
   * provisional id: Graph may notify before its answer to the creation
   * reaches us, and those notifications must verify.
   */
  async #create(callbackUrl: string, replacing: string[]): Promise<WebhookRegistration> {
    const clientState = randomBytes(32).toString('base64url')
    const pendingId = `pending:${randomBytes(8).toString('hex')}`
    const provisional: WebhookRegistration = {
      id: pendingId,
      callbackUrl,
      secret: clientState,
      resource: this.resource,
      createdAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 5 * 60_000).toISOString(),
    }
    await this.#save(provisional, [])
    let created: GraphSubscription
    try {
      created = await this.#api.request<GraphSubscription>('POST', 'subscriptions', {
        body: {
          changeType: 'created,updated',
          notificationUrl: callbackUrl,
          lifecycleNotificationUrl: `${callbackUrl}/lifecycle`,
          resource: this.resource,
          expirationDateTime: expiry(),
          clientState,
          latestSupportedTlsVersion: 'v1_2',
        },
        // Graph validates both URLs before it answers (up to 10 s each).
        timeoutMs: 60_000,
      })
    } catch (error) {
      await this.#forget([pendingId])
      throw error
    }
    const registration = { ...this.#registration(created, clientState), callbackUrl, resource: created.resource ?? this.resource }
    await this.#save(registration, [pendingId, ...replacing])
    this.#log.info({ subscriptionId: created.id, expiresAt: registration.expiresAt }, 'Graph subscription created')
    return registration
  }

  async #save(registration: WebhookRegistration, replacing: string[]): Promise<void> {
    const drop = new Set([registration.id, ...replacing])
    await updateSourceState(this.#candidates, this.provider, (state) => ({
      ...state,
      // Provisional entries older than their short expiry are leftovers of a creation that died half-way.
      webhooks: [
        ...state.webhooks.filter(
          (webhook) => !drop.has(webhook.id) && !(webhook.id.startsWith('pending:') && webhook.expiresAt! < new Date().toISOString()),
        ),
        registration,
      ],
    }))
  }

  async #forget(ids: string[]): Promise<void> {
    await updateSourceState(this.#candidates, this.provider, (state) => ({
      ...state,
      webhooks: state.webhooks.filter((webhook) => !ids.includes(webhook.id)),
    }))
  }

  async handleLifecycle(event: { webhookId: string; event: string }, callbackUrl: string): Promise<WebhookUpkeep> {
    const stored = await this.#stored()
    if (!stored || stored.id !== event.webhookId) {
      this.#log.info({ subscriptionId: event.webhookId, event: event.event }, 'lifecycle event for a subscription hireflow no longer keeps')
      return { outcome: 'ignored', registration: stored ?? null, resync: false }
    }
    switch (event.event) {
      case 'reauthorizationRequired': {
        try {
          await this.#api.request('POST', `subscriptions/${encodeURIComponent(stored.id)}/reauthorize`, { idempotent: true })
        } catch (error) {
          if (!isStatus(error, 404)) throw error
          return { ...(await this.keepWebhook(callbackUrl)), resync: true }
        }
        // Renewing also extends it; a reauthorization alone would leave the old expiry.
        const upkeep = await this.keepWebhook(callbackUrl)
        return { ...upkeep, outcome: upkeep.outcome === 'renewed' ? 'reauthorized' : upkeep.outcome }
      }
      case 'subscriptionRemoved': {
        const registration = await this.#create(callbackUrl, [stored.id])
        return { outcome: 'recreated', registration, resync: true }
      }
      default:
        // `missed`: Graph dropped notifications; the delta query finds what they were about.
        return { outcome: 'resync', registration: stored, resync: true }
    }
  }
}

function expiry(): string {
  return new Date(Date.now() + SUBSCRIPTION_MINUTES * 60_000).toISOString()
}
