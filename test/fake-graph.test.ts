// The Microsoft Graph / Entra stand-in checked against Microsoft's documented
// contract, through the real msal-node and global fetch: a client-credentials
// token fetched once and cached, subscription validation called back before
// the 201 (and failing when the endpoint answers wrong), the documented change
// and lifecycle payloads, delta paging with odata.maxpagesize and a deltaLink
// that later lists only what changed, 410 syncStateNotFound for an expired
// token, a 6 MB attachment whose $value is intact while the list leaves its
// contentBytes out, immutable ids across a move, 429 with Retry-After, and
// 404 for a subscription that is gone.
import t from 'tap'
import { get as httpsGet } from 'node:https'
import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { ConfidentialClientApplication } from '@azure/msal-node'
import { simpleParser } from 'mailparser'
import { serve, type Seen } from './support/recording-server.ts'
import { startFakeGraph, type FakeGraph, type FakeGraphOptions } from './support/fake-graph.ts'
import { testClientCertificate, testTls } from './support/tls.ts'

const GRAPH_SCOPE = 'https://graph.microsoft.com/.default'

type Tap = Parameters<Parameters<typeof t.test>[0]>[0]

async function start(t: Tap, options: FakeGraphOptions = {}): Promise<FakeGraph> {
  const fake = await startFakeGraph({ allowHttpNotificationUrl: true, ...options })
  t.teardown(() => fake.close())
  return fake
}

/** An msal-node app configured the way hireflow configures it: authority `${GRAPH_AUTHORITY}/${tenant}`, that host a known authority. */
function msalApp(
  fake: FakeGraph,
  credential: { clientSecret: string } | { clientCertificate: { thumbprintSha256: string; privateKey: string } },
) {
  const authority = `${fake.env.GRAPH_AUTHORITY}/${fake.env.GRAPH_TENANT_ID}`
  return new ConfidentialClientApplication({
    auth: { clientId: fake.env.GRAPH_CLIENT_ID!, authority, knownAuthorities: [new URL(authority).host], ...credential },
  })
}

/** A Graph client as hireflow's: a token from msal (cached by it), `Prefer: IdType="ImmutableId"` on every call. */
function graphClient(fake: FakeGraph) {
  const app = msalApp(fake, { clientSecret: fake.env.GRAPH_CLIENT_SECRET! })
  return async (path: string, init: { method?: string; body?: unknown; prefer?: string[]; immutable?: boolean } = {}) => {
    const token = await app.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] })
    const prefer = [...(init.immutable === false ? [] : ['IdType="ImmutableId"']), ...(init.prefer ?? [])]
    const response = await fetch(path.startsWith('https://') ? path : `${fake.env.GRAPH_API_BASE}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${token!.accessToken}`,
        ...(prefer.length > 0 ? { prefer: prefer.join(', ') } : {}),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    })
    return response
  }
}

/** A webhook receiver (plain http on loopback, as hireflow's test server): echoes validation tokens the documented way, answers 202 to notifications. */
async function receiver(
  t: Tap,
  answer: (seen: Seen, token: string | null) => { status: number; body?: string; type?: string } = defaultAnswer,
) {
  return serve(t, (request, response, seen) => {
    const token = new URL(request.url!, 'http://x').searchParams.get('validationToken')
    const { status, body, type } = answer(seen, token)
    response.writeHead(status, { 'content-type': type ?? 'text/plain' })
    response.end(body ?? '')
  })
}

function defaultAnswer(_seen: Seen, token: string | null) {
  return token === null ? { status: 202 } : { status: 200, body: token }
}

/** What a promise rejected with (msal's errors are matched by errorCode and errorMessage). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}

function inMinutes(minutes: number): string {
  return new Date(Date.now() + minutes * 60_000).toISOString()
}

t.test('TLS: global fetch and node:https both trust the stand-in once the test CA is added', async (t) => {
  const fake = await start(t)
  const { caPem } = await testTls()
  t.match(caPem, /BEGIN CERTIFICATE/)
  t.equal((await fetch(`${fake.url}/${fake.tenantId}/v2.0/.well-known/openid-configuration`)).status, 200, 'fetch (undici)')
  const status = await new Promise<number>((resolve, reject) => {
    httpsGet(`${fake.url}/${fake.tenantId}/v2.0/.well-known/openid-configuration`, (response) => {
      response.resume()
      resolve(response.statusCode!)
    }).on('error', reject)
  })
  t.equal(status, 200, 'node:https')
})

t.test('msal-node: one token request serves many calls; a wrong secret is invalid_client AADSTS7000215', async (t) => {
  const fake = await start(t)
  const graph = graphClient(fake)
  for (let i = 0; i < 3; i++) t.equal((await graph(`/users/${fake.mailbox}/mailFolders/inbox`)).status, 200)
  t.equal(fake.tokenRequests, 1, 'msal cached the token')
  t.same(
    fake.entraRequests.map((line) => line.replace(/\?.*$/, '')),
    [`GET /${fake.tenantId}/v2.0/.well-known/openid-configuration`, `POST /${fake.tenantId}/oauth2/v2.0/token`],
    'msal with knownAuthorities reads the tenant metadata, then the token endpoint; no instance discovery',
  )
  t.match(fake.tokenLog[0], { grantType: 'client_credentials', scope: GRAPH_SCOPE, credential: 'secret', status: 200 })
  t.ok(
    fake.calls().every((call) => call.immutableId && call.authorized),
    'every call carried Prefer IdType and a valid token',
  )

  const wrong = msalApp(fake, { clientSecret: 'not-the-secret' })
  t.match(await rejection(wrong.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] })), {
    errorCode: 'invalid_client',
    errorMessage: /AADSTS7000215/,
  })
  t.match(fake.tokenLog.at(-1), { status: 401, error: 'invalid_client' })

  const raw = await fetch(`${fake.url}/${fake.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: fake.clientId, client_secret: 'nope', scope: GRAPH_SCOPE }),
  })
  t.equal(raw.status, 401)
  t.match(await raw.json(), {
    error: 'invalid_client',
    error_description: /^AADSTS7000215: Invalid client secret provided/,
    error_codes: [7000215],
  })
})

t.test('msal-node with a certificate credential: the client assertion must be signed by a registered certificate', async (t) => {
  const certificate = await testClientCertificate()
  const fake = await start(t)
  const app = msalApp(fake, { clientCertificate: { thumbprintSha256: certificate.thumbprintSha256, privateKey: certificate.keyPem } })
  t.match(await rejection(app.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] })), {
    errorCode: 'invalid_client',
    errorMessage: /AADSTS700027/,
  })
  fake.registerCertificate(certificate.certPem)
  const result = await app.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] })
  t.ok(result?.accessToken)
  t.match(fake.tokenLog.at(-1), { credential: 'assertion', status: 200 })
})

t.test('tokens: revoked tokens and tokens past their lifetime are refused with InvalidAuthenticationToken', async (t) => {
  const fake = await start(t, { tokenLifetimeSeconds: 1 })
  const token = async () => {
    const response = await fetch(`${fake.url}/${fake.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: fake.clientId,
        client_secret: fake.clientSecret,
        scope: GRAPH_SCOPE,
      }),
    })
    return ((await response.json()) as { access_token: string; expires_in: number; token_type: string; ext_expires_in: number }) ?? {}
  }
  const issued = await token()
  t.match(issued, { token_type: 'Bearer', expires_in: 1, ext_expires_in: 1 })
  const call = (accessToken?: string) =>
    fetch(`${fake.env.GRAPH_API_BASE}/users/${fake.userId}`, accessToken ? { headers: { authorization: `Bearer ${accessToken}` } } : {})
  t.equal((await call(issued.access_token)).status, 200)
  const none = await call()
  t.equal(none.status, 401)
  t.match(await none.json(), { error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty.' } })
  await sleep(1100)
  t.equal((await call(issued.access_token)).status, 401, 'expired')
  fake.setTokenLifetime(3599)
  const fresh = await token()
  t.equal((await call(fresh.access_token)).status, 200)
  fake.revokeTokens()
  const revoked = await call(fresh.access_token)
  t.equal(revoked.status, 401)
  t.match(await revoked.json(), { error: { code: 'InvalidAuthenticationToken' } })
  fake.failTokens(true)
  t.match(await rejection(msalApp(fake, { clientSecret: fake.clientSecret }).acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] })), {
    errorCode: 'invalid_client',
  })
})

t.test('subscriptions: both URLs are validated before the 201; a wrong echo fails the creation', async (t) => {
  const fake = await start(t)
  const graph = graphClient(fake)
  const hook = await receiver(t)
  const lifecycle = await receiver(t)
  const request = {
    changeType: 'created',
    notificationUrl: `${hook.url}/graph/notifications?mailbox=hiring`,
    lifecycleNotificationUrl: `${lifecycle.url}/graph/lifecycle`,
    resource: `users/${fake.mailbox}/mailFolders('inbox')/messages`,
    expirationDateTime: inMinutes(4200),
    clientState: 'secret-client-state',
    latestSupportedTlsVersion: 'v1_2',
  }
  const created = await graph('/subscriptions', { method: 'POST', body: request })
  t.equal(created.status, 201)
  const subscription = (await created.json()) as Record<string, unknown>
  t.match(subscription, {
    id: /^[0-9a-f-]{36}$/,
    resource: request.resource,
    changeType: 'created',
    clientState: 'secret-client-state',
    notificationUrl: request.notificationUrl,
    lifecycleNotificationUrl: request.lifecycleNotificationUrl,
    applicationId: fake.clientId,
    creatorId: /^[0-9a-f-]{36}$/,
    latestSupportedTlsVersion: 'v1_2',
  })
  t.equal(fake.validations.length, 2, 'notificationUrl and lifecycleNotificationUrl')
  const [validation] = hook.seen
  t.equal(validation!.method, 'POST')
  t.equal(validation!.headers['content-type'], 'text/plain; charset=utf-8')
  t.match(
    validation!.url,
    /^\/graph\/notifications\?mailbox=hiring&validationToken=Validation%3a\+Testing\+client/,
    'form-encoded, after the URL own query',
  )
  t.match(fake.validations[0], {
    ok: true,
    status: 200,
    token: /^Validation: Testing client application reachability for subscription Request-Id: /,
  })
  t.same(
    fake.subscriptions().map((s) => s.id),
    [subscription.id],
  )

  // An endpoint that answers the token still URL-encoded fails validation: no subscription.
  const encodedEcho = await receiver(t, (seen) => ({ status: 200, body: seen.url.split('validationToken=')[1] ?? '' }))
  const refused = await graph('/subscriptions', { method: 'POST', body: { ...request, notificationUrl: `${encodedEcho.url}/hook` } })
  t.equal(refused.status, 400)
  t.match(await refused.json(), { error: { code: 'InvalidRequest', message: /^Subscription validation request failed\./ } })
  const accepting = await receiver(t, () => ({ status: 202 }))
  const notOk = await graph('/subscriptions', { method: 'POST', body: { ...request, notificationUrl: `${accepting.url}/hook` } })
  t.equal(notOk.status, 400, '202 to a validation request is not 200')
  t.equal(fake.subscriptions().length, 1)

  const tooLong = await graph('/subscriptions', { method: 'POST', body: { ...request, expirationDateTime: inMinutes(4231) } })
  t.equal(tooLong.status, 400)
  t.match(await tooLong.json(), { error: { message: 'Subscription expiration can only be 4230 minutes in the future.' } })
  const https = await startFakeGraph()
  t.teardown(() => https.close())
  const plain = await graphClient(https)('/subscriptions', { method: 'POST', body: request })
  t.equal(plain.status, 400, 'http notification URLs only with allowHttpNotificationUrl')
})

t.test('change and lifecycle notifications carry the documented payloads; PATCH renews, DELETE and removal answer 404 after', async (t) => {
  const fake = await start(t)
  const graph = graphClient(fake)
  const hook = await receiver(t)
  const lifecycle = await receiver(t)
  const created = await graph('/subscriptions', {
    method: 'POST',
    body: {
      changeType: 'created,updated',
      notificationUrl: `${hook.url}/n`,
      lifecycleNotificationUrl: `${lifecycle.url}/l`,
      resource: `/users/${fake.userId}/mailFolders/inbox/messages`,
      expirationDateTime: inMinutes(60),
      clientState: 'cs',
    },
  })
  const subscription = (await created.json()) as { id: string; expirationDateTime: string }
  const delivered = await fake.deliverMessage({ subject: 'Application', from: 'Jane Doe <jane@example.com>' })
  const notification = hook.seen.find((seen) => !seen.url.includes('validationToken'))!
  t.equal(notification.headers['content-type'], 'application/json; charset=utf-8')
  t.same(JSON.parse(notification.body), {
    value: [
      {
        subscriptionId: subscription.id,
        subscriptionExpirationDateTime: subscription.expirationDateTime,
        changeType: 'created',
        resource: `Users/${fake.userId}/Messages/${delivered.id}`,
        resourceData: {
          '@odata.type': '#Microsoft.Graph.Message',
          '@odata.id': `Users/${fake.userId}/Messages/${delivered.id}`,
          '@odata.etag': JSON.parse(notification.body).value[0].resourceData['@odata.etag'],
          id: delivered.id,
        },
        clientState: 'cs',
        tenantId: fake.tenantId,
      },
    ],
  })
  t.match(JSON.parse(notification.body).value[0].resourceData['@odata.etag'], /^W\/".+"$/)
  t.match(fake.notifications, [{ kind: 'change', status: 202, attempt: 1 }])

  const forged = await fake.notifyAgain(delivered.id, { times: 2, clientState: 'forged' })
  t.same(forged, [202, 202])
  t.equal(JSON.parse(hook.seen.at(-1)!.body).value[0].clientState, 'forged')

  // hireflow's own PATCH is an update Graph reports too.
  const patched = await graph(`/users/${fake.mailbox}/messages/${delivered.id}`, {
    method: 'PATCH',
    body: { categories: [fake.processedMark] },
  })
  t.equal(patched.status, 200)
  await fake.settled()
  t.equal(JSON.parse(hook.seen.at(-1)!.body).value[0].changeType, 'updated')
  t.same(await fake.mail('Application'), { marks: ['hireflow: processed'], folder: 'Inbox' })

  t.same(await fake.sendLifecycle('reauthorizationRequired'), [202])
  t.same(JSON.parse(lifecycle.seen.at(-1)!.body), {
    value: [
      {
        subscriptionId: subscription.id,
        subscriptionExpirationDateTime: subscription.expirationDateTime,
        tenantId: fake.tenantId,
        clientState: 'cs',
        lifecycleEvent: 'reauthorizationRequired',
      },
    ],
  })
  t.equal(fake.subscriptions()[0]!.reauthorizationRequired, true)
  const renewed = await graph(`/subscriptions/${subscription.id}`, { method: 'PATCH', body: { expirationDateTime: inMinutes(4000) } })
  t.equal(renewed.status, 200)
  t.equal(fake.subscriptions()[0]!.reauthorizationRequired, false)
  t.equal(
    (await graph(`/subscriptions/${subscription.id}`, { method: 'PATCH', body: { expirationDateTime: inMinutes(5000) } })).status,
    400,
  )

  t.equal((await graph(`/subscriptions/${subscription.id}`, { method: 'DELETE' })).status, 204)
  const gone = await graph(`/subscriptions/${subscription.id}`, { method: 'PATCH', body: { expirationDateTime: inMinutes(60) } })
  t.equal(gone.status, 404)
  t.match(await gone.json(), { error: { code: /\w+/, message: /\w/ } })
  t.equal((await graph(`/subscriptions/${subscription.id}`, { method: 'DELETE' })).status, 404)
  t.same(await fake.sendLifecycle('missed'), [], 'no subscription left to tell')

  const again = (await (
    await graph('/subscriptions', {
      method: 'POST',
      body: {
        changeType: 'created',
        notificationUrl: `${hook.url}/n`,
        resource: `users/${fake.mailbox}/messages`,
        expirationDateTime: inMinutes(60),
      },
    })
  ).json()) as { id: string }
  fake.deleteSubscriptionBehindOurBack(again.id)
  t.equal((await graph(`/subscriptions/${again.id}`)).status, 404)
  t.same(((await (await graph('/subscriptions')).json()) as { value: unknown[] }).value, [])
})

t.test('delta: odata.maxpagesize pages, a deltaLink that later lists only the changes, 410 once tokens expire', async (t) => {
  const fake = await start(t)
  const graph = graphClient(fake)
  const processed = fake.createFolder('Processed')
  const old = await fake.deliverMessage({ subject: 'Old' }, { receivedAt: new Date(Date.now() - 7 * 86_400_000) })
  const ids: string[] = []
  for (let i = 1; i <= 5; i++) ids.push((await fake.deliverMessage({ subject: `Mail ${i}` })).id)
  const since = new Date(Date.now() - 3_600_000).toISOString()
  let url = `/users/${fake.mailbox}/mailFolders/inbox/messages/delta?$select=subject,categories&$filter=receivedDateTime ge ${since}`
  const pages: { value: { id: string; subject?: string }[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string }[] = []
  for (;;) {
    const response = await graph(url, { prefer: ['odata.maxpagesize=2'] })
    t.equal(response.status, 200)
    t.match(response.headers.get('preference-applied'), /odata\.maxpagesize=2/)
    const page = (await response.json()) as (typeof pages)[number]
    pages.push(page)
    if (!page['@odata.nextLink']) break
    t.notOk(page['@odata.deltaLink'], 'a page has a nextLink or a deltaLink, never both')
    t.match(page['@odata.nextLink'], new RegExp(`^${fake.url}/v1\\.0/.*\\$skiptoken=`))
    url = page['@odata.nextLink']
  }
  t.same(
    pages.map((page) => page.value.length),
    [2, 2, 1],
  )
  t.same(pages.flatMap((page) => page.value.map((message) => message.id)).sort(), [...ids].sort(), 'the filter left the old mail out')
  t.notOk(
    pages.some((page) => page.value.some((message) => message.id === old.id)),
    'receivedDateTime ge',
  )
  t.same(Object.keys(pages[0]!.value[0]!).sort(), ['@odata.etag', '@odata.type', 'categories', 'id', 'subject'])
  const deltaLink = pages.at(-1)!['@odata.deltaLink']!
  t.match(deltaLink, /\$deltatoken=/)

  const nothing = (await (await graph(deltaLink)).json()) as { value: unknown[]; '@odata.deltaLink': string }
  t.same(nothing.value, [])
  const added = await fake.deliverMessage({ subject: 'Mail 6' })
  t.equal(
    (await graph(`/users/${fake.mailbox}/messages/${ids[0]}`, { method: 'PATCH', body: { categories: ['hireflow: processed'] } })).status,
    200,
  )
  const moved = await graph(`/users/${fake.mailbox}/messages/${ids[1]}/move`, { method: 'POST', body: { destinationId: processed } })
  t.equal(moved.status, 201)
  await fake.settled()
  const changes = (await (await graph(nothing['@odata.deltaLink'])).json()) as {
    value: { id: string; subject?: string; categories?: string[]; '@removed'?: unknown }[]
  }
  t.same(changes.value.map((message) => message.id).sort(), [ids[0], ids[1], added.id].sort())
  t.same(changes.value.find((message) => message.id === ids[0])!.categories, ['hireflow: processed'])
  t.same(changes.value.find((message) => message.id === ids[1])!['@removed'], { reason: 'deleted' }, 'moved out')
  t.equal(changes.value.find((message) => message.id === added.id)!.subject, 'Mail 6')

  fake.expireDeltaTokens()
  const expired = await graph(nothing['@odata.deltaLink'])
  t.equal(expired.status, 410)
  t.match(await expired.json(), { error: { code: 'syncStateNotFound' } })
  t.match(expired.headers.get('location'), /\/messages\/delta\?/)
  t.notMatch(expired.headers.get('location'), /deltatoken/)
})

t.test('attachments: a 6 MB file has no contentBytes in the list and an intact $value; forwarded mail and cloud links', async (t) => {
  const fake = await start(t)
  const graph = graphClient(fake)
  const big = Buffer.alloc(6 * 1024 * 1024)
  for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i)
  const small = Buffer.from('%PDF-1.7\nsmall resume\n')
  const forwardedPdf = Buffer.from('%PDF-1.7\nforwarded resume\n')
  const message = await fake.deliverMessage({
    subject: 'With attachments',
    attachments: [
      { filename: 'big.pdf', bytes: big, mediaType: 'application/pdf' },
      { filename: 'small.pdf', bytes: small },
      { filename: 'cv.docx', bytes: Buffer.alloc(0), externalUrl: 'https://contoso.sharepoint.com/cv.docx' },
    ],
    forwarded: { subject: 'Fwd: my CV', from: 'ann@example.com', attachments: [{ filename: 'ann.pdf', bytes: forwardedPdf }] },
  })
  const list = (await (await graph(`/users/${fake.mailbox}/messages/${message.id}/attachments`)).json()) as {
    value: Record<string, unknown>[]
  }
  const byName = (name: string) => list.value.find((attachment) => attachment.name === name)!
  t.match(byName('big.pdf'), {
    '@odata.type': '#microsoft.graph.fileAttachment',
    contentType: 'application/pdf',
    size: big.length,
    isInline: false,
  })
  t.notOk('contentBytes' in byName('big.pdf'), 'large: no contentBytes')
  t.equal(Buffer.from(byName('small.pdf').contentBytes as string, 'base64').toString(), small.toString())
  t.match(byName('Fwd: my CV'), { '@odata.type': '#microsoft.graph.itemAttachment', contentType: null })
  t.match(byName('cv.docx'), { '@odata.type': '#microsoft.graph.referenceAttachment' })
  t.notOk('sourceUrl' in byName('cv.docx'), 'v1.0 has no sourceUrl on a referenceAttachment')

  const value = await graph(`/users/${fake.mailbox}/messages/${message.id}/attachments/${byName('big.pdf').id}/$value`)
  t.equal(value.status, 200)
  t.equal(value.headers.get('content-type'), 'application/pdf')
  t.equal(value.headers.get('content-length'), String(big.length))
  const bytes = Buffer.from(await value.arrayBuffer())
  t.equal(createHash('sha256').update(bytes).digest('hex'), createHash('sha256').update(big).digest('hex'), 'byte for byte')

  const mime = await graph(`/users/${fake.mailbox}/messages/${message.id}/attachments/${byName('Fwd: my CV').id}/$value`)
  const parsed = await simpleParser(Buffer.from(await mime.arrayBuffer()))
  t.equal(parsed.subject, 'Fwd: my CV')
  t.same(
    parsed.attachments.map((attachment) => [attachment.filename, attachment.content.toString()]),
    [['ann.pdf', forwardedPdf.toString()]],
  )
  t.equal((await graph(`/users/${fake.mailbox}/messages/${message.id}/attachments/${byName('cv.docx').id}/$value`)).status, 405)

  const selected = (await (await graph(`/users/${fake.mailbox}/messages/${message.id}/attachments?$select=id,name,size`)).json()) as {
    value: Record<string, unknown>[]
  }
  t.same(Object.keys(selected.value[0]!).sort(), ['@odata.type', 'id', 'name', 'size'])
  t.equal((await graph(`/users/${fake.mailbox}/messages/${message.id}/attachments?$select=contentBytes`)).status, 400)
})

t.test('messages: immutable ids survive a move, REST ids do not; extended properties; 404 ErrorItemNotFound', async (t) => {
  const fake = await start(t)
  const graph = graphClient(fake)
  const archive = (await (await graph(`/users/${fake.mailbox}/mailFolders/archive`)).json()) as { id: string }
  const first = await fake.deliverMessage({ subject: 'Keep my id', to: 'hiring+backend-2@contoso.test' })
  const got = (await (await graph(`/users/${fake.mailbox}/messages/${first.id}`)).json()) as Record<string, unknown>
  t.match(got, {
    id: first.id,
    subject: 'Keep my id',
    from: { emailAddress: { address: 'applicant@example.com' } },
    toRecipients: [{ emailAddress: { address: 'hiring+backend-2@contoso.test' } }],
    hasAttachments: false,
    categories: [],
    webLink: /^https:\/\/outlook\.office365\.com\/owa\/\?ItemID=/,
  })
  const moved = (await (
    await graph(`/users/${fake.mailbox}/messages/${first.id}/move`, { method: 'POST', body: { destinationId: 'archive' } })
  ).json()) as {
    id: string
    parentFolderId: string
  }
  t.equal(moved.id, first.id, 'ImmutableId: same id after the move')
  t.equal(moved.parentFolderId, archive.id)

  const second = await fake.deliverMessage({ subject: 'New id' })
  const rest = (await (await graph(`/users/${fake.mailbox}/messages/${second.id}`, { immutable: false })).json()) as { id: string }
  t.not(rest.id, second.id, 'without the Prefer header Graph answers REST ids')
  const movedRest = (await (
    await graph(`/users/${fake.mailbox}/messages/${rest.id}/move`, {
      method: 'POST',
      body: { destinationId: archive.id },
      immutable: false,
    })
  ).json()) as { id: string }
  t.not(movedRest.id, rest.id, 'a REST id changes with the move')
  const stale = await graph(`/users/${fake.mailbox}/messages/${rest.id}`, { immutable: false })
  t.equal(stale.status, 404)
  t.match(await stale.json(), { error: { code: 'ErrorItemNotFound' } })

  const property = 'String {66f5a359-4659-4830-9070-00047ec6ac6e} Name hireflowState'
  const patched = await graph(`/users/${fake.mailbox}/messages/${first.id}`, {
    method: 'PATCH',
    body: { singleValueExtendedProperties: [{ id: property, value: 'processed:candidate-1' }] },
  })
  t.equal(patched.status, 200)
  const expanded = (await (
    await graph(
      `/users/${fake.mailbox}/messages/${first.id}?$select=subject&$expand=singleValueExtendedProperties($filter=id eq '${property}')`,
    )
  ).json()) as Record<string, unknown>
  t.same(expanded.singleValueExtendedProperties, [{ id: property, value: 'processed:candidate-1' }])
  t.equal((await graph(`/users/${fake.mailbox}/messages/${first.id}?$select=subjekt`)).status, 400, 'an unknown $select property')
  t.equal((await graph(`/users/nobody@contoso.test/messages/${first.id}`)).status, 404)
  t.equal((await graph(`/users/${fake.mailbox}/mailFolders/Processed`)).status, 404, 'display names are not folder ids')
})

t.test('throttling, outages and concurrency', async (t) => {
  const fake = await start(t)
  const graph = graphClient(fake)
  const inbox = `/users/${fake.mailbox}/mailFolders/inbox`
  t.equal((await graph(inbox)).status, 200)
  fake.throttleNext(1, 7)
  const throttled = await graph(inbox)
  t.equal(throttled.status, 429)
  t.equal(throttled.headers.get('retry-after'), '7')
  t.match(await throttled.json(), { error: { code: 'TooManyRequests', innerError: { code: '429', status: '429' } } })
  t.equal((await graph(inbox)).status, 200, 'only the next one')

  await fake.setDown(true)
  const down = await graph(inbox)
  t.equal(down.status, 503, 'the token cached by msal is not needed while Graph is down')
  t.equal(
    (
      await fetch(`${fake.url}/${fake.tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: fake.clientId,
          client_secret: fake.clientSecret,
          scope: GRAPH_SCOPE,
        }),
      })
    ).status,
    503,
    'Entra is down too',
  )
  await fake.setDown(false)
  t.equal((await graph(inbox)).status, 200)

  fake.setRequestDelay(100)
  fake.resetMaxInFlight()
  await Promise.all(Array.from({ length: 6 }, () => graph(inbox)))
  t.equal(fake.maxInFlight, 6, 'six requests at once were seen at once')
})

t.test(
  'msal-node against Entra: a 5xx is replayed for 60 s without asking; tokens of 5 minutes or less are fetched for every call',
  async (t) => {
    const fake = await start(t)
    const app = msalApp(fake, { clientSecret: fake.clientSecret })
    await app.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] })
    await fake.setDown(true)
    t.match(await rejection(app.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE], skipCache: true })), {
      errorCode: 'temporarily_unavailable',
    })
    await fake.setDown(false)
    const asked = fake.tokenRequests
    t.match(await rejection(app.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE], skipCache: true })), {
      errorMessage: /AADSTS90033/,
    })
    t.equal(fake.tokenRequests, asked, 'the same app instance did not ask Entra again')
    t.ok(
      await msalApp(fake, { clientSecret: fake.clientSecret }).acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] }),
      'a new instance asks',
    )

    fake.setTokenLifetime(5)
    const short = msalApp(fake, { clientSecret: fake.clientSecret })
    const before = fake.tokenRequests
    await short.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] })
    await short.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] })
    t.equal(fake.tokenRequests - before, 2, 'msal renews a token 5 minutes before it expires')
  },
)

t.test('deliveries: a failed notification is retried with backoff, a slow endpoint times out, subscriptionRemoved removes', async (t) => {
  const fake = await start(t, { notificationRetries: 2, notificationRetryDelayMs: 10, notificationTimeoutMs: 200 })
  const graph = graphClient(fake)
  let notifications = 0
  const flaky = await receiver(t, (_seen, token) =>
    token !== null ? { status: 200, body: token } : ++notifications === 1 ? { status: 500 } : { status: 202 },
  )
  const slow = await serve(t, async (request, response) => {
    const token = new URL(request.url!, 'http://x').searchParams.get('validationToken')
    if (token === null) await sleep(400)
    response.writeHead(token === null ? 202 : 200, { 'content-type': 'text/plain' }).end(token ?? '')
  })
  const subscribe = async (url: string) =>
    (await (
      await graph('/subscriptions', {
        method: 'POST',
        body: {
          changeType: 'created',
          notificationUrl: `${url}/n`,
          lifecycleNotificationUrl: `${url}/l`,
          resource: `users/${fake.mailbox}/mailFolders('Inbox')/messages`,
          expirationDateTime: inMinutes(60),
          clientState: 'cs',
        },
      })
    ).json()) as { id: string }
  const flakySubscription = await subscribe(flaky.url)
  await fake.deliverMessage({ subject: 'Retry me' })
  t.same(
    fake.notifications.map((attempt) => [attempt.attempt, attempt.status]),
    [
      [1, 500],
      [2, 202],
    ],
  )
  t.same(await fake.sendLifecycle('subscriptionRemoved', flakySubscription.id), [202])
  t.equal((await graph(`/subscriptions/${flakySubscription.id}`)).status, 404, 'removed with the notification')

  await subscribe(slow.url)
  await fake.deliverMessage({ subject: 'Too slow' })
  t.same(
    fake.notifications.filter((attempt) => attempt.url.startsWith(slow.url)).map((attempt) => [attempt.attempt, attempt.error]),
    [
      [1, 'timeout'],
      [2, 'timeout'],
      [3, 'timeout'],
    ],
  )
})
