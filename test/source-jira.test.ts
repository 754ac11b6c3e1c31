// Jira Cloud as an intake source, against a fake site built from the
// documented REST v3 contract: the shared source contract, then what is
// Jira's own: X-Hub-Signature on the raw bytes, admin webhook registration,
// nextPageToken paging, JQL dates read in the user's zone, OAuth 2.0 (3LO)
// with expiring access tokens and rotating refresh tokens, and attachment
// downloads that follow the content endpoint's redirect to another host
// without the credentials.
import t from 'tap'
import { createHmac } from 'node:crypto'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { WebhookDelivery } from '../src/ports/intake-source.ts'
import { PermanentSourceError } from '../src/ports/intake-source.ts'
import { readSourceState } from '../src/sources/state.ts'
import { jqlDate, USER_ZONE_ALLOWANCE_MS } from '../src/sources/jira/jql.ts'
import { intakeSourceContract, openSource, type DeliveryCatcher } from './support/source-contract.ts'
import { startFakeJira, type FakeJira, type FakeJiraOptions } from './support/fake-jira.ts'

type Tap = Parameters<Parameters<typeof t.test>[0]>[0]

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n')
const DOCX = Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(64, 0x20)])

async function startFake(t: Tap, options: FakeJiraOptions = {}): Promise<FakeJira> {
  const fake = await startFakeJira(options)
  t.teardown(() => fake.close())
  return fake
}

async function open(t: Tap, options: FakeJiraOptions = {}, env: Record<string, string> = {}) {
  const fake = await startFake(t, options)
  const opened = openSource(fake, env)
  t.teardown(() => opened.candidates.close())
  return { ...opened, fake }
}

/** A webhook receiver that keeps each delivery as it arrived, raw bytes and lower-case headers. */
async function catcher(t: Tap): Promise<DeliveryCatcher> {
  const deliveries: WebhookDelivery[] = []
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const headers: Record<string, string | undefined> = {}
      for (const [name, value] of Object.entries(request.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value
      deliveries.push({ headers, query: {}, rawBody: Buffer.concat(chunks), receivedAt: new Date() })
      response.writeHead(204).end()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => {
    server.closeAllConnections()
    server.close()
  })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/jira`, deliveries }
}

async function allChanges(
  source: { listChanges(since: Date, page: string | null): Promise<{ changes: { id: string }[]; nextPage: string | null }> },
  since: Date,
) {
  const ids: string[] = []
  let pages = 0
  let page: string | null = null
  do {
    const result = await source.listChanges(since, page)
    ids.push(...result.changes.map((change) => change.id))
    page = result.nextPage
    pages++
  } while (page)
  return { ids, pages }
}

/** What the intake made of the task: one candidate. */
const MARKED = { candidateIds: ['candidate-1'], noResume: false }

t.test('the intake source contract', async (t) => {
  intakeSourceContract(t, (t) => startFake(t))
})

t.test('the intake source contract over OAuth 2.0 (3LO)', async (t) => {
  intakeSourceContract(t, (t) => startFake(t, { auth: 'oauth2' }))
})

t.test('webhook deliveries: X-Hub-Signature over the raw bytes with the secret hireflow registered', async (t) => {
  const { source, fake } = await open(t)
  const inbox = await catcher(t)
  const registration = await source.registerWebhook(inbox.url, async () => null)
  const task = await fake.addTask({ title: 'Jane Doe', labels: ['candidate'] })

  t.same(await fake.deliver(task.id), [204])
  const signed = inbox.deliveries[0]!
  t.match(signed.headers['x-hub-signature'], /^sha256=[0-9a-f]{64}$/)
  const verdict = source.verifyWebhook(signed, [registration])
  t.same(verdict, { kind: 'accepted', itemIds: [task.id], deliveryId: signed.headers['x-atlassian-webhook-identifier'] })

  t.equal(source.verifyWebhook(signed, []).kind, 'rejected', 'no stored secret: nothing is authentic')
  t.equal(source.verifyWebhook(signed, [{ ...registration, secret: 'another-secret' }]).kind, 'rejected', 'another secret')

  await fake.deliver(task.id, { tamper: true })
  t.equal(source.verifyWebhook(inbox.deliveries[1]!, [registration]).kind, 'rejected', 'body changed after signing')

  await fake.deliver(task.id, { unsigned: true })
  t.equal(inbox.deliveries[2]!.headers['x-hub-signature'], undefined)
  t.equal(source.verifyWebhook(inbox.deliveries[2]!, [registration]).kind, 'rejected', 'no signature header')

  const reserialised = Buffer.from(JSON.stringify(JSON.parse(signed.rawBody.toString('utf8')), null, 2))
  t.same(JSON.parse(reserialised.toString('utf8')), JSON.parse(signed.rawBody.toString('utf8')), 'the same data')
  t.equal(source.verifyWebhook({ ...signed, rawBody: reserialised }, [registration]).kind, 'rejected', 'other bytes for the same JSON')

  const digest = signed.headers['x-hub-signature']!.slice('sha256='.length)
  for (const header of [`sha1=${digest.slice(0, 40)}`, digest, `sha256=${digest.slice(0, 62)}`, `sha256=${digest.toUpperCase()}x`]) {
    const forged = { ...signed, headers: { ...signed.headers, 'x-hub-signature': header } }
    t.equal(source.verifyWebhook(forged, [registration]).kind, 'rejected', `header "${header.slice(0, 12)}…"`)
  }
  t.equal(
    source.verifyWebhook({ ...signed, headers: { ...signed.headers, 'x-hub-signature': `SHA256=${digest.toUpperCase()}` } }, [registration])
      .kind,
    'accepted',
    'method and hex digits in any case',
  )
})

t.test('a webhook registered by hand with TASK_MANAGER_WEBHOOK_SECRET; Atlassian published test vector', async (t) => {
  const secret = "It's a Secret to Everybody"
  const { source, fake } = await open(t, {}, { TASK_MANAGER_WEBHOOK_SECRET: secret })
  const task = await fake.addTask({ labels: ['resume'] })
  const body = Buffer.from(
    JSON.stringify({ timestamp: Date.now(), webhookEvent: 'jira:issue_created', issue: { id: task.id, key: 'HIRE-1' } }),
  )
  const delivery = (rawBody: Buffer, signature: string): WebhookDelivery => ({
    headers: { 'x-hub-signature': signature, 'content-type': 'application/json' },
    query: {},
    rawBody,
    receivedAt: new Date(),
  })
  const sign = (bytes: Buffer) => `sha256=${createHmac('sha256', secret).update(bytes).digest('hex')}`
  t.same(source.verifyWebhook(delivery(body, sign(body)), []), { kind: 'accepted', itemIds: [task.id], deliveryId: null })

  // Atlassian's example: this secret and "Hello World!" sign to a4771c39…; the signature passes and only the body (not JSON) fails.
  const vector = delivery(Buffer.from('Hello World!'), 'sha256=a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9')
  t.same(source.verifyWebhook(vector, []), { kind: 'rejected', reason: 'the signed body is not JSON' })
})

t.test('attachment_created deliveries name the issue only when the payload does', async (t) => {
  const { source, fake } = await open(t)
  const inbox = await catcher(t)
  const registration = await source.registerWebhook(inbox.url, async () => null)
  const task = await fake.addTask({
    labels: ['candidate'],
    attachments: [{ filename: 'cv.pdf', bytes: PDF, mediaType: 'application/pdf' }],
  })
  await fake.deliver(task.id, { event: 'attachment_created' })
  await fake.deliver(task.id, { event: 'attachment_created', attachmentIssueId: true })
  await fake.deliver(task.id, { event: 'jira:issue_created' })
  const [bare, withIssue, created] = inbox.deliveries.map((delivery) => source.verifyWebhook(delivery, [registration]))
  t.match(bare, { kind: 'accepted', itemIds: [] }, 'authentic, but reconciliation or the issue_updated event brings the issue')
  t.match(withIssue, { kind: 'accepted', itemIds: [task.id] })
  t.match(created, { kind: 'accepted', itemIds: [task.id] })
})

t.test('registerWebhook creates one admin webhook per callback URL; list and delete', async (t) => {
  const { source, fake } = await open(t)
  const other = fake.addOtherWebhook('https://chat.example.com/jira', 'Team chat')
  const url = 'https://hireflow.example.com/webhooks/jira'

  const first = await source.registerWebhook(url, async () => null)
  t.match(first, { callbackUrl: url, resource: 'HIRE', expiresAt: null })
  t.match(first.secret, /^[0-9a-f]{64}$/, 'hireflow made a 256-bit secret')
  t.equal(fake.webhookSecrets().get(first.id), first.secret, 'and registered it with Jira')

  const again = await source.registerWebhook(url, async () => null)
  t.equal(again.id, first.id, 'the existing webhook is returned')
  t.equal(again.secret, null, 'Jira does not reveal the secret again: the stored one stays in use')
  t.equal(fake.calls().filter((call) => call === 'POST /rest/webhooks/1.0/webhook').length, 1, 'created once')
  t.equal(fake.webhooks().filter((hook) => hook.callbackUrl === url).length, 1)

  const listed = await source.listWebhooks()
  t.same(
    listed.map((hook) => [hook.id, hook.callbackUrl, hook.secret]),
    [[first.id, url, null]],
    "only hireflow's webhooks, not the site's others",
  )
  t.equal(listed[0]!.resource, 'project = "HIRE"')

  await source.deleteWebhook(first.id)
  t.same(
    fake.webhooks().map((hook) => hook.id),
    [other.id],
  )
  await t.resolves(source.deleteWebhook(first.id), 'deleting what is gone is done')
  t.same(await source.listWebhooks(), [])
})

t.test('listChanges pages with nextPageToken until the page without one', async (t) => {
  const { source, fake } = await open(t, { pageSize: 2 })
  const since = new Date(Date.now() - 60_000)
  const tasks = []
  for (let i = 0; i < 5; i++) tasks.push(await fake.addTask({ labels: [i % 2 ? 'resume' : 'candidate'] }))
  await fake.addTask({ labels: ['misc'] })
  await fake.addTask({ labels: ['candidate'], inProject: false })

  const { ids, pages } = await allChanges(source, since)
  t.same(ids.sort(), tasks.map((task) => task.id).sort(), 'every labelled issue of the project, once')
  t.equal(pages, 3)
  const searches = fake.searches()
  t.equal(searches.length, 3)
  t.equal(searches[0]!.nextPageToken, undefined)
  t.ok(searches[1]!.nextPageToken && searches[2]!.nextPageToken, 'later pages carry the token')
  t.equal(new Set(searches.map((search) => search.jql)).size, 1, 'the same JQL on every page')
  t.same(searches[0]!.fields, ['updated'])
})

t.test('listChanges: the JQL window is widened for the user zone, the exact `updated` decides', async (t) => {
  // The extremes of the world's zones: JQL reads "yyyy/MM/dd HH:mm" in the calling user's own zone.
  for (const offset of [-12 * 60, 14 * 60, 0]) {
    await t.test(`user at UTC${offset >= 0 ? '+' : ''}${offset / 60}`, async (t) => {
      const { source, fake } = await open(t, { userUtcOffsetMinutes: offset })
      const since = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000 + 17_000)
      const early = await fake.addTask({ labels: ['candidate'] })
      fake.setUpdated(early.id, new Date(since.getTime() - 2 * 3_600_000))
      const justBefore = await fake.addTask({ labels: ['candidate'] })
      fake.setUpdated(justBefore.id, new Date(since.getTime() - 1_000))
      const atSince = await fake.addTask({ labels: ['candidate'] })
      fake.setUpdated(atSince.id, since)
      const later = await fake.addTask({ labels: ['candidate'] })
      fake.setUpdated(later.id, new Date(since.getTime() + 60_000))

      const { ids } = await allChanges(source, since)
      t.same(ids, [atSince.id, later.id], 'at or after since, oldest first; not one second before')
      t.match(fake.searches()[0]!.jql, `updated >= "${jqlDate(new Date(since.getTime() - USER_ZONE_ALLOWANCE_MS))}"`)
    })
  }
})

t.test('OAuth 2.0: an expired access token is refreshed once and the call repeated', async (t) => {
  const { source, fake, candidates } = await open(t, { auth: 'oauth2' })
  const task = await fake.addTask({
    title: 'Jane Doe',
    labels: ['candidate'],
    attachments: [{ filename: 'jane.pdf', bytes: PDF, mediaType: 'application/pdf' }],
  })
  const item = await source.getItem(task.id)
  t.equal(fake.tokenRequests(), 1, 'one token for the first calls')
  t.equal(item?.url, `${fake.siteUrl}/browse/HIRE-1`, 'links go to the site, read from serverInfo, not to the OAuth gateway')

  fake.expireAccessTokens()
  const again = await source.getItem(task.id)
  t.equal(again?.id, task.id, 'the call succeeded after renewal')
  t.equal(fake.tokenRequests(), 2, 'refreshed once')
  t.equal((await readSourceState(candidates, 'jira')).refreshToken, fake.refreshToken(), 'the rotated refresh token is stored')
  t.equal(fake.calls().filter((call) => call === `GET /rest/api/3/issue/${task.id}`).length, 3, 'first call, refused call, repeat')

  fake.expireAccessTokens()
  const bytes = await source.downloadAttachment(again!, again!.attachments[0]!, { maxBytes: 1_000_000 })
  t.equal(bytes.toString('hex'), PDF.toString('hex'), 'a download refused for the token is repeated with a fresh one')
  t.equal(fake.tokenRequests(), 3)
})

t.test('attachments: through the content endpoint redirect, credentials kept to the Jira host', async (t) => {
  for (const redirectStatus of [303, 302] as const) {
    await t.test(`redirect ${redirectStatus}`, async (t) => {
      const { source, fake } = await open(t, { redirectStatus })
      const task = await fake.addTask({
        labels: ['resume'],
        attachments: [
          { filename: 'jane.pdf', bytes: PDF, mediaType: 'application/pdf' },
          { filename: 'jane.docx', bytes: DOCX, mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
        ],
      })
      const item = (await source.getItem(task.id))!
      t.same(
        item.attachments.map((a) => [typeof a.id, a.filename, a.size, a.externalUrl]),
        [
          ['string', 'jane.pdf', PDF.length, null],
          ['string', 'jane.docx', DOCX.length, null],
        ],
        'ids sent as numbers and as strings both become strings',
      )
      for (const [i, expected] of [PDF, DOCX].entries()) {
        t.equal(
          (await source.downloadAttachment(item, item.attachments[i]!, { maxBytes: 100_000 })).toString('hex'),
          expected.toString('hex'),
        )
      }
      t.equal(fake.mediaRequests().length, 2, 'both came from the media host')
      t.same(
        fake.mediaRequests().map((request) => request.authorization),
        [undefined, undefined],
        'no credentials sent to the media host',
      )
    })
  }
})

t.test('attachments redirected to hosts nobody configured are refused and not retried', async (t) => {
  const { source, fake } = await open(t)
  const targets = {
    'http://169.254.169.254/latest/meta-data/': 'private_address',
    'http://127.0.0.2:9/file': 'private_address',
    'https://files.elsewhere.example/cv.pdf': 'host_not_allowed',
    'http://api.media.atlassian.com/file/1/binary': 'insecure_scheme',
  }
  for (const [downloadUrl, reason] of Object.entries(targets)) {
    const task = await fake.addTask({ labels: ['resume'], attachments: [{ filename: 'cv.pdf', bytes: PDF, downloadUrl }] })
    const item = (await source.getItem(task.id))!
    await t.rejects(
      source.downloadAttachment(item, item.attachments[0]!, { maxBytes: 100_000 }),
      { name: 'DownloadRefusedError', reason, retryable: false },
      downloadUrl,
    )
  }
  t.same(fake.mediaRequests(), [], 'nothing reached the media host')
})

t.test('items: link, sender, requisition label, processed mark and ADF comments', async (t) => {
  const { source, fake } = await open(t)
  const task = await fake.addTask({ title: 'Ann Lee', creator: 'Rita Recruiter', labels: ['Candidate', 'Requisition:REQ-7'] })
  const item = (await source.getItem(task.id))!
  t.match(item, {
    url: `${fake.siteUrl}/browse/HIRE-1`,
    sender: 'Rita Recruiter <rita.recruiter@example.com>',
    requisitionId: 'REQ-7',
    inScope: true,
    processed: false,
  })
  t.ok(Date.parse(item.updatedAt) > Date.now() - 60_000, 'the +hhmm offset of Jira dates is read')

  await source.markProcessed(item, MARKED)
  const marked = (await source.getItem(task.id))!
  const puts = fake.calls().filter((call) => call.startsWith('PUT ')).length
  await source.markProcessed(marked, MARKED)
  t.equal(fake.calls().filter((call) => call.startsWith('PUT ')).length, puts, 'already marked: no second edit')

  await source.comment(task.id, 'hireflow: candidate abc screened\nrecommendation: review')
  t.same(fake.task(task.id).comments, ['hireflow: candidate abc screened\nrecommendation: review'])
  await t.rejects(source.comment('99999', 'hello'), PermanentSourceError, 'an issue that is gone')
  await t.rejects(source.markProcessed({ ...item, id: '99999', labels: [] }, MARKED), PermanentSourceError)
})

t.test('credentials and configuration', async (t) => {
  const fake = await startFake(t)
  const wrong = openSource(fake, { TASK_MANAGER_TOKEN: 'not-the-token' })
  t.teardown(() => wrong.candidates.close())
  await t.rejects(wrong.source.probe(), /credentials were refused/)
  t.throws(() => openSource(fake, { TASK_MANAGER_BASE_URL: '' }), /TASK_MANAGER_BASE_URL .*is required with TASK_MANAGER=jira/)
  const missing = openSource(fake, { HIRING_PROJECT_ID: 'NOPE' })
  t.teardown(() => missing.candidates.close())
  await t.rejects(missing.source.probe(), /project NOPE does not exist/)
})
