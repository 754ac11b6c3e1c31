// The provider API client against real local HTTP servers: retries only where
// repeating is safe, rate limits honoured or handed back with a time, one token
// renewal per 401, timeouts, and no credential in any error.
import t from 'tap'
import { createServer } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { json, serve } from './support/recording-server.ts'
import {
  HttpClient,
  ProviderHttpError,
  ProviderNetworkError,
  RateLimitedError,
  parseRateLimitReset,
  parseRetryAfter,
  type AuthProvider,
  type RetryInfo,
} from '../src/net/http-client.ts'

const TOKEN = 'pk_4815162342_SECRETTOKENVALUE'

function staticAuth(header = TOKEN): AuthProvider & { renewals: number } {
  return {
    renewals: 0,
    async authorize() {
      return { authorization: header }
    },
  }
}

function retriesLog() {
  const retries: RetryInfo[] = []
  return { retries, onRetry: (info: RetryInfo) => retries.push(info) }
}

/** Everything an error could put into a log line. */
function everythingIn(error: unknown): string {
  const e = error as Error
  return `${String(e)} ${e.stack} ${JSON.stringify(e)} ${JSON.stringify(Object.entries(e))}`
}

t.test('GET joins the base path, encodes the query and sends auth, agent and accept headers', async (t) => {
  const api = await serve(t, (_request, response) => json(response, 200, { tasks: [{ id: 'abc' }] }))
  const client = new HttpClient({ baseUrl: `${api.url}/api/v2/`, provider: 'clickup', auth: staticAuth(), userAgent: 'hireflow-test' })
  const answer = await client.request<{ tasks: { id: string }[] }>('GET', '/list/901/task', {
    query: { 'tags[]': ['candidate', 'resume'], date_updated_gt: 1700000000000, archived: false, page: undefined },
  })
  t.same(answer, { tasks: [{ id: 'abc' }] })
  t.equal(api.seen[0]!.url, '/api/v2/list/901/task?tags%5B%5D=candidate&tags%5B%5D=resume&date_updated_gt=1700000000000&archived=false')
  t.equal(api.seen[0]!.headers.authorization, TOKEN)
  t.equal(api.seen[0]!.headers['user-agent'], 'hireflow-test')
  t.equal(api.seen[0]!.headers.accept, 'application/json')
})

t.test('POST sends JSON; 204 gives undefined', async (t) => {
  const api = await serve(t, (_request, response) => {
    response.writeHead(204)
    response.end()
  })
  const client = new HttpClient({ baseUrl: api.url, provider: 'asana', auth: staticAuth() })
  t.equal(await client.request('POST', '/tasks/1/addTag', { body: { data: { tag: '77' } } }), undefined)
  t.equal(api.seen[0]!.headers['content-type'], 'application/json')
  t.same(JSON.parse(api.seen[0]!.body), { data: { tag: '77' } })
})

t.test('requestRaw hands back the Response for streaming', async (t) => {
  const api = await serve(t, (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/pdf' })
    response.end('%PDF-1.7 body')
  })
  const client = new HttpClient({ baseUrl: api.url, provider: 'jira', auth: staticAuth() })
  const response = await client.requestRaw('GET', '/rest/api/3/attachment/content/10001')
  t.equal(response.headers.get('content-type'), 'application/pdf')
  t.equal(await response.text(), '%PDF-1.7 body')
})

t.test('429 with Retry-After: 1 waits a second, then succeeds', async (t) => {
  const api = await serve(t, (_request, response, _seen, count) =>
    count === 1 ? json(response, 429, { err: 'Rate limit reached' }, { 'retry-after': '1' }) : json(response, 200, { ok: true }),
  )
  const { retries, onRetry } = retriesLog()
  const client = new HttpClient({ baseUrl: api.url, provider: 'clickup', auth: staticAuth(), baseDelayMs: 1, onRetry })
  const started = Date.now()
  t.same(await client.request('GET', '/team'), { ok: true })
  t.ok(Date.now() - started >= 950, `waited ${Date.now() - started} ms`)
  t.equal(api.seen.length, 2)
  t.same(
    retries.map((r) => [r.reason, r.delayMs]),
    [[429, 1000]],
  )
})

t.test('429 whose X-RateLimit-Reset is beyond the cap: RateLimitedError with retryAt, no sleeping', async (t) => {
  const reset = Math.floor(Date.now() / 1000) + 120
  const api = await serve(t, (_request, response) =>
    json(response, 429, { err: 'Rate limit reached' }, { 'x-ratelimit-reset': String(reset), 'x-ratelimit-remaining': '0' }),
  )
  const client = new HttpClient({ baseUrl: api.url, provider: 'clickup', auth: staticAuth(), maxRetryWaitMs: 5_000 })
  const started = Date.now()
  const error = await client.request('GET', '/list/1/task').catch((e: unknown) => e)
  t.ok(error instanceof RateLimitedError, 'a RateLimitedError')
  const limited = error as RateLimitedError
  t.equal(limited.status, 429)
  t.equal(limited.permanent, false)
  t.ok(Math.abs(limited.retryAt.getTime() - reset * 1000) < 1500, 'retryAt is the reset time')
  t.ok(Date.now() - started < 1000, 'gave up at once')
  t.equal(api.seen.length, 1)
})

t.test('429 on every attempt: RateLimitedError after maxAttempts, even for a POST', async (t) => {
  const api = await serve(t, (_request, response) => json(response, 429, {}, { 'retry-after': '0' }))
  const client = new HttpClient({ baseUrl: api.url, provider: 'asana', auth: staticAuth(), maxAttempts: 3, baseDelayMs: 5 })
  const error = await client.request('POST', '/tasks', { body: {} }).catch((e: unknown) => e)
  t.ok(error instanceof RateLimitedError)
  t.equal(api.seen.length, 3, 'a refused request was not processed, so repeating it is safe')
})

t.test('Retry-After and X-RateLimit-Reset parsing', async (t) => {
  const now = Date.parse('2026-03-01T10:00:00Z')
  t.equal(parseRetryAfter('1', now), 1000)
  t.equal(parseRetryAfter('Sun, 01 Mar 2026 10:00:30 GMT', now), 30_000)
  t.equal(parseRetryAfter('Sun, 01 Mar 2026 09:00:00 GMT', now), 0, 'a date in the past means now')
  t.equal(parseRetryAfter('soon', now), undefined)
  t.equal(parseRetryAfter(null, now), undefined)
  t.equal(parseRateLimitReset(String(now / 1000 + 42), now), 42_000)
  t.equal(parseRateLimitReset('7', now), 7000, 'a small value is seconds from now')
})

t.test('5xx is retried up to maxAttempts with growing backoff, then ProviderHttpError', async (t) => {
  const api = await serve(t, (_request, response) => json(response, 503, { error: 'upstream down' }))
  const { retries, onRetry } = retriesLog()
  const client = new HttpClient({
    baseUrl: api.url,
    provider: 'jira',
    auth: staticAuth(),
    maxAttempts: 4,
    baseDelayMs: 20,
    random: () => 0.999,
    onRetry,
  })
  const started = Date.now()
  const error = await client.request('GET', '/rest/api/3/search/jql', { query: { jql: 'project = HIRE' } }).catch((e: unknown) => e)
  t.ok(error instanceof ProviderHttpError)
  const failure = error as ProviderHttpError
  t.equal(failure.status, 503)
  t.equal(failure.permanent, false)
  t.equal(failure.provider, 'jira')
  t.equal(failure.method, 'GET')
  t.equal(failure.path, '/rest/api/3/search/jql', 'no query string')
  t.match(failure.bodySnippet, /upstream down/)
  t.equal(api.seen.length, 4)
  t.same(
    retries.map((r) => r.delayMs),
    [19, 39, 79],
    'full-jitter ceilings double: 20, 40, 80',
  )
  t.ok(Date.now() - started >= 130)
})

t.test('full jitter stays under the ceiling', async (t) => {
  const api = await serve(t, (_request, response) => json(response, 500, {}))
  const { retries, onRetry } = retriesLog()
  const client = new HttpClient({ baseUrl: api.url, provider: 'jira', maxAttempts: 4, baseDelayMs: 10, onRetry })
  await t.rejects(client.request('GET', '/x'), ProviderHttpError)
  t.equal(retries.length, 3)
  retries.forEach((retry, i) => t.ok(retry.delayMs >= 0 && retry.delayMs < 10 * 2 ** i, `delay ${retry.delayMs} under ${10 * 2 ** i}`))
})

t.test('a POST the server received is not retried after 500, unless marked idempotent', async (t) => {
  const api = await serve(t, (_request, response) => json(response, 500, { error: 'boom' }))
  const client = new HttpClient({ baseUrl: api.url, provider: 'clickup', auth: staticAuth(), maxAttempts: 3, baseDelayMs: 1 })
  await t.rejects(client.request('POST', '/task/1/comment', { body: { comment_text: 'hi' } }), ProviderHttpError)
  t.equal(api.seen.length, 1, 'one POST only')
  await t.rejects(client.request('PUT', '/task/1', { body: {} }), ProviderHttpError)
  t.equal(api.seen.length, 2, 'one PUT only')
  await t.rejects(client.request('POST', '/task/1/tag/x', { idempotent: true }), ProviderHttpError)
  t.equal(api.seen.length, 5, 'the idempotent POST was tried three times')
})

t.test('a POST that timed out after reaching the server is not retried', async (t) => {
  const api = await serve(t, () => {})
  const client = new HttpClient({ baseUrl: api.url, provider: 'clickup', auth: staticAuth(), maxAttempts: 3, baseDelayMs: 1 })
  const error = await client.request('POST', '/task/1/comment', { body: {}, timeoutMs: 100 }).catch((e: unknown) => e)
  t.ok(error instanceof ProviderNetworkError)
  t.equal((error as ProviderNetworkError).timedOut, true)
  t.equal(api.seen.length, 1)
})

t.test('a POST refused before it was sent (connection refused) is retried', async (t) => {
  // A port that is free now and will be listened on after the first failure.
  const probe = createServer()
  probe.listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const port = (probe.address() as AddressInfo).port
  probe.close()
  await once(probe, 'close')

  let received = 0
  const late = createServer((_request, response) => {
    received++
    json(response, 201, { id: 'c1' })
  })
  t.teardown(() => {
    late.closeAllConnections()
    late.close()
  })
  const reasons: (string | number)[] = []
  const client = new HttpClient({
    baseUrl: `http://127.0.0.1:${port}`,
    provider: 'asana',
    auth: staticAuth(),
    maxAttempts: 3,
    baseDelayMs: 50,
    random: () => 0.999,
    onRetry: (info) => {
      reasons.push(info.reason)
      if (!late.listening) late.listen(port, '127.0.0.1')
    },
  })
  t.same(await client.request('POST', '/tasks/1/stories', { body: { data: { text: 'x' } } }), { id: 'c1' })
  t.same(reasons, ['ECONNREFUSED'])
  t.equal(received, 1)
})

t.test('connection refused on every attempt: ProviderNetworkError after maxAttempts', async (t) => {
  const probe = createServer()
  probe.listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const port = (probe.address() as AddressInfo).port
  probe.close()
  await once(probe, 'close')
  const { retries, onRetry } = retriesLog()
  const client = new HttpClient({ baseUrl: `http://127.0.0.1:${port}`, provider: 'jira', maxAttempts: 3, baseDelayMs: 1, onRetry })
  const error = await client.request('GET', '/rest/api/3/myself').catch((e: unknown) => e)
  t.ok(error instanceof ProviderNetworkError)
  t.equal((error as ProviderNetworkError).code, 'ECONNREFUSED')
  t.match((error as Error).message, /^jira GET \/rest\/api\/3\/myself failed: /)
  t.equal(retries.length, 2)
})

t.test('timeout: a silent server gives a ProviderNetworkError per the attempts, quickly', async (t) => {
  const api = await serve(t, () => {})
  const client = new HttpClient({
    baseUrl: api.url,
    provider: 'clickup',
    auth: staticAuth(),
    maxAttempts: 2,
    baseDelayMs: 1,
    timeoutMs: 100,
  })
  const started = Date.now()
  const error = await client.request('GET', '/team').catch((e: unknown) => e)
  t.ok(error instanceof ProviderNetworkError)
  t.equal((error as ProviderNetworkError).timedOut, true)
  t.match((error as Error).message, /no answer within 100 ms/)
  t.equal(api.seen.length, 2)
  t.ok(Date.now() - started < 2000)
})

t.test("the caller's abort stops at once, without retrying", async (t) => {
  const api = await serve(t, () => {})
  const client = new HttpClient({ baseUrl: api.url, provider: 'clickup', maxAttempts: 4, baseDelayMs: 1 })
  const controller = new AbortController()
  setTimeout(() => controller.abort(new Error('shutting down')), 50)
  await t.rejects(client.request('GET', '/team', { signal: controller.signal }), { message: 'shutting down' })
  t.equal(api.seen.length, 1)
})

t.test('401: one renewal and one retry; the renewed token is used', async (t) => {
  const api = await serve(t, (request, response) =>
    request.headers.authorization === 'Bearer new' ? json(response, 200, { ok: true }) : json(response, 401, { error: 'expired' }),
  )
  let current = 'old'
  const rejected: Record<string, string>[] = []
  const auth: AuthProvider = {
    authorize: async () => ({ authorization: `Bearer ${current}` }),
    onUnauthorized: async (headers) => {
      rejected.push(headers)
      current = 'new'
    },
  }
  const client = new HttpClient({ baseUrl: api.url, provider: 'asana', auth })
  t.same(await client.request('POST', '/tasks', { body: {} }), { ok: true })
  t.same(rejected, [{ authorization: 'Bearer old' }], 'told which credentials were refused')
  t.equal(api.seen.length, 2)
})

t.test('a second 401 is final: no loop', async (t) => {
  const api = await serve(t, (_request, response) => json(response, 401, { error: 'nope' }))
  let renewals = 0
  const auth: AuthProvider = {
    authorize: async () => ({ authorization: `Bearer t${renewals}` }),
    onUnauthorized: () => {
      renewals++
    },
  }
  const client = new HttpClient({ baseUrl: api.url, provider: 'asana', auth, maxAttempts: 4 })
  const error = await client.request('GET', '/users/me').catch((e: unknown) => e)
  t.ok(error instanceof ProviderHttpError)
  t.equal((error as ProviderHttpError).status, 401)
  t.equal((error as ProviderHttpError).permanent, true)
  t.equal(renewals, 1)
  t.equal(api.seen.length, 2)
})

t.test('401 with credentials that cannot be renewed is not repeated', async (t) => {
  const api = await serve(t, (_request, response) => json(response, 401, {}))
  const client = new HttpClient({
    baseUrl: api.url,
    provider: 'clickup',
    auth: { authorize: async () => ({ authorization: TOKEN }), onUnauthorized: () => false },
  })
  const error = await client.request('GET', '/team').catch((e: unknown) => e)
  t.equal((error as ProviderHttpError).status, 401)
  t.equal(api.seen.length, 1)
})

t.test('4xx other than 408/429 is permanent and not retried', async (t) => {
  const api = await serve(t, (_request, response) => json(response, 404, { err: 'Task not found', ECODE: 'ITEM_015' }))
  const client = new HttpClient({ baseUrl: api.url, provider: 'clickup', auth: staticAuth(), baseDelayMs: 1 })
  const error = (await client.request('GET', '/task/abc').catch((e: unknown) => e)) as ProviderHttpError
  t.equal(error.status, 404)
  t.equal(error.permanent, true)
  t.equal(error.message, 'clickup GET /task/abc answered 404: {"err":"Task not found","ECODE":"ITEM_015"}')
  t.equal(api.seen.length, 1)
})

t.test('408 is retried', async (t) => {
  const api = await serve(t, (_request, response, _seen, count) => (count === 1 ? json(response, 408, {}) : json(response, 200, [])))
  const client = new HttpClient({ baseUrl: api.url, provider: 'jira', baseDelayMs: 1 })
  t.same(await client.request('GET', '/x'), [])
  t.equal(api.seen.length, 2)
})

t.test('errors carry no token: not the header, not an echo in the body, not the query string', async (t) => {
  const secretQuery = 'sig=QUERYSECRET123'
  const api = await serve(t, (request, response) =>
    json(response, 400, { error: `bad token ${request.headers.authorization}`, access_token: 'at_ECHOED_ACCESS', url: request.url }),
  )
  for (const header of [TOKEN, `Bearer ${TOKEN}`, `Basic ${Buffer.from(`hr@example.com:${TOKEN}`).toString('base64')}`]) {
    const client = new HttpClient({ baseUrl: api.url, provider: 'jira', auth: staticAuth(header) })
    const error = (await client.request('GET', `/rest/api/3/issue/HIRE-1?${secretQuery}`).catch((e: unknown) => e)) as ProviderHttpError
    t.equal(error.status, 400)
    const text = everythingIn(error)
    t.notMatch(text, TOKEN, `no token with ${header.split(' ')[0]}`)
    t.notMatch(text, header, 'no header value')
    t.notMatch(text, 'at_ECHOED_ACCESS', 'no token-looking field')
    t.notMatch(error.path, 'QUERYSECRET123', 'no query string in the path')
    t.equal(error.path, '/rest/api/3/issue/HIRE-1')
  }
})

t.test('the snippet is bounded', async (t) => {
  const api = await serve(t, (_request, response) => {
    response.writeHead(502, { 'content-type': 'text/html' })
    response.end(`<html>${'x'.repeat(100_000)}</html>`)
  })
  const client = new HttpClient({ baseUrl: api.url, provider: 'asana', maxAttempts: 1 })
  const error = (await client.request('GET', '/x').catch((e: unknown) => e)) as ProviderHttpError
  t.ok(error.bodySnippet.length <= 301, `snippet of ${error.bodySnippet.length} characters`)
  t.ok(error.message.length < 400)
})

t.test('credentials never go to another origin: absolute URLs and redirects', async (t) => {
  const elsewhere = await serve(t, (_request, response) => json(response, 200, { leaked: true }))
  const api = await serve(t, (request, response) => {
    if (request.url === '/moved') {
      response.writeHead(301, { location: '/api/here' })
      response.end()
      return
    }
    if (request.url === '/away') {
      response.writeHead(302, { location: `${elsewhere.url}/steal` })
      response.end()
      return
    }
    json(response, 200, { at: request.url })
  })
  const client = new HttpClient({ baseUrl: api.url, provider: 'asana', auth: staticAuth() })
  t.same(
    await client.request('GET', `${api.url}/tasks?offset=abc`),
    { at: '/tasks?offset=abc' },
    'a next-page URL on the API origin is fine',
  )
  t.throws(() => client.url(`${elsewhere.url}/steal`), /another origin/)
  t.same(await client.request('GET', '/moved'), { at: '/api/here' }, 'same-origin redirect followed')
  t.equal(api.seen.at(-1)!.headers.authorization, TOKEN)
  await t.rejects(client.request('GET', '/away'), /redirect to another origin/)
  const raw = await client.requestRaw('GET', '/away')
  t.equal(raw.status, 302, 'requestRaw hands the cross-origin redirect back unfollowed')
  t.equal(elsewhere.seen.length, 0, 'nothing reached the other origin')
})

t.test('a 2xx that is not JSON is an error naming the provider and path', async (t) => {
  const api = await serve(t, (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' })
    response.end('<html>login</html>')
  })
  const client = new HttpClient({ baseUrl: api.url, provider: 'jira' })
  await t.rejects(client.request('GET', '/rest/api/3/myself'), {
    message: 'jira GET /rest/api/3/myself answered 200 with a body that is not JSON (text/html)',
  })
})
