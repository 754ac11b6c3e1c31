// OAuth2 refresh_token grant against a local token endpoint and a local API:
// one token request serves many calls and many concurrent callers, a rotated
// refresh token is stored before the new access token is used, a 401 renews
// once, invalid_grant asks for re-authorisation, and no token reaches a message.
import t from 'tap'
import { json, serve } from './support/recording-server.ts'
import { setTimeout as sleep } from 'node:timers/promises'
import { HttpClient, ProviderHttpError } from '../src/net/http-client.ts'
import { OAuth2Error, OAuth2TokenSource, StaticTokenSource, type OAuth2TokenSourceOptions } from '../src/net/oauth2.ts'

/** A token endpoint that issues at1, at2, … and, when rotating, rtok1, rtok2, … and refuses refresh tokens it has replaced. */
async function tokenEndpoint(
  test: { teardown(fn: () => void): void },
  options: { rotate?: boolean; expiresIn?: number; delayMs?: number } = {},
) {
  let issued = 0
  let valid = 'rtok0'
  const endpoint = await serve(test, async (_request, response, seen) => {
    if (options.delayMs) await sleep(options.delayMs)
    if (seen.form.get('grant_type') !== 'refresh_token' || seen.form.get('refresh_token') !== valid) {
      return json(response, 400, {
        error: 'invalid_grant',
        error_description: `Refresh token ${seen.form.get('refresh_token')} is invalid`,
      })
    }
    issued++
    const answer: Record<string, unknown> = { access_token: `at${issued}`, token_type: 'Bearer', expires_in: options.expiresIn ?? 3600 }
    if (options.rotate) answer.refresh_token = valid = `rtok${issued}`
    json(response, 200, answer)
  })
  return { ...endpoint, url: `${endpoint.url}/oauth/token`, issued: () => issued }
}

/** The refresh token store that several processes share (the candidate store in production). */
function sharedStore(initial = 'rtok0') {
  const store = { value: initial, writes: [] as string[] }
  return {
    store,
    loadRefreshToken: async () => store.value,
    onRefreshToken: async (token: string) => {
      store.writes.push(token)
      store.value = token
    },
  }
}

function source(url: string, extra: Partial<OAuth2TokenSourceOptions> = {}) {
  const shared = sharedStore()
  const tokens = new OAuth2TokenSource({
    tokenEndpoint: url,
    clientId: 'hireflow-client',
    clientSecret: 'CLIENT_SECRET_VALUE',
    provider: 'asana',
    loadRefreshToken: shared.loadRefreshToken,
    onRefreshToken: shared.onRefreshToken,
    baseDelayMs: 5,
    ...extra,
  })
  return { tokens, store: shared.store }
}

t.test('the access token is cached: one token request for many calls', async (t) => {
  const endpoint = await tokenEndpoint(t)
  const api = await serve(t, (_request, response) => json(response, 200, { data: [] }))
  const { tokens } = source(endpoint.url)
  const client = new HttpClient({ baseUrl: api.url, provider: 'asana', auth: tokens })
  for (let i = 0; i < 20; i++) await client.request('GET', '/projects/1/tasks')
  t.equal(endpoint.seen.length, 1)
  t.ok(
    api.seen.every((s) => s.headers.authorization === 'Bearer at1'),
    'every call carried the token',
  )
  const request = endpoint.seen[0]!
  t.equal(request.headers['content-type'], 'application/x-www-form-urlencoded')
  t.same(Object.fromEntries(request.form), {
    grant_type: 'refresh_token',
    refresh_token: 'rtok0',
    client_id: 'hireflow-client',
    client_secret: 'CLIENT_SECRET_VALUE',
  })
  t.equal(request.headers.authorization, undefined)
})

t.test('client_secret_basic: client credentials form-encoded in basic auth, not in the body', async (t) => {
  const endpoint = await tokenEndpoint(t)
  const { tokens } = source(endpoint.url, { clientAuth: 'client_secret_basic', clientId: 'id with:colon', clientSecret: 's&cret+/=' })
  t.same(await tokens.authorize(), { authorization: 'Bearer at1' })
  const request = endpoint.seen[0]!
  t.equal(
    request.headers.authorization,
    `Basic ${Buffer.from('id+with%3Acolon:s%26cret%2B%2F%3D').toString('base64')}`,
    'RFC 6749 §2.3.1 encoding',
  )
  t.same(Object.fromEntries(request.form), { grant_type: 'refresh_token', refresh_token: 'rtok0' })
})

t.test('a configured redirect URI goes with every refresh (Asana lists it as required)', async (t) => {
  const endpoint = await tokenEndpoint(t)
  const { tokens } = source(endpoint.url, { redirectUri: 'https://hireflow.example.com/oauth/callback' })
  await tokens.authorize()
  t.equal(endpoint.seen[0]!.form.get('redirect_uri'), 'https://hireflow.example.com/oauth/callback')
})

t.test('10 concurrent callers share one refresh', async (t) => {
  const endpoint = await tokenEndpoint(t, { delayMs: 50, rotate: true })
  const { tokens, store } = source(endpoint.url)
  const headers = await Promise.all(Array.from({ length: 10 }, () => tokens.authorize()))
  t.equal(endpoint.seen.length, 1)
  t.ok(
    headers.every((h) => h.authorization === 'Bearer at1'),
    'all got the same token',
  )
  t.same(store.writes, ['rtok1'], 'the rotated token stored once')
})

t.test('a rotated refresh token is stored before the new access token is used, and used next time', async (t) => {
  const endpoint = await tokenEndpoint(t, { rotate: true })
  const events: string[] = []
  const api = await serve(t, (request, response) => {
    events.push(`api ${request.headers.authorization}`)
    json(response, 200, {})
  })
  const store = { value: 'rtok0' }
  const tokens = new OAuth2TokenSource({
    tokenEndpoint: endpoint.url,
    clientId: 'c',
    clientSecret: 'CLIENT_SECRET_VALUE',
    loadRefreshToken: () => store.value,
    onRefreshToken: async (token) => {
      await sleep(30)
      store.value = token
      events.push(`stored ${token}`)
    },
  })
  const client = new HttpClient({ baseUrl: api.url, provider: 'asana', auth: tokens })
  await client.request('GET', '/users/me')
  tokens.invalidate()
  await client.request('GET', '/users/me')
  t.same(events, ['stored rtok1', 'api Bearer at1', 'stored rtok2', 'api Bearer at2'])
  t.same(
    endpoint.seen.map((s) => s.form.get('refresh_token')),
    ['rtok0', 'rtok1'],
    'the second refresh used the rotated token',
  )
})

t.test('a token rotated by another process is picked up from the store', async (t) => {
  const endpoint = await tokenEndpoint(t, { rotate: true })
  const shared = sharedStore()
  const options = { tokenEndpoint: endpoint.url, clientId: 'c', clientSecret: 'CLIENT_SECRET_VALUE', ...shared }
  const api = new OAuth2TokenSource(options)
  const worker = new OAuth2TokenSource(options)
  t.same(await api.authorize(), { authorization: 'Bearer at1' })
  t.same(await worker.authorize(), { authorization: 'Bearer at2' }, 'the worker refreshed with rtok1, stored by the API process')
  api.invalidate()
  t.same(await api.authorize(), { authorization: 'Bearer at3' })
  t.same(shared.store.writes, ['rtok1', 'rtok2', 'rtok3'])
})

t.test('invalid_grant because another process rotated at the same moment: retried once with the stored token', async (t) => {
  const endpoint = await tokenEndpoint(t, { rotate: true })
  const shared = sharedStore()
  let loads = 0
  const tokens = new OAuth2TokenSource({
    tokenEndpoint: endpoint.url,
    clientId: 'c',
    clientSecret: 'CLIENT_SECRET_VALUE',
    onRefreshToken: shared.onRefreshToken,
    // The first read returns the token that the other process is about to replace.
    loadRefreshToken: async () => (++loads === 1 ? 'rtok0' : shared.store.value),
  })
  const other = new OAuth2TokenSource({ tokenEndpoint: endpoint.url, clientId: 'c', clientSecret: 'CLIENT_SECRET_VALUE', ...shared })
  await other.authorize()
  t.same(await tokens.authorize(), { authorization: 'Bearer at2' })
  t.same(
    endpoint.seen.map((s) => s.form.get('refresh_token')),
    ['rtok0', 'rtok0', 'rtok1'],
  )
})

t.test('refreshed 60 s before expiry, or at 90 % of a short lifetime', async (t) => {
  const endpoint = await tokenEndpoint(t, { expiresIn: 3600 })
  let now = 1_000_000
  const { tokens } = source(endpoint.url, { now: () => now })
  t.same(await tokens.authorize(), { authorization: 'Bearer at1' })
  now += 3539_000
  t.same(await tokens.authorize(), { authorization: 'Bearer at1' }, '61 s before expiry: cached')
  now += 2_000
  t.same(await tokens.authorize(), { authorization: 'Bearer at2' }, '59 s before expiry: refreshed')
  t.equal(endpoint.seen.length, 2)

  const short = await tokenEndpoint(t, { expiresIn: 100 })
  now = 5_000_000
  const { tokens: shortTokens } = source(short.url, { now: () => now })
  await shortTokens.authorize()
  now += 89_000
  t.same(await shortTokens.authorize(), { authorization: 'Bearer at1' }, '89 % of 100 s: cached')
  now += 2_000
  t.same(await shortTokens.authorize(), { authorization: 'Bearer at2' }, '91 %: refreshed')
})

t.test('a token endpoint outage while the old token is still valid does not stop calls', async (t) => {
  let fail = false
  let issued = 0
  const endpoint = await serve(t, (_request, response) => {
    if (fail) return json(response, 503, {})
    json(response, 200, { access_token: `at${++issued}`, expires_in: 3600 })
  })
  let now = 0
  const { tokens } = source(endpoint.url, { now: () => now, maxAttempts: 1 })
  await tokens.authorize()
  fail = true
  now += 3570_000
  t.same(await tokens.authorize(), { authorization: 'Bearer at1' }, 'inside the early-refresh window the old token serves')
  now += 60_000
  await t.rejects(tokens.authorize(), OAuth2Error, 'expired: the outage shows')
})

t.test('401 from the API: one refresh and one retry', async (t) => {
  const endpoint = await tokenEndpoint(t)
  const api = await serve(t, (request, response) =>
    request.headers.authorization === 'Bearer at1'
      ? json(response, 401, { errors: [{ message: 'Not Authorized' }] })
      : json(response, 200, { ok: 1 }),
  )
  const { tokens } = source(endpoint.url)
  const client = new HttpClient({ baseUrl: api.url, provider: 'asana', auth: tokens })
  t.same(await client.request('GET', '/users/me'), { ok: 1 })
  t.equal(endpoint.seen.length, 2)
  t.equal(api.seen.length, 2)
})

t.test('401 again after the refresh: an error, no loop', async (t) => {
  const endpoint = await tokenEndpoint(t)
  const api = await serve(t, (_request, response) => json(response, 401, { errors: [{ message: 'Not Authorized' }] }))
  const { tokens } = source(endpoint.url)
  const client = new HttpClient({ baseUrl: api.url, provider: 'asana', auth: tokens, maxAttempts: 4 })
  const error = await client.request('GET', '/users/me').catch((e: unknown) => e)
  t.ok(error instanceof ProviderHttpError)
  t.equal((error as ProviderHttpError).status, 401)
  t.equal(endpoint.seen.length, 2, 'one initial token and one refresh')
  t.equal(api.seen.length, 2)
})

t.test('401s for a token already renewed do not renew it again', async (t) => {
  const endpoint = await tokenEndpoint(t)
  // The refusals arrive spread out, most of them after the token was already renewed.
  const api = await serve(t, async (request, response, _seen, count) => {
    if (request.headers.authorization !== 'Bearer at1') return json(response, 200, {})
    await sleep(count * 25)
    json(response, 401, {})
  })
  const { tokens } = source(endpoint.url)
  const client = new HttpClient({ baseUrl: api.url, provider: 'asana', auth: tokens })
  await tokens.authorize()
  await Promise.all(Array.from({ length: 5 }, () => client.request('GET', '/users/me')))
  t.equal(endpoint.seen.length, 2)
})

t.test('invalid_grant: a permanent OAuth2Error asking for re-authorisation, and no second request', async (t) => {
  const endpoint = await tokenEndpoint(t)
  const store = { value: 'rt_REVOKED_SECRET' }
  const tokens = new OAuth2TokenSource({
    tokenEndpoint: endpoint.url,
    clientId: 'c',
    clientSecret: 'CLIENT_SECRET_VALUE',
    provider: 'jira',
    loadRefreshToken: () => store.value,
    baseDelayMs: 1,
  })
  const error = await tokens.authorize().catch((e: unknown) => e)
  t.ok(error instanceof OAuth2Error)
  const failure = error as OAuth2Error
  t.equal(failure.permanent, true)
  t.equal(failure.code, 'invalid_grant')
  t.match(failure.message, /the refresh token was rejected \(invalid_grant.*\): re-authorise/)
  t.notMatch(everythingIn(failure), 'rt_REVOKED_SECRET', 'the refused token is not in the message')
  t.equal(endpoint.seen.length, 1, 'not retried')
  await t.rejects(tokens.authorize(), { code: 'invalid_grant' })
  t.equal(endpoint.seen.length, 1, 'the same refused token is not sent again')
  store.value = 'rtok0'
  t.same(await tokens.authorize(), { authorization: 'Bearer at1' }, 'a re-authorised token in the store is used')
})

t.test('invalid_client is permanent too', async (t) => {
  const endpoint = await serve(t, (_request, response) => json(response, 401, { error: 'invalid_client' }))
  const { tokens } = source(endpoint.url)
  await t.rejects(tokens.authorize(), { code: 'invalid_client', permanent: true, message: /check the client id and secret/ })
  t.equal(endpoint.seen.length, 1)
})

t.test('token endpoint 503 then 200: retried', async (t) => {
  const endpoint = await serve(t, (_request, response, _seen, count) =>
    count === 1 ? json(response, 503, { error: 'temporarily_unavailable' }) : json(response, 200, { access_token: 'at1', expires_in: 60 }),
  )
  const { tokens } = source(endpoint.url)
  t.same(await tokens.authorize(), { authorization: 'Bearer at1' })
  t.equal(endpoint.seen.length, 2)
})

t.test('token endpoint down: bounded attempts, then a transient OAuth2Error without secrets', async (t) => {
  const endpoint = await serve(t, (_request, response, seen) => json(response, 500, { echo: seen.form.toString() }))
  const { tokens } = source(endpoint.url, { maxAttempts: 3 })
  const error = (await tokens.authorize().catch((e: unknown) => e)) as OAuth2Error
  t.ok(error instanceof OAuth2Error)
  t.equal(error.permanent, false)
  t.equal(endpoint.seen.length, 3)
  t.notMatch(everythingIn(error), 'CLIENT_SECRET_VALUE')
  t.notMatch(everythingIn(error), 'rtok0')
})

t.test('token endpoint timeout: an error, quickly', async (t) => {
  const endpoint = await serve(t, () => {})
  const { tokens } = source(endpoint.url, { timeoutMs: 100, maxAttempts: 2 })
  const started = Date.now()
  await t.rejects(tokens.authorize(), { code: 'network', permanent: false, message: /no answer within 100 ms/ })
  t.equal(endpoint.seen.length, 2)
  t.ok(Date.now() - started < 2000)
})

t.test('a rotated token that could not be stored is kept and used on the next refresh', async (t) => {
  const endpoint = await tokenEndpoint(t, { rotate: true })
  const store = { value: 'rtok0', failing: true }
  const tokens = new OAuth2TokenSource({
    tokenEndpoint: endpoint.url,
    clientId: 'c',
    clientSecret: 'CLIENT_SECRET_VALUE',
    loadRefreshToken: () => store.value,
    onRefreshToken: async (token) => {
      if (store.failing) throw new Error(`database is locked while writing ${token}`)
      store.value = token
    },
  })
  const error = (await tokens.authorize().catch((e: unknown) => e)) as OAuth2Error
  t.equal(error.code, 'storage')
  t.notMatch(error.message, 'rtok1', 'the token is not in the message')
  store.failing = false
  t.same(await tokens.authorize(), { authorization: 'Bearer at2' })
  t.same(
    endpoint.seen.map((s) => s.form.get('refresh_token')),
    ['rtok0', 'rtok1'],
    'the unsaved rotated token was used, not the replaced one',
  )
  t.equal(store.value, 'rtok2')
})

t.test('no API error message contains the access token', async (t) => {
  const endpoint = await serve(t, (_request, response) => json(response, 200, { access_token: 'at_SECRET_ACCESS', expires_in: 3600 }))
  const api = await serve(t, (request, response) => json(response, 403, { message: `token ${request.headers.authorization} lacks scope` }))
  const { tokens } = source(endpoint.url)
  const client = new HttpClient({ baseUrl: api.url, provider: 'asana', auth: tokens })
  const error = await client.request('GET', '/workspaces').catch((e: unknown) => e)
  t.equal((error as ProviderHttpError).status, 403)
  t.notMatch(everythingIn(error), 'at_SECRET_ACCESS')
  t.match((error as ProviderHttpError).bodySnippet, /lacks scope/)
})

t.test('personal tokens in each provider’s documented format', async (t) => {
  t.same(await StaticTokenSource.forProvider('clickup', 'pk_1_ABC').authorize(), { authorization: 'pk_1_ABC' }, 'ClickUp: no Bearer')
  t.same(await StaticTokenSource.forProvider('asana', '2/123/456:abc').authorize(), { authorization: 'Bearer 2/123/456:abc' })
  t.same(await StaticTokenSource.forProvider('jira', 'ATATT3x\n', 'hr@example.com').authorize(), {
    authorization: `Basic ${Buffer.from('hr@example.com:ATATT3x').toString('base64')}`,
  })
  t.equal(StaticTokenSource.forProvider('clickup', 'pk').onUnauthorized(), false, 'nothing to renew')
  t.throws(() => new StaticTokenSource({ token: 'a b' }), { message: /characters not allowed/ })
  t.throws(() => new StaticTokenSource({ token: 'x', format: 'basic' }), { message: /email/ })
  t.throws(() => new StaticTokenSource({ token: '  ' }), { message: /empty/ })
})

t.test('a 401 with a personal token is not repeated', async (t) => {
  const api = await serve(t, (_request, response) => json(response, 401, { err: 'Token invalid' }))
  const client = new HttpClient({ baseUrl: api.url, provider: 'clickup', auth: StaticTokenSource.forProvider('clickup', 'pk_1_SECRET') })
  const error = await client.request('GET', '/user').catch((e: unknown) => e)
  t.equal((error as ProviderHttpError).status, 401)
  t.equal(api.seen.length, 1)
  t.notMatch(everythingIn(error), 'pk_1_SECRET')
})

function everythingIn(error: unknown): string {
  const e = error as Error
  return `${String(e)} ${e.stack} ${JSON.stringify(e)} ${JSON.stringify(Object.entries(e))}`
}
