// A fake Asana built from Asana's documented contract (OpenAPI spec and
// developer docs; see the README's Asana section): `/api/1.0` paths, `{data}`
// envelopes, `next_page.offset` paging, opt_fields selection, `Bearer` auth with
// Asana's 401 shape, an OAuth2 token endpoint, 429 with Retry-After, and
// webhooks whose X-Hook-Secret handshake is made to the target WHILE the
// POST /webhooks request is in flight, deliveries signed with X-Hook-Signature
// (hex HMAC-SHA256 of the exact bytes sent). Files Asana stores are served by a
// second server (the "attachment host", as S3 / asanausercontent are) under
// pre-signed links that expire; it checks no Authorization and records whether
// one came.
//
// Deliberate differences from Asana: targets on loopback over http are
// accepted (Asana refuses localhost), a failed delivery is not retried, and
// download links carry their expiry in milliseconds so tests can outlive one.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHmac, randomBytes } from 'node:crypto'
import type { FakeAttachment, FakeProvider, FakeTaskInput, FakeTaskView, FakeWebhook } from './fake-provider.ts'

export interface FakeAsanaOptions {
  /** Most items on one page, whatever `limit` asks (default 100): small values exercise paging. */
  pageSize?: number
  /** Configure OAuth2 against the fake's token endpoint instead of a personal access token. */
  oauth?: boolean
  /** Whether the 201 of POST /webhooks repeats the secret next to `data`, as the spec says (default true). */
  secretInCreateAnswer?: boolean
  /** How long a download_url works (default two minutes, as Asana documents). */
  downloadUrlTtlMs?: number
  /** Retry-After of a 429, in seconds (default 1). */
  retryAfterSeconds?: number
}

export interface AttachmentHostRequest {
  path: string
  authorization: string | undefined
}

export interface FakeAsana extends FakeProvider {
  readonly projectId: string
  readonly workspaceId: string
  /** The base URL of the attachment host (http://localhost:port). */
  readonly attachmentHostUrl: string
  /** Sends `{"events":[]}`, signed, to every webhook. */
  heartbeat(): Promise<number[]>
  /** Makes every issued OAuth2 access token invalid, as expiry does. */
  expireAccessTokens(): void
  /** Refresh-token grants answered so far. */
  tokenRefreshes(): number
  /** Requests the attachment host received. */
  attachmentRequests(): AttachmentHostRequest[]
  /** Handshakes made (one per POST /webhooks that reached a target). */
  handshakes(): number
  /** Sets a task's modified_at (to put it on a listing boundary). */
  setModifiedAt(taskId: string, at: Date): void
}

interface Task {
  gid: string
  name: string
  projects: string[]
  tags: string[]
  createdBy: { gid: string; name: string }
  createdAt: string
  modifiedAt: string
  attachments: string[]
  stories: { gid: string; subtype: string; text: string }[]
}

interface Attachment {
  gid: string
  name: string
  host: string
  bytes: Buffer
  mediaType: string | undefined
  parent: string
  createdAt: string
  externalUrl: string | undefined
  downloadUrl: string | undefined
}

interface Webhook {
  gid: string
  resource: string
  target: string
  filters: { resource_type?: string; action?: string }[]
  secret: string
  createdAt: string
}

interface Page<T> {
  data: T[]
  next_page?: { offset: string; path: string; uri: string } | null
}

class HttpError extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

const PREFIX = '/api/1.0'
const PAT = '2/1100000000000009/1200000000000009:fakepersonalaccesstoken'
const CLIENT_ID = '1200000000000077'
const CLIENT_SECRET = 'fake-asana-client-secret'
const REFRESH_TOKEN = '2/1100000000000009/1200000000000088:fakerefreshtoken'

const errors = (message: string) => ({
  errors: [
    {
      message,
      help: 'For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors',
    },
  ],
})

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk)
  return Buffer.concat(chunks)
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body)
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers })
  response.end(text)
}

/** What opt_fields selects: gid always; `a` gives a's compact form; `a.b` gives b of a. */
function select(value: unknown, paths: string[]): unknown {
  if (Array.isArray(value)) return value.map((entry) => select(entry, paths))
  if (value === null || typeof value !== 'object') return value
  const object = value as Record<string, unknown>
  const out: Record<string, unknown> = {}
  if ('gid' in object) out.gid = object.gid
  const groups = new Map<string, string[]>()
  for (const path of paths) {
    const [head, ...rest] = path.split('.')
    if (!groups.has(head!)) groups.set(head!, [])
    if (rest.length > 0) groups.get(head!)!.push(rest.join('.'))
  }
  for (const [head, rest] of groups) {
    if (!(head in object)) continue
    out[head] = rest.length > 0 ? select(object[head], rest) : compact(object[head])
  }
  return out
}

function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(compact)
  if (value === null || typeof value !== 'object' || !('gid' in value)) return value
  const { gid, resource_type, name } = value as Record<string, unknown>
  return name === undefined ? { gid, resource_type } : { gid, resource_type, name }
}

function optFields(url: URL): string[] | undefined {
  const raw = url.searchParams.get('opt_fields')
  return raw
    ? raw
        .split(',')
        .map((field) => field.trim())
        .filter(Boolean)
    : undefined
}

const sign = (secret: string, body: Buffer) => createHmac('sha256', secret).update(body).digest('hex')

export async function startFakeAsana(options: FakeAsanaOptions = {}): Promise<FakeAsana> {
  const pageSize = options.pageSize ?? 100
  const ttlMs = options.downloadUrlTtlMs ?? 120_000
  const retryAfter = options.retryAfterSeconds ?? 1
  const linkKey = randomBytes(16)
  let nextGid = 1300000000000000n
  const gid = () => String(++nextGid)
  const workspaceId = '1100000000000001'
  const projectId = '1200000000000001'
  const otherProjectId = '1200000000000002'
  const projects = new Map([
    [projectId, { gid: projectId, resource_type: 'project', name: 'Hiring' }],
    [otherProjectId, { gid: otherProjectId, resource_type: 'project', name: 'Office' }],
  ])
  const tasks = new Map<string, Task>()
  const tags = new Map<string, { gid: string; name: string }>()
  const attachments = new Map<string, Attachment>()
  const webhooks = new Map<string, Webhook>()
  const offsets = new Map<string, number>()
  const accessTokens = new Set<string>()
  const calls: string[] = []
  const hostRequests: AttachmentHostRequest[] = []
  let down = false
  let rateLimited = 0
  let refreshes = 0
  let handshakes = 0

  const now = () => new Date().toISOString()
  const touch = (task: Task) => (task.modifiedAt = now())

  function tagNamed(name: string): string {
    for (const tag of tags.values()) if (tag.name === name) return tag.gid
    const tag = { gid: gid(), name }
    tags.set(tag.gid, tag)
    return tag.gid
  }

  const workspace = { gid: workspaceId, resource_type: 'workspace', name: 'Acme' }
  const tagJson = (tagGid: string) => ({ gid: tagGid, resource_type: 'tag', name: tags.get(tagGid)!.name, workspace })
  const taskJson = (task: Task) => ({
    gid: task.gid,
    resource_type: 'task',
    resource_subtype: 'default_task',
    name: task.name,
    created_at: task.createdAt,
    modified_at: task.modifiedAt,
    completed: false,
    notes: '',
    permalink_url: `https://app.asana.com/0/${task.projects[0]}/${task.gid}`,
    tags: task.tags.map(tagJson),
    projects: task.projects.map((project) => projects.get(project)),
    memberships: task.projects.map((project) => ({ project: projects.get(project) })),
    created_by: { gid: task.createdBy.gid, resource_type: 'user', name: task.createdBy.name },
    workspace,
  })

  function downloadUrl(attachment: Attachment): string | null {
    if (attachment.downloadUrl) return attachment.downloadUrl
    if (attachment.host !== 'asana') return attachment.externalUrl ?? null
    const expires = Date.now() + ttlMs
    const token = createHmac('sha256', linkKey).update(`${attachment.gid}:${expires}`).digest('hex')
    const hash = createHmac('sha256', linkKey).update(attachment.gid).digest('hex').slice(0, 32)
    return `${attachmentHostUrl}/us1/assets/${workspaceId}/${attachment.gid}/${hash}?e=${expires}&v=0&t=${token}`
  }
  const attachmentJson = (attachment: Attachment) => ({
    gid: attachment.gid,
    resource_type: 'attachment',
    resource_subtype: attachment.host,
    name: attachment.name,
    host: attachment.host,
    created_at: attachment.createdAt,
    download_url: downloadUrl(attachment),
    ...(attachment.host === 'asana' ? { size: attachment.bytes.length } : {}),
    view_url: attachment.host === 'asana' ? null : (attachment.externalUrl ?? null),
    permanent_url: attachment.host === 'asana' ? `https://app.asana.com/app/asana/-/get_asset?asset_id=${attachment.gid}` : null,
    parent: { gid: attachment.parent, resource_type: 'task', resource_subtype: 'default_task', name: tasks.get(attachment.parent)?.name },
  })
  const webhookJson = (webhook: Webhook) => ({
    gid: webhook.gid,
    resource_type: 'webhook',
    resource: compact(projects.get(webhook.resource) ?? { gid: webhook.resource, resource_type: 'task' }),
    target: webhook.target,
    active: true,
    is_workspace_webhook: false,
    created_at: webhook.createdAt,
    last_success_at: null,
    last_failure_at: null,
    last_failure_content: '',
    delivery_retry_count: 0,
    filters: webhook.filters,
  })

  function page<T>(url: URL, all: T[]): Page<T> {
    const rawLimit = url.searchParams.get('limit')
    // Without a limit Asana sends everything it will (about 1,000 objects) and no next_page.
    if (rawLimit === null) return { data: all.slice(0, 1000) }
    const limit = Number(rawLimit)
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new HttpError(400, 'limit: Must be between 1 and 100')
    const offsetToken = url.searchParams.get('offset')
    let start = 0
    if (offsetToken !== null) {
      const known = offsets.get(offsetToken)
      if (known === undefined) throw new HttpError(400, 'offset: Your pagination token is invalid or has expired.')
      start = known
    }
    const size = Math.min(limit, pageSize)
    const data = all.slice(start, start + size)
    if (start + size >= all.length) return { data, next_page: null }
    const offset = randomBytes(12).toString('base64url')
    offsets.set(offset, start + size)
    const next = new URL(url)
    next.searchParams.set('offset', offset)
    const path = `${next.pathname.slice(PREFIX.length)}${next.search}`
    return { data, next_page: { offset, path, uri: `https://app.asana.com/api/1.0${path}` } }
  }

  const project = (url: URL, value: unknown) => {
    const fields = optFields(url)
    return fields ? select(value, fields) : value
  }
  const projectList = (url: URL, values: unknown[]) => {
    const fields = optFields(url)
    return values.map((value) => (fields ? select(value, fields) : compact(value)))
  }

  function taskOf(taskGid: string): Task {
    if (!/^\d+$/.test(taskGid)) throw new HttpError(400, 'task: Not a valid gid')
    const task = tasks.get(taskGid)
    if (!task) throw new HttpError(404, `task: Unknown object: ${taskGid}`)
    return task
  }

  function dataOf(body: Buffer): Record<string, unknown> {
    try {
      const parsed = JSON.parse(body.toString('utf8')) as { data?: unknown }
      if (parsed && typeof parsed.data === 'object' && parsed.data !== null) return parsed.data as Record<string, unknown>
    } catch {
      // answered below
    }
    throw new HttpError(400, 'data: Missing input')
  }

  /** POST /webhooks: the handshake is made to the target before this request is answered, exactly as Asana does. */
  async function createWebhook(data: Record<string, unknown>, url: URL, response: ServerResponse) {
    const resource = String(data.resource ?? '')
    const target = String(data.target ?? '')
    if (!resource) throw new HttpError(400, 'resource: Missing input')
    if (!target) throw new HttpError(400, 'target: Missing input')
    if (!projects.has(resource) && !tasks.has(resource)) throw new HttpError(404, `resource: Unknown object: ${resource}`)
    const filters = Array.isArray(data.filters) ? (data.filters as Webhook['filters']) : []
    const secret = randomBytes(32).toString('hex')
    let echoed: boolean
    try {
      handshakes++
      const answer = await fetch(target, {
        method: 'POST',
        headers: { 'X-Hook-Secret': secret, 'content-type': 'application/json' },
        body: '',
        signal: AbortSignal.timeout(10_000),
        redirect: 'manual',
      })
      await answer.body?.cancel().catch(() => {})
      echoed = (answer.status === 200 || answer.status === 204) && answer.headers.get('x-hook-secret') === secret
    } catch {
      echoed = false
    }
    if (!echoed) throw new HttpError(400, 'The remote server did not respond with the handshake secret.')
    const webhook: Webhook = { gid: gid(), resource, target, filters, secret, createdAt: now() }
    webhooks.set(webhook.gid, webhook)
    const body: Record<string, unknown> = { data: project(url, webhookJson(webhook)) }
    if (options.secretInCreateAnswer !== false) body['X-Hook-Secret'] = secret
    send(response, 201, body, { location: `https://app.asana.com/api/1.0/webhooks/${webhook.gid}` })
  }

  async function api(method: string, path: string, url: URL, body: Buffer, response: ServerResponse): Promise<void> {
    let match: RegExpExecArray | null
    if (method === 'GET' && (match = /^\/projects\/([^/]+)$/.exec(path))) {
      const found = projects.get(match[1]!)
      if (!found) throw new HttpError(404, `project: Unknown object: ${match[1]}`)
      return send(response, 200, { data: project(url, { ...found, workspace, archived: false }) })
    }
    if (method === 'GET' && path === '/tasks') {
      const inProject = url.searchParams.get('project')
      if (!inProject) throw new HttpError(400, 'workspace: Missing input')
      const sinceText = url.searchParams.get('modified_since')
      const since = sinceText === null ? -Infinity : Date.parse(sinceText)
      if (Number.isNaN(since)) throw new HttpError(400, 'modified_since: Not a valid date-time')
      const listed = [...tasks.values()].filter((task) => task.projects.includes(inProject) && Date.parse(task.modifiedAt) >= since)
      const result = page(url, listed.map(taskJson))
      return send(response, 200, { ...result, data: projectList(url, result.data) })
    }
    if (method === 'GET' && (match = /^\/tasks\/([^/]+)$/.exec(path))) {
      return send(response, 200, { data: project(url, taskJson(taskOf(match[1]!))) })
    }
    if (method === 'POST' && (match = /^\/tasks\/([^/]+)\/addTag$/.exec(path))) {
      const task = taskOf(match[1]!)
      const tag = String(dataOf(body).tag ?? '')
      if (!tag) throw new HttpError(400, 'tag: Missing input')
      if (!tags.has(tag)) throw new HttpError(400, `tag: Not a recognized ID: ${tag}`)
      if (!task.tags.includes(tag)) {
        task.tags.push(tag)
        touch(task)
      }
      return send(response, 200, { data: {} })
    }
    if (method === 'POST' && (match = /^\/tasks\/([^/]+)\/stories$/.exec(path))) {
      const task = taskOf(match[1]!)
      const data = dataOf(body)
      if (typeof data.text !== 'string' || data.text === '') throw new HttpError(400, 'text: Missing input')
      const story = { gid: gid(), subtype: 'comment_added', text: data.text }
      task.stories.push(story)
      touch(task)
      return send(response, 201, {
        data: {
          gid: story.gid,
          resource_type: 'story',
          resource_subtype: 'comment_added',
          created_at: now(),
          text: story.text,
          type: 'comment',
        },
      })
    }
    if (method === 'GET' && path === '/attachments') {
      const parent = url.searchParams.get('parent')
      if (!parent) throw new HttpError(400, 'parent: Missing input')
      const task = taskOf(parent)
      const result = page(
        url,
        task.attachments.map((attachmentGid) => attachmentJson(attachments.get(attachmentGid)!)),
      )
      return send(response, 200, { ...result, data: projectList(url, result.data) })
    }
    if (method === 'GET' && (match = /^\/attachments\/([^/]+)$/.exec(path))) {
      const attachment = attachments.get(match[1]!)
      if (!attachment) throw new HttpError(404, `attachment: Unknown object: ${match[1]}`)
      return send(response, 200, { data: project(url, attachmentJson(attachment)) })
    }
    if (method === 'GET' && (match = /^\/workspaces\/([^/]+)\/tags$/.exec(path))) {
      if (match[1] !== workspaceId) throw new HttpError(404, `workspace: Unknown object: ${match[1]}`)
      const result = page(url, [...tags.keys()].map(tagJson))
      return send(response, 200, { ...result, data: projectList(url, result.data) })
    }
    if (method === 'POST' && (path === '/tags' || (match = /^\/workspaces\/([^/]+)\/tags$/.exec(path)))) {
      const data = dataOf(body)
      const inWorkspace = path === '/tags' ? String(data.workspace ?? '') : match![1]
      if (!inWorkspace) throw new HttpError(400, 'workspace: Missing input')
      if (inWorkspace !== workspaceId) throw new HttpError(404, `workspace: Unknown object: ${inWorkspace}`)
      if (typeof data.name !== 'string' || !data.name) throw new HttpError(400, 'name: Missing input')
      // Asana does not keep tag names unique: creating twice makes two tags.
      const tag = { gid: gid(), name: data.name }
      tags.set(tag.gid, tag)
      return send(response, 201, { data: tagJson(tag.gid) })
    }
    if (method === 'POST' && path === '/webhooks') return createWebhook(dataOf(body), url, response)
    if (method === 'GET' && path === '/webhooks') {
      const inWorkspace = url.searchParams.get('workspace')
      if (!inWorkspace) throw new HttpError(400, 'workspace: Missing input')
      const resource = url.searchParams.get('resource')
      const listed = [...webhooks.values()].filter((webhook) => inWorkspace === workspaceId && (!resource || webhook.resource === resource))
      const result = page(url, listed.map(webhookJson))
      return send(response, 200, { ...result, data: projectList(url, result.data) })
    }
    if ((match = /^\/webhooks\/([^/]+)$/.exec(path)) && (method === 'GET' || method === 'DELETE')) {
      const webhook = webhooks.get(match[1]!)
      if (!webhook) throw new HttpError(404, `webhook: Unknown object: ${match[1]}`)
      if (method === 'GET') return send(response, 200, { data: project(url, webhookJson(webhook)) })
      webhooks.delete(webhook.gid)
      return send(response, 200, { data: {} })
    }
    throw new HttpError(404, 'No matching route for request')
  }

  function token(body: Buffer, response: ServerResponse) {
    const form = new URLSearchParams(body.toString('utf8'))
    if (form.get('client_id') !== CLIENT_ID || form.get('client_secret') !== CLIENT_SECRET) {
      return send(response, 401, { error: 'invalid_client', error_description: 'The client is not authorized.' })
    }
    if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== REFRESH_TOKEN) {
      return send(response, 400, { error: 'invalid_grant', error_description: 'The refresh token is not valid.' })
    }
    refreshes++
    const access = `2/1100000000000009/${gid()}:fakeaccesstoken${refreshes}`
    accessTokens.add(access)
    // Asana's refresh tokens do not rotate: a refresh answer carries no refresh_token.
    send(response, 200, {
      access_token: access,
      token_type: 'bearer',
      expires_in: 3600,
      data: { id: 1100000000000009, gid: '1100000000000009', name: 'Hiring Bot', email: 'hiring-bot@example.com' },
    })
  }

  const apiServer: Server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://fake-asana')
      const body = await readBody(request)
      if (request.method === 'POST' && url.pathname === '/-/oauth_token') return token(body, response)
      if (!url.pathname.startsWith(`${PREFIX}/`)) return send(response, 404, errors('No matching route for request'))
      const path = url.pathname.slice(PREFIX.length)
      const method = request.method ?? 'GET'
      calls.push(`${method} ${path}`)
      if (down) return send(response, 503, { errors: [{ message: 'Server Error', phrase: '6 sad squid snuggle softly' }] })
      const credential = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1]
      if (!credential || (credential !== PAT && !accessTokens.has(credential))) return send(response, 401, errors('Not Authorized'))
      if (rateLimited > 0) {
        rateLimited--
        return send(
          response,
          429,
          errors("You've made too many requests and hit a rate limit. Please retry after the given amount of time."),
          { 'retry-after': String(retryAfter) },
        )
      }
      try {
        await api(method, path, url, body, response)
      } catch (error) {
        if (error instanceof HttpError) return send(response, error.status, errors(error.message))
        send(response, 500, { errors: [{ message: 'Server Error', phrase: '6 sad squid snuggle softly' }] })
      }
    })()
  })

  const fileServer: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://fake-asana-files')
    hostRequests.push({ path: url.pathname, authorization: request.headers.authorization })
    const denied = (message: string) => {
      response.writeHead(403, { 'content-type': 'application/xml' })
      response.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>${message}</Message></Error>`)
    }
    const match = /^\/us1\/assets\/\d+\/(\d+)\/[0-9a-f]+$/.exec(url.pathname)
    const attachment = match ? attachments.get(match[1]!) : undefined
    if (!attachment) return denied('Access Denied')
    const expires = Number(url.searchParams.get('e'))
    const expected = createHmac('sha256', linkKey).update(`${attachment.gid}:${expires}`).digest('hex')
    if (url.searchParams.get('t') !== expected) return denied('Signature does not match')
    if (!(expires > Date.now())) return denied('Request has expired')
    response.writeHead(200, {
      'content-type': attachment.mediaType ?? 'application/octet-stream',
      'content-length': attachment.bytes.length,
      'content-disposition': `attachment; filename="${attachment.name.replace(/["\\]/g, '_')}"`,
    })
    response.end(attachment.bytes)
  })

  const listen = (server: Server) =>
    new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)))
  const apiPort = await listen(apiServer)
  // Another host name than the API's (127.0.0.1), as Asana's files live on other hosts than its API.
  const attachmentHostUrl = `http://localhost:${await listen(fileServer)}`
  const apiBase = `http://127.0.0.1:${apiPort}`

  function addAttachmentTo(task: Task, input: FakeAttachment) {
    const attachment: Attachment = {
      gid: gid(),
      name: input.filename,
      host: input.externalUrl ? 'gdrive' : 'asana',
      bytes: input.bytes,
      mediaType: input.mediaType,
      parent: task.gid,
      createdAt: now(),
      externalUrl: input.externalUrl,
      downloadUrl: input.downloadUrl,
    }
    attachments.set(attachment.gid, attachment)
    task.attachments.push(attachment.gid)
    task.stories.push({ gid: gid(), subtype: 'attachment_added', text: `attached ${input.filename}` })
    touch(task)
  }

  const view = (task: Task): FakeTaskView => ({
    id: task.gid,
    labels: task.tags.map((tag) => tags.get(tag)!.name),
    comments: task.stories.filter((story) => story.subtype === 'comment_added').map((story) => story.text),
  })

  const matches = (webhook: Webhook, event: { action: string; resource: { resource_type: string } }) =>
    webhook.filters.length === 0 ||
    webhook.filters.some(
      (filter) => filter.resource_type === event.resource.resource_type && (!filter.action || filter.action === event.action),
    )

  async function post(webhook: Webhook, body: Buffer, signature: string | undefined): Promise<number> {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (signature !== undefined) headers['X-Hook-Signature'] = signature
    try {
      const answer = await fetch(webhook.target, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) })
      await answer.body?.cancel().catch(() => {})
      return answer.status
    } catch {
      return 0
    }
  }

  const env: Record<string, string> = {
    TASK_MANAGER: 'asana',
    TASK_MANAGER_BASE_URL: `${apiBase}${PREFIX}`,
    HIRING_PROJECT_ID: projectId,
    TASK_MANAGER_ATTACHMENT_HOSTS: 'localhost',
    ...(options.oauth
      ? {
          TASK_MANAGER_TOKEN_ENDPOINT: `${apiBase}/-/oauth_token`,
          TASK_MANAGER_CLIENT_ID: CLIENT_ID,
          TASK_MANAGER_CLIENT_SECRET: CLIENT_SECRET,
          TASK_MANAGER_REFRESH_TOKEN: REFRESH_TOKEN,
        }
      : { TASK_MANAGER_TOKEN: PAT }),
  }

  return {
    provider: 'asana',
    env,
    projectId,
    workspaceId,
    attachmentHostUrl,
    async addTask(input: FakeTaskInput) {
      const at = now()
      const task: Task = {
        gid: gid(),
        name: input.title ?? 'Candidate',
        projects: [input.inProject === false ? otherProjectId : projectId],
        tags: (input.labels ?? []).map(tagNamed),
        createdBy: { gid: '1100000000000042', name: input.creator ?? 'Robin Recruiter' },
        createdAt: at,
        modifiedAt: at,
        attachments: [],
        stories: [],
      }
      tasks.set(task.gid, task)
      for (const attachment of input.attachments ?? []) addAttachmentTo(task, attachment)
      return view(task)
    },
    async addAttachment(taskId, attachment) {
      addAttachmentTo(taskOf(taskId), attachment)
    },
    task: (taskId) => view(taskOf(taskId)),
    webhooks: (): FakeWebhook[] => [...webhooks.values()].map((webhook) => ({ id: webhook.gid, callbackUrl: webhook.target })),
    async deliver(taskId, deliveryOptions = {}) {
      const task = taskOf(taskId)
      const user = { gid: task.createdBy.gid, resource_type: 'user' }
      const story = task.stories.at(-1)
      const events = [
        {
          user,
          created_at: now(),
          action: 'changed',
          resource: { gid: task.gid, resource_type: 'task', resource_subtype: 'default_task' },
          parent: null,
          change: { field: 'modified_at', action: 'changed' },
        },
        ...(story
          ? [
              {
                user,
                created_at: now(),
                action: 'added',
                resource: { gid: story.gid, resource_type: 'story', resource_subtype: story.subtype },
                parent: { gid: task.gid, resource_type: 'task', resource_subtype: 'default_task' },
              },
            ]
          : []),
      ]
      const statuses: number[] = []
      for (const webhook of webhooks.values()) {
        const chosen = events.filter((event) => matches(webhook, event))
        if (chosen.length === 0) continue
        const body = Buffer.from(JSON.stringify({ events: chosen }))
        const signature = deliveryOptions.unsigned ? undefined : sign(webhook.secret, body)
        // Tampering sends other bytes under the signature of the original: here the delivery is pointed at another task.
        const sent = deliveryOptions.tamper ? Buffer.from(body.toString('utf8').split(task.gid).join('1999999999999999')) : body
        statuses.push(await post(webhook, sent, signature))
      }
      return statuses
    },
    async heartbeat() {
      const body = Buffer.from('{"events":[]}')
      return Promise.all([...webhooks.values()].map((webhook) => post(webhook, body, sign(webhook.secret, body))))
    },
    setDown(value) {
      down = value
    },
    rateLimitNext(count) {
      rateLimited = count
    },
    calls: () => [...calls],
    expireAccessTokens: () => accessTokens.clear(),
    tokenRefreshes: () => refreshes,
    attachmentRequests: () => [...hostRequests],
    handshakes: () => handshakes,
    setModifiedAt(taskId, at) {
      taskOf(taskId).modifiedAt = at.toISOString()
    },
    async close() {
      apiServer.closeAllConnections()
      fileServer.closeAllConnections()
      await Promise.all([new Promise((resolve) => apiServer.close(resolve)), new Promise((resolve) => fileServer.close(resolve))])
    },
  }
}
