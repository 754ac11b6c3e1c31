// A fake Jira Cloud site built from the documented REST v3 contract
// (/work research note "jira"): enhanced JQL search paged by nextPageToken
// (no total; the last page has no token), JQL dates read at minute precision
// in the calling user's time zone, issues with ids as strings and attachment
// ids as strings or numbers, the content endpoint answering with a redirect
// to a separate media host whose signed links expire, labels added through
// `update`, ADF comments, admin webhooks signed `X-Hub-Signature:
// sha256=<hex>` over the exact bytes sent, 429 with Retry-After and
// X-RateLimit-Reset, and either basic auth (email:API token) or OAuth 2.0
// (3LO) through `/ex/jira/<cloudId>` with a token endpoint that rotates
// refresh tokens and issues access tokens that expire.
import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FakeAttachment, FakeProvider, FakeTaskInput, FakeTaskView, FakeWebhook } from './fake-provider.ts'

export interface FakeJiraOptions {
  /** `basic`: email + API token on the site host; `oauth2`: bearer tokens through /ex/jira/<cloudId>. */
  auth?: 'basic' | 'oauth2'
  /** Most issues per search page, whatever maxResults asks (Jira may send fewer); small so paging is exercised. */
  pageSize?: number
  /** The calling user's profile zone, as minutes east of UTC: JQL dates are read in it (default UTC-10). */
  userUtcOffsetMinutes?: number
  /** Lifetime of an issued access token (OAuth2). */
  accessTokenSeconds?: number
  /** Lifetime of a media link the content endpoint redirects to. */
  mediaLinkSeconds?: number
  /** 303 as the spec says; one report saw 302. */
  redirectStatus?: 302 | 303
}

export interface FakeJiraDeliveryOptions {
  tamper?: boolean
  unsigned?: boolean
  event?: 'jira:issue_created' | 'jira:issue_updated' | 'attachment_created'
  /** For attachment_created: add `attachment.issueId` (third-party payloads lack it). */
  attachmentIssueId?: boolean
}

export interface FakeJira extends FakeProvider {
  readonly siteUrl: string
  readonly mediaUrl: string
  readonly cloudId: string
  /** Every search request, as Jira received it. */
  searches(): Array<{ jql: string; maxResults: number | undefined; fields: string[] | undefined; nextPageToken: string | undefined }>
  /** Requests the media host got, with the Authorization header if one was (wrongly) sent. */
  mediaRequests(): Array<{ path: string; authorization: string | undefined }>
  /** Token endpoint requests (OAuth2), and the refresh token currently valid. */
  tokenRequests(): number
  refreshToken(): string
  /** Every access token issued so far stops working, as after its expiry. */
  expireAccessTokens(): void
  /** Webhook registrations with their secret, as Jira keeps them (never shown through the API). */
  webhookSecrets(): Map<string, string | undefined>
  /** A webhook of another integration on the same site. */
  addOtherWebhook(url: string, name: string): FakeWebhook
  /** Moves an issue's `updated` time (tests of the listing window). */
  setUpdated(taskId: string, at: Date): void
  deliver(taskId: string, options?: FakeJiraDeliveryOptions): Promise<number[]>
}

interface Attachment {
  id: number
  filename: string
  bytes: Buffer
  mimeType: string
  created: number
  downloadUrl: string | undefined
  externalUrl: string | undefined
}

interface Issue {
  id: string
  key: string
  projectKey: string
  summary: string
  labels: string[]
  creator: string
  created: number
  updated: number
  attachments: Attachment[]
  comments: string[]
}

interface Webhook {
  id: string
  name: string
  url: string
  events: string[]
  filters: Record<string, string>
  excludeBody: boolean
  secret: string | undefined
  lastUpdated: number
}

const PROJECTS: Record<string, { id: string; name: string }> = {
  HIRE: { id: '10000', name: 'Hiring' },
  OPS: { id: '10001', name: 'Operations' },
}
const EMAIL = 'hr-bot@example.com'
const API_TOKEN = 'ATATT3xFfGF0-fake-api-token'
const CLIENT_ID = 'hireflow-client'
const CLIENT_SECRET = 'hireflow-client-secret'
const EVENTS = new Set(['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted', 'comment_created', 'attachment_created'])
const SEARCH_KEYS = new Set(['jql', 'nextPageToken', 'maxResults', 'fields', 'expand', 'properties', 'fieldsByKeys', 'reconcileIssues'])
const MAX_BODY = 1024 * 1024

function json(response: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = Buffer.from(JSON.stringify(value))
  response.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', 'content-length': String(body.length), ...headers })
  response.end(body)
}

const errors = (response: ServerResponse, status: number, ...messages: string[]) =>
  json(response, status, { errorMessages: messages, errors: {} })

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY) throw new Error('body too large')
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

/** Jira's `yyyy-MM-dd'T'HH:mm:ss.SSSZ`, in the user's zone with a colon-less offset. */
function jiraDate(at: number, offsetMinutes: number): string {
  const local = new Date(at + offsetMinutes * 60_000).toISOString().slice(0, 23)
  const sign = offsetMinutes < 0 ? '-' : '+'
  const abs = Math.abs(offsetMinutes)
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`
}

// ---- JQL: the subset hireflow's queries use, strict about everything else ----

type Token = { kind: 'string' | 'word' | 'op' | 'punct'; value: string }

function tokenize(jql: string): Token[] {
  const tokens: Token[] = []
  const pattern = /\s*(?:"((?:[^"\\]|\\.)*)"|(>=|<=|!=|=|>|<)|([(),])|([^\s"(),=!<>]+))/gy
  let match: RegExpExecArray | null
  while (pattern.lastIndex < jql.length && (match = pattern.exec(jql))) {
    if (match[1] !== undefined) tokens.push({ kind: 'string', value: match[1].replace(/\\(.)/g, '$1') })
    else if (match[2]) tokens.push({ kind: 'op', value: match[2] })
    else if (match[3]) tokens.push({ kind: 'punct', value: match[3] })
    else if (match[4]) tokens.push({ kind: 'word', value: match[4] })
  }
  if (jql.slice(pattern.lastIndex).trim() !== '') throw new Error(`unexpected text at ${pattern.lastIndex}`)
  return tokens
}

type Predicate = (issue: Issue) => boolean

/** A JQL date literal (`yyyy/MM/dd HH:mm`, `yyyy-MM-dd HH:mm`, or a date alone), read in the user's zone. */
function jqlInstant(text: string, offsetMinutes: number): number {
  const match = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?: (\d{1,2}):(\d{2}))?$/.exec(text)
  if (!match)
    throw new Error(`Date value '${text}' for field 'updated' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm'`)
  const [, y, mo, d, h = '0', mi = '0'] = match
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi)) - offsetMinutes * 60_000
}

function parseJql(jql: string, offsetMinutes: number): { where: Predicate; order: 'updated' | 'id' } {
  const tokens = tokenize(jql)
  let at = 0
  const next = () => tokens[at++]
  const value = (): string => {
    const token = next()
    if (!token || (token.kind !== 'string' && token.kind !== 'word')) throw new Error('a value is expected')
    return token.value
  }
  const predicates: Predicate[] = []
  for (;;) {
    const field = next()
    if (!field || field.kind !== 'word') throw new Error('a field is expected')
    const op = next()
    if (!op) throw new Error(`an operator is expected after ${field.value}`)
    const name = field.value.toLowerCase()
    if (name === 'project' && op.value === '=') {
      const key = value()
      predicates.push((issue) => issue.projectKey === key.toUpperCase() || PROJECTS[issue.projectKey]?.id === key)
    } else if (name === 'labels' && op.kind === 'word' && op.value.toLowerCase() === 'in') {
      if (next()?.value !== '(') throw new Error("'(' expected after 'in'")
      const wanted: string[] = [value()]
      for (let token = next(); token?.value !== ')'; token = next()) {
        if (token?.value !== ',') throw new Error("',' or ')' expected")
        wanted.push(value())
      }
      predicates.push((issue) => issue.labels.some((label) => wanted.includes(label)))
    } else if (name === 'labels' && op.value === '=') {
      const wanted = value()
      predicates.push((issue) => issue.labels.includes(wanted))
    } else if (name === 'updated' && (op.value === '>=' || op.value === '>')) {
      const from = jqlInstant(value(), offsetMinutes)
      // Minute precision: `updated` is compared within the minute the literal names.
      predicates.push(op.value === '>=' ? (issue) => issue.updated >= from : (issue) => issue.updated >= from + 60_000)
    } else {
      throw new Error(`the field '${field.value}' with operator '${op.value}' is not supported by this fake`)
    }
    const joiner = next()
    if (!joiner) return { where: (issue) => predicates.every((p) => p(issue)), order: 'id' }
    if (joiner.kind === 'word' && joiner.value.toUpperCase() === 'AND') continue
    if (joiner.kind === 'word' && joiner.value.toUpperCase() === 'ORDER' && next()?.value.toUpperCase() === 'BY') {
      const by = value().toLowerCase()
      const direction = next()
      if (direction && direction.value.toUpperCase() !== 'ASC') throw new Error('only ascending order is supported by this fake')
      if (next()) throw new Error('unexpected text after ORDER BY')
      if (by !== 'updated' && by !== 'id' && by !== 'key') throw new Error(`ordering by ${by} is not supported by this fake`)
      return { where: (issue) => predicates.every((p) => p(issue)), order: by === 'updated' ? 'updated' : 'id' }
    }
    throw new Error(`Expecting either 'OR' or 'AND' but got '${joiner.value}'.`)
  }
}

// ---- the fake ----

export async function startFakeJira(options: FakeJiraOptions = {}): Promise<FakeJira> {
  const mode = options.auth ?? 'basic'
  const pageSize = options.pageSize ?? 2
  const offset = options.userUtcOffsetMinutes ?? -600
  const cloudId = randomUUID()
  const issues = new Map<string, Issue>()
  const hooks = new Map<string, Webhook>()
  const mediaLinks = new Map<string, { attachment: Attachment; expiresAt: number }>()
  const accessTokens = new Map<string, number>()
  const served: string[] = []
  const searchLog: ReturnType<FakeJira['searches']> = []
  const mediaLog: ReturnType<FakeJira['mediaRequests']> = []
  let nextIssue = 10001
  let nextAttachment = 20001
  let nextWebhook = 1
  let nextComment = 30001
  let down = false
  let limited = 0
  let tokenCount = 0
  let validRefresh = 'rt-initial'
  let siteUrl = ''
  let mediaUrl = ''
  const prefix = `/ex/jira/${cloudId}`
  const basic = `Basic ${Buffer.from(`${EMAIL}:${API_TOKEN}`).toString('base64')}`

  const user = (name: string) => ({
    self: `${siteUrl}/rest/api/3/user?accountId=557058:${name.length}`,
    accountId: `557058:${Buffer.from(name).toString('hex').slice(0, 12)}`,
    displayName: name,
    emailAddress: `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@example.com`,
    active: true,
    timeZone: 'Pacific/Honolulu',
    accountType: 'atlassian',
  })

  const attachmentJson = (attachment: Attachment) => ({
    self: `${siteUrl}/rest/api/3/attachments/${attachment.id}`,
    // The schema says string, the spec's example shows a number: both are sent so the client must take both.
    id: attachment.id % 2 === 0 ? attachment.id : String(attachment.id),
    filename: attachment.filename,
    author: user('Recruiter'),
    created: jiraDate(attachment.created, offset),
    size: attachment.bytes.length,
    mimeType: attachment.mimeType,
    content: `${siteUrl}/rest/api/3/attachment/content/${attachment.id}`,
  })

  const fieldsOf = (issue: Issue, wanted: readonly string[]): Record<string, unknown> => {
    const all: Record<string, () => unknown> = {
      summary: () => issue.summary,
      labels: () => [...issue.labels],
      updated: () => jiraDate(issue.updated, offset),
      created: () => jiraDate(issue.created, offset),
      project: () => ({
        self: `${siteUrl}/rest/api/3/project/${PROJECTS[issue.projectKey]!.id}`,
        id: PROJECTS[issue.projectKey]!.id,
        key: issue.projectKey,
        name: PROJECTS[issue.projectKey]!.name,
        projectTypeKey: 'business',
      }),
      reporter: () => user(issue.creator),
      creator: () => user(issue.creator),
      attachment: () => issue.attachments.filter((a) => !a.externalUrl).map(attachmentJson),
    }
    const fields: Record<string, unknown> = {}
    for (const name of wanted) if (all[name]) fields[name] = all[name]()
    return fields
  }

  const issueJson = (issue: Issue, wanted: readonly string[], api = 3) => ({
    expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
    id: issue.id,
    self: `${siteUrl}/rest/api/${api}/issue/${issue.id}`,
    key: issue.key,
    fields: fieldsOf(issue, wanted),
  })

  const find = (idOrKey: string) => issues.get(idOrKey) ?? [...issues.values()].find((issue) => issue.key === idOrKey.toUpperCase())

  const webhookJson = (hook: Webhook) => ({
    name: hook.name,
    url: hook.url,
    excludeBody: hook.excludeBody,
    events: hook.events,
    filters: hook.filters,
    enabled: true,
    self: `${siteUrl}/rest/webhooks/1.0/webhook/${hook.id}`,
    lastUpdatedUser: '557058:admin',
    lastUpdatedDisplayName: 'Site Admin',
    lastUpdated: hook.lastUpdated,
    isSigned: hook.secret !== undefined,
  })

  const searchPage = (response: ServerResponse, input: Record<string, unknown>) => {
    const jql = input.jql
    if (typeof jql !== 'string' || jql.trim() === '')
      return errors(response, 400, 'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.')
    const maxResults = input.maxResults === undefined ? undefined : Number(input.maxResults)
    const fields = input.fields as string[] | undefined
    const token = input.nextPageToken as string | undefined
    searchLog.push({ jql, maxResults, fields, nextPageToken: token })
    let query: ReturnType<typeof parseJql>
    try {
      query = parseJql(jql, offset)
    } catch (error) {
      return errors(response, 400, `Error in the JQL Query: ${(error as Error).message}`)
    }
    let start = 0
    if (token !== undefined) {
      try {
        const state = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { jql: string; start: number }
        if (state.jql !== jql) throw new Error('another query')
        start = state.start
      } catch {
        return errors(response, 400, 'The provided next page token is invalid or expired.')
      }
    }
    const matching = [...issues.values()]
      .filter(query.where)
      .sort((a, b) => (query.order === 'updated' ? a.updated - b.updated : 0) || Number(a.id) - Number(b.id))
    const size = Math.max(1, Math.min(maxResults ?? 50, pageSize))
    const page = matching.slice(start, start + size)
    const body: Record<string, unknown> = { issues: page.map((issue) => issueJson(issue, fields ?? [])) }
    const more = start + size < matching.length
    // The last page has no nextPageToken key at all, and no response carries a total.
    if (more) body.nextPageToken = Buffer.from(JSON.stringify({ jql, start: start + size })).toString('base64url')
    body.isLast = !more
    json(response, 200, body)
  }

  const authorised = (request: IncomingMessage): boolean => {
    const header = request.headers.authorization
    if (mode === 'basic') return header === basic
    const token = /^Bearer (\S+)$/.exec(header ?? '')?.[1]
    const expiresAt = token ? accessTokens.get(token) : undefined
    return expiresAt !== undefined && Date.now() < expiresAt
  }

  const tokenEndpoint = async (request: IncomingMessage, response: ServerResponse) => {
    tokenCount++
    const raw = (await readBody(request)).toString('utf8')
    // Atlassian documents a JSON body; the RFC 6749 form body is read too, as OAuth libraries send it.
    const type = request.headers['content-type'] ?? ''
    let form: Record<string, string>
    try {
      form = type.includes('json') ? (JSON.parse(raw) as Record<string, string>) : Object.fromEntries(new URLSearchParams(raw))
    } catch {
      return json(response, 400, { error: 'invalid_request', error_description: 'Malformed request body' })
    }
    if (form.client_id !== CLIENT_ID || form.client_secret !== CLIENT_SECRET) {
      return json(response, 401, { error: 'access_denied', error_description: 'Unauthorized' })
    }
    if (form.grant_type !== 'refresh_token' || form.refresh_token !== validRefresh) {
      return json(response, 403, { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' })
    }
    // Rotating refresh tokens: the one used is disabled, a new one comes with the access token.
    validRefresh = `rt-${randomBytes(8).toString('hex')}`
    const access = `at-${randomBytes(12).toString('hex')}`
    const lifetime = options.accessTokenSeconds ?? 3600
    accessTokens.set(access, Date.now() + lifetime * 1000)
    json(response, 200, {
      access_token: access,
      refresh_token: validRefresh,
      expires_in: lifetime,
      scope: 'read:jira-work write:jira-work offline_access',
    })
  }

  const api = async (request: IncomingMessage, response: ServerResponse, path: string, query: URLSearchParams) => {
    const method = request.method ?? 'GET'
    let match: RegExpExecArray | null

    if (path === '/rest/api/3/search/jql' && (method === 'POST' || method === 'GET')) {
      if (method === 'GET') {
        const fields = query.getAll('fields').flatMap((value) => value.split(','))
        return searchPage(response, {
          jql: query.get('jql') ?? undefined,
          nextPageToken: query.get('nextPageToken') ?? undefined,
          maxResults: query.get('maxResults') ?? undefined,
          fields: fields.length ? fields : undefined,
        })
      }
      const body = JSON.parse((await readBody(request)).toString('utf8')) as Record<string, unknown>
      const unknown = Object.keys(body).filter((key) => !SEARCH_KEYS.has(key))
      if (unknown.length) return errors(response, 400, `Unrecognized field "${unknown[0]}"`)
      return searchPage(response, body)
    }

    if ((match = /^\/rest\/api\/3\/issue\/([^/]+)$/.exec(path))) {
      const issue = find(decodeURIComponent(match[1]!))
      if (!issue) return errors(response, 404, 'Issue does not exist or you do not have permission to see it.')
      if (method === 'GET') {
        const fields = query.getAll('fields').flatMap((value) => value.split(','))
        return json(response, 200, issueJson(issue, fields.length ? fields : ['summary', 'labels', 'updated', 'attachment']))
      }
      if (method === 'PUT') {
        const body = JSON.parse((await readBody(request)).toString('utf8')) as { update?: Record<string, unknown>; fields?: unknown }
        const operations = body.update?.labels
        if (!Array.isArray(operations) || Object.keys(body).some((key) => key !== 'update' && key !== 'fields')) {
          return errors(response, 400, 'This fake supports only label updates.')
        }
        for (const operation of operations as Array<Record<string, unknown>>) {
          const [verb, ...rest] = Object.keys(operation)
          const label = operation[verb!]
          if (rest.length || typeof label !== 'string' || !['add', 'remove'].includes(verb!))
            return errors(response, 400, 'Bad label operation.')
          if (/\s/.test(label)) return json(response, 400, { errorMessages: [], errors: { labels: 'The label cannot contain spaces.' } })
          if (verb === 'add' && !issue.labels.includes(label)) issue.labels.push(label)
          if (verb === 'remove') issue.labels = issue.labels.filter((l) => l !== label)
        }
        issue.updated = Date.now()
        response.writeHead(204).end()
        return
      }
    }

    if ((match = /^\/rest\/api\/3\/issue\/([^/]+)\/comment$/.exec(path)) && method === 'POST') {
      const issue = find(decodeURIComponent(match[1]!))
      if (!issue) return errors(response, 404, 'Issue does not exist or you do not have permission to see it.')
      const body = JSON.parse((await readBody(request)).toString('utf8')) as {
        body?: { type?: string; version?: number; content?: unknown }
      }
      const doc = body.body
      // v3 takes Atlassian Document Format only; a plain string is the v2 API.
      if (!doc || typeof doc !== 'object' || doc.type !== 'doc' || doc.version !== 1 || !Array.isArray(doc.content)) {
        return json(response, 400, { errorMessages: [], errors: { comment: 'Comment body is not valid!' } })
      }
      const paragraphs = (doc.content as Array<{ type?: string; content?: Array<{ type?: string; text?: string }> }>).map((block) => {
        if (block.type !== 'paragraph' || !Array.isArray(block.content)) throw new Error('not a paragraph')
        return block.content.map((node) => (node.type === 'text' && typeof node.text === 'string' ? node.text : '')).join('')
      })
      issue.comments.push(paragraphs.join('\n'))
      issue.updated = Date.now()
      const id = String(nextComment++)
      const at = jiraDate(Date.now(), offset)
      return json(response, 201, {
        self: `${siteUrl}/rest/api/3/issue/${issue.id}/comment/${id}`,
        id,
        author: user('HR Bot'),
        body: doc,
        updateAuthor: user('HR Bot'),
        created: at,
        updated: at,
        jsdPublic: true,
      })
    }

    if ((match = /^\/rest\/api\/3\/attachment\/content\/([^/]+)$/.exec(path)) && method === 'GET') {
      const id = Number(decodeURIComponent(match[1]!))
      const attachment = [...issues.values()].flatMap((issue) => issue.attachments).find((a) => a.id === id && !a.externalUrl)
      if (!attachment) return errors(response, 404, 'The attachment does not exist.')
      if (query.get('redirect') === 'false') {
        response.writeHead(200, { 'content-type': attachment.mimeType, 'content-length': String(attachment.bytes.length) })
        response.end(attachment.bytes)
        return
      }
      let location = attachment.downloadUrl
      if (!location) {
        const file = randomUUID()
        const token = randomBytes(16).toString('hex')
        mediaLinks.set(token, { attachment, expiresAt: Date.now() + (options.mediaLinkSeconds ?? 60) * 1000 })
        location = `${mediaUrl}/file/${file}/binary?token=${token}&client=${CLIENT_ID}&name=${encodeURIComponent(attachment.filename)}`
      }
      response.writeHead(options.redirectStatus ?? 303, { location, 'content-length': '0' })
      response.end()
      return
    }

    if ((match = /^\/rest\/api\/3\/project\/([^/]+)$/.exec(path)) && method === 'GET') {
      const key = decodeURIComponent(match[1]!).toUpperCase()
      const found = Object.entries(PROJECTS).find(([k, p]) => k === key || p.id === key)
      if (!found) return errors(response, 404, `No project could be found with key '${key}'.`)
      return json(response, 200, {
        self: `${siteUrl}/rest/api/3/project/${found[1].id}`,
        id: found[1].id,
        key: found[0],
        name: found[1].name,
      })
    }

    if (path === '/rest/api/3/serverInfo' && method === 'GET') {
      return json(response, 200, { baseUrl: siteUrl, version: '1001.0.0-SNAPSHOT', deploymentType: 'Cloud', serverTitle: 'Jira' })
    }
    if (path === '/rest/api/3/myself' && method === 'GET') return json(response, 200, user('HR Bot'))

    if (path === '/rest/webhooks/1.0/webhook') {
      if (method === 'GET') return json(response, 200, [...hooks.values()].map(webhookJson))
      if (method === 'POST') {
        const body = JSON.parse((await readBody(request)).toString('utf8')) as Record<string, unknown>
        const events = body.events
        const validUrl = typeof body.url === 'string' && URL.canParse(body.url) && ['http:', 'https:'].includes(new URL(body.url).protocol)
        if (typeof body.name !== 'string' || !validUrl || !Array.isArray(events) || events.length === 0) {
          return errors(response, 400, 'name, url and events are required')
        }
        if (events.some((event) => !EVENTS.has(event as string))) return errors(response, 400, 'Unknown webhook event')
        if ('jqlFilter' in body || 'excludeIssueDetails' in body) return errors(response, 400, 'Unrecognized field (a Server-era name)')
        const hook: Webhook = {
          id: String(nextWebhook++),
          name: body.name,
          url: body.url as string,
          events: events as string[],
          filters: (body.filters as Record<string, string> | undefined) ?? {},
          excludeBody: body.excludeBody === true,
          secret: typeof body.secret === 'string' && body.secret ? body.secret : undefined,
          lastUpdated: Date.now(),
        }
        hooks.set(hook.id, hook)
        return json(response, 201, webhookJson(hook))
      }
    }
    if ((match = /^\/rest\/webhooks\/1\.0\/webhook\/([^/]+)$/.exec(path))) {
      const hook = hooks.get(decodeURIComponent(match[1]!))
      if (!hook) return errors(response, 404, 'Webhook not found')
      if (method === 'GET') return json(response, 200, webhookJson(hook))
      if (method === 'DELETE') {
        hooks.delete(hook.id)
        response.writeHead(204).end()
        return
      }
    }
    errors(response, 404, `No resource ${method} ${path} in this fake`)
  }

  const apiServer = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://fake')
      if (url.pathname === '/oauth/token' && request.method === 'POST' && mode === 'oauth2') return tokenEndpoint(request, response)
      let path = url.pathname
      if (mode === 'oauth2') {
        // 3LO calls go through the gateway path of the site's cloud id.
        if (!path.startsWith(`${prefix}/`)) return json(response, 404, { code: 404, message: 'Not Found' })
        path = path.slice(prefix.length)
      }
      served.push(`${request.method} ${path}`)
      if (down) return errors(response, 503, 'Service Unavailable')
      if (limited > 0) {
        limited--
        const reset = new Date(Date.now() + 60_000).toISOString().slice(0, 16) + 'Z'
        response.writeHead(429, {
          'retry-after': '1',
          'x-ratelimit-reset': reset,
          'x-ratelimit-limit': '100',
          'x-ratelimit-remaining': '0',
          'ratelimit-reason': 'jira-quota-based',
        })
        response.end()
        return
      }
      if (!authorised(request)) {
        if (mode === 'oauth2') return json(response, 401, { code: 401, message: 'Unauthorized' })
        return errors(response, 401, 'Client must be authenticated to access this resource.')
      }
      await api(request, response, path, url.searchParams)
    })().catch((error: Error) => {
      if (!response.headersSent) errors(response, 400, `Bad request: ${error.message}`)
      else response.destroy()
    })
  })

  const mediaServer = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://media')
    mediaLog.push({ path: url.pathname, authorization: request.headers.authorization })
    const link = mediaLinks.get(url.searchParams.get('token') ?? '')
    if (!/^\/file\/[0-9a-f-]+\/binary$/.test(url.pathname) || !link) return json(response, 401, { error: 'token is missing or invalid' })
    if (Date.now() >= link.expiresAt) return json(response, 401, { error: 'token expired' })
    response.writeHead(200, {
      'content-type': link.attachment.mimeType,
      'content-length': String(link.attachment.bytes.length),
      'content-disposition': `attachment; filename="${link.attachment.filename.replace(/"/g, '')}"`,
    })
    response.end(link.attachment.bytes)
  })

  const listen = async (server: Server) => {
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    return (server.address() as AddressInfo).port
  }
  const apiPort = await listen(apiServer)
  const mediaPort = await listen(mediaServer)
  siteUrl = `http://127.0.0.1:${apiPort}`
  // The media host is reached by another name than the API, as Atlassian's media host is another host than the site.
  mediaUrl = `http://localhost:${mediaPort}`

  const env: Record<string, string> = {
    TASK_MANAGER: 'jira',
    HIRING_PROJECT_ID: 'HIRE',
    TASK_MANAGER_ATTACHMENT_HOSTS: 'localhost',
  }
  if (mode === 'basic') {
    Object.assign(env, { TASK_MANAGER_BASE_URL: siteUrl, TASK_MANAGER_USER: EMAIL, TASK_MANAGER_TOKEN: API_TOKEN })
  } else {
    Object.assign(env, {
      TASK_MANAGER_BASE_URL: `${siteUrl}${prefix}`,
      TASK_MANAGER_TOKEN_ENDPOINT: `${siteUrl}/oauth/token`,
      TASK_MANAGER_CLIENT_ID: CLIENT_ID,
      TASK_MANAGER_CLIENT_SECRET: CLIENT_SECRET,
      TASK_MANAGER_REFRESH_TOKEN: validRefresh,
    })
  }

  const view = (issue: Issue): FakeTaskView => ({ id: issue.id, labels: [...issue.labels], comments: [...issue.comments] })
  const newAttachment = (input: FakeAttachment): Attachment => ({
    id: nextAttachment++,
    filename: input.filename,
    bytes: input.bytes,
    mimeType: input.mediaType ?? 'application/octet-stream',
    created: Date.now(),
    downloadUrl: input.downloadUrl,
    externalUrl: input.externalUrl,
  })
  const issueOf = (taskId: string) => {
    const issue = issues.get(taskId)
    if (!issue) throw new Error(`no issue ${taskId} in the fake`)
    return issue
  }

  let deliveries = 0
  const deliver = async (taskId: string, deliveryOptions: FakeJiraDeliveryOptions = {}): Promise<number[]> => {
    const issue = issueOf(taskId)
    const event = deliveryOptions.event ?? 'jira:issue_updated'
    const statuses: number[] = []
    for (const hook of hooks.values()) {
      if (!hook.events.includes(event)) continue
      const timestamp = Date.now()
      const payload: Record<string, unknown> =
        event === 'attachment_created'
          ? {
              timestamp,
              webhookEvent: event,
              attachment: {
                ...attachmentJson(issue.attachments.at(-1) ?? newAttachment({ filename: 'none', bytes: Buffer.alloc(0) })),
                ...(deliveryOptions.attachmentIssueId ? { issueId: issue.id } : {}),
              },
            }
          : {
              timestamp,
              webhookEvent: event,
              issue_event_type_name: event === 'jira:issue_created' ? 'issue_created' : 'issue_updated',
              user: user('Recruiter'),
              // Webhook payloads link issues through the v2 API.
              issue: issueJson(issue, ['summary', 'labels', 'updated', 'created', 'project', 'attachment', 'creator', 'reporter'], 2),
              ...(event === 'jira:issue_updated'
                ? {
                    changelog: {
                      id: String(40000 + deliveries),
                      items: [
                        {
                          field: 'labels',
                          fieldtype: 'jira',
                          fieldId: 'labels',
                          from: null,
                          fromString: '',
                          to: null,
                          toString: issue.labels.join(' '),
                        },
                      ],
                    },
                  }
                : {}),
              matchedWebhookIds: [Number(hook.id)],
            }
      const body = Buffer.from(JSON.stringify(payload))
      const headers: Record<string, string> = {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Atlassian Webhook HTTP Client',
        'x-atlassian-webhook-identifier': `${Date.now()}-${++deliveries}`,
        'x-atlassian-webhook-flow': 'Primary',
      }
      if (hook.secret && !deliveryOptions.unsigned) {
        headers['x-hub-signature'] = `sha256=${createHmac('sha256', hook.secret).update(body).digest('hex')}`
      }
      // Signed first, changed after: what a man in the middle would send.
      if (deliveryOptions.tamper) body[body.indexOf('"labels"') + 2] ^= 0x20
      try {
        const answer = await fetch(hook.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(20_000) })
        await answer.body?.cancel().catch(() => {})
        statuses.push(answer.status)
      } catch {
        statuses.push(0)
      }
    }
    return statuses
  }

  return {
    provider: 'jira',
    env,
    siteUrl,
    mediaUrl,
    cloudId,
    async addTask(input: FakeTaskInput) {
      const id = String(nextIssue++)
      const projectKey = input.inProject === false ? 'OPS' : 'HIRE'
      const number = [...issues.values()].filter((issue) => issue.projectKey === projectKey).length + 1
      const now = Date.now()
      const issue: Issue = {
        id,
        key: `${projectKey}-${number}`,
        projectKey,
        summary: input.title ?? `Candidate ${id}`,
        labels: [...(input.labels ?? [])],
        creator: input.creator ?? 'Recruiter',
        created: now,
        updated: now,
        attachments: (input.attachments ?? []).map(newAttachment),
        comments: [],
      }
      issues.set(id, issue)
      return view(issue)
    },
    async addAttachment(taskId, attachment) {
      const issue = issueOf(taskId)
      issue.attachments.push(newAttachment(attachment))
      issue.updated = Date.now()
    },
    task: (taskId) => view(issueOf(taskId)),
    webhooks: () => [...hooks.values()].map((hook) => ({ id: hook.id, callbackUrl: hook.url })),
    deliver,
    setDown(value) {
      down = value
    },
    rateLimitNext(count) {
      limited = count
    },
    calls: () => [...served],
    searches: () => searchLog.map((entry) => ({ ...entry })),
    mediaRequests: () => mediaLog.map((entry) => ({ ...entry })),
    tokenRequests: () => tokenCount,
    refreshToken: () => validRefresh,
    expireAccessTokens() {
      for (const token of accessTokens.keys()) accessTokens.set(token, 0)
    },
    webhookSecrets: () => new Map([...hooks.values()].map((hook) => [hook.id, hook.secret])),
    addOtherWebhook(url, name) {
      const hook: Webhook = {
        id: String(nextWebhook++),
        name,
        url,
        events: ['jira:issue_created'],
        filters: {},
        excludeBody: false,
        secret: undefined,
        lastUpdated: Date.now(),
      }
      hooks.set(hook.id, hook)
      return { id: hook.id, callbackUrl: url }
    },
    setUpdated(taskId, at) {
      issueOf(taskId).updated = at.getTime()
    },
    async close() {
      for (const server of [apiServer, mediaServer]) {
        server.closeAllConnections()
        server.close()
      }
    },
  }
}
