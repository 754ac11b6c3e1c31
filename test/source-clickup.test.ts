// The ClickUp source against a fake ClickUp built from ClickUp's documented
// contract: the shared intake-source contract, then what is ClickUp's own:
// X-Signature over the raw bytes (no time is signed, so a replay verifies),
// webhooks registered once per list and switched on again after ClickUp
// suspended them, page/last_page paging per filter tag, the walk over
// unprocessed tasks that finds an attachment added without any webhook,
// attachment links opened without the token unless ClickUp asks for it, the
// Space tag created before tagging, and X-RateLimit-Reset in either unit.
import t from 'tap'
import { createHmac } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseRateLimitReset } from '../src/net/http-client.ts'
import type { SourceItem, WebhookDelivery } from '../src/ports/intake-source.ts'
import { updateSourceState } from '../src/sources/state.ts'
import { startFakeClickUp, type FakeClickUp, type FakeClickUpOptions } from './support/fake-clickup.ts'
import { hookRoute, intakeSourceContract, openSource, type OpenedSource } from './support/source-contract.ts'

type Tap = Parameters<Parameters<typeof t.test>[0]>[0]

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n')

async function fakeFor(t: Tap, options: FakeClickUpOptions = {}): Promise<FakeClickUp> {
  const fake = await startFakeClickUp(options)
  t.teardown(() => fake.close())
  return fake
}

async function opened(t: Tap, options: FakeClickUpOptions = {}, env: Record<string, string> = {}) {
  const fake = await fakeFor(t, options)
  const result = openSource(fake, env)
  t.teardown(() => result.candidates.close())
  return { ...result, fake }
}

async function allChanges(source: OpenedSource['source'], since: Date): Promise<string[]> {
  const ids: string[] = []
  let page: string | null = null
  do {
    const result = await source.listChanges(since, page)
    ids.push(...result.changes.map((change) => change.id))
    page = result.nextPage
  } while (page)
  return ids
}

/** Registers as the API route does: the registration, secret included, is stored beside the candidates. */
async function register(opened: OpenedSource, callbackUrl: string) {
  const registration = await opened.source.registerWebhook(callbackUrl, async () => null)
  await updateSourceState(opened.candidates, 'clickup', (state) => ({
    ...state,
    webhooks: [...state.webhooks.filter((webhook) => webhook.id !== registration.id), registration],
  }))
  return registration
}

const sign = (secret: string, body: Buffer | string) => createHmac('sha256', secret).update(body).digest('hex')

const delivery = (rawBody: Buffer, signature?: string): WebhookDelivery => ({
  headers: { 'content-type': 'application/json', ...(signature ? { 'x-signature': signature } : {}) },
  query: {},
  rawBody,
  receivedAt: new Date(),
})

/** What the intake made of the task: one candidate. */
const MARKED = { candidateIds: ['candidate-1'], noResume: false }

t.test('the intake-source contract', async (t) => {
  intakeSourceContract(t, (t) => fakeFor(t, { pageSize: 2 }))
})

t.test('calls carry the personal token as it is, without Bearer; a refused token is named by the probe', async (t) => {
  const { source, fake } = await opened(t)
  await source.probe()
  t.same(fake.calls(), [`GET /api/v2/list/${fake.listId}`])
  const wrong = openSource(fake, { TASK_MANAGER_TOKEN: 'pk_4201_NOT_THE_TOKEN' })
  t.teardown(() => wrong.candidates.close())
  await t.rejects(wrong.source.probe(), { message: /token was refused \(OAUTH_025\)/ })
  const missingList = openSource(fake, { HIRING_PROJECT_ID: '901200000404' })
  t.teardown(() => missingList.candidates.close())
  await t.rejects(missingList.source.probe(), { message: /list 901200000404 was not found: check HIRING_PROJECT_ID/ })
})

t.test('a genuine delivery is accepted and names its task; tampered and unsigned ones are refused', async (t) => {
  const { source, fake, candidates } = await opened(t)
  const route = await hookRoute(t, { source, fake, candidates })
  const registration = await register({ source, fake, candidates }, route.url)
  t.match(registration.secret, /^[A-Z0-9]{20,}$/, 'the secret ClickUp answered on creation is returned')
  const task = await fake.addTask({ labels: ['candidate'] })

  t.same(await fake.deliver(task.id), [200])
  const accepted = route.verdicts[0]
  t.equal(accepted?.kind, 'accepted')
  if (accepted?.kind === 'accepted') {
    t.same(accepted.itemIds, [task.id])
    t.match(accepted.deliveryId, new RegExp(`^${registration.id}:\\d+$`), 'ClickUp keys a change by webhook_id:history_item_id')
  }
  t.same(await fake.deliver(task.id, { tamper: true }), [401], 'body changed after signing')
  t.same(await fake.deliver(task.id, { unsigned: true }), [401], 'no X-Signature')
  t.same(
    route.verdicts.slice(1).map((verdict) => verdict.kind),
    ['rejected', 'rejected'],
  )

  const genuine = route.deliveries[0]!
  const reserialised = Buffer.from(JSON.stringify(JSON.parse(genuine.rawBody.toString('utf8')), null, 2))
  t.equal(
    source.verifyWebhook({ ...genuine, rawBody: reserialised }, [registration]).kind,
    'rejected',
    're-serialised JSON: same data, other bytes',
  )
  const forged = delivery(genuine.rawBody, sign('a secret someone guessed', genuine.rawBody))
  t.equal(source.verifyWebhook(forged, [registration]).kind, 'rejected', 'signed with another secret')
  t.equal(source.verifyWebhook(delivery(genuine.rawBody, 'sha256=' + genuine.headers['x-signature']), [registration]).kind, 'rejected')
  t.equal(source.verifyWebhook(genuine, []).kind, 'rejected', 'no secret stored: nothing verifies')
  t.equal(
    source.verifyWebhook(genuine, [registration]).kind,
    'accepted',
    'a replay verifies (ClickUp signs no time); the job is idempotent',
  )
  t.equal(fake.webhook(registration.id)?.status, 'active', 'refusing forgeries never hurt the webhook')
})

t.test('verifyWebhook: the operator secret, events without a task, authentic but unreadable bodies', async (t) => {
  const { source } = await opened(t, {}, { TASK_MANAGER_WEBHOOK_SECRET: 'agreed-out-of-band' })
  const body = Buffer.from('{"event":"taskTagUpdated","task_id":"86abc","webhook_id":"w1","history_items":[{"id":"42"}]}')
  const verdict = source.verifyWebhook(delivery(body, sign('agreed-out-of-band', body)), [])
  t.same(verdict, { kind: 'accepted', itemIds: ['86abc'], deliveryId: 'w1:42' })
  const uppercase = source.verifyWebhook(delivery(body, sign('agreed-out-of-band', body).toUpperCase()), [])
  t.equal(uppercase.kind, 'accepted', 'hex case does not matter')

  const deleted = Buffer.from('{"event":"taskDeleted","task_id":"86abc","webhook_id":"w1"}')
  t.same(source.verifyWebhook(delivery(deleted, sign('agreed-out-of-band', deleted)), []), {
    kind: 'accepted',
    itemIds: [],
    deliveryId: null,
  })
  const listEvent = Buffer.from('{"event":"listUpdated","list_id":"901200345678","webhook_id":"w1"}')
  t.same(source.verifyWebhook(delivery(listEvent, sign('agreed-out-of-band', listEvent)), []).kind, 'accepted')
  // A 401 to ClickUp itself would suspend the webhook: an authentic body we cannot use is accepted and ignored.
  const garbled = Buffer.from('{"event":"taskUpdated","task_')
  t.same(source.verifyWebhook(delivery(garbled, sign('agreed-out-of-band', garbled)), []), {
    kind: 'accepted',
    itemIds: [],
    deliveryId: null,
  })
  t.equal(source.verifyWebhook(delivery(body, 'not-hex'), []).kind, 'rejected')
})

t.test('registering is idempotent; list and delete', async (t) => {
  const { source, fake } = await opened(t)
  const first = await source.registerWebhook('https://hireflow.example.com/webhooks/clickup', async () => null)
  const second = await source.registerWebhook('https://hireflow.example.com/webhooks/clickup', async () => null)
  t.equal(second.id, first.id, 'the existing webhook is returned')
  t.equal(second.secret, first.secret, 'with its secret, which ClickUp lists again')
  t.equal(second.resource, `list:${fake.listId}`)
  t.equal(fake.webhooks().length, 1)
  t.same(fake.webhook(first.id)?.events, ['taskCreated', 'taskUpdated', 'taskTagUpdated', 'taskMoved'])
  t.equal(String(fake.webhook(first.id)?.listId), fake.listId, 'scoped to the hiring list')
  t.equal(fake.calls().filter((call) => call === 'GET /api/v2/team').length, 1, 'the Workspace is looked up once')
  t.equal(fake.calls().filter((call) => call === `POST /api/v2/team/${fake.teamId}/webhook`).length, 1, 'created once')

  t.same(
    (await source.listWebhooks()).map((webhook) => webhook.id),
    [first.id],
  )
  await source.deleteWebhook(first.id)
  t.same(fake.webhooks(), [])
  t.same(await source.listWebhooks(), [])
  await t.resolves(source.deleteWebhook(first.id), 'deleting what is gone is done')
})

t.test('a webhook ClickUp suspended after a 401 is switched on again by registering', async (t) => {
  const { source, fake, candidates } = await opened(t)
  const route = await hookRoute(t, { source, fake, candidates })
  // Registered at ClickUp but its secret never stored: the route cannot verify and answers 401.
  const registration = await source.registerWebhook(route.url, async () => null)
  const task = await fake.addTask({ labels: ['candidate'] })
  t.same(await fake.deliver(task.id), [401])
  t.equal(fake.webhook(registration.id)?.status, 'suspended', 'ClickUp suspends a webhook that answers 401')
  t.same(await fake.deliver(task.id), [], 'and sends it nothing more')

  const again = await register({ source, fake, candidates }, route.url)
  t.equal(again.id, registration.id)
  t.equal(fake.webhook(registration.id)?.status, 'active')
  t.ok(fake.calls().includes(`PUT /api/v2/webhook/${registration.id}`))
  t.same(await fake.deliver(task.id), [200])
})

t.test('the Workspace comes from TASK_MANAGER_TEAM_ID when the token sees several', async (t) => {
  const fake = await fakeFor(t, { teams: 2 })
  const ambiguous = openSource(fake)
  t.teardown(() => ambiguous.candidates.close())
  await t.rejects(ambiguous.source.listWebhooks(), { message: /sees 2 Workspaces; set TASK_MANAGER_TEAM_ID/ })
  const configured = openSource(fake, { TASK_MANAGER_TEAM_ID: fake.teamId })
  t.teardown(() => configured.candidates.close())
  await configured.source.registerWebhook('https://hireflow.example.com/webhooks/clickup', async () => null)
  t.equal(fake.webhooks().length, 1)
})

for (const tagsMatch of ['any', 'all'] as const) {
  t.test(`listChanges pages through every filter tag (several tags[] meaning ${tagsMatch})`, async (t) => {
    const { source, fake } = await opened(t, { pageSize: 2, tagsMatch })
    const since = new Date(Date.now() - 1)
    const wanted = [
      ...(await Promise.all([1, 2, 3, 4, 5].map((n) => fake.addTask({ title: `Candidate ${n}`, labels: ['candidate'] })))),
      await fake.addTask({ title: 'Resume only', labels: ['Resume'] }),
      await fake.addTask({ title: 'Both', labels: ['hiring', 'candidate'] }),
    ].map((task) => task.id)
    await fake.addTask({ title: 'Lunch', labels: ['misc'] })
    await fake.addTask({ title: 'Elsewhere', labels: ['candidate'], inProject: false })
    const ids = await allChanges(source, since)
    t.same([...new Set(ids)].sort(), [...wanted].sort(), 'every tagged task of the list, no other')
    const pages = fake.calls().filter((call) => call === `GET /api/v2/list/${fake.listId}/task`).length
    t.ok(pages >= 4, `several pages were read (${pages})`)
  })
}

t.test('listChanges: "at or after since", and the unprocessed tasks an attachment reached without any webhook', async (t) => {
  const { source, fake } = await opened(t)
  const quiet = await fake.addTask({ title: 'Applied last week', labels: ['candidate'] })
  const done = await fake.addTask({ title: 'Seen already', labels: ['candidate'] })
  const doneItem = (await source.getItem(done.id))!
  await source.markProcessed(doneItem, MARKED)
  await sleep(20)
  const boundary = await fake.addTask({ title: 'On the boundary', labels: ['candidate'] })
  const since = new Date((await source.getItem(boundary.id))!.updatedAt)

  await fake.addAttachment(quiet.id, { filename: 'cv.pdf', bytes: PDF, mediaType: 'application/pdf' })
  t.ok(Date.parse((await source.getItem(quiet.id))!.updatedAt) < since.getTime(), 'the attachment did not move date_updated')
  const ids = await allChanges(source, since)
  t.ok(ids.includes(boundary.id), 'a task updated exactly at since is listed')
  t.ok(ids.includes(quiet.id), 'an unprocessed task is listed whenever it changed')
  t.notOk(ids.includes(done.id), 'a processed task that did not change is not')
})

t.test('markProcessed creates the processed tag in the Space first, once, even when two workers race', async (t) => {
  const { source, fake } = await opened(t)
  const first = await fake.addTask({ labels: ['candidate'] })
  const second = await fake.addTask({ labels: ['candidate'] })
  const other = openSource(fake)
  t.teardown(() => other.candidates.close())
  const [a, b] = await Promise.all([source.getItem(first.id), other.source.getItem(second.id)])
  await Promise.all([source.markProcessed(a!, MARKED), other.source.markProcessed(b!, MARKED)])
  t.same(fake.spaceTags(), ['hireflow-processed'])
  t.same(fake.task(first.id).labels, ['candidate', 'hireflow-processed'])
  t.same(fake.task(second.id).labels, ['candidate', 'hireflow-processed'])
  t.equal(
    fake.calls().filter((call) => call === `POST /api/v2/space/${fake.spaceId}/tag`).length,
    2,
    'both tried; "already exists" tolerated',
  )

  const third = await fake.addTask({ labels: ['candidate'] })
  const thirdItem = (await source.getItem(third.id))!
  const before = fake.calls().length
  await source.markProcessed(thirdItem, MARKED)
  t.same(
    fake.calls().slice(before),
    [`POST /api/v2/task/${third.id}/tag/hireflow-processed`],
    'a Space known to have the tag is not asked again',
  )
})

t.test('commenting on or tagging a task that is gone is a permanent failure', async (t) => {
  const { source } = await opened(t)
  await t.rejects(source.comment('86gone00', 'hireflow: candidate screened'), { name: 'PermanentSourceError' })
  const ghost: SourceItem = {
    id: '86gone00',
    url: null,
    title: null,
    sender: null,
    labels: ['candidate'],
    updatedAt: new Date().toISOString(),
    inScope: true,
    processed: false,
    requisitionId: null,
    attachments: [],
  }
  await t.rejects(source.markProcessed(ghost, MARKED), { name: 'PermanentSourceError' })
})

t.test('getItem: requisition tag, creator, dates', async (t) => {
  const { source, fake } = await opened(t)
  const task = await fake.addTask({ title: 'Ana Lima', labels: ['candidate', 'requisition:backend-7'], creator: 'Maria Recruiter' })
  const item = (await source.getItem(task.id))!
  t.equal(item.requisitionId, 'backend-7')
  t.equal(item.sender, 'maria.recruiter@acme.example')
  t.equal(item.url, `https://app.clickup.com/t/${task.id}`)
  t.ok(Date.parse(item.updatedAt) > Date.now() - 60_000)
})

t.test('attachments: public links fetched without the token; private links retried with it on ClickUp hosts only', async (t) => {
  const open = await opened(t)
  const task = await open.fake.addTask({ labels: ['candidate'], attachments: [{ filename: 'cv.pdf', bytes: PDF }] })
  const item = (await open.source.getItem(task.id))!
  t.same(await open.source.downloadAttachment(item, item.attachments[0]!, { maxBytes: 1_000 }), PDF)
  t.same(
    open.fake.fileRequests().map((request) => request.authorization),
    [undefined],
    'no credentials to the file host',
  )

  const privateLinks = await opened(t, { privateLinks: true, attachmentHost: '127.0.0.1' })
  const secret = await privateLinks.fake.addTask({ labels: ['candidate'], attachments: [{ filename: 'cv.pdf', bytes: PDF }] })
  const secretItem = (await privateLinks.source.getItem(secret.id))!
  t.same(await privateLinks.source.downloadAttachment(secretItem, secretItem.attachments[0]!, { maxBytes: 1_000 }), PDF)
  t.same(
    privateLinks.fake.fileRequests().map((request) => request.authorization),
    [undefined, privateLinks.fake.token],
    'asked without, then with the token',
  )

  const thirdParty = await opened(t, { privateLinks: true })
  const elsewhere = await thirdParty.fake.addTask({ labels: ['candidate'], attachments: [{ filename: 'cv.pdf', bytes: PDF }] })
  const elsewhereItem = (await thirdParty.source.getItem(elsewhere.id))!
  await t.rejects(thirdParty.source.downloadAttachment(elsewhereItem, elsewhereItem.attachments[0]!, { maxBytes: 1_000 }), {
    name: 'DownloadRefusedError',
    status: 401,
  })
  t.notOk(
    thirdParty.fake.fileRequests().some((request) => request.authorization),
    'a host that is not ClickUp never sees the token',
  )
})

t.test('attachments at a link-local address are refused; cloud-drive links are recorded, never fetched', async (t) => {
  const { source, fake } = await opened(t)
  const task = await fake.addTask({
    labels: ['candidate'],
    attachments: [
      { filename: 'cv.pdf', bytes: PDF, downloadUrl: 'http://169.254.169.254/latest/meta-data/iam' },
      { filename: 'cv2.pdf', bytes: PDF, downloadUrl: 'https://files.attacker.example/cv2.pdf' },
      { filename: 'Portfolio.pdf', bytes: PDF, externalUrl: 'https://drive.google.com/file/d/1AbC/view' },
    ],
  })
  const item = (await source.getItem(task.id))!
  t.same(
    item.attachments.map((attachment) => attachment.externalUrl),
    [null, null, 'https://drive.google.com/file/d/1AbC/view'],
  )
  await t.rejects(source.downloadAttachment(item, item.attachments[0]!, { maxBytes: 1_000 }), {
    name: 'DownloadRefusedError',
    reason: 'private_address',
  })
  await t.rejects(source.downloadAttachment(item, item.attachments[1]!, { maxBytes: 1_000 }), {
    name: 'DownloadRefusedError',
    reason: 'host_not_allowed',
  })
  await t.rejects(source.downloadAttachment(item, item.attachments[2]!, { maxBytes: 1_000 }), { name: 'PermanentSourceError' })
  t.same(fake.fileRequests(), [])
})

t.test('X-RateLimit-Reset in milliseconds is waited out like seconds', async (t) => {
  t.equal(parseRateLimitReset(String(1_700_000_002_000), 1_700_000_000_000), 2_000, 'over 1e12: milliseconds')
  const { source, fake } = await opened(t, { rateLimitResetInMs: true })
  const task = await fake.addTask({ labels: ['candidate'] })
  fake.rateLimitNext(1)
  const started = Date.now()
  t.equal((await source.getItem(task.id))?.id, task.id)
  t.ok(Date.now() - started < 5_000)
})
