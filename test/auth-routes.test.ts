// Every route the app registers needs the API key unless it is on the short
// public list below. The walk covers routes added later (webhooks, admin)
// without anyone remembering to list them here.
import t from 'tap'
import { API_KEY } from './support/harness.ts'
import { fakeApp } from './support/fake-app.ts'

/** Open on purpose: the load balancer's probe and the API documentation. */
// Webhook deliveries are authenticated by the provider's signature, checked by the route itself (test/webhooks.test.ts);
// a decision link by its signed token (test/decision-links.test.ts); an SES event by SNS's signature (test/ses-events.test.ts).
const PUBLIC = [
  /^\/health$/,
  /^\/docs(\/.*)?$/,
  /^\/webhooks\/:provider$/,
  /^\/webhooks\/:provider\/lifecycle$/,
  /^\/decide\/:token$/,
  /^\/webhooks\/ses$/,
]
const isPublic = (url: string) => PUBLIC.some((pattern) => pattern.test(url))

const { app } = await fakeApp({
  services: { candidates: { listRequisitions: async () => ({ items: [], nextCursor: null }) } },
})
t.teardown(() => app.close())

/** A concrete URL for a route pattern: every path parameter and wildcard filled with a dummy value. */
const concrete = (url: string) => url.replace(/:[A-Za-z0-9_]+/g, 'dummy-id').replace(/\*$/, 'dummy')

t.test('every route outside the public list answers 401 without a valid key', async (t) => {
  const routes = app.routeTable
  const protectedRoutes = routes.filter((route) => !isPublic(route.url))
  // The walk must see the routes we know of, or it proves nothing.
  for (const known of [
    'POST /requisitions',
    'GET /requisitions',
    'GET /requisitions/:id',
    'POST /candidates',
    'GET /candidates',
    'GET /candidates/:id',
    'GET /candidates/:id/resume',
    'GET /metrics',
    // The queue board: its page, its static files and its JSON API.
    'GET /queues',
    'GET /queues/static/*',
    'PUT /queues/api/queues/:queueName/:jobId/retry',
  ]) {
    t.ok(
      protectedRoutes.some((route) => `${route.method} ${route.url}` === known),
      `the route table has ${known}`,
    )
  }
  for (const route of protectedRoutes) {
    const url = concrete(route.url)
    const label = `${route.method} ${route.url}`
    const none = await app.inject({ method: route.method, url })
    t.equal(none.statusCode, 401, `${label} without a key`)
    t.equal(none.headers['www-authenticate'], 'Bearer realm="hireflow"', `${label} names the scheme`)
    const wrong = await app.inject({ method: route.method, url, headers: { authorization: 'Bearer not-the-key-at-all-0000' } })
    t.equal(wrong.statusCode, 401, `${label} with a wrong key`)
    const otherScheme = await app.inject({ method: route.method, url, headers: { authorization: `Basic ${API_KEY}` } })
    t.equal(otherScheme.statusCode, 401, `${label} with the key under another scheme`)
  }
})

t.test('the public routes are reachable without a key', async (t) => {
  const open = app.routeTable.filter((route) => isPublic(route.url) && route.method === 'GET' && !route.url.includes('*'))
  t.ok(
    open.some((route) => route.url === '/health'),
    'the route table has /health',
  )
  for (const route of open) {
    const response = await app.inject({ method: 'GET', url: concrete(route.url) })
    t.not(response.statusCode, 401, `GET ${route.url}`)
  }
})

t.test('the scheme name is case-insensitive (RFC 7235), the key is not', async (t) => {
  for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
    const response = await app.inject({ method: 'GET', url: '/requisitions', headers: { authorization: `${scheme} ${API_KEY}` } })
    t.equal(response.statusCode, 200, `"${scheme}" is accepted`)
  }
  const upperKey = await app.inject({ method: 'GET', url: '/requisitions', headers: { authorization: `Bearer ${API_KEY.toUpperCase()}` } })
  t.equal(upperKey.statusCode, 401, 'the key itself is compared exactly')
  t.match(upperKey.json().message, /not valid/)
})
