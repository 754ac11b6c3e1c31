// A Microsoft Graph and Microsoft Entra ID stand-in for the mailbox tests,
// built from Microsoft's documented contract (learn.microsoft.com/graph and
// the microsoft-graph-docs-contrib repository; see the notes at each piece).
// One HTTPS server on 127.0.0.1 answers both, with a certificate from the
// test CA (test/support/tls.ts), so hireflow reaches it through its real
// msal-node client and global fetch, exactly as it reaches Microsoft.
//
// Entra: the tenant's OpenID metadata, instance discovery, and the v2.0 token
// endpoint's client-credentials grant, with a client secret or a certificate
// client assertion (RS256/PS256 JWT whose x5t#S256 or x5t names a
// registered certificate), answering Entra's error shape (AADSTS codes).
//
// Graph v1.0: one mailbox (`users/{address or id}`) with folders, messages,
// categories, single-value extended properties, move, file/item/reference
// attachments and their `$value`, the per-folder message delta query
// (`Prefer: odata.maxpagesize`, opaque `$skiptoken`/`$deltatoken` links,
// `@removed` entries, 410 syncStateNotFound once tokens are expired), and
// webhook subscriptions: validation of notificationUrl and
// lifecycleNotificationUrl before the 201, change notifications and
// lifecycle notifications in the documented payloads, the 4230-minute cap.
// Ids follow Graph's two formats: a message's REST id changes when it moves,
// its immutable id (`Prefer: IdType="ImmutableId"`) never does.
//
// Deliberate differences from Graph, each one a knob a test needs:
// notification and lifecycle URLs may be plain http on loopback when
// `allowHttpNotificationUrl` is set (hireflow's test server is http); failed
// deliveries are retried `notificationRetries` times after a short backoff
// instead of for four hours; one POST carries one notification (Graph may
// batch several); and list answers of attachments leave out contentBytes
// above `inlineAttachmentLimit` (about 3 MB by default), the size above which
// Graph is observed to leave it out and which its large-attachment upload
// guide uses as the inline limit.
import { createServer as createHttpsServer, request as httpsRequest, type Server } from 'node:https'
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import { constants as cryptoConstants, createHash, randomBytes, randomUUID, verify, X509Certificate } from 'node:crypto'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import MailComposer from 'nodemailer/lib/mail-composer'
import type { FakeAttachment } from './fake-provider.ts'
import type { FakeMailbox, FakeMailInput, FakeMailView } from './fake-mailbox.ts'
import { testTls, trustTestCa } from './tls.ts'

export interface FakeGraphOptions {
  /** Directory (tenant) id; a random GUID by default. */
  tenantId?: string
  /** Application (client) id of the app registration; a random GUID by default. */
  clientId?: string
  /** The client secret Entra accepts; a random value by default. */
  clientSecret?: string
  /** PEM certificates registered on the app registration (its certificate credentials). */
  clientCertificates?: string[]
  /** The hiring mailbox's address (default hiring@contoso.test). */
  mailbox?: string
  /** MAILBOX_FOLDER in `env` (default `Inbox`); mail is delivered to the folder it names. */
  folder?: string
  /** `expires_in` of issued access tokens, in seconds (default 3599, as Entra). */
  tokenLifetimeSeconds?: number
  /** Accept http:// notification and lifecycle URLs on loopback (Graph requires https). */
  allowHttpNotificationUrl?: boolean
  /** Further attempts after a delivery that was not answered 2xx in time (default 0). */
  notificationRetries?: number
  /** Wait before the first retry, doubled for each next one (default 50 ms). */
  notificationRetryDelayMs?: number
  /** How long a notification may take to be answered (default 3000 ms, as Graph). */
  notificationTimeoutMs?: number
  /** How long a validation request may take to be answered (default 10000 ms, as Graph). */
  validationTimeoutMs?: number
  /** Every Graph request waits this long before it is answered (default 0): makes concurrency observable. */
  requestDelayMs?: number
  /** Largest file attachment whose contentBytes an attachment answer includes (default 3 MiB). */
  inlineAttachmentLimit?: number
  /** Page size of a delta or list answer without `Prefer: odata.maxpagesize` (default 10). */
  defaultPageSize?: number
  /** Add the test CA to this process's default trust (default true). */
  trustCa?: boolean
}

/** One request to the Graph API (`/v1.0/...`). */
export interface GraphCall {
  method: string
  /** The path as sent, without the query string. */
  path: string
  /** The decoded query parameters. */
  query: Record<string, string>
  /** The Prefer header as sent. */
  prefer: string | undefined
  /** Whether the request carried `Prefer: IdType="ImmutableId"`. */
  immutableId: boolean
  /** Whether it carried a valid access token. */
  authorized: boolean
  /** The status answered (0 until the answer is sent). */
  status: number
}

/** One request to the token endpoint. */
export interface TokenRequestRecord {
  grantType: string | null
  clientId: string | null
  scope: string | null
  credential: 'secret' | 'assertion' | 'none'
  status: number
  /** Entra's `error` when it refused, e.g. `invalid_client`. */
  error?: string
}

/** A validation request sent to a notification or lifecycle URL, and what it was answered. */
export interface ValidationRecord {
  url: string
  /** The token (decoded) the endpoint had to echo. */
  token: string
  status?: number
  contentType?: string
  body?: string
  /** A connection error or `timeout`. */
  error?: string
  ok: boolean
  ms: number
}

/** One attempt to deliver a change or lifecycle notification. */
export interface NotificationRecord {
  kind: 'change' | 'lifecycle'
  url: string
  subscriptionId: string
  /** The JSON posted. */
  body: { value: Record<string, unknown>[] }
  /** 1 for the first attempt. */
  attempt: number
  status?: number
  error?: string
  ms: number
}

export type ChangeType = 'created' | 'updated' | 'deleted'
export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed'

/** A subscription as Graph answers it, plus what the stand-in knows about it. */
export interface FakeGraphSubscription {
  id: string
  resource: string
  changeType: string
  clientState: string | null
  notificationUrl: string
  lifecycleNotificationUrl: string | null
  expirationDateTime: string
  applicationId: string
  creatorId: string
  latestSupportedTlsVersion: string
  /** Whether it was created with `Prefer: IdType="ImmutableId"` (its notifications carry immutable ids). */
  immutableIds: boolean
  /** A reauthorizationRequired lifecycle event was sent and neither PATCH nor reauthorize followed. */
  reauthorizationRequired: boolean
}

/** A message as a test sees it. */
export interface FakeGraphMessage {
  /** The immutable id (what hireflow sees when it sends `Prefer: IdType="ImmutableId"`). */
  id: string
  /** The REST id (changes on every move). */
  restId: string
  subject: string
  from: string
  to: string[]
  folder: string
  folderId: string
  categories: string[]
  /** Single-value extended properties by id, e.g. `String {guid} Name hireflowState`. */
  extendedProperties: Record<string, string>
  receivedDateTime: string
  attachments: { id: string; kind: 'file' | 'item' | 'reference'; name: string; size: number; externalUrl?: string }[]
}

export interface DeliverOptions {
  /** Folder id or well-known name (default: the folder named by MAILBOX_FOLDER). */
  folder?: string
  /** receivedDateTime (default now). */
  receivedAt?: Date
}

interface EmailAddress {
  name: string
  address: string
}

interface Folder {
  id: string
  displayName: string
  wellKnownName: string | undefined
  parentFolderId: string
}

interface StoredAttachment {
  id: string
  kind: 'file' | 'item' | 'reference'
  name: string
  contentType: string | null
  /** File: its bytes; item: the attached message as MIME; reference: nothing. */
  bytes: Buffer
  isInline: boolean
  lastModifiedDateTime: string
  externalUrl?: string
  item?: { subject: string; from: EmailAddress; attachmentNames: string[] }
}

interface StoredMessage {
  immutableId: string
  restId: string
  folderId: string
  subject: string
  from: EmailAddress
  to: EmailAddress[]
  cc: EmailAddress[]
  body: string
  receivedDateTime: string
  sentDateTime: string
  createdDateTime: string
  lastModifiedDateTime: string
  changeKey: string
  categories: string[]
  /** By normalised id (see `propertyKey`); the value keeps the id as it was first set. */
  extended: Map<string, { id: string; value: string }>
  internetMessageId: string
  conversationId: string
  isRead: boolean
  flagStatus: string
  attachments: StoredAttachment[]
  mime?: Buffer
}

interface Subscription {
  id: string
  resource: string
  /** Undefined: every folder of the mailbox. */
  folderId: string | undefined
  changeTypes: ChangeType[]
  changeType: string
  clientState: string | undefined
  notificationUrl: string
  lifecycleNotificationUrl: string | undefined
  expiresAt: number
  latestSupportedTlsVersion: string
  immutableIds: boolean
  reauthorizationRequired: boolean
}

/** What a message looked like in a folder when it left it: the ids a client may still hold. */
interface RemovedIds {
  restId: string
  immutableId: string
}

interface Change {
  seq: number
  folderId: string
  key: string
  /** The message entered the folder (delivered or moved in). */
  arrived?: true
  removed?: RemovedIds
}

interface DeltaQuery {
  folderId: string
  select: string[] | undefined
  expand: string[] | undefined
  filter: { op: 'ge' | 'gt'; at: number; text: string } | undefined
  /** The custom `changeType` option: later rounds list only changes of that type. */
  changeType: ChangeType | undefined
}

interface DeltaToken extends DeltaQuery {
  seq: number
  generation: number
}

type DeltaItem = { key: string } | { removed: RemovedIds }

interface DeltaPage extends DeltaQuery {
  items: DeltaItem[]
  offset: number
  endSeq: number
  generation: number
}

interface Answer {
  status?: number
  contentType?: string
  text?: string
  error?: string
  ms: number
}

class GraphError extends Error {
  readonly status: number
  readonly code: string
  readonly headers: Record<string, string>
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message)
    this.status = status
    this.code = code
    this.headers = headers
  }
}

class EntraError extends Error {
  readonly status: number
  readonly error: string
  readonly codes: number[]
  constructor(status: number, error: string, codes: number[], description: string) {
    super(description)
    this.status = status
    this.error = error
    this.codes = codes
  }
}

const GRAPH_RESOURCE = 'https://graph.microsoft.com'
// Outlook message, event and contact subscriptions (subscription resource type, "Maximum length of subscription per resource type").
const MAX_SUBSCRIPTION_MINUTES = 4230
const WELL_KNOWN_FOLDERS: [string, string][] = [
  ['inbox', 'Inbox'],
  ['archive', 'Archive'],
  ['deleteditems', 'Deleted Items'],
  ['drafts', 'Drafts'],
  ['sentitems', 'Sent Items'],
  ['junkemail', 'Junk Email'],
]
const MESSAGE_PROPERTIES = [
  'id',
  'createdDateTime',
  'lastModifiedDateTime',
  'changeKey',
  'categories',
  'receivedDateTime',
  'sentDateTime',
  'hasAttachments',
  'internetMessageId',
  'subject',
  'bodyPreview',
  'importance',
  'parentFolderId',
  'conversationId',
  'isDeliveryReceiptRequested',
  'isReadReceiptRequested',
  'isRead',
  'isDraft',
  'webLink',
  'inferenceClassification',
  'body',
  'uniqueBody',
  'sender',
  'from',
  'toRecipients',
  'ccRecipients',
  'bccRecipients',
  'replyTo',
  'flag',
  'internetMessageHeaders',
  'singleValueExtendedProperties',
]
const ATTACHMENT_PROPERTIES = ['id', 'lastModifiedDateTime', 'name', 'contentType', 'size', 'isInline']
const ATTACHMENT_CASTS: Record<string, string> = {
  'microsoft.graph.fileattachment/contentbytes': 'contentBytes',
  'microsoft.graph.fileattachment/contentid': 'contentId',
  'microsoft.graph.fileattachment/contentlocation': 'contentLocation',
}
const MEDIA_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  rtf: 'application/rtf',
  txt: 'text/plain',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  zip: 'application/zip',
}
const GRAPH_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8'

/** Outlook-looking ids: base64url of random bytes behind a fixed prefix, so they carry `-`, `_` and `=` like real ones. */
function outlookId(prefix: string, bytes = 30): string {
  return prefix + randomBytes(bytes).toString('base64').replaceAll('+', '-').replaceAll('/', '_')
}

function isoSeconds(at: number | Date = Date.now()): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** `Jane Doe <jane@example.com>` or a bare address. */
function parseAddress(text: string): EmailAddress {
  const match = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(text)
  if (match) return { name: match[1]!.trim() || match[2]!.trim(), address: match[2]!.trim() }
  return { name: text.trim(), address: text.trim() }
}

function recipient(address: EmailAddress) {
  return { emailAddress: { name: address.name, address: address.address } }
}

/** Encodes a query value as .NET's HttpUtility.UrlEncode does (what Graph's validation request shows): `+` for a space, lower-case escapes. */
function formEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/%20/g, '+')
    .replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase())
}

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url')
}

/** An extended property id: type and GUID are case-insensitive, the name is not (singleValueLegacyExtendedProperty docs). */
function propertyKey(id: string): string | undefined {
  const named = /^\s*(\w+)\s+\{([0-9a-fA-F-]{36})\}\s+Name\s+(.+?)\s*$/.exec(id)
  if (named) return `${named[1]!.toLowerCase()} {${named[2]!.toLowerCase()}} name ${named[3]}`
  const tagged = /^\s*(\w+)\s+(0x[0-9a-fA-F]{1,4})\s*$/.exec(id)
  if (tagged) return `${tagged[1]!.toLowerCase()} ${tagged[2]!.toLowerCase()}`
  return undefined
}

function mediaTypeOf(attachment: FakeAttachment): string {
  if (attachment.mediaType) return attachment.mediaType
  const extension = /\.([A-Za-z0-9]+)$/.exec(attachment.filename)?.[1]?.toLowerCase()
  return (extension && MEDIA_TYPES[extension]) || 'application/octet-stream'
}

async function readBody(request: IncomingMessage, limit = 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) throw new GraphError(413, 'RequestEntityTooLarge', 'The request body is too large.')
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

/** POSTs `body` to `url` on a fresh connection (no keep-alive left behind in the server under test). */
function post(url: string, body: string, contentType: string, timeoutMs: number): Promise<Answer> {
  const started = Date.now()
  const target = new URL(url)
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve) => {
    const done = (answer: Omit<Answer, 'ms'>) => resolve({ ...answer, ms: Date.now() - started })
    const request = send(
      target,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'user-agent': 'Microsoft-Graph-Fake/1.0' },
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () =>
          done({
            status: response.statusCode,
            contentType: response.headers['content-type'],
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        )
        response.on('error', (error) => done({ error: error.name === 'AbortError' ? 'timeout' : error.message }))
      },
    )
    request.on('error', (error) => done({ error: error.name === 'AbortError' ? 'timeout' : error.message }))
    request.end(body)
  })
}

interface Segment {
  raw: string
  lower: string
}

/** Path segments after /v1.0, with `name('key')` split into two segments as Graph reads them. */
function segmentsOf(pathname: string): Segment[] {
  const out: Segment[] = []
  for (const part of pathname.split('/').filter(Boolean)) {
    const decoded = decodeURIComponent(part)
    const keyed = /^([^(]+)\('(.*)'\)$/.exec(decoded)
    if (keyed) {
      out.push({ raw: keyed[1]!, lower: keyed[1]!.toLowerCase() })
      out.push({ raw: keyed[2]!, lower: keyed[2]!.toLowerCase() })
    } else out.push({ raw: decoded, lower: decoded.toLowerCase() })
  }
  return out
}

/** Matches segments against a pattern: literals compare case-insensitively, `:name` captures the raw segment. */
function match(segments: Segment[], pattern: string): Record<string, string> | undefined {
  const parts = pattern.split('/')
  if (parts.length !== segments.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!
    if (part.startsWith(':')) params[part.slice(1)] = segments[i]!.raw
    else if (part !== segments[i]!.lower) return undefined
  }
  return params
}

function parsePrefer(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>()
  for (const part of (header ?? '').split(',')) {
    const [key, ...rest] = part.split('=')
    if (!key?.trim()) continue
    out.set(key.trim().toLowerCase(), rest.join('=').trim().replace(/^"|"$/g, ''))
  }
  return out
}

export class FakeGraph implements FakeMailbox {
  readonly provider = 'graph'
  readonly processedMark = 'hireflow: processed'
  readonly noResumeMark = 'hireflow: no resume'
  readonly url: string
  readonly tenantId: string
  readonly clientId: string
  readonly clientSecret: string
  /** The mailbox owner's user id (a GUID); `users/{id}` and `users/{address}` both reach the mailbox. */
  readonly userId: string
  readonly mailbox: string
  readonly env: Record<string, string>
  /** Every validation request sent, in order. */
  readonly validations: ValidationRecord[] = []
  /** Every notification delivery attempt, in order. */
  readonly notifications: NotificationRecord[] = []
  /** Every token request, in order. */
  readonly tokenLog: TokenRequestRecord[] = []
  /** Every request to Entra (metadata, discovery, token), as `METHOD /path?query`. */
  readonly entraRequests: string[] = []

  private readonly server: Server
  private readonly options: Required<
    Omit<FakeGraphOptions, 'tenantId' | 'clientId' | 'clientSecret' | 'clientCertificates' | 'mailbox' | 'folder' | 'trustCa'>
  >
  private readonly servicePrincipalId = randomUUID()
  private readonly certificates = new Map<string, X509Certificate>()
  private readonly folders: Folder[] = []
  private readonly rootFolderId = outlookId('AAMkAGI2AAEu', 24)
  private readonly deliveryFolder: string
  private readonly messages = new Map<string, StoredMessage>()
  private readonly changes: Change[] = []
  private seq = 0
  private readonly deltaTokens = new Map<string, DeltaToken>()
  private readonly pages = new Map<string, DeltaPage>()
  private deltaGeneration = 0
  private readonly subscriptionsById = new Map<string, Subscription>()
  private readonly tokens = new Map<string, { expiresAt: number; revoked: boolean }>()
  private readonly graphCalls: GraphCall[] = []
  private readonly pending = new Set<Promise<unknown>>()
  private down = false
  private downTokens = true
  private throttleCount = 0
  private throttleRetryAfter: number | undefined
  private tokenFailure: { status: number; error: string; codes: number[]; description: string } | undefined
  private inFlightNow = 0
  private maxInFlightSeen = 0

  constructor(server: Server, origin: string, options: FakeGraphOptions) {
    this.server = server
    this.url = origin
    this.tenantId = options.tenantId ?? randomUUID()
    this.clientId = options.clientId ?? randomUUID()
    this.clientSecret = options.clientSecret ?? `fake~${randomBytes(18).toString('base64url')}`
    this.userId = randomUUID()
    this.mailbox = options.mailbox ?? 'hiring@contoso.test'
    this.options = {
      tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
      allowHttpNotificationUrl: options.allowHttpNotificationUrl ?? false,
      notificationRetries: options.notificationRetries ?? 0,
      notificationRetryDelayMs: options.notificationRetryDelayMs ?? 50,
      notificationTimeoutMs: options.notificationTimeoutMs ?? 3000,
      validationTimeoutMs: options.validationTimeoutMs ?? 10_000,
      requestDelayMs: options.requestDelayMs ?? 0,
      inlineAttachmentLimit: options.inlineAttachmentLimit ?? 3 * 1024 * 1024,
      defaultPageSize: options.defaultPageSize ?? 10,
    }
    for (const pem of options.clientCertificates ?? []) this.registerCertificate(pem)
    for (const [wellKnownName, displayName] of WELL_KNOWN_FOLDERS) {
      this.folders.push({ id: outlookId('AAMkAGI2AAEM', 24), displayName, wellKnownName, parentFolderId: this.rootFolderId })
    }
    const folder = options.folder ?? 'Inbox'
    this.deliveryFolder = folder
    this.env = {
      MAILBOX: 'graph',
      GRAPH_TENANT_ID: this.tenantId,
      GRAPH_CLIENT_ID: this.clientId,
      GRAPH_CLIENT_SECRET: this.clientSecret,
      GRAPH_AUTHORITY: origin,
      GRAPH_API_BASE: `${origin}/v1.0`,
      HIRING_MAILBOX: this.mailbox,
      MAILBOX_FOLDER: folder,
    }
  }

  // ---------------------------------------------------------------- controls

  /** Token requests answered so far (issued or refused). */
  get tokenRequests(): number {
    return this.tokenLog.length
  }

  /** Graph requests served so far. */
  calls(): GraphCall[] {
    return [...this.graphCalls]
  }

  /** The most Graph requests that were being answered at the same moment. */
  get maxInFlight(): number {
    return this.maxInFlightSeen
  }

  resetMaxInFlight(): void {
    this.maxInFlightSeen = this.inFlightNow
  }

  /** Every Graph request waits `ms` before it is answered. */
  setRequestDelay(ms: number): void {
    this.options.requestDelayMs = ms
  }

  /** `expires_in` of tokens issued from now on. */
  setTokenLifetime(seconds: number): void {
    this.options.tokenLifetimeSeconds = seconds
  }

  /** Every access token issued so far stops working: Graph answers 401 InvalidAuthenticationToken. */
  revokeTokens(): void {
    for (const token of this.tokens.values()) token.revoked = true
  }

  /**
   * While on, the token endpoint refuses every request; by default as Entra
   * refuses an expired client secret (401 invalid_client, AADSTS7000222).
   */
  failTokens(fail: boolean, answer: { status?: number; error?: string; code?: number; description?: string } = {}): void {
    this.tokenFailure = fail
      ? {
          status: answer.status ?? 401,
          error: answer.error ?? 'invalid_client',
          codes: [answer.code ?? 7000222],
          description:
            answer.description ??
            `AADSTS7000222: The provided client secret keys for app '${this.clientId}' are expired. Visit the Azure portal to create new keys for your app.`,
        }
      : undefined
  }

  /** The next `count` authorised Graph requests answer 429 TooManyRequests, with Retry-After when given. */
  throttleNext(count: number, retryAfterSeconds?: number): void {
    this.throttleCount = count
    this.throttleRetryAfter = retryAfterSeconds
  }

  /**
   * While down, every Graph request answers 503, and so does Entra unless
   * `tokens: false` (Graph down, sign-in still working).
   */
  async setDown(down: boolean, options: { tokens?: boolean } = {}): Promise<void> {
    this.down = down
    this.downTokens = options.tokens ?? true
  }

  /** Every delta and skip token issued so far answers 410 Gone (syncStateNotFound): the client must sync again. */
  expireDeltaTokens(): void {
    this.deltaGeneration++
  }

  /** Registers a certificate credential (PEM) on the app registration. */
  registerCertificate(pem: string): void {
    const certificate = new X509Certificate(pem)
    this.certificates.set(createHash('sha1').update(certificate.raw).digest('base64url'), certificate)
    this.certificates.set(createHash('sha256').update(certificate.raw).digest('base64url'), certificate)
  }

  /** Creates a top-level mail folder; answers its id. */
  createFolder(displayName: string): string {
    const folder = { id: outlookId('AAMkAGI2AAEC', 24), displayName, wellKnownName: undefined, parentFolderId: this.rootFolderId }
    this.folders.push(folder)
    return folder.id
  }

  /** The id of a folder named by id, well-known name or display name. */
  folderId(name: string): string {
    const folder = this.findFolder(name) ?? this.folders.find((candidate) => candidate.displayName.toLowerCase() === name.toLowerCase())
    if (!folder) throw new Error(`no folder "${name}"`)
    return folder.id
  }

  /** A mail arrives in the delivery folder (FakeMailbox). */
  async deliver(mail: FakeMailInput, options: DeliverOptions = {}): Promise<void> {
    await this.deliverMessage(mail, options)
  }

  /** A mail arrives: stored in the delivery folder, and change notifications go to the live subscriptions (awaited). */
  async deliverMessage(mail: FakeMailInput, options: DeliverOptions = {}): Promise<FakeGraphMessage> {
    const folder = this.findFolder(options.folder ?? this.deliveryFolder)
    if (!folder) throw new Error(`no folder "${options.folder ?? this.deliveryFolder}"`)
    const now = Date.now()
    const received = isoSeconds(options.receivedAt ?? now)
    const from = parseAddress(mail.from ?? 'Applicant <applicant@example.com>')
    const to = [parseAddress(mail.to ?? this.mailbox)]
    const immutableId = outlookId('AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A', 33)
    const attachments: StoredAttachment[] = []
    const attachmentId = () => `${immutableId.slice(0, 40)}BEgAQA${randomBytes(12).toString('base64url')}=`
    for (const attachment of mail.attachments ?? []) attachments.push(this.fileOrReference(attachment, attachmentId(), received))
    if (mail.forwarded) {
      const forwardedFrom = parseAddress(mail.forwarded.from ?? 'Someone <someone@example.com>')
      const subject = mail.forwarded.subject ?? 'Forwarded message'
      const mime = await new MailComposer({
        from: { name: forwardedFrom.name, address: forwardedFrom.address },
        to: this.mailbox,
        subject,
        text: 'Please find my resume attached.',
        date: new Date(now - 86_400_000),
        messageId: `<${randomUUID()}@example.com>`,
        attachments: (mail.forwarded.attachments ?? []).map((attachment) => ({
          filename: attachment.filename,
          content: attachment.bytes,
          contentType: mediaTypeOf(attachment),
        })),
        disableFileAccess: true,
        disableUrlAccess: true,
      })
        .compile()
        .build()
      attachments.push({
        id: attachmentId(),
        kind: 'item',
        name: subject,
        contentType: null,
        bytes: mime,
        isInline: false,
        lastModifiedDateTime: received,
        item: {
          subject,
          from: forwardedFrom,
          attachmentNames: (mail.forwarded.attachments ?? []).map((attachment) => attachment.filename),
        },
      })
    }
    const message: StoredMessage = {
      immutableId,
      restId: outlookId('AAMkAGI2TG93AAA-', 33),
      folderId: folder.id,
      subject: mail.subject ?? '',
      from,
      to,
      cc: [],
      body: mail.body ?? '',
      receivedDateTime: received,
      sentDateTime: isoSeconds((options.receivedAt?.getTime() ?? now) - 2000),
      createdDateTime: received,
      lastModifiedDateTime: isoSeconds(now),
      changeKey: outlookId('CQAAABYAAAB', 12),
      categories: [],
      extended: new Map(),
      internetMessageId: `<${randomUUID()}@example.com>`,
      conversationId: outlookId('AAQkAGI2', 24),
      isRead: false,
      flagStatus: 'notFlagged',
      attachments,
    }
    this.messages.set(immutableId, message)
    this.logChange(folder.id, immutableId, { arrived: true })
    await this.notifyChange(message, 'created')
    return this.view(message)
  }

  /** The message with this id (immutable or current REST id). */
  message(id: string): FakeGraphMessage | undefined {
    const message = this.lookup(id)
    return message && this.view(message)
  }

  /** Every message with this subject, oldest first, wherever it is now. */
  messagesWithSubject(subject: string): FakeGraphMessage[] {
    return [...this.messages.values()].filter((message) => message.subject === subject).map((message) => this.view(message))
  }

  async mail(subject: string): Promise<FakeMailView> {
    const found = this.messagesWithSubject(subject)
    const last = found.at(-1)
    if (!last) throw new Error(`no mail has the subject "${subject}"`)
    return { marks: last.categories, folder: last.folder }
  }

  /** A user moves the mail (its REST id changes); notifications and delta see it leave one folder and enter the other. */
  async moveMessage(id: string, folder: string): Promise<FakeGraphMessage> {
    const message = this.mustLookup(id)
    const destination = this.findFolder(folder)
    if (!destination) throw new Error(`no folder "${folder}"`)
    await this.move(message, destination, false)
    return this.view(message)
  }

  /** A user deletes the mail for good. */
  async deleteMessage(id: string): Promise<void> {
    const message = this.mustLookup(id)
    const removed = { restId: message.restId, immutableId: message.immutableId }
    this.messages.delete(message.immutableId)
    this.logChange(message.folderId, message.immutableId, { removed })
    await this.notifyChange(message, 'deleted')
  }

  /** A user changes the mail's categories. */
  async setCategories(id: string, categories: string[]): Promise<void> {
    const message = this.mustLookup(id)
    message.categories = [...categories]
    this.touch(message)
    await this.notifyChange(message, 'updated')
  }

  subscriptions(): FakeGraphSubscription[] {
    return this.liveSubscriptions().map((subscription) => ({
      ...this.subscriptionJson(subscription),
      immutableIds: subscription.immutableIds,
      reauthorizationRequired: subscription.reauthorizationRequired,
    }))
  }

  /** Removes a subscription without telling anyone (no lifecycle notification), as an expiry or an admin would. */
  deleteSubscriptionBehindOurBack(id: string): void {
    if (!this.subscriptionsById.delete(id)) throw new Error(`no subscription ${id}`)
  }

  /**
   * Sends a lifecycle notification to the lifecycleNotificationUrl of one
   * subscription, or of every live one that has such a URL; answers the
   * statuses (0: no answer). subscriptionRemoved also removes the subscription,
   * as Graph has by then; reauthorizationRequired stays pending until PATCH or
   * /reauthorize.
   */
  async sendLifecycle(event: LifecycleEvent, subscriptionId?: string): Promise<number[]> {
    const targets = this.liveSubscriptions().filter(
      (subscription) => subscription.lifecycleNotificationUrl && (!subscriptionId || subscription.id === subscriptionId),
    )
    if (subscriptionId && targets.length === 0) throw new Error(`no live subscription ${subscriptionId} with a lifecycleNotificationUrl`)
    const statuses = await Promise.all(
      targets.map((subscription) => {
        if (event === 'reauthorizationRequired') subscription.reauthorizationRequired = true
        if (event === 'subscriptionRemoved') this.subscriptionsById.delete(subscription.id)
        const notification = {
          subscriptionId: subscription.id,
          subscriptionExpirationDateTime: new Date(subscription.expiresAt).toISOString(),
          tenantId: this.tenantId,
          clientState: subscription.clientState,
          lifecycleEvent: event,
        }
        return this.sendNotification('lifecycle', subscription.lifecycleNotificationUrl!, subscription.id, { value: [notification] })
      }),
    )
    return statuses
  }

  /**
   * Sends the message's change notification again to every live subscription
   * on its folder, `times` times (duplicates), optionally with a forged
   * clientState; answers every final status (0: no answer).
   */
  async notifyAgain(messageId: string, options: { changeType?: ChangeType; times?: number; clientState?: string } = {}): Promise<number[]> {
    const message = this.mustLookup(messageId)
    const statuses: number[] = []
    for (let i = 0; i < (options.times ?? 1); i++) {
      for (const subscription of this.subscriptionsOn(message.folderId)) {
        statuses.push(await this.sendChange(subscription, message, options.changeType ?? 'created', options.clientState))
      }
    }
    return statuses
  }

  /** Resolves once every notification the server started on its own (after PATCH, move) has been delivered or given up. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending])
  }

  async close(): Promise<void> {
    const closed = once(this.server, 'close')
    this.server.close()
    this.server.closeAllConnections()
    await closed
    await this.settled()
  }

  // ---------------------------------------------------------------- HTTP

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url)
    try {
      if (url.pathname === '/v1.0' || url.pathname.startsWith('/v1.0/')) await this.graph(request, response, url)
      else await this.entra(request, response, url)
    } catch (error) {
      if (response.headersSent) {
        response.destroy()
        return
      }
      if (error instanceof EntraError) this.sendEntraError(response, error)
      else if (error instanceof GraphError) this.sendGraphError(response, error.status, error.code, error.message, error.headers)
      else this.sendGraphError(response, 500, 'generalException', error instanceof Error ? error.message : String(error))
    }
  }

  // ---------------------------------------------------------------- Entra

  private authorityBase(tenant: string): string {
    return `${this.url}/${tenant}`
  }

  private checkTenant(tenant: string): void {
    if (tenant !== this.tenantId && tenant.toLowerCase() !== 'organizations' && tenant.toLowerCase() !== 'common') {
      throw new EntraError(
        400,
        'invalid_tenant',
        [90002],
        `AADSTS90002: Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      )
    }
  }

  private async entra(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    this.entraRequests.push(`${request.method} ${url.pathname}${url.search}`)
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent)
    const isToken = request.method === 'POST' && parts.length === 4 && parts[1] === 'oauth2' && parts[2] === 'v2.0' && parts[3] === 'token'
    if (isToken) return this.token(request, response, parts[0]!)
    if (this.down && this.downTokens) {
      throw new EntraError(503, 'temporarily_unavailable', [90033], 'AADSTS90033: A transient error has occurred. Please try again.')
    }
    const tenant = parts[0] ?? ''
    const path = parts.slice(1).join('/')
    if (request.method === 'GET' && (path === 'v2.0/.well-known/openid-configuration' || path === '.well-known/openid-configuration')) {
      this.checkTenant(tenant)
      return this.sendJson(response, 200, this.openIdConfiguration(tenant))
    }
    if (request.method === 'GET' && path === 'discovery/instance') {
      // What msal asks login.microsoftonline.com when the authority is not in knownAuthorities.
      const host = new URL(this.url).host
      return this.sendJson(response, 200, {
        tenant_discovery_endpoint: `${this.url}/${tenant}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      })
    }
    if (request.method === 'GET' && path === 'discovery/v2.0/keys') return this.sendJson(response, 200, { keys: [] })
    throw new EntraError(404, 'invalid_request', [90100], `AADSTS90100: ${url.pathname} is not a known endpoint of this authority.`)
  }

  private openIdConfiguration(tenant: string) {
    const base = this.authorityBase(tenant)
    const host = new URL(this.url).host
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${this.url}/${this.tenantId}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${this.url}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'tid', 'ver', 'oid'],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: 'EU',
      cloud_instance_name: host,
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
      rbac_url: 'https://pas.windows.net',
    }
  }

  private async token(request: IncomingMessage, response: ServerResponse, tenant: string): Promise<void> {
    const form = new URLSearchParams((await readBody(request)).toString('utf8'))
    const record: TokenRequestRecord = {
      grantType: form.get('grant_type'),
      clientId: form.get('client_id'),
      scope: form.get('scope'),
      credential: form.has('client_assertion') ? 'assertion' : form.has('client_secret') ? 'secret' : 'none',
      status: 0,
    }
    this.tokenLog.push(record)
    try {
      const issued = this.issueToken(form, tenant)
      record.status = 200
      this.sendJson(response, 200, issued, { 'cache-control': 'no-store, no-cache', pragma: 'no-cache' })
    } catch (error) {
      if (error instanceof EntraError) {
        record.status = error.status
        record.error = error.error
      }
      throw error
    }
  }

  private issueToken(form: URLSearchParams, tenant: string) {
    if (this.down && this.downTokens) {
      throw new EntraError(503, 'temporarily_unavailable', [90033], 'AADSTS90033: A transient error has occurred. Please try again.')
    }
    if (tenant !== this.tenantId) {
      this.checkTenant(tenant)
      throw new EntraError(
        400,
        'invalid_request',
        [700016],
        `AADSTS700016: Application with identifier '${form.get('client_id')}' was not found in the directory '${tenant}'. The client-credentials grant needs the app's own tenant.`,
      )
    }
    if (form.get('grant_type') !== 'client_credentials') {
      throw new EntraError(
        400,
        'unsupported_grant_type',
        [70003],
        `AADSTS70003: The app requested an unsupported grant type '${form.get('grant_type')}'.`,
      )
    }
    if (form.get('client_id') !== this.clientId) {
      throw new EntraError(
        400,
        'unauthorized_client',
        [700016],
        `AADSTS700016: Application with identifier '${form.get('client_id')}' was not found in the directory '${this.tenantId}'.`,
      )
    }
    const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean)
    const resourceScopes = scopes.filter((scope) => !['openid', 'profile', 'offline_access', 'email'].includes(scope))
    if (resourceScopes.length !== 1 || resourceScopes[0] !== `${GRAPH_RESOURCE}/.default`) {
      throw new EntraError(
        400,
        'invalid_scope',
        [1002012],
        `AADSTS1002012: The provided value for scope ${form.get('scope')} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      )
    }
    if (form.has('client_assertion')) this.checkAssertion(form, tenant)
    else if (form.has('client_secret')) {
      if (form.get('client_secret') !== this.clientSecret) {
        throw new EntraError(
          401,
          'invalid_client',
          [7000215],
          `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${this.clientId}'.`,
        )
      }
    } else {
      throw new EntraError(
        401,
        'invalid_client',
        [7000218],
        "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      )
    }
    if (this.tokenFailure) {
      const failure = this.tokenFailure
      throw new EntraError(failure.status, failure.error, failure.codes, failure.description)
    }
    const lifetime = this.options.tokenLifetimeSeconds
    const now = Math.floor(Date.now() / 1000)
    const header = { typ: 'JWT', alg: 'RS256', kid: 'fake-graph-key' }
    const claims = {
      aud: GRAPH_RESOURCE,
      iss: `https://sts.windows.net/${this.tenantId}/`,
      iat: now,
      nbf: now,
      exp: now + lifetime,
      app_displayname: 'hireflow',
      appid: this.clientId,
      idtyp: 'app',
      oid: this.servicePrincipalId,
      roles: ['Mail.ReadWrite'],
      sub: this.servicePrincipalId,
      tid: this.tenantId,
      uti: randomBytes(16).toString('base64url'),
      ver: '1.0',
    }
    // Shaped like Entra's tokens; the signature is random because no client may validate a Graph token.
    const accessToken = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}.${randomBytes(64).toString('base64url')}`
    this.tokens.set(accessToken, { expiresAt: Date.now() + lifetime * 1000, revoked: false })
    return { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken }
  }

  /** A certificate credential: a JWT signed with the private key of a registered certificate (Entra's client assertion format). */
  private checkAssertion(form: URLSearchParams, tenant: string): void {
    const invalid = (codes: number, description: string) => new EntraError(401, 'invalid_client', [codes], description)
    if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
      throw new EntraError(
        400,
        'invalid_request',
        [50027],
        "AADSTS50027: client_assertion_type must be 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.",
      )
    }
    const parts = (form.get('client_assertion') ?? '').split('.')
    let header: Record<string, unknown>
    let claims: Record<string, unknown>
    try {
      if (parts.length !== 3) throw new Error('three parts')
      header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as Record<string, unknown>
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>
    } catch {
      throw invalid(50027, 'AADSTS50027: JWT token is invalid or malformed.')
    }
    const thumbprint = header['x5t#S256'] ?? header.x5t
    const certificate = typeof thumbprint === 'string' ? this.certificates.get(thumbprint) : undefined
    if (!certificate) {
      throw invalid(
        700027,
        `AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${String(thumbprint)}'].`,
      )
    }
    const signed = Buffer.from(`${parts[0]}.${parts[1]}`)
    const signature = Buffer.from(parts[2]!, 'base64url')
    const key = certificate.publicKey
    const good =
      header.alg === 'RS256'
        ? verify('sha256', signed, key, signature)
        : header.alg === 'PS256'
          ? verify(
              'sha256',
              signed,
              { key, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: cryptoConstants.RSA_PSS_SALTLEN_AUTO },
              signature,
            )
          : false
    if (!good) throw invalid(700027, 'AADSTS700027: Client assertion failed signature validation.')
    const now = Math.floor(Date.now() / 1000)
    if (typeof claims.exp !== 'number' || claims.exp < now - 300 || (typeof claims.nbf === 'number' && claims.nbf > now + 300)) {
      throw invalid(700024, 'AADSTS700024: Client assertion is not within its valid time range.')
    }
    if (claims.iss !== this.clientId || claims.sub !== this.clientId) {
      throw invalid(700021, `AADSTS700021: Client assertion application identifier doesn't match 'client_id' parameter.`)
    }
    const audiences = [`${this.authorityBase(tenant)}/oauth2/v2.0/token`, `${this.url}/${this.tenantId}/v2.0`]
    if (typeof claims.aud !== 'string' || !audiences.includes(claims.aud)) {
      throw invalid(700016, `AADSTS700016: The audience '${String(claims.aud)}' of the client assertion is not this token endpoint.`)
    }
  }

  private sendEntraError(response: ServerResponse, error: EntraError): void {
    const traceId = randomUUID()
    this.sendJson(response, error.status, {
      error: error.error,
      error_description: `${error.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${isoSeconds()}`,
      error_codes: error.codes,
      timestamp: isoSeconds().replace('T', ' '),
      trace_id: traceId,
      correlation_id: randomUUID(),
      error_uri: `${this.url}/error?code=${error.codes[0]}`,
    })
  }

  // ---------------------------------------------------------------- Graph

  private async graph(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const sent = request.headers.prefer
    // Several Prefer headers mean the same as one with their values joined by commas.
    const preferHeader = Array.isArray(sent) ? sent.join(', ') : sent
    const prefer = parsePrefer(preferHeader)
    const immutable = prefer.get('idtype')?.toLowerCase() === 'immutableid'
    const call: GraphCall = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      prefer: preferHeader,
      immutableId: immutable,
      authorized: false,
      status: 0,
    }
    this.graphCalls.push(call)
    this.inFlightNow++
    this.maxInFlightSeen = Math.max(this.maxInFlightSeen, this.inFlightNow)
    response.once('close', () => {
      this.inFlightNow--
      call.status = response.statusCode
    })
    response.setHeader('request-id', randomUUID())
    response.setHeader('client-request-id', String(request.headers['client-request-id'] ?? randomUUID()))
    if (this.options.requestDelayMs > 0) await sleep(this.options.requestDelayMs)
    if (this.down) throw new GraphError(503, 'serviceNotAvailable', 'The service is temporarily unavailable. Try again later.')
    this.authenticate(request)
    call.authorized = true
    if (this.throttleCount > 0) {
      this.throttleCount--
      const headers: Record<string, string> =
        this.throttleRetryAfter === undefined ? {} : { 'retry-after': String(this.throttleRetryAfter) }
      throw new GraphError(429, 'TooManyRequests', 'Please retry again later.', headers)
    }
    const applied: string[] = []
    if (immutable) applied.push('IdType="ImmutableId"')
    const context: RequestContext = { request, response, url, immutable, prefer, applied }
    await this.route(context, segmentsOf(url.pathname.slice('/v1.0'.length)))
  }

  private authenticate(request: IncomingMessage): void {
    const header = request.headers.authorization
    const headers = {
      'www-authenticate': `Bearer realm="", authorization_uri="${this.url}/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
    }
    const token = header && /^Bearer\s+(\S+)$/i.exec(header)?.[1]
    if (!token) throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token is empty.', headers)
    const known = this.tokens.get(token)
    if (!known) throw new GraphError(401, 'InvalidAuthenticationToken', 'IDX14100: JWT is not well formed, there are no dots (.).', headers)
    if (known.revoked || known.expiresAt <= Date.now()) {
      throw new GraphError(401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.', headers)
    }
  }

  private async route(context: RequestContext, segments: Segment[]): Promise<void> {
    const method = context.request.method ?? 'GET'
    let params: Record<string, string> | undefined
    // A message reached through its folder is the same message.
    if (segments.length >= 6 && segments[2]?.lower === 'mailfolders' && segments[4]?.lower === 'messages' && !this.isDelta(segments[5]!)) {
      segments = [...segments.slice(0, 2), ...segments.slice(4)]
    }
    if (match(segments, 'subscriptions')) {
      if (method === 'POST') return this.createSubscription(context)
      if (method === 'GET')
        return this.sendJson(context.response, 200, { value: this.liveSubscriptions().map((s) => this.subscriptionJson(s)) })
      return this.methodNotAllowed()
    }
    if ((params = match(segments, 'subscriptions/:id'))) {
      const subscription = this.liveSubscription(params.id!)
      if (method === 'GET') return this.sendJson(context.response, 200, this.subscriptionJson(subscription))
      if (method === 'PATCH') return this.updateSubscription(context, subscription)
      if (method === 'DELETE') {
        this.subscriptionsById.delete(subscription.id)
        context.response.writeHead(204).end()
        return
      }
      return this.methodNotAllowed()
    }
    if ((params = match(segments, 'subscriptions/:id/reauthorize')) && method === 'POST') {
      this.liveSubscription(params.id!).reauthorizationRequired = false
      context.response.writeHead(204).end()
      return
    }
    if (segments[0]?.lower !== 'users' || !segments[1]) {
      throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${segments[0]?.raw ?? ''}'.`)
    }
    this.checkUser(segments[1].raw)
    const rest = segments.slice(2)
    if (rest.length === 0 && method === 'GET') {
      return this.sendJson(context.response, 200, {
        '@odata.context': `${this.url}/v1.0/$metadata#users/$entity`,
        id: this.userId,
        displayName: 'Hiring',
        mail: this.mailbox,
        userPrincipalName: this.mailbox,
      })
    }
    if (match(rest, 'mailfolders') && method === 'GET') return this.listFolders(context)
    if ((params = match(rest, 'mailfolders/:folder')) && method === 'GET') {
      return this.sendJson(context.response, 200, this.folderJson(this.mustFindFolder(params.folder!)))
    }
    if ((params = match(rest, 'mailfolders/:folder/messages')) && method === 'GET') {
      return this.listMessages(context, this.mustFindFolder(params.folder!))
    }
    if (rest.length === 4 && match(rest.slice(0, 3), 'mailfolders/:folder/messages') && this.isDelta(rest[3]!)) {
      if (method !== 'GET') return this.methodNotAllowed()
      return this.delta(context, rest[1]!.raw)
    }
    if ((params = match(rest, 'messages/:id'))) {
      if (method === 'GET') return this.getMessage(context, this.mustLookup(params.id!))
      if (method === 'PATCH') return this.patchMessage(context, this.mustLookup(params.id!))
      return this.methodNotAllowed()
    }
    if ((params = match(rest, 'messages/:id/$value')) && method === 'GET') return this.messageMime(context, this.mustLookup(params.id!))
    if ((params = match(rest, 'messages/:id/move')) && method === 'POST') return this.moveRequest(context, this.mustLookup(params.id!))
    if ((params = match(rest, 'messages/:id/attachments')) && method === 'GET') {
      const message = this.mustLookup(params.id!)
      const select = this.attachmentSelect(context.url)
      return this.sendJson(context.response, 200, {
        '@odata.context': `${this.url}/v1.0/$metadata#users('${this.userId}')/messages('${encodeURIComponent(params.id!)}')/attachments`,
        value: message.attachments.map((attachment) => this.attachmentJson(attachment, select)),
      })
    }
    if ((params = match(rest, 'messages/:id/attachments/:attachment')) && method === 'GET') {
      const attachment = this.mustAttachment(this.mustLookup(params.id!), params.attachment!)
      const json = this.attachmentJson(attachment, this.attachmentSelect(context.url))
      const expand = context.url.searchParams.get('$expand')?.toLowerCase()
      if (attachment.kind === 'item' && expand === 'microsoft.graph.itemattachment/item' && attachment.item) {
        json.item = {
          '@odata.type': '#microsoft.graph.message',
          id: '',
          subject: attachment.item.subject,
          from: recipient(attachment.item.from),
          sender: recipient(attachment.item.from),
          hasAttachments: attachment.item.attachmentNames.length > 0,
        }
      }
      return this.sendJson(context.response, 200, json)
    }
    if ((params = match(rest, 'messages/:id/attachments/:attachment/$value')) && method === 'GET') {
      return this.attachmentValue(context, this.mustAttachment(this.mustLookup(params.id!), params.attachment!))
    }
    throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${rest.at(-1)?.raw ?? ''}'.`)
  }

  private isDelta(segment: Segment): boolean {
    return segment.lower === 'delta' || segment.lower === 'microsoft.graph.delta' || segment.lower === 'microsoft.graph.delta()'
  }

  private methodNotAllowed(): never {
    throw new GraphError(405, 'Request_BadRequest', 'The HTTP method is not allowed on this resource.')
  }

  private checkUser(user: string): void {
    if (user !== this.userId && user.toLowerCase() !== this.mailbox.toLowerCase()) {
      throw new GraphError(404, 'ErrorInvalidUser', `The requested user '${user}' is invalid.`)
    }
  }

  // ---------------------------------------------------------------- folders

  private findFolder(name: string): Folder | undefined {
    return this.folders.find((folder) => folder.id === name || folder.wellKnownName === name.toLowerCase())
  }

  private mustFindFolder(name: string): Folder {
    const folder = this.findFolder(name)
    if (!folder) throw new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.')
    return folder
  }

  private folderJson(folder: Folder) {
    const inside = [...this.messages.values()].filter((message) => message.folderId === folder.id)
    return {
      '@odata.context': `${this.url}/v1.0/$metadata#users('${this.userId}')/mailFolders/$entity`,
      id: folder.id,
      displayName: folder.displayName,
      parentFolderId: folder.parentFolderId,
      childFolderCount: 0,
      unreadItemCount: inside.filter((message) => !message.isRead).length,
      totalItemCount: inside.length,
      sizeInBytes: inside.reduce(
        (sum, message) => sum + message.attachments.reduce((size, attachment) => size + attachment.bytes.length, 1024),
        0,
      ),
      isHidden: false,
    }
  }

  private listFolders(context: RequestContext): void {
    let folders = this.folders
    const filter = context.url.searchParams.get('$filter')
    if (filter) {
      const wanted = /^\s*displayName\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(filter)
      if (!wanted) throw new GraphError(400, 'ErrorInvalidUrlQueryFilter', 'The query filter contains one or more invalid nodes.')
      const name = wanted[1]!.replaceAll("''", "'")
      folders = folders.filter((folder) => folder.displayName.toLowerCase() === name.toLowerCase())
    }
    this.sendJson(context.response, 200, {
      '@odata.context': `${this.url}/v1.0/$metadata#users('${this.userId}')/mailFolders`,
      value: folders.map((folder) => {
        const { '@odata.context': _context, ...json } = this.folderJson(folder)
        return json
      }),
    })
  }

  // ---------------------------------------------------------------- messages

  private lookup(id: string): StoredMessage | undefined {
    const direct = this.messages.get(id)
    if (direct) return direct
    for (const message of this.messages.values()) if (message.restId === id) return message
    return undefined
  }

  private mustLookup(id: string): StoredMessage {
    const message = this.lookup(id)
    if (!message) throw new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.')
    return message
  }

  private mustAttachment(message: StoredMessage, id: string): StoredAttachment {
    const attachment = message.attachments.find((candidate) => candidate.id === id)
    if (!attachment) throw new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.')
    return attachment
  }

  private view(message: StoredMessage): FakeGraphMessage {
    const folder = this.folders.find((candidate) => candidate.id === message.folderId)!
    return {
      id: message.immutableId,
      restId: message.restId,
      subject: message.subject,
      from: message.from.address,
      to: message.to.map((address) => address.address),
      folder: folder.displayName,
      folderId: folder.id,
      categories: [...message.categories],
      extendedProperties: Object.fromEntries([...message.extended.values()].map((property) => [property.id, property.value])),
      receivedDateTime: message.receivedDateTime,
      attachments: message.attachments.map((attachment) => ({
        id: attachment.id,
        kind: attachment.kind,
        name: attachment.name,
        size: attachment.bytes.length,
        ...(attachment.externalUrl ? { externalUrl: attachment.externalUrl } : {}),
      })),
    }
  }

  private fileOrReference(attachment: FakeAttachment, id: string, at: string): StoredAttachment {
    if (attachment.externalUrl) {
      return {
        id,
        kind: 'reference',
        name: attachment.filename,
        contentType: null,
        bytes: Buffer.alloc(0),
        isInline: false,
        lastModifiedDateTime: at,
        externalUrl: attachment.externalUrl,
      }
    }
    return {
      id,
      kind: 'file',
      name: attachment.filename,
      contentType: mediaTypeOf(attachment),
      bytes: attachment.bytes,
      isInline: false,
      lastModifiedDateTime: at,
    }
  }

  private touch(message: StoredMessage): void {
    message.changeKey = outlookId('CQAAABYAAAB', 12)
    message.lastModifiedDateTime = isoSeconds()
    this.logChange(message.folderId, message.immutableId)
  }

  private logChange(folderId: string, key: string, how: { removed?: RemovedIds; arrived?: true } = {}): void {
    this.changes.push({ seq: ++this.seq, folderId, key, ...how })
  }

  private async move(message: StoredMessage, destination: Folder, inBackground: boolean): Promise<void> {
    if (destination.id === message.folderId) return
    const source = message.folderId
    const removed = { restId: message.restId, immutableId: message.immutableId }
    this.logChange(source, message.immutableId, { removed })
    const leaving = this.subscriptionsOn(source).filter((subscription) => subscription.changeTypes.includes('deleted'))
    const leftAs = { ...message }
    message.folderId = destination.id
    // A REST id names the item in its folder; moving it makes a new one. The immutable id stays.
    message.restId = outlookId('AAMkAGI2TG93AAA-', 33)
    message.changeKey = outlookId('CQAAABYAAAB', 12)
    message.lastModifiedDateTime = isoSeconds()
    this.logChange(destination.id, message.immutableId, { arrived: true })
    const work = Promise.all([
      ...leaving.map((subscription) => this.sendChange(subscription, leftAs, 'deleted')),
      this.notifyChange(message, 'created'),
    ])
    if (inBackground) this.track(work)
    else await work
  }

  private messageJson(message: StoredMessage, immutable: boolean, select: string[] | undefined, expand: string[] | undefined) {
    const id = immutable ? message.immutableId : message.restId
    const full: Record<string, unknown> = {
      '@odata.etag': `W/"${message.changeKey}"`,
      id,
      createdDateTime: message.createdDateTime,
      lastModifiedDateTime: message.lastModifiedDateTime,
      changeKey: message.changeKey,
      categories: [...message.categories],
      receivedDateTime: message.receivedDateTime,
      sentDateTime: message.sentDateTime,
      hasAttachments: message.attachments.some((attachment) => !attachment.isInline),
      internetMessageId: message.internetMessageId,
      subject: message.subject,
      bodyPreview: message.body.slice(0, 255),
      importance: 'normal',
      parentFolderId: message.folderId,
      conversationId: message.conversationId,
      isDeliveryReceiptRequested: false,
      isReadReceiptRequested: false,
      isRead: message.isRead,
      isDraft: false,
      webLink: `https://outlook.office365.com/owa/?ItemID=${encodeURIComponent(id)}&exvsurl=1&viewmodel=ReadMessageItem`,
      inferenceClassification: 'focused',
      body: { contentType: 'text', content: message.body },
      sender: recipient(message.from),
      from: recipient(message.from),
      toRecipients: message.to.map(recipient),
      ccRecipients: message.cc.map(recipient),
      bccRecipients: [],
      replyTo: [],
      flag: { flagStatus: message.flagStatus },
    }
    let out: Record<string, unknown>
    if (select) {
      out = { '@odata.etag': full['@odata.etag'], id }
      for (const property of select) {
        if (property === 'uniqueBody') out.uniqueBody = full.body
        else if (property === 'internetMessageHeaders') {
          out.internetMessageHeaders = [
            { name: 'Message-ID', value: message.internetMessageId },
            { name: 'From', value: `${message.from.name} <${message.from.address}>` },
            { name: 'To', value: message.to.map((address) => address.address).join(', ') },
            { name: 'Subject', value: message.subject },
            { name: 'Date', value: new Date(message.sentDateTime).toUTCString() },
          ]
        } else if (property !== 'singleValueExtendedProperties' && property in full) out[property] = full[property]
      }
    } else out = full
    if (expand) {
      const properties = expand.flatMap((id) => {
        const key = propertyKey(id)
        const found = key ? message.extended.get(key) : undefined
        return found ? [{ id: found.id, value: found.value }] : []
      })
      // Graph leaves the property out when none of the asked-for properties is set on the item.
      if (properties.length > 0) out.singleValueExtendedProperties = properties
    }
    return out
  }

  /** `$select` for messages, checked against the message type as Graph does (an unknown property is a 400). */
  private messageSelect(url: URL): string[] | undefined {
    const text = url.searchParams.get('$select')
    if (!text) return undefined
    return text.split(',').map((raw) => {
      const wanted = raw.trim()
      const found = MESSAGE_PROPERTIES.find((property) => property.toLowerCase() === wanted.toLowerCase())
      if (!found) {
        throw new GraphError(
          400,
          'RequestBroker--ParseUri',
          `Could not find a property named '${wanted}' on type 'microsoft.graph.message'.`,
        )
      }
      return found
    })
  }

  /** `$expand=singleValueExtendedProperties($filter=id eq '...')`: the extended property ids asked for. */
  private messageExpand(url: URL): string[] | undefined {
    const text = url.searchParams.get('$expand')
    if (!text) return undefined
    const whole = /^\s*singleValueExtendedProperties\s*\(\s*\$filter\s*=\s*(.+)\)\s*$/i.exec(text)
    if (!whole)
      throw new GraphError(400, 'BadRequest', `Parsing OData Select and Expand failed: Could not find a property named '${text}'.`)
    const ids = [...whole[1]!.matchAll(/id\s+eq\s+'((?:[^']|'')*)'/gi)].map((found) => found[1]!.replaceAll("''", "'"))
    if (ids.length === 0) throw new GraphError(400, 'BadRequest', 'The $filter of an expanded extended property must compare its id.')
    return ids
  }

  private listMessages(context: RequestContext, folder: Folder): void {
    const select = this.messageSelect(context.url)
    const expand = this.messageExpand(context.url)
    const top = Number(context.url.searchParams.get('$top') ?? this.pageSize(context))
    const skip = Number(context.url.searchParams.get('$skip') ?? 0)
    const inside = [...this.messages.values()]
      .filter((message) => message.folderId === folder.id)
      .sort((a, b) => b.receivedDateTime.localeCompare(a.receivedDateTime))
    const page = inside.slice(skip, skip + top)
    const body: Record<string, unknown> = {
      '@odata.context': `${this.url}/v1.0/$metadata#users('${this.userId}')/mailFolders('${folder.id}')/messages`,
      value: page.map((message) => this.messageJson(message, context.immutable, select, expand)),
    }
    if (skip + top < inside.length) {
      const next = new URL(context.url)
      next.searchParams.set('$skip', String(skip + top))
      next.searchParams.set('$top', String(top))
      body['@odata.nextLink'] = next.toString()
    }
    this.sendJson(context.response, 200, body, this.appliedHeader(context))
  }

  private getMessage(context: RequestContext, message: StoredMessage): void {
    const json = this.messageJson(message, context.immutable, this.messageSelect(context.url), this.messageExpand(context.url))
    this.sendJson(
      context.response,
      200,
      { '@odata.context': `${this.url}/v1.0/$metadata#users('${this.userId}')/messages/$entity`, ...json },
      this.appliedHeader(context),
    )
  }

  private async patchMessage(context: RequestContext, message: StoredMessage): Promise<void> {
    const body = await this.jsonBody(context.request)
    if (body.categories !== undefined) {
      if (!Array.isArray(body.categories) || body.categories.some((category) => typeof category !== 'string')) {
        throw new GraphError(400, 'ErrorInvalidRequest', 'categories must be a collection of strings.')
      }
      message.categories = [...(body.categories as string[])]
    }
    if (body.singleValueExtendedProperties !== undefined) {
      if (!Array.isArray(body.singleValueExtendedProperties)) {
        throw new GraphError(400, 'ErrorInvalidRequest', 'singleValueExtendedProperties must be a collection.')
      }
      for (const property of body.singleValueExtendedProperties as { id?: unknown; value?: unknown }[]) {
        const key = typeof property.id === 'string' ? propertyKey(property.id) : undefined
        if (!key || typeof property.value !== 'string') {
          throw new GraphError(400, 'ErrorInvalidProperty', `The extended property id '${String(property.id)}' is not valid.`)
        }
        message.extended.set(key, { id: message.extended.get(key)?.id ?? (property.id as string), value: property.value })
      }
    }
    if (typeof body.isRead === 'boolean') message.isRead = body.isRead
    if (body.flag && typeof body.flag === 'object' && typeof (body.flag as { flagStatus?: unknown }).flagStatus === 'string') {
      message.flagStatus = (body.flag as { flagStatus: string }).flagStatus
    }
    this.touch(message)
    this.track(this.notifyChange(message, 'updated'))
    this.sendJson(
      context.response,
      200,
      {
        '@odata.context': `${this.url}/v1.0/$metadata#users('${this.userId}')/messages/$entity`,
        ...this.messageJson(message, context.immutable, undefined, undefined),
      },
      this.appliedHeader(context),
    )
  }

  private async moveRequest(context: RequestContext, message: StoredMessage): Promise<void> {
    const body = await this.jsonBody(context.request)
    if (typeof body.destinationId !== 'string') throw new GraphError(400, 'ErrorInvalidRequest', 'destinationId is required.')
    const destination = this.mustFindFolder(body.destinationId)
    await this.move(message, destination, true)
    this.sendJson(
      context.response,
      201,
      {
        '@odata.context': `${this.url}/v1.0/$metadata#users('${this.userId}')/messages/$entity`,
        ...this.messageJson(message, context.immutable, undefined, undefined),
      },
      this.appliedHeader(context),
    )
  }

  private async messageMime(context: RequestContext, message: StoredMessage): Promise<void> {
    message.mime ??= await new MailComposer({
      from: { name: message.from.name, address: message.from.address },
      to: message.to.map((address) => ({ name: address.name, address: address.address })),
      subject: message.subject,
      text: message.body,
      date: new Date(message.sentDateTime),
      messageId: message.internetMessageId,
      attachments: message.attachments
        .filter((attachment) => attachment.kind !== 'reference')
        .map((attachment) =>
          attachment.kind === 'item'
            ? { filename: `${attachment.name}.eml`, content: attachment.bytes, contentType: 'message/rfc822' }
            : { filename: attachment.name, content: attachment.bytes, contentType: attachment.contentType ?? 'application/octet-stream' },
        ),
      disableFileAccess: true,
      disableUrlAccess: true,
    })
      .compile()
      .build()
    await this.stream(context.response, message.mime, 'message/rfc822')
  }

  // ---------------------------------------------------------------- attachments

  private attachmentSelect(url: URL): string[] | undefined {
    const text = url.searchParams.get('$select')
    if (!text) return undefined
    return text.split(',').map((raw) => {
      const wanted = raw.trim()
      const cast = ATTACHMENT_CASTS[wanted.toLowerCase()]
      if (cast) return cast
      const found = ATTACHMENT_PROPERTIES.find((property) => property.toLowerCase() === wanted.toLowerCase())
      if (!found) {
        throw new GraphError(
          400,
          'RequestBroker--ParseUri',
          `Could not find a property named '${wanted}' on type 'microsoft.graph.attachment'.`,
        )
      }
      return found
    })
  }

  private attachmentJson(attachment: StoredAttachment, select: string[] | undefined): Record<string, unknown> {
    const type = { file: 'fileAttachment', item: 'itemAttachment', reference: 'referenceAttachment' }[attachment.kind]
    const full: Record<string, unknown> = {
      '@odata.type': `#microsoft.graph.${type}`,
      ...(attachment.kind === 'file' ? { '@odata.mediaContentType': attachment.contentType } : {}),
      id: attachment.id,
      lastModifiedDateTime: attachment.lastModifiedDateTime,
      name: attachment.name,
      contentType: attachment.contentType,
      // A reference attachment's size is that of the link kept on the message, not of the file (referenceAttachment docs).
      size: attachment.kind === 'reference' ? 300 + attachment.name.length * 2 : attachment.bytes.length,
      isInline: attachment.isInline,
    }
    if (attachment.kind === 'file') {
      full.contentId = null
      full.contentLocation = null
      if (attachment.bytes.length <= this.options.inlineAttachmentLimit) full.contentBytes = attachment.bytes.toString('base64')
    }
    if (!select) return full
    const out: Record<string, unknown> = { '@odata.type': full['@odata.type'], id: attachment.id }
    for (const property of select) if (property in full) out[property] = full[property]
    return out
  }

  private async attachmentValue(context: RequestContext, attachment: StoredAttachment): Promise<void> {
    if (attachment.kind === 'reference') {
      // attachment-get: "Attempting to get the $value of a reference attachment returns HTTP 405."
      throw new GraphError(405, 'ErrorInvalidRequest', 'The raw content of a reference attachment cannot be read.')
    }
    await this.stream(
      context.response,
      attachment.bytes,
      attachment.kind === 'item' ? 'message/rfc822' : (attachment.contentType ?? 'application/octet-stream'),
    )
  }

  /** Sends `bytes` in chunks, waiting for the client to drain each, so a large body really streams. */
  private async stream(response: ServerResponse, bytes: Buffer, contentType: string): Promise<void> {
    response.writeHead(200, { 'content-type': contentType, 'content-length': bytes.length })
    const chunk = 64 * 1024
    for (let offset = 0; offset < bytes.length; offset += chunk) {
      if (response.destroyed) return
      if (!response.write(bytes.subarray(offset, offset + chunk))) {
        await new Promise<void>((resolve) => {
          const go = () => {
            response.off('drain', go)
            response.off('close', go)
            resolve()
          }
          response.on('drain', go)
          response.on('close', go)
        })
      }
    }
    response.end()
  }

  // ---------------------------------------------------------------- delta

  private pageSize(context: RequestContext): number {
    const asked = Number(context.prefer.get('odata.maxpagesize'))
    if (Number.isInteger(asked) && asked > 0) {
      context.applied.push(`odata.maxpagesize=${asked}`)
      return asked
    }
    return this.options.defaultPageSize
  }

  private appliedHeader(context: RequestContext): Record<string, string> {
    return context.applied.length > 0 ? { 'preference-applied': context.applied.join(', ') } : {}
  }

  private deltaLinkBase(folderId: string): string {
    return `${this.url}/v1.0/users/${this.userId}/mailFolders('${folderId}')/messages/delta`
  }

  private async delta(context: RequestContext, folderName: string): Promise<void> {
    const { url } = context
    const skipToken = url.searchParams.get('$skiptoken') ?? url.searchParams.get('$skipToken')
    const deltaToken = url.searchParams.get('$deltatoken') ?? url.searchParams.get('$deltaToken')
    let page: DeltaPage
    if (skipToken) {
      const found = this.pages.get(skipToken)
      if (!found || found.generation !== this.deltaGeneration) this.syncStateGone(found ?? this.freshQuery(folderName, url))
      page = found
    } else if (deltaToken) {
      const token = this.deltaTokens.get(deltaToken)
      if (!token || token.generation !== this.deltaGeneration) this.syncStateGone(token ?? this.freshQuery(folderName, url))
      page = this.changesSince(token)
    } else {
      const query = this.freshQuery(folderName, url)
      const items = [...this.messages.values()]
        .filter((message) => message.folderId === query.folderId)
        .map((message) => ({ key: message.immutableId }))
      page = { ...query, items, offset: 0, endSeq: this.seq, generation: this.deltaGeneration }
    }
    const size = this.pageSize(context)
    const value: Record<string, unknown>[] = []
    let offset = page.offset
    while (offset < page.items.length && value.length < size) {
      const item = page.items[offset++]!
      if ('removed' in item) {
        value.push({
          '@odata.type': '#microsoft.graph.message',
          id: context.immutable ? item.removed.immutableId : item.removed.restId,
          '@removed': { reason: 'deleted' },
        })
        continue
      }
      const message = this.messages.get(item.key)
      // Gone or moved since the round began: the next round reports it.
      if (!message || message.folderId !== page.folderId) continue
      if (page.filter && !this.passes(page.filter, message)) continue
      value.push({ '@odata.type': '#microsoft.graph.message', ...this.messageJson(message, context.immutable, page.select, page.expand) })
    }
    const body: Record<string, unknown> = { '@odata.context': `${this.url}/v1.0/$metadata#Collection(message)` }
    if (offset < page.items.length) {
      const token = randomBytes(24).toString('base64url')
      this.pages.set(token, { ...page, offset })
      body['@odata.nextLink'] = `${this.deltaLinkBase(page.folderId)}?$skiptoken=${token}`
    } else {
      const token = randomBytes(24).toString('base64url')
      this.deltaTokens.set(token, {
        folderId: page.folderId,
        select: page.select,
        expand: page.expand,
        filter: page.filter,
        changeType: page.changeType,
        seq: page.endSeq,
        generation: this.deltaGeneration,
      })
      body['@odata.deltaLink'] = `${this.deltaLinkBase(page.folderId)}?$deltatoken=${token}`
    }
    body.value = value
    this.sendJson(context.response, 200, body, this.appliedHeader(context))
  }

  /** The options of a first delta request, to be kept in every link of the round. */
  private freshQuery(folderName: string, url: URL): DeltaQuery {
    const folder = this.mustFindFolder(folderName)
    const filterText = url.searchParams.get('$filter')
    let filter: DeltaQuery['filter']
    if (filterText) {
      // message-delta: "The only supported $filter expressions are receivedDateTime ge {value} or receivedDateTime gt {value}."
      const found = /^\s*receivedDateTime\s+(ge|gt)\s+'?([0-9T:.+\-Z]+)'?\s*$/i.exec(filterText)
      const at = found ? Date.parse(found[2]!) : NaN
      if (!found || Number.isNaN(at)) {
        throw new GraphError(400, 'ErrorInvalidUrlQueryFilter', `The filter expression '${filterText}' is not supported by a delta query.`)
      }
      filter = { op: found[1]!.toLowerCase() as 'ge' | 'gt', at, text: filterText }
    }
    const changeType = url.searchParams.get('changeType') ?? undefined
    if (changeType !== undefined && !['created', 'updated', 'deleted'].includes(changeType)) {
      throw new GraphError(400, 'ErrorInvalidUrlQuery', `The changeType '${changeType}' is not one of created, updated, deleted.`)
    }
    return {
      folderId: folder.id,
      select: this.messageSelect(url),
      expand: this.messageExpand(url),
      filter,
      changeType: changeType as ChangeType | undefined,
    }
  }

  private passes(filter: NonNullable<DeltaQuery['filter']>, message: StoredMessage): boolean {
    const received = Date.parse(message.receivedDateTime)
    return filter.op === 'ge' ? received >= filter.at : received > filter.at
  }

  /** Every message that changed in the folder after `token.seq`, in the order of their last change. */
  private changesSince(token: DeltaToken): DeltaPage {
    const last = new Map<string, Change>()
    const arrived = new Set<string>()
    for (const change of this.changes) {
      if (change.seq <= token.seq || change.folderId !== token.folderId) continue
      last.delete(change.key)
      last.set(change.key, change)
      if (change.arrived) arrived.add(change.key)
    }
    const items: DeltaItem[] = []
    for (const change of last.values()) {
      const type: ChangeType = change.removed ? 'deleted' : arrived.has(change.key) ? 'created' : 'updated'
      // delta-query-messages: the first round lists everything; later rounds only the changeType asked for.
      if (token.changeType && token.changeType !== type) continue
      items.push(change.removed ? { removed: change.removed } : { key: change.key })
    }
    return { ...token, items, offset: 0, endSeq: this.seq, generation: this.deltaGeneration }
  }

  /**
   * An expired or unknown state token. The delta query overview documents
   * both 410 Gone with a Location to start over ("Synchronization reset") and
   * syncStateNotFound for an expired token; this answers both at once.
   */
  private syncStateGone(query: DeltaQuery): never {
    const restart = new URL(this.deltaLinkBase(query.folderId))
    if (query.select) restart.searchParams.set('$select', query.select.join(','))
    if (query.filter) restart.searchParams.set('$filter', query.filter.text)
    if (query.changeType) restart.searchParams.set('changeType', query.changeType)
    if (query.expand)
      restart.searchParams.set(
        '$expand',
        `singleValueExtendedProperties($filter=${query.expand.map((id) => `id eq '${id}'`).join(' or ')})`,
      )
    throw new GraphError(
      410,
      'syncStateNotFound',
      'The sync state generation is not found. The delta token is expired and data must be synchronized again.',
      {
        location: restart.toString(),
      },
    )
  }

  // ---------------------------------------------------------------- subscriptions

  private liveSubscriptions(): Subscription[] {
    const now = Date.now()
    for (const subscription of this.subscriptionsById.values()) {
      // Graph deletes a subscription that was not renewed in time.
      if (subscription.expiresAt <= now) this.subscriptionsById.delete(subscription.id)
    }
    return [...this.subscriptionsById.values()]
  }

  private liveSubscription(id: string): Subscription {
    const subscription = this.liveSubscriptions().find((candidate) => candidate.id === id)
    if (!subscription) throw new GraphError(404, 'ResourceNotFound', `The object was not found.`)
    return subscription
  }

  private subscriptionsOn(folderId: string): Subscription[] {
    return this.liveSubscriptions().filter((subscription) => subscription.folderId === undefined || subscription.folderId === folderId)
  }

  private subscriptionJson(subscription: Subscription) {
    return {
      '@odata.context': `${this.url}/v1.0/$metadata#subscriptions/$entity`,
      id: subscription.id,
      resource: subscription.resource,
      applicationId: this.clientId,
      changeType: subscription.changeType,
      clientState: subscription.clientState ?? null,
      notificationUrl: subscription.notificationUrl,
      notificationQueryOptions: null,
      lifecycleNotificationUrl: subscription.lifecycleNotificationUrl ?? null,
      expirationDateTime: new Date(subscription.expiresAt).toISOString(),
      creatorId: this.servicePrincipalId,
      includeResourceData: false,
      latestSupportedTlsVersion: subscription.latestSupportedTlsVersion,
      encryptionCertificate: null,
      encryptionCertificateId: null,
      notificationUrlAppId: null,
    }
  }

  /** `users/{u}/mailFolders('{folder}')/messages`, `/users/{u}/mailFolders/{folder}/messages` or `users/{u}/messages`. */
  private subscribedFolder(resource: string): string | undefined {
    const segments = segmentsOf(resource.split('?')[0]!)
    if (segments[0]?.lower === 'me') {
      throw new GraphError(400, 'ExtensionError', "'/me' is only valid with delegated authentication flow.")
    }
    const user = segments[0]?.lower === 'users' ? segments[1]?.raw : undefined
    if (user) this.checkUser(user)
    const folder = match(segments, 'users/:user/mailfolders/:folder/messages')
    if (folder) return this.mustFindFolder(folder.folder!).id
    if (match(segments, 'users/:user/messages')) return undefined
    throw new GraphError(
      400,
      'InvalidRequest',
      `The resource '${resource}' is not supported: subscribe to the messages of a mail folder of a user.`,
    )
  }

  private expiration(value: unknown): number {
    const at = typeof value === 'string' ? Date.parse(value) : NaN
    if (Number.isNaN(at)) throw new GraphError(400, 'InvalidRequest', 'expirationDateTime is required and must be a date and time.')
    const now = Date.now()
    if (at <= now) throw new GraphError(400, 'InvalidRequest', 'Subscription expiration can only be in the future.')
    // The error Graph answers for Outlook resources past their limit, as reported in microsoft-graph-docs-contrib#7726.
    if (at - now > MAX_SUBSCRIPTION_MINUTES * 60_000) {
      throw new GraphError(400, 'ExtensionError', `Subscription expiration can only be ${MAX_SUBSCRIPTION_MINUTES} minutes in the future.`)
    }
    return at
  }

  private checkCallbackUrl(name: string, value: unknown): string {
    let url: URL
    try {
      url = new URL(String(value))
    } catch {
      throw new GraphError(400, 'InvalidRequest', `${name} must be an absolute URL.`)
    }
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
    if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback && this.options.allowHttpNotificationUrl)) return url.toString()
    throw new GraphError(400, 'InvalidRequest', `Invalid ${name}. The URL must use the https scheme.`)
  }

  private async createSubscription(context: RequestContext): Promise<void> {
    const body = await this.jsonBody(context.request)
    const changeTypes = String(body.changeType ?? '')
      .split(',')
      .map((type) => type.trim())
    if (changeTypes.length === 0 || changeTypes.some((type) => !['created', 'updated', 'deleted'].includes(type))) {
      throw new GraphError(
        400,
        'InvalidRequest',
        `Invalid changeType '${String(body.changeType)}'. Use created, updated, deleted or a comma-separated list of them.`,
      )
    }
    if (typeof body.resource !== 'string') throw new GraphError(400, 'InvalidRequest', 'resource is required.')
    const folderId = this.subscribedFolder(body.resource)
    const expiresAt = this.expiration(body.expirationDateTime)
    const notificationUrl = this.checkCallbackUrl('notificationUrl', body.notificationUrl)
    const lifecycleNotificationUrl =
      body.lifecycleNotificationUrl == null ? undefined : this.checkCallbackUrl('lifecycleNotificationUrl', body.lifecycleNotificationUrl)
    if (body.clientState != null && (typeof body.clientState !== 'string' || body.clientState.length > 255)) {
      throw new GraphError(400, 'InvalidRequest', 'clientState must be a string of at most 255 characters.')
    }
    const tls = typeof body.latestSupportedTlsVersion === 'string' ? body.latestSupportedTlsVersion : 'v1_2'
    if (!['v1_0', 'v1_1', 'v1_2', 'v1_3'].includes(tls))
      throw new GraphError(400, 'InvalidRequest', `Invalid latestSupportedTlsVersion '${tls}'.`)
    // notificationUrl validation (and the lifecycle URL's): the subscription exists only once both echoed the token.
    await this.validate(notificationUrl)
    if (lifecycleNotificationUrl) await this.validate(lifecycleNotificationUrl)
    const subscription: Subscription = {
      id: randomUUID(),
      resource: body.resource,
      folderId,
      changeTypes: changeTypes as ChangeType[],
      changeType: changeTypes.join(','),
      clientState: (body.clientState as string | undefined) ?? undefined,
      notificationUrl,
      lifecycleNotificationUrl,
      expiresAt,
      latestSupportedTlsVersion: tls,
      immutableIds: context.immutable,
      reauthorizationRequired: false,
    }
    this.subscriptionsById.set(subscription.id, subscription)
    this.sendJson(context.response, 201, this.subscriptionJson(subscription))
  }

  private async updateSubscription(context: RequestContext, subscription: Subscription): Promise<void> {
    const body = await this.jsonBody(context.request)
    const expiresAt = body.expirationDateTime === undefined ? subscription.expiresAt : this.expiration(body.expirationDateTime)
    if (body.notificationUrl !== undefined) {
      const notificationUrl = this.checkCallbackUrl('notificationUrl', body.notificationUrl)
      await this.validate(notificationUrl)
      subscription.notificationUrl = notificationUrl
    }
    subscription.expiresAt = expiresAt
    // Renewing a subscription also reauthorizes it (lifecycle notifications docs).
    subscription.reauthorizationRequired = false
    this.sendJson(context.response, 200, this.subscriptionJson(subscription))
  }

  private async validate(url: string): Promise<void> {
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`
    const target = new URL(url)
    const query = target.search ? `${target.search}&` : '?'
    const answer = await post(
      `${target.origin}${target.pathname}${query}validationToken=${formEncode(token)}`,
      '',
      'text/plain; charset=utf-8',
      this.options.validationTimeoutMs,
    )
    const ok = answer.status === 200 && /^text\/plain\b/i.test(answer.contentType ?? '') && answer.text === token
    this.validations.push({
      url,
      token,
      ok,
      ms: answer.ms,
      ...(answer.status === undefined ? {} : { status: answer.status }),
      ...(answer.contentType === undefined ? {} : { contentType: answer.contentType }),
      ...(answer.text === undefined ? {} : { body: answer.text }),
      ...(answer.error === undefined ? {} : { error: answer.error }),
    })
    if (ok) return
    const reason =
      answer.status === 200
        ? 'Response must exactly match validationToken query parameter.'
        : answer.error === 'timeout'
          ? 'Notification endpoint must respond within 10 seconds.'
          : 'Notification endpoint must respond with 200 OK to validation request.'
    throw new GraphError(400, 'InvalidRequest', `Subscription validation request failed. ${reason}`)
  }

  // ---------------------------------------------------------------- notifications

  private track(work: Promise<unknown>): void {
    const tracked = work.finally(() => this.pending.delete(tracked))
    this.pending.add(tracked)
  }

  private async notifyChange(message: StoredMessage, changeType: ChangeType): Promise<void> {
    const targets = this.subscriptionsOn(message.folderId).filter((subscription) => subscription.changeTypes.includes(changeType))
    await Promise.all(targets.map((subscription) => this.sendChange(subscription, message, changeType)))
  }

  private sendChange(subscription: Subscription, message: StoredMessage, changeType: ChangeType, clientState?: string): Promise<number> {
    const id = subscription.immutableIds ? message.immutableId : message.restId
    const resource = `Users/${this.userId}/Messages/${id}`
    const notification = {
      subscriptionId: subscription.id,
      subscriptionExpirationDateTime: new Date(subscription.expiresAt).toISOString(),
      changeType,
      resource,
      resourceData: {
        '@odata.type': '#Microsoft.Graph.Message',
        '@odata.id': resource,
        '@odata.etag': `W/"${message.changeKey}"`,
        id,
      },
      clientState: clientState ?? subscription.clientState,
      tenantId: this.tenantId,
    }
    return this.sendNotification('change', subscription.notificationUrl, subscription.id, { value: [notification] })
  }

  /** Delivers one notification payload, retrying a failure `notificationRetries` times; answers the last status (0: none). */
  private async sendNotification(
    kind: 'change' | 'lifecycle',
    url: string,
    subscriptionId: string,
    body: { value: Record<string, unknown>[] },
  ): Promise<number> {
    const text = JSON.stringify(body)
    let status = 0
    for (let attempt = 1; attempt <= this.options.notificationRetries + 1; attempt++) {
      if (attempt > 1) await sleep(this.options.notificationRetryDelayMs * 2 ** (attempt - 2))
      const answer = await post(url, text, 'application/json; charset=utf-8', this.options.notificationTimeoutMs)
      this.notifications.push({
        kind,
        url,
        subscriptionId,
        body,
        attempt,
        ms: answer.ms,
        ...(answer.status === undefined ? {} : { status: answer.status }),
        ...(answer.error === undefined ? {} : { error: answer.error }),
      })
      status = answer.status ?? 0
      if (status >= 200 && status < 300) break
    }
    return status
  }

  // ---------------------------------------------------------------- answers

  private async jsonBody(request: IncomingMessage): Promise<Record<string, unknown>> {
    const text = (await readBody(request)).toString('utf8')
    try {
      const value: unknown = JSON.parse(text)
      if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>
    } catch {
      // Answered below, as Graph answers a body it cannot read.
    }
    throw new GraphError(
      400,
      'BadRequest',
      'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
    )
  }

  private sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body)
    response.writeHead(status, { 'content-type': GRAPH_JSON, 'content-length': Buffer.byteLength(text), ...headers })
    response.end(text)
  }

  private sendGraphError(
    response: ServerResponse,
    status: number,
    code: string,
    message: string,
    headers: Record<string, string> = {},
  ): void {
    const requestId = String(response.getHeader('request-id') ?? randomUUID())
    const innerError: Record<string, string> = {
      date: isoSeconds().replace(/Z$/, ''),
      'request-id': requestId,
      'client-request-id': String(response.getHeader('client-request-id') ?? requestId),
    }
    // The throttling guide's example 429 body.
    if (status === 429) Object.assign(innerError, { code: '429', message: 'Please retry after', status: '429' })
    this.sendJson(response, status, { error: { code, message, innerError } }, headers)
  }
}

interface RequestContext {
  request: IncomingMessage
  response: ServerResponse
  url: URL
  immutable: boolean
  prefer: Map<string, string>
  /** Preferences honoured, for the Preference-Applied header. */
  applied: string[]
}

/** Starts the stand-in on 127.0.0.1 with a random port, over HTTPS with the test CA's certificate. */
export async function startFakeGraph(options: FakeGraphOptions = {}): Promise<FakeGraph> {
  const tls = await testTls()
  if (options.trustCa ?? true) trustTestCa(tls.caPem)
  const server = createHttpsServer({ key: tls.keyPem, cert: tls.certPem })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as AddressInfo).port
  const fake = new FakeGraph(server, `https://127.0.0.1:${port}`, options)
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    fake.handle(request, response).catch(() => response.destroy())
  })
  return fake
}
