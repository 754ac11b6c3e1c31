// The Asana source against a fake Asana built from Asana's documented
// contract: the shared intake-source contract, then what is Asana's own: the
// X-Hook-Secret handshake made while registration is in flight, X-Hook-Signature
// on the raw bytes, heartbeats, next_page.offset paging, modified_since
// listings with client-side tag filtering, download links that expire, files
// kept elsewhere, refused attachment hosts and an OAuth2 token renewed once.
import t from 'tap'
import { createHmac } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { WebhookDelivery } from '../src/ports/intake-source.ts'
import { readSourceState, updateSourceState } from '../src/sources/state.ts'
import { hookRoute, intakeSourceContract, openSource, type OpenedSource } from './support/source-contract.ts'
import { startFakeAsana, type FakeAsana, type FakeAsanaOptions } from './support/fake-asana.ts'

type Tap = Parameters<Parameters<typeof t.test>[0]>[0]

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n')

async function fakeFor(t: Tap, options: FakeAsanaOptions = {}): Promise<FakeAsana> {
  const fake = await startFakeAsana(options)
  t.teardown(() => fake.close())
  return fake
}

async function opened(t: Tap, options: FakeAsanaOptions = {}, env: Record<string, string> = {}) {
  const fake = await fakeFor(t, options)
  const result = openSource(fake, env)
  t.teardown(() => result.candidates.close())
  return { ...result, fake }
}

/** Registers as the API/CLI does: the secret the handshake left in the state is offered, the registration stored. */
async function register({ source, candidates }: OpenedSource, callbackUrl: string) {
  const registration = await source.registerWebhook(
    callbackUrl,
    async () => (await readSourceState(candidates, 'asana')).handshake?.secret ?? null,
  )
  await updateSourceState(candidates, 'asana', (state) => {
    const kept = state.webhooks.find((webhook) => webhook.id === registration.id)
    const stored = { ...registration, secret: registration.secret ?? kept?.secret ?? null }
    return { ...state, webhooks: [...state.webhooks.filter((webhook) => webhook.id !== registration.id), stored] }
  })
  return registration
}

async function allChanges(opened: OpenedSource, since: Date) {
  const ids: string[] = []
  let page: string | null = null
  let pages = 0
  do {
    const result = await opened.source.listChanges(since, page)
    ids.push(...result.changes.map((change) => change.id))
    page = result.nextPage
    pages++
  } while (page)
  return { ids, pages }
}

function delivery(body: string | Buffer, headers: Record<string, string | undefined>): WebhookDelivery {
  return { headers, query: {}, rawBody: Buffer.from(body), receivedAt: new Date() }
}

/** What the intake made of the task: one candidate. */
const MARKED = { candidateIds: ['candidate-1'], noResume: false }

t.test('the intake-source contract', (t) => {
  // Two per page: every listing in the contract goes through next_page.offset.
  intakeSourceContract(t, (t) => fakeFor(t, { pageSize: 2 }))
  t.end()
})

t.test('registration: the X-Hook-Secret handshake is answered while POST /webhooks is in flight', async (t) => {
  const asana = await opened(t)
  const route = await hookRoute(t, asana)
  const registration = await register(asana, route.url)
  t.equal(asana.fake.handshakes(), 1)
  const handshake = route.verdicts[0]
  t.equal(handshake?.kind, 'handshake', 'the first call to the route was the handshake, before registration returned')
  if (handshake?.kind !== 'handshake') return
  t.equal(handshake.status, 200)
  t.same(handshake.headers, { 'X-Hook-Secret': handshake.secret }, 'the secret is echoed')
  t.match(handshake.secret, /^[0-9a-f]{64}$/)
  t.equal(registration.secret, handshake.secret, 'the registration carries the secret deliveries are signed with')
  t.equal(registration.callbackUrl, route.url)
  t.equal(registration.resource, asana.fake.projectId)
  t.same(
    asana.fake.webhooks().map((webhook) => webhook.callbackUrl),
    [route.url],
  )
})

t.test('registration takes the secret from the handshake when the answer does not repeat it', async (t) => {
  const asana = await opened(t, { secretInCreateAnswer: false })
  const route = await hookRoute(t, asana)
  const registration = await register(asana, route.url)
  const handshake = route.verdicts[0]
  t.equal(handshake?.kind, 'handshake')
  t.equal(registration.secret, handshake?.kind === 'handshake' ? handshake.secret : 'none')
  const task = await asana.fake.addTask({ labels: ['candidate'] })
  t.same(await asana.fake.deliver(task.id), [200], 'its deliveries verify')
})

t.test('registering twice is idempotent; list and delete', async (t) => {
  const asana = await opened(t)
  const route = await hookRoute(t, asana)
  const first = await register(asana, route.url)
  const second = await register(asana, route.url)
  t.equal(second.id, first.id, 'the existing webhook is returned')
  t.equal(second.secret, null, 'Asana does not reveal the secret again: the caller keeps the stored one')
  t.equal(asana.fake.handshakes(), 1, 'no second registration at Asana')
  t.equal(asana.fake.webhooks().length, 1)
  const listed = await asana.source.listWebhooks()
  t.same(
    listed.map((webhook) => ({ id: webhook.id, callbackUrl: webhook.callbackUrl, resource: webhook.resource })),
    [{ id: first.id, callbackUrl: route.url, resource: asana.fake.projectId }],
  )
  const task = await asana.fake.addTask({ labels: ['candidate'] })
  t.same(await asana.fake.deliver(task.id), [200], 'deliveries still verify with the stored secret')
  await asana.source.deleteWebhook(first.id)
  t.same(asana.fake.webhooks(), [])
  t.same(await asana.source.listWebhooks(), [])
  await t.resolves(asana.source.deleteWebhook(first.id), 'deleting a webhook already gone is done')
})

t.test('deliveries: signed accepted with the task ids; forged, tampered, re-serialised, unsigned rejected', async (t) => {
  const asana = await opened(t)
  const route = await hookRoute(t, asana)
  await register(asana, route.url)
  const { secret } = (await readSourceState(asana.candidates, 'asana')).webhooks[0]!
  const task = await asana.fake.addTask({ labels: ['candidate'], attachments: [{ filename: 'cv.pdf', bytes: PDF }] })

  t.same(await asana.fake.deliver(task.id), [200])
  const accepted = route.verdicts.at(-1)
  t.same(accepted, { kind: 'accepted', itemIds: [task.id], deliveryId: null }, 'a task event and a story on the task name the task once')
  const signed = route.deliveries.at(-1)!

  t.same(await asana.fake.deliver(task.id, { tamper: true }), [401], 'tampered body')
  t.same(await asana.fake.deliver(task.id, { unsigned: true }), [401], 'no signature')
  t.match(route.verdicts.at(-1), { kind: 'rejected', reason: /no X-Hook-Signature/ })

  const registrations = (await readSourceState(asana.candidates, 'asana')).webhooks
  const reserialised = Buffer.from(JSON.stringify(JSON.parse(signed.rawBody.toString('utf8')), null, 2))
  t.match(asana.source.verifyWebhook({ ...signed, rawBody: reserialised }, registrations), { kind: 'rejected' }, 'same data, other bytes')
  t.match(asana.source.verifyWebhook(signed, registrations), { kind: 'accepted' }, 'the exact bytes still verify')
  const forged = createHmac('sha256', 'not-the-secret').update(signed.rawBody).digest('hex')
  t.match(
    asana.source.verifyWebhook(delivery(signed.rawBody, { 'x-hook-signature': forged }), registrations),
    { kind: 'rejected' },
    'forged',
  )
  t.match(
    asana.source.verifyWebhook(delivery(signed.rawBody, { 'x-hook-signature': forged.slice(0, 40) }), registrations),
    { kind: 'rejected' },
    'a short signature',
  )
  t.match(asana.source.verifyWebhook(signed, []), { kind: 'rejected' }, 'no registration, no secret: nothing verifies')

  const body = JSON.stringify({
    events: [
      {
        action: 'added',
        resource: { gid: '1300000000000777', resource_type: 'story' },
        parent: { gid: '1300000000000555', resource_type: 'task' },
      },
      { action: 'changed', resource: { gid: '1300000000000556', resource_type: 'task' }, parent: null },
      { action: 'changed', resource: { gid: asana.fake.projectId, resource_type: 'project' }, parent: null },
    ],
  })
  const own = createHmac('sha256', secret!).update(body).digest('hex')
  t.same(asana.source.verifyWebhook(delivery(body, { 'x-hook-signature': own }), registrations), {
    kind: 'accepted',
    itemIds: ['1300000000000555', '1300000000000556'],
    deliveryId: null,
  })
  const notEvents = '{"hello":"world"}'
  t.match(
    asana.source.verifyWebhook(
      delivery(notEvents, { 'x-hook-signature': createHmac('sha256', secret!).update(notEvents).digest('hex') }),
      registrations,
    ),
    { kind: 'rejected', reason: /not an Asana event payload/ },
  )
})

t.test('heartbeats are accepted with nothing to look at; odd handshakes are refused', async (t) => {
  const asana = await opened(t)
  const route = await hookRoute(t, asana)
  await register(asana, route.url)
  t.same(await asana.fake.heartbeat(), [200])
  t.same(route.verdicts.at(-1), { kind: 'accepted', itemIds: [], deliveryId: null })
  t.match(asana.source.verifyWebhook(delivery('', { 'x-hook-secret': 'short' }), []), { kind: 'rejected' })
  t.match(asana.source.verifyWebhook(delivery('', { 'x-hook-secret': `${'a'.repeat(32)}\r\nx: y` }), []), { kind: 'rejected' })
})

t.test('TASK_MANAGER_WEBHOOK_SECRET verifies deliveries too', async (t) => {
  const asana = await opened(t, {}, { TASK_MANAGER_WEBHOOK_SECRET: 'agreed-out-of-band-secret' })
  const body = '{"events":[{"action":"changed","resource":{"gid":"1300000000000001","resource_type":"task"},"parent":null}]}'
  const signature = createHmac('sha256', 'agreed-out-of-band-secret').update(body).digest('hex')
  t.same(asana.source.verifyWebhook(delivery(body, { 'x-hook-signature': signature }), []), {
    kind: 'accepted',
    itemIds: ['1300000000000001'],
    deliveryId: null,
  })
})

t.test('listChanges pages with next_page.offset, filters tags here and includes the boundary', async (t) => {
  const asana = await opened(t, { pageSize: 2 })
  const since = new Date(Date.now() - 60_000)
  const labelled: string[] = []
  for (let i = 0; i < 5; i++) labelled.push((await asana.fake.addTask({ title: `Candidate ${i}`, labels: ['Resume'] })).id)
  const unlabelled = await asana.fake.addTask({ labels: ['lunch'] })
  const boundary = await asana.fake.addTask({ labels: ['hiring'] })
  const before = await asana.fake.addTask({ labels: ['hiring'] })
  asana.fake.setModifiedAt(boundary.id, since)
  asana.fake.setModifiedAt(before.id, new Date(since.getTime() - 1))

  const { ids, pages } = await allChanges(asana, since)
  t.same(ids.sort(), [...labelled, boundary.id].sort(), 'every labelled task, the one changed exactly at `since` included')
  t.notOk(ids.includes(unlabelled.id), 'a task without a filter label is not listed (tags are filtered client-side)')
  t.notOk(ids.includes(before.id), 'a task changed a millisecond before `since` is not')
  t.ok(pages >= 4, `several pages were read (${pages})`)
  t.same((await allChanges(asana, since)).ids.sort(), ids.sort(), 'listing again from the same time lists the same: overlap is safe')
  const listing = asana.fake.calls().filter((call) => call === 'GET /tasks')
  t.ok(listing.length >= pages, 'GET /tasks?project=…&modified_since=… is the listing call')
})

t.test('getItem pages attachments; the requisition tag names the requisition', async (t) => {
  const asana = await opened(t, { pageSize: 2 })
  const files = ['a.pdf', 'b.pdf', 'c.pdf'].map((filename) => ({ filename, bytes: PDF }))
  const task = await asana.fake.addTask({
    title: 'Ada',
    labels: ['candidate', 'Requisition: REQ-42'],
    attachments: files,
    creator: 'Grace',
  })
  const item = await asana.source.getItem(task.id)
  t.same(
    item?.attachments.map((attachment) => [attachment.filename, attachment.size, attachment.externalUrl]),
    files.map((file) => [file.filename, PDF.length, null]),
  )
  t.equal(item?.requisitionId, 'REQ-42')
  t.equal(item?.sender, 'Grace')
  t.match(item?.url, /^https:\/\/app\.asana\.com\/0\/\d+\/\d+$/)
})

t.test('markProcessed finds the processed tag by name across pages, creates it only when missing', async (t) => {
  const asana = await opened(t, { pageSize: 2 })
  const first = await asana.fake.addTask({ labels: ['candidate', 'senior', 'remote', 'urgent'] })
  await asana.source.markProcessed((await asana.source.getItem(first.id))!, MARKED)
  t.equal(asana.fake.calls().filter((call) => call === 'POST /tags').length, 1, 'created once when the workspace has none')
  t.ok((await asana.source.getItem(first.id))?.processed)

  // A second process looks it up again and finds the one created.
  const other = openSource(asana.fake)
  t.teardown(() => other.candidates.close())
  const second = await asana.fake.addTask({ labels: ['resume'] })
  await other.source.markProcessed((await other.source.getItem(second.id))!, MARKED)
  t.equal(asana.fake.calls().filter((call) => call === 'POST /tags').length, 1, 'found by name on a later page, not created again')
  t.same(asana.fake.task(second.id).labels, ['resume', 'hireflow-processed'])
})

t.test('a task gid Asana does not know: getItem is undefined, a comment a permanent failure', async (t) => {
  const asana = await opened(t)
  t.equal(await asana.source.getItem('1399999999999999'), undefined)
  t.ok(asana.fake.calls().includes('GET /tasks/1399999999999999'), 'Asana was asked and answered 404')
  await t.rejects(asana.source.comment('1399999999999999', 'hello'), { name: 'PermanentSourceError' })
})

t.test('download: a fresh link right before fetching, never the token to the file host', async (t) => {
  const asana = await opened(t, { downloadUrlTtlMs: 300 })
  const task = await asana.fake.addTask({ labels: ['candidate'], attachments: [{ filename: 'cv.pdf', bytes: PDF }] })
  const item = (await asana.source.getItem(task.id))!
  await sleep(500)
  const bytes = await asana.source.downloadAttachment(item, item.attachments[0]!, { maxBytes: 1_000_000 })
  t.equal(bytes.toString('hex'), PDF.toString('hex'), 'the link listed with the task had expired; a fresh one was fetched')
  t.ok(asana.fake.calls().includes(`GET /attachments/${item.attachments[0]!.id}`))
  const requests = asana.fake.attachmentRequests()
  t.equal(requests.length, 1)
  t.equal(requests[0]?.authorization, undefined, 'no Authorization header reached the attachment host')
})

t.test('files kept elsewhere are links for HR and never fetched', async (t) => {
  const asana = await opened(t)
  const externalUrl = `${asana.fake.attachmentHostUrl}/external/drive-cv.pdf`
  const task = await asana.fake.addTask({
    labels: ['candidate'],
    attachments: [{ filename: 'Drive CV', bytes: Buffer.alloc(0), externalUrl }],
  })
  const item = (await asana.source.getItem(task.id))!
  t.equal(item.attachments[0]?.externalUrl, externalUrl)
  t.equal(item.attachments[0]?.size, null)
  await t.rejects(asana.source.downloadAttachment(item, item.attachments[0]!, { maxBytes: 1_000_000 }), { name: 'PermanentSourceError' })
  // Even if someone hands the source the attachment without its link, Asana's host field keeps it from being fetched.
  await t.rejects(asana.source.downloadAttachment(item, { ...item.attachments[0]!, externalUrl: null }, { maxBytes: 1_000_000 }), {
    name: 'PermanentSourceError',
  })
  t.same(asana.fake.attachmentRequests(), [], 'the file host saw no request')
})

t.test('download links to a link-local address or a host nobody allowed are refused', async (t) => {
  const asana = await opened(t)
  const task = await asana.fake.addTask({
    labels: ['candidate'],
    attachments: [
      { filename: 'metadata.pdf', bytes: PDF, downloadUrl: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' },
      { filename: 'elsewhere.pdf', bytes: PDF, downloadUrl: 'https://files.attacker.test/cv.pdf' },
    ],
  })
  const item = (await asana.source.getItem(task.id))!
  await t.rejects(asana.source.downloadAttachment(item, item.attachments[0]!, { maxBytes: 1_000_000 }), {
    name: 'DownloadRefusedError',
    reason: 'private_address',
  })
  await t.rejects(asana.source.downloadAttachment(item, item.attachments[1]!, { maxBytes: 1_000_000 }), {
    name: 'DownloadRefusedError',
    reason: 'host_not_allowed',
  })
})

t.test('OAuth2: an expired access token is refreshed once and the call repeated', async (t) => {
  const asana = await opened(t, { oauth: true })
  const task = await asana.fake.addTask({ labels: ['candidate'] })
  t.equal((await asana.source.getItem(task.id))?.id, task.id)
  t.equal(asana.fake.tokenRefreshes(), 1, 'the first call obtained a token')
  asana.fake.expireAccessTokens()
  const before = asana.fake.calls().length
  t.equal((await asana.source.getItem(task.id))?.id, task.id)
  t.equal(asana.fake.tokenRefreshes(), 2, 'refreshed once')
  t.same(asana.fake.calls().slice(before, before + 2), [`GET /tasks/${task.id}`, `GET /tasks/${task.id}`], 'refused once, then repeated')
})

t.test('a wrong token gets Asana’s 401 and fails the probe', async (t) => {
  const asana = await opened(t, {}, { TASK_MANAGER_TOKEN: 'not-the-token' })
  await t.rejects(asana.source.probe(), /asana: the hiring project \d+ cannot be read: .*401/)
})
