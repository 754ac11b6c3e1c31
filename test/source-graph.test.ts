// The Microsoft Graph mailbox source against the Graph + Entra stand-in
// (HTTPS with a test CA, msal-node's real client-credentials flow): the
// mailbox contract, then what only Graph does.
import t from 'tap'
import { ProviderHttpError } from '../src/net/http-client.ts'
import { startFakeGraph, type FakeGraph } from './support/fake-graph.ts'
import { itemWithSubject, mailboxSourceContract, openMailbox, syncAll } from './support/mailbox-contract.ts'
import { makePdfResume, sampleResumeLines } from './support/resumes.ts'

type Tap = Parameters<Parameters<typeof t.test>[0]>[0]

async function graph(t: Tap, options: Parameters<typeof startFakeGraph>[0] = {}): Promise<FakeGraph> {
  const fake = await startFakeGraph({ tokenLifetimeSeconds: 3_600, ...options })
  t.teardown(() => fake.close())
  return fake
}

mailboxSourceContract(t, (t) => graph(t))

t.test('one token request serves many calls; every call asks for immutable ids', async (t) => {
  const fake = await graph(t)
  const { source } = openMailbox(t, fake)
  for (let i = 0; i < 3; i++)
    await fake.deliver({ subject: `Mail ${i}`, attachments: [{ filename: 'a.pdf', bytes: await makePdfResume(['A B']) }] })
  const { ids } = await syncAll(source, null)
  for (const id of ids) await source.getItem(id)
  await source.probe()
  t.equal(fake.tokenRequests, 1, 'one token for every call')
  const graphCalls = fake.calls()
  t.ok(graphCalls.length > 5)
  t.ok(
    graphCalls.every((call) => call.immutableId),
    'Prefer: IdType="ImmutableId" on every call',
  )
})

t.test('a revoked token: Graph answers 401, a new token is fetched once, the call succeeds', async (t) => {
  const fake = await graph(t)
  const { source } = openMailbox(t, fake)
  await source.probe()
  fake.revokeTokens()
  await t.resolves(source.probe())
  t.equal(fake.tokenRequests, 2)
})

t.test('a wrong client secret: probe fails with the reason, and is not retried', async (t) => {
  const fake = await graph(t)
  const { source } = openMailbox(t, fake, { GRAPH_CLIENT_SECRET: 'not-the-secret' })
  await t.rejects(source.probe(), { name: 'GraphTokenError', message: /invalid_client|AADSTS7000215/ })
  t.equal(fake.tokenRequests, 1, 'an app that is wrong is not asked again at once')
})

t.test('429 with Retry-After is waited out; at most four requests in flight', async (t) => {
  const fake = await graph(t)
  const { source } = openMailbox(t, fake)
  for (let i = 0; i < 6; i++) await fake.deliver({ subject: `Busy ${i}` })
  const { ids } = await syncAll(source, null)
  fake.throttleNext(1, 1)
  const started = Date.now()
  await source.getItem(ids[0]!)
  t.ok(Date.now() - started >= 900, 'waited for Retry-After')
  fake.setRequestDelay(150)
  fake.resetMaxInFlight()
  await Promise.all(ids.map((id) => source.getItem(id)))
  t.ok(fake.maxInFlight <= 4, `at most 4 in flight (saw ${fake.maxInFlight})`)
  t.ok(fake.maxInFlight >= 2, 'but more than one at a time')
})

t.test('an expired delta link resyncs from the look-back time instead of failing', async (t) => {
  const fake = await graph(t)
  const { source } = openMailbox(t, fake)
  await fake.deliver({ subject: 'Before' })
  const first = await syncAll(source, null)
  fake.expireDeltaTokens()
  await fake.deliver({ subject: 'After' })
  const again = await syncAll(source, first.cursor)
  t.ok(again.resynced, 'resynced')
  t.equal(again.ids.length, 2, 'everything in the look-back window')
})

t.test('a 6 MB attachment is listed without contentBytes and read whole through $value', async (t) => {
  const fake = await graph(t)
  const { source } = openMailbox(t, fake)
  const pdf = Buffer.concat([await makePdfResume(sampleResumeLines('Large Larry')), Buffer.alloc(6 * 1024 * 1024, 0x20)])
  await fake.deliver({ subject: 'Large', attachments: [{ filename: 'large.pdf', bytes: pdf, mediaType: 'application/pdf' }] })
  const { ids } = await syncAll(source, null)
  const item = await itemWithSubject(source, ids, 'Large')
  const bytes = await source.downloadAttachment(item, item.attachments[0]!, { maxBytes: 10 * 1024 * 1024 })
  t.ok(bytes.equals(pdf))
  t.ok(
    fake.calls().some((call) => call.path.endsWith('/$value')),
    'through $value',
  )
})

t.test('a cloud-link attachment is listed as a link, never fetched', async (t) => {
  const fake = await graph(t)
  const { source } = openMailbox(t, fake)
  await fake.deliver({
    subject: 'Linked',
    attachments: [{ filename: 'cv.docx', bytes: Buffer.alloc(0), externalUrl: 'https://contoso-my.sharepoint.com/personal/cv.docx' }],
  })
  const { ids } = await syncAll(source, null)
  const item = await itemWithSubject(source, ids, 'Linked')
  t.equal(item.attachments.length, 1)
  t.ok(item.attachments[0]!.externalUrl, 'a link for HR')
})

t.test('marking moves the mail to MAILBOX_MOVE_TO and it keeps its id', async (t) => {
  const fake = await graph(t)
  fake.createFolder('Processed')
  const { source } = openMailbox(t, fake, { MAILBOX_MOVE_TO: 'Processed' })
  await fake.deliver({ subject: 'Move me', attachments: [{ filename: 'a.pdf', bytes: await makePdfResume(['A B']) }] })
  const { ids } = await syncAll(source, null)
  const item = await itemWithSubject(source, ids, 'Move me')
  await source.markProcessed(item, { candidateIds: ['c-1', 'c-2'], noResume: false })
  t.match(await fake.mail('Move me'), { folder: 'Processed', marks: ['hireflow: processed'] })
  const again = await source.getItem(item.id)
  t.equal(again?.processed, true, 'found by the same id after the move')
  t.ok(again?.inScope)
  const [message] = fake.messagesWithSubject('Move me')
  t.same(Object.values(message!.extendedProperties), ['c-1 c-2'], 'the candidate ids are on the mail')
})

t.test('the subscription: created with validation of both URLs, renewed, recreated after Graph lost it', async (t) => {
  const fake = await graph(t, { allowHttpNotificationUrl: true })
  const { source, candidates } = openMailbox(t, fake)
  // A receiver that answers Graph's validation like the real route does.
  const { createServer } = await import('node:http')
  const server = createServer((request, response) => {
    const token = new URL(request.url!, 'http://x').searchParams.get('validationToken')
    response.writeHead(200, { 'content-type': 'text/plain' }).end(token ?? '')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  const callbackUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/webhooks/graph`

  const created = await source.keepWebhook!(callbackUrl)
  t.equal(created.outcome, 'created')
  t.equal(fake.subscriptions().length, 1)
  const [subscription] = fake.subscriptions()
  t.equal(subscription!.notificationUrl, callbackUrl)
  t.equal(subscription!.lifecycleNotificationUrl, `${callbackUrl}/lifecycle`)
  t.ok(Date.parse(subscription!.expirationDateTime) - Date.now() <= 4_230 * 60_000, 'within the 4,230-minute limit')
  t.ok(fake.validations.filter((validation) => validation.ok).length >= 2, 'both URLs validated')
  const state = await candidates.getSourceState('graph')
  t.equal(state?.webhooks.length, 1, 'stored, provisional entry gone')
  t.equal(state?.webhooks[0]?.secret, subscription!.clientState, 'the clientState is kept')

  const renewed = await source.keepWebhook!(callbackUrl)
  t.equal(renewed.outcome, 'renewed')
  t.equal(fake.subscriptions().length, 1)

  fake.deleteSubscriptionBehindOurBack(subscription!.id)
  const recreated = await source.keepWebhook!(callbackUrl)
  t.match(recreated, { outcome: 'recreated', resync: true })
  t.equal(fake.subscriptions().length, 1)
  t.not(fake.subscriptions()[0]!.id, subscription!.id)
  t.same(
    (await candidates.getSourceState('graph'))?.webhooks.map((webhook) => webhook.id),
    [fake.subscriptions()[0]!.id],
  )
})

t.test('a subscription Graph refuses (validation fails) leaves nothing stored', async (t) => {
  const fake = await graph(t, { allowHttpNotificationUrl: true })
  const { source, candidates } = openMailbox(t, fake)
  await t.rejects(source.keepWebhook!('http://127.0.0.1:9/webhooks/graph'), ProviderHttpError)
  t.same((await candidates.getSourceState('graph'))?.webhooks ?? [], [])
})
