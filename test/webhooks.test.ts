// The webhook route's own rules, whatever the provider: raw bytes reach the
// source's check, forgeries are 401 with nothing queued and no payload in the
// log, handshakes are answered and their secret kept, a provider's retry of
// one delivery queues nothing twice, and a queue outage is a 503 the provider
// retries. Each provider's own signature scheme is tested with its fake server
// (test/source-*.test.ts); here a minimal source signs with HMAC-SHA256.
import t from 'tap'
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { WebhookRegistration } from '../src/domain/source-state.ts'
import { emptySourceState, type SourceState } from '../src/domain/source-state.ts'
import type { IntakeSource, WebhookDelivery, WebhookVerdict } from '../src/ports/intake-source.ts'
import { fakeApp } from './support/fake-app.ts'
import { AUTH } from './support/harness.ts'

const SECRET = 'registered-secret'
const sign = (body: string, secret = SECRET) => createHmac('sha256', secret).update(body).digest('hex')

/** Signs like ClickUp (hex HMAC of the raw body in X-Signature), with an Asana-style handshake and delivery ids. */
function signingSource(): IntakeSource & { seen: Buffer[] } {
  const seen: Buffer[] = []
  return {
    provider: 'demo',
    source: 'task-manager',
    seen,
    verifyWebhook(delivery: WebhookDelivery, registrations: readonly WebhookRegistration[]): WebhookVerdict {
      seen.push(delivery.rawBody)
      const handshake = delivery.headers['x-hook-secret']
      if (handshake) return { kind: 'handshake', status: 200, headers: { 'x-hook-secret': handshake }, body: null, secret: handshake }
      const given = Buffer.from(delivery.headers['x-signature'] ?? '', 'hex')
      const ok = registrations.some((registration) => {
        const wanted = Buffer.from(sign(delivery.rawBody.toString('utf8'), registration.secret ?? ''), 'hex')
        return given.length === wanted.length && timingSafeEqual(given, wanted)
      })
      if (!ok) return { kind: 'rejected', reason: 'signature does not match' }
      const { task_id: taskId } = JSON.parse(delivery.rawBody.toString('utf8')) as { task_id: string }
      return { kind: 'accepted', itemIds: [taskId, taskId], deliveryId: delivery.headers['x-delivery-id'] ?? null }
    },
    listChanges: async () => ({ changes: [], nextPage: null }),
    getItem: async () => undefined,
    downloadAttachment: async () => Buffer.alloc(0),
    markProcessed: async () => {},
    comment: async () => {},
    registerWebhook: async () => {
      throw new Error('not used here')
    },
    listWebhooks: async () => [],
    deleteWebhook: async () => {},
    probe: async () => {},
  }
}

async function webhookApp(queue: { down: boolean } = { down: false }) {
  let state: SourceState = {
    ...emptySourceState('demo'),
    version: 1,
    webhooks: [{ id: 'wh-1', callbackUrl: 'https://x/webhooks/demo', secret: SECRET, resource: 'list:1', createdAt: '', expiresAt: null }],
  }
  const queued: string[] = []
  const source = signingSource()
  const fake = await fakeApp({
    sources: [source],
    services: {
      candidates: {
        getSourceState: async () => structuredClone(state),
        putSourceState: async (next: SourceState, expected: number) => {
          if (expected !== state.version) return undefined
          state = { ...next, version: expected + 1 }
          return state
        },
      },
    },
    queues: {
      hintSourceItem: async (_provider: string, itemIds: readonly string[]) => {
        if (queue.down) throw new Error('the job queue is unavailable (Redis connection reconnecting)')
        for (const itemId of new Set(itemIds)) queued.push(itemId)
      },
    },
  })
  return { ...fake, source, queued, state: () => state }
}

const post = (app: Awaited<ReturnType<typeof webhookApp>>['app'], body: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/webhooks/demo', payload: body, headers: { 'content-type': 'application/json', ...headers } })

t.test('a signed delivery is answered 202 at once and queues each item once; the route needs no API key', async (t) => {
  const { app, queued, source } = await webhookApp()
  const body = '{"event":"taskUpdated", "task_id":"t-1"}'
  const response = await post(app, body, { 'x-signature': sign(body) })
  t.equal(response.statusCode, 202)
  t.same(response.json(), { accepted: true, items: 1 })
  t.same(queued, ['t-1'])
  t.equal(source.seen[0]?.toString('utf8'), body, 'the source saw the exact bytes sent, spacing and all')
})

t.test('forged, tampered, re-serialised and unsigned deliveries are 401, queue nothing, and leave no payload in the log', async (t) => {
  const { app, queued, logs } = await webhookApp()
  const body = '{"event":"taskUpdated", "task_id":"Jane Secret Doe"}'
  const cases: [string, string, Record<string, string>][] = [
    ['forged', body, { 'x-signature': sign(body, 'guessed') }],
    ['tampered', body.replace('Jane', 'John'), { 'x-signature': sign(body) }],
    ['re-serialised', JSON.stringify(JSON.parse(body)), { 'x-signature': sign(body) }],
    ['unsigned', body, {}],
  ]
  for (const [label, payload, headers] of cases) {
    const response = await post(app, payload, headers)
    t.equal(response.statusCode, 401, label)
    t.match(response.json(), { message: /not signed by a registered webhook/ }, label)
  }
  t.same(queued, [])
  const warnings = logs.filter((line) => line.includes('webhook delivery rejected'))
  t.equal(warnings.length, 4, 'one warning each')
  t.notOk(
    logs.some((line) => line.includes('Jane Secret Doe')),
    'no payload in any log line',
  )
  const counters = await app.inject({ method: 'GET', url: '/integrations/task-manager/webhooks', headers: AUTH })
  t.equal(counters.statusCode, 404, 'no task manager configured in this app, so the listing says so')
  t.equal(app.webhookCounters.get('demo')?.rejected, 4)
})

t.test('a handshake is echoed and its secret kept for the registration waiting on it', async (t) => {
  const { app, queued, state } = await webhookApp()
  const response = await app.inject({ method: 'POST', url: '/webhooks/demo', headers: { 'x-hook-secret': 'handshake-secret' } })
  t.equal(response.statusCode, 200)
  t.equal(response.headers['x-hook-secret'], 'handshake-secret')
  t.equal(state().handshake?.secret, 'handshake-secret')
  t.same(queued, [])
})

t.test("a provider's retry of one delivery (same delivery id) queues nothing more", async (t) => {
  const { app, queued } = await webhookApp()
  const body = '{"task_id":"t-9"}'
  for (let i = 0; i < 3; i++) {
    const response = await post(app, body, { 'x-signature': sign(body), 'x-delivery-id': 'd-1' })
    t.equal(response.statusCode, 202)
  }
  t.same(queued, ['t-9'])
  t.equal(app.webhookCounters.get('demo')?.duplicates, 2)
})

t.test('a queue outage is a 503 the provider retries, and the retry is then taken', async (t) => {
  const queue = { down: true }
  const { app, queued } = await webhookApp(queue)
  const body = '{"task_id":"t-2"}'
  const response = await post(app, body, { 'x-signature': sign(body), 'x-delivery-id': 'd-2' })
  t.equal(response.statusCode, 503)
  t.match(response.json(), { message: /deliver again later/ })
  queue.down = false
  const retry = await post(app, body, { 'x-signature': sign(body), 'x-delivery-id': 'd-2' })
  t.equal(retry.statusCode, 202, 'the failed delivery id was not remembered as done')
  t.same(queued, ['t-2'])
})

t.test('bad requests: an unknown source is 404, a non-JSON body 415, an oversized one 413', async (t) => {
  const { app, queued } = await webhookApp()
  const unknown = await app.inject({
    method: 'POST',
    url: '/webhooks/trello',
    payload: '{}',
    headers: { 'content-type': 'application/json' },
  })
  t.equal(unknown.statusCode, 404)
  t.match(unknown.json(), { message: 'no intake source "trello" is configured' })
  const form = await app.inject({
    method: 'POST',
    url: '/webhooks/demo',
    payload: 'a=b',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  })
  t.equal(form.statusCode, 415)
  t.match(form.json(), { message: /application\/json, not application\/x-www-form-urlencoded/ })
  const huge = await post(app, JSON.stringify({ task_id: 'x', padding: 'x'.repeat(1024 * 1024) }))
  t.equal(huge.statusCode, 413)
  t.same(queued, [])
})
