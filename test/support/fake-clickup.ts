// A fake ClickUp API v2, built from ClickUp's documented contract
// (developer.clickup.com and the v2 OpenAPI spec): the personal token in
// Authorization without a scheme, `{"err", "ECODE"}` errors, tasks of a List
// paged by `page` until `last_page` with `tags[]` and `date_updated_gt` (ms),
// attachments only on GET /task/{id} and served from a separate file host,
// tags, comments, webhooks whose creation answers the secret, deliveries
// signed X-Signature = hex HMAC-SHA256(secret, raw body), 429 with the
// X-RateLimit-* headers. Where the docs are silent the fake takes the reading
// that is harder on the client, and says so:
// - adding an attachment fires no webhook and does not move date_updated;
// - a tag must exist in the Space before a task can carry it (spaceTagRequired);
// - a webhook answering a genuine delivery with 401 or 410 is suspended and
//   gets no more deliveries until it is switched on again (PUT status active).
import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FakeAttachment, FakeProvider, FakeTaskInput, FakeTaskView, FakeWebhook } from './fake-provider.ts'

export interface FakeClickUpOptions {
  /** Tasks a page of GET /list/{id}/task (ClickUp: 100). Small values exercise paging. */
  pageSize?: number
  /** Workspaces GET /team lists (default 1; with more, TASK_MANAGER_TEAM_ID is needed). */
  teams?: number
  /** Tagging a task with a tag its Space does not have fails (default true: the stricter reading). */
  spaceTagRequired?: boolean
  /** The Workspace setting "Private Attachment Links": files need the token (default off, as in ClickUp). */
  privateLinks?: boolean
  /** The file host's name: `localhost` (default) or `127.0.0.1`, the API's own host. */
  attachmentHost?: 'localhost' | '127.0.0.1'
  /** Send X-RateLimit-Reset in milliseconds instead of seconds (the unit is not documented). */
  rateLimitResetInMs?: boolean
  /** Several `tags[]`: task must carry all of them, or any (not documented; default any). */
  tagsMatch?: 'any' | 'all'
}

interface StoredAttachment {
  id: string
  title: string
  bytes: Buffer | null
  mimetype: string | null
  url: string
  date: number
}

interface StoredTask {
  id: string
  seq: number
  name: string
  tags: string[]
  listId: string
  creator: { id: number; username: string; email: string }
  dateCreated: number
  dateUpdated: number
  attachments: StoredAttachment[]
  comments: string[]
}

interface StoredWebhook {
  id: string
  endpoint: string
  events: string[] | string
  listId: number | string | null
  secret: string
  status: 'active' | 'failing' | 'suspended'
  failCount: number
}

export interface FileRequest {
  path: string
  authorization: string | undefined
}

export interface FakeClickUp extends FakeProvider {
  readonly token: string
  readonly teamId: string
  readonly listId: string
  readonly spaceId: string
  readonly apiUrl: string
  /** Requests the file host got. */
  fileRequests(): FileRequest[]
  /** The stored webhook, secret and health included. */
  webhook(id: string): StoredWebhook | undefined
  /** Moves date_updated as any edit of the task would. */
  touch(taskId: string): void
  /** Tags of the Space. */
  spaceTags(): string[]
  deliver(taskId: string, options?: { tamper?: boolean; unsigned?: boolean; event?: string }): Promise<number[]>
}

const TEAM_ID = '9012000001'
const LIST_ID = '901200345678'
const OTHER_LIST_ID = '901200999999'
const SPACE_ID = '90120000111'
const DELIVERY_TIMEOUT_MS = 7_000

type Json = Record<string, unknown>

const error = (err: string, ECODE: string) => ({ err, ECODE })

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers })
  response.end(JSON.stringify(body))
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return (server.address() as AddressInfo).port
}

const taskId = () => `86${randomBytes(5).toString('hex').slice(0, 7)}`
const secret = () =>
  randomBytes(48)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .toUpperCase()
    .slice(0, 64)

export async function startFakeClickUp(options: FakeClickUpOptions = {}): Promise<FakeClickUp> {
  const pageSize = options.pageSize ?? 100
  const token = `pk_4201_${randomBytes(16).toString('hex').toUpperCase()}`
  const tasks = new Map<string, StoredTask>()
  const webhooks = new Map<string, StoredWebhook>()
  const spaceTags = new Map<string, { name: string; tag_fg: string; tag_bg: string }>()
  const calls: string[] = []
  const fileRequests: FileRequest[] = []
  let down = false
  let rateLimited = 0
  let seq = 0
  let historyId = 2800797048554170000n

  // --- the file host (t{team}.p.clickup-attachments.com in production) ---
  const files = new Map<string, StoredAttachment>()
  const fileServer = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://files').pathname
    fileRequests.push({ path, authorization: request.headers.authorization })
    const file = files.get(path)
    if (!file?.bytes) return send(response, 404, error('Not found', 'ATTCH_404'))
    if (options.privateLinks && request.headers.authorization !== token) {
      return send(response, 401, error('Private attachment: log in to the Workspace', 'ATTCH_401'))
    }
    response.writeHead(200, { 'content-type': file.mimetype ?? 'application/octet-stream', 'content-length': file.bytes.length })
    response.end(file.bytes)
  })
  const filePort = await listen(fileServer)
  const fileHost = options.attachmentHost ?? 'localhost'

  const taskJson = (task: StoredTask, withAttachments: boolean): Json => ({
    id: task.id,
    custom_id: null,
    custom_item_id: null,
    name: task.name,
    text_content: '',
    description: '',
    status: { id: 'c90120000111_open', status: 'to do', color: '#d3d3d3', orderindex: 0, type: 'open' },
    orderindex: `${task.seq}.00000000000000000000000000000000`,
    date_created: String(task.dateCreated),
    date_updated: String(task.dateUpdated),
    date_closed: null,
    date_done: null,
    archived: false,
    creator: { ...task.creator, color: '#4169E1', profilePicture: null },
    assignees: [],
    watchers: [],
    checklists: [],
    tags: task.tags.map((name) => ({ name, tag_fg: '#800000', tag_bg: '#2ecd6f', creator: task.creator.id })),
    parent: null,
    priority: null,
    due_date: null,
    start_date: null,
    points: null,
    time_estimate: null,
    time_spent: 0,
    custom_fields: [],
    dependencies: [],
    linked_tasks: [],
    team_id: TEAM_ID,
    url: `https://app.clickup.com/t/${task.id}`,
    permission_level: 'create',
    list: { id: task.listId, name: task.listId === LIST_ID ? 'Hiring' : 'Other', access: true },
    project: { id: '90120000222', name: 'Recruiting', hidden: false, access: true },
    folder: { id: '90120000222', name: 'Recruiting', hidden: false, access: true },
    space: { id: SPACE_ID },
    ...(withAttachments
      ? {
          attachments: task.attachments.map((attachment) => ({
            id: attachment.id,
            date: String(attachment.date),
            title: attachment.title,
            type: 1,
            source: 1,
            version: 0,
            extension: attachment.title.split('.').pop() ?? '',
            thumbnail_small: null,
            thumbnail_medium: null,
            thumbnail_large: null,
            is_folder: null,
            mimetype: attachment.mimetype,
            hidden: false,
            parent_id: task.id,
            size: attachment.bytes?.length ?? 0,
            total_comments: 0,
            resolved_comments: 0,
            user: { id: task.creator.id, username: task.creator.username, email: task.creator.email },
            deleted: false,
            orientation: null,
            email_data: null,
            url: attachment.url,
            url_w_query: `${attachment.url}?view=open`,
            url_w_host: attachment.url,
          })),
        }
      : {}),
  })

  const webhookJson = (webhook: StoredWebhook): Json => ({
    id: webhook.id,
    userid: 183,
    team_id: Number(TEAM_ID),
    endpoint: webhook.endpoint,
    client_id: 'QVOQP06ZXC6CMGVFKB0ZT7J9Y7APOYGO',
    events: webhook.events,
    task_id: null,
    list_id: webhook.listId,
    folder_id: null,
    space_id: null,
    health: { status: webhook.status, fail_count: webhook.failCount },
    secret: webhook.secret,
  })

  const storeAttachment = (task: StoredTask, input: FakeAttachment): StoredAttachment => {
    const extension = input.filename.includes('.') ? input.filename.split('.').pop()! : 'bin'
    const uuid = randomUUID()
    const path = `/t${TEAM_ID}/${uuid}/${encodeURIComponent(input.filename)}`
    const url = input.externalUrl ?? input.downloadUrl ?? `http://${fileHost}:${filePort}${path}`
    const attachment: StoredAttachment = {
      id: `${uuid}.${extension}`,
      title: input.filename,
      bytes: input.externalUrl ? null : input.bytes,
      mimetype: input.externalUrl ? null : (input.mediaType ?? null),
      url,
      date: Date.now(),
    }
    if (!input.externalUrl && !input.downloadUrl) files.set(path, attachment)
    task.attachments.push(attachment)
    return attachment
  }

  const tagTask = (task: StoredTask, name: string) => {
    if (task.tags.includes(name)) return
    task.tags.push(name)
    task.dateUpdated = Date.now()
  }

  async function api(method: string, parts: string[], url: URL, body: Json | undefined, response: ServerResponse): Promise<void> {
    const route = `${method} ${parts.map((part, i) => (i % 2 === 1 ? ':' : part)).join('/')}`
    const task = parts[0] === 'task' ? tasks.get(parts[1] ?? '') : undefined
    const taskMissing = () => send(response, 404, error('Task not found, deleted', 'ITEM_013'))

    switch (route) {
      case 'GET team': {
        const teams = Array.from({ length: options.teams ?? 1 }, (_, i) => ({
          id: i === 0 ? TEAM_ID : String(Number(TEAM_ID) + i),
          name: i === 0 ? 'Acme Hiring' : `Workspace ${i}`,
          color: '#000000',
          avatar: null,
          members: [],
        }))
        return send(response, 200, { teams })
      }
      case 'GET list/:': {
        const id = parts[1]!
        if (id !== LIST_ID && id !== OTHER_LIST_ID) return send(response, 404, error('List not found', 'ITEM_015'))
        return send(response, 200, { id, name: id === LIST_ID ? 'Hiring' : 'Other', space: { id: SPACE_ID } })
      }
      case 'GET list/:/task': {
        const id = parts[1]!
        if (id !== LIST_ID && id !== OTHER_LIST_ID) return send(response, 404, error('List not found', 'ITEM_015'))
        const page = Number(url.searchParams.get('page') ?? '0')
        if (!Number.isInteger(page) || page < 0) return send(response, 400, error('Page must be an integer', 'PAGE_001'))
        const wanted = url.searchParams.getAll('tags[]')
        const updatedGt = url.searchParams.get('date_updated_gt')
        if (updatedGt !== null && !/^\d+$/.test(updatedGt)) return send(response, 400, error('date_updated_gt must be ms', 'INPUT_002'))
        const matches = [...tasks.values()]
          .filter((task) => task.listId === id)
          .filter((task) => {
            if (wanted.length === 0) return true
            const has = (tag: string) => task.tags.includes(tag)
            return options.tagsMatch === 'all' ? wanted.every(has) : wanted.some(has)
          })
          .filter((task) => updatedGt === null || task.dateUpdated > Number(updatedGt))
          .sort((a, b) => b.dateCreated - a.dateCreated || b.seq - a.seq)
        if (url.searchParams.get('reverse') === 'true') matches.reverse()
        const slice = matches.slice(page * pageSize, (page + 1) * pageSize)
        return send(response, 200, {
          tasks: slice.map((task) => taskJson(task, false)),
          last_page: (page + 1) * pageSize >= matches.length,
        })
      }
      case 'GET task/:':
        return task ? send(response, 200, taskJson(task, true)) : taskMissing()
      case 'POST task/:/tag/:': {
        if (!task) return taskMissing()
        const name = parts[3]!.toLowerCase()
        if (options.spaceTagRequired !== false && !spaceTags.has(name)) {
          return send(response, 400, error('Tag not found in the Space', 'TAG_004'))
        }
        tagTask(task, name)
        return send(response, 200, {})
      }
      case 'POST task/:/comment': {
        if (!task) return taskMissing()
        if (typeof body?.comment_text !== 'string' || typeof body.notify_all !== 'boolean') {
          return send(response, 400, error('comment_text and notify_all are required', 'INPUT_005'))
        }
        task.comments.push(body.comment_text)
        return send(response, 200, { id: String(90000 + task.comments.length), hist_id: String(historyId++), date: Date.now() })
      }
      case 'GET space/:/tag':
        if (parts[1] !== SPACE_ID) return send(response, 404, error('Space not found', 'ITEM_016'))
        return send(response, 200, { tags: [...spaceTags.values()] })
      case 'POST space/:/tag': {
        if (parts[1] !== SPACE_ID) return send(response, 404, error('Space not found', 'ITEM_016'))
        const tag = body?.tag as { name?: unknown; tag_fg?: unknown; tag_bg?: unknown } | undefined
        if (typeof tag?.name !== 'string' || typeof tag.tag_fg !== 'string' || typeof tag.tag_bg !== 'string') {
          return send(response, 400, error('tag name, tag_fg and tag_bg are required', 'INPUT_006'))
        }
        const name = tag.name.toLowerCase()
        if (spaceTags.has(name)) return send(response, 400, error('Tag already exists', 'TAG_002'))
        spaceTags.set(name, { name, tag_fg: tag.tag_fg, tag_bg: tag.tag_bg })
        return send(response, 200, {})
      }
      case 'GET team/:/webhook':
      case 'POST team/:/webhook': {
        if (parts[1] !== TEAM_ID) return send(response, 401, error('Team not authorized', 'OAUTH_027'))
        if (method === 'GET') return send(response, 200, { webhooks: [...webhooks.values()].map(webhookJson) })
        const events = body?.events
        const validEvents = events === '*' || (Array.isArray(events) && events.length > 0 && events.every((e) => typeof e === 'string'))
        if (typeof body?.endpoint !== 'string' || !validEvents) {
          return send(response, 400, error('endpoint and events are required', 'WEBHOOK_001'))
        }
        const listId = (body.list_id as number | string | undefined) ?? null
        if ([...webhooks.values()].some((w) => w.endpoint === body.endpoint && String(w.listId) === String(listId))) {
          return send(response, 400, error('Webhook configuration already exists', 'OAUTH_171'))
        }
        const webhook: StoredWebhook = {
          id: randomUUID(),
          endpoint: body.endpoint,
          events: events as string[] | string,
          listId,
          secret: secret(),
          status: 'active',
          failCount: 0,
        }
        webhooks.set(webhook.id, webhook)
        return send(response, 200, { id: webhook.id, webhook: webhookJson(webhook) })
      }
      case 'PUT webhook/:': {
        const webhook = webhooks.get(parts[1]!)
        if (!webhook) return send(response, 404, error('Webhook not found', 'WEBHOOK_404'))
        if (typeof body?.endpoint !== 'string' || body.events === undefined || typeof body.status !== 'string') {
          return send(response, 400, error('endpoint, events and status are required', 'WEBHOOK_002'))
        }
        Object.assign(webhook, { endpoint: body.endpoint, events: body.events, status: body.status, failCount: 0 })
        return send(response, 200, { id: webhook.id, webhook: webhookJson(webhook) })
      }
      case 'DELETE webhook/:':
        if (!webhooks.delete(parts[1]!)) return send(response, 404, error('Webhook not found', 'WEBHOOK_404'))
        return send(response, 200, {})
      default:
        return send(response, 404, error('Route not found', 'APP_001'))
    }
  }

  const apiServer = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://api')
    const method = request.method ?? 'GET'
    calls.push(`${method} ${url.pathname}`)
    const raw = await readBody(request)
    if (down) return send(response, 503, error('Service unavailable', 'SERVER_503'))
    if (rateLimited > 0) {
      rateLimited--
      const resetSeconds = Math.ceil(Date.now() / 1000) + 1
      return send(response, 429, error('Rate limit reached', 'APP_002'), {
        'x-ratelimit-limit': '100',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(options.rateLimitResetInMs ? resetSeconds * 1000 : resetSeconds),
      })
    }
    const authorization = request.headers.authorization
    if (!authorization) return send(response, 401, error('Authorization header required', 'OAUTH_017'))
    if (authorization !== token) return send(response, 401, error('Token invalid', 'OAUTH_025'))
    if (!url.pathname.startsWith('/api/v2/')) return send(response, 404, error('Route not found', 'APP_001'))
    let body: Json | undefined
    if (raw.length > 0) {
      if (!/^application\/json/i.test(request.headers['content-type'] ?? '')) {
        return send(response, 400, error('Content-Type must be application/json', 'INPUT_001'))
      }
      try {
        body = JSON.parse(raw.toString('utf8')) as Json
      } catch {
        return send(response, 400, error('Body is not JSON', 'INPUT_003'))
      }
    }
    const parts = url.pathname.slice('/api/v2/'.length).split('/').filter(Boolean).map(decodeURIComponent)
    await api(method, parts, url, body, response)
  })
  const apiPort = await listen(apiServer)
  const apiUrl = `http://127.0.0.1:${apiPort}/api/v2`

  const view = (task: StoredTask): FakeTaskView => ({ id: task.id, labels: [...task.tags], comments: [...task.comments] })

  const fake: FakeClickUp = {
    provider: 'clickup',
    token,
    teamId: TEAM_ID,
    listId: LIST_ID,
    spaceId: SPACE_ID,
    apiUrl,
    env: {
      TASK_MANAGER: 'clickup',
      TASK_MANAGER_BASE_URL: apiUrl,
      TASK_MANAGER_TOKEN: token,
      HIRING_PROJECT_ID: LIST_ID,
      TASK_MANAGER_ATTACHMENT_HOSTS: fileHost,
    },

    async addTask(input: FakeTaskInput) {
      const now = Date.now()
      const creator = input.creator ?? 'Maria Recruiter'
      const task: StoredTask = {
        id: taskId(),
        seq: seq++,
        name: input.title ?? 'Candidate',
        tags: [...new Set((input.labels ?? []).map((label) => label.toLowerCase()))],
        listId: input.inProject === false ? OTHER_LIST_ID : LIST_ID,
        creator: { id: 57040854, username: creator, email: `${creator.toLowerCase().replace(/\W+/g, '.')}@acme.example` },
        dateCreated: now,
        dateUpdated: now,
        attachments: [],
        comments: [],
      }
      tasks.set(task.id, task)
      for (const attachment of input.attachments ?? []) storeAttachment(task, attachment)
      return view(task)
    },

    async addAttachment(id, attachment) {
      const task = tasks.get(id)
      if (!task) throw new Error(`no task ${id}`)
      // ClickUp fires no webhook for this, and the fake does not move date_updated either.
      storeAttachment(task, attachment)
    },

    task(id) {
      const task = tasks.get(id)
      if (!task) throw new Error(`no task ${id}`)
      return view(task)
    },

    touch(id) {
      const task = tasks.get(id)
      if (!task) throw new Error(`no task ${id}`)
      task.dateUpdated = Date.now()
    },

    webhooks(): FakeWebhook[] {
      return [...webhooks.values()].map((webhook) => ({ id: webhook.id, callbackUrl: webhook.endpoint }))
    },

    webhook(id) {
      const webhook = webhooks.get(id)
      return webhook ? { ...webhook } : undefined
    },

    spaceTags() {
      return [...spaceTags.keys()]
    },

    async deliver(id, deliveryOptions = {}) {
      const statuses: number[] = []
      for (const webhook of webhooks.values()) {
        if (webhook.status === 'suspended') continue
        const task = tasks.get(id)
        const payload = {
          event: deliveryOptions.event ?? 'taskUpdated',
          history_items: [
            {
              id: String(historyId++),
              type: 1,
              date: String(Date.now()),
              field: 'tag',
              parent_id: task?.listId ?? LIST_ID,
              data: {},
              source: null,
              user: { id: 183, username: 'John', email: 'john@acme.example', color: '#7b68ee', initials: 'J', profilePicture: null },
              before: null,
              after: (task?.tags ?? []).map((name) => ({ name, tag_fg: '#FF4081', tag_bg: '#FF4081', creator: 2770032 })),
            },
          ],
          task_id: id,
          webhook_id: webhook.id,
        }
        const signed = Buffer.from(JSON.stringify(payload))
        const signature = createHmac('sha256', webhook.secret).update(signed).digest('hex')
        // Tampered: the bytes change after signing (another history date).
        const sent = deliveryOptions.tamper ? Buffer.from(signed.toString('utf8').replace(/"date":"(\d)/, '"date":"9')) : signed
        const headers: Record<string, string> = { 'content-type': 'application/json' }
        if (!deliveryOptions.unsigned) headers['x-signature'] = signature
        let status: number
        try {
          const answer = await fetch(webhook.endpoint, {
            method: 'POST',
            headers,
            body: sent,
            signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
          })
          await answer.body?.cancel().catch(() => {})
          status = answer.status
        } catch {
          status = 0
        }
        statuses.push(status)
        // Only a delivery that really came from ClickUp can hurt the webhook's health.
        if (deliveryOptions.tamper || deliveryOptions.unsigned) continue
        if (status === 401 || status === 410) webhook.status = 'suspended'
        else if (status >= 200 && status < 300) Object.assign(webhook, { status: 'active', failCount: 0 })
        else Object.assign(webhook, { status: 'failing', failCount: webhook.failCount + 1 })
      }
      return statuses
    },

    setDown(value) {
      down = value
    },

    rateLimitNext(count) {
      rateLimited = count
    },

    calls() {
      return [...calls]
    },

    fileRequests() {
      return [...fileRequests]
    },

    async close() {
      for (const server of [apiServer, fileServer]) {
        server.closeAllConnections()
        await new Promise<void>((resolve) => server.close(() => resolve()))
      }
    },
  }
  return fake
}
