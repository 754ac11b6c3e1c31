// Microsoft Graph notifications as Graph sends them
// (learn.microsoft.com/graph/change-notifications-delivery-webhooks,
// /graph/change-notifications-lifecycle-events): the validation handshake,
// clientState checked per subscription, lifecycle events; and the mail
// requisition rule every mailbox shares.
import t from 'tap'
import type { WebhookRegistration } from '../src/domain/source-state.ts'
import type { WebhookDelivery } from '../src/ports/intake-source.ts'
import { verifyChangeNotifications, verifyLifecycleNotifications } from '../src/sources/graph/notifications.ts'
import { requisitionFromMail } from '../src/sources/mail-requisition.ts'

const CLIENT_STATE = 'Zq8vKx0c0rI1l3pD6n2mVwYb4s7tUe9fAh5jGk1LmNo'
const registration = (id: string, secret: string): WebhookRegistration => ({
  id,
  callbackUrl: 'https://hireflow.example.com/webhooks/graph',
  secret,
  resource: "users/hiring@contoso.com/mailFolders('Inbox')/messages",
  createdAt: '2026-11-29T10:00:00Z',
  expiresAt: '2026-12-02T08:40:00Z',
})
const stored = [registration('7f105c7d-2dc5-4530-97cd-4e7ae6534c07', CLIENT_STATE)]

const delivery = (body: unknown, query: Record<string, string> = {}): WebhookDelivery => ({
  headers: { 'content-type': 'application/json; charset=utf-8' },
  query,
  rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  receivedAt: new Date(),
})

const notification = (id: string, overrides: Record<string, unknown> = {}) => ({
  subscriptionId: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07',
  subscriptionExpirationDateTime: '2026-12-02T08:40:00.0000000Z',
  changeType: 'created',
  resource: `Users/3b5ad4b4/Messages/${id}`,
  resourceData: {
    '@odata.type': '#Microsoft.Graph.Message',
    '@odata.id': `Users/3b5ad4b4/Messages/${id}`,
    '@odata.etag': 'W/"CQAAAA=="',
    id,
  },
  clientState: CLIENT_STATE,
  tenantId: '84bd8158-6d4d-4958-8b9f-9d6445542f95',
  ...overrides,
})

t.test('the validation call is answered with the token, decoded, as text/plain', async (t) => {
  const token = 'Validation: Testing client application reachability for subscription Request-Id: 2c2c5c54 +&%'
  for (const verify of [verifyChangeNotifications, verifyLifecycleNotifications]) {
    const verdict = verify(delivery('', { validationToken: token }), [])
    t.match(verdict, { kind: 'handshake', status: 200, body: token, secret: null })
    t.match((verdict as { headers: Record<string, string> }).headers['content-type'], /^text\/plain/)
  }
})

t.test('notifications with the stored clientState name their messages; created and updated of one message name it twice', async (t) => {
  const verdict = verifyChangeNotifications(
    delivery({ value: [notification('AAMkAD1='), notification('AAMkAD1=', { changeType: 'updated' }), notification('AAMkAD2=')] }),
    stored,
  )
  t.same(verdict, { kind: 'accepted', itemIds: ['AAMkAD1=', 'AAMkAD1=', 'AAMkAD2='], deliveryId: null })
  const deleted = verifyChangeNotifications(delivery({ value: [notification('AAMkAD3=', { changeType: 'deleted' })] }), stored)
  t.same(deleted, { kind: 'accepted', itemIds: [], deliveryId: null }, 'a deleted message has nothing to take in')
})

t.test('a forged, missing or misplaced clientState rejects the whole batch', async (t) => {
  const forged = [
    { value: [notification('A1', { clientState: CLIENT_STATE.replace('Z', 'Y') })] },
    { value: [notification('A1', { clientState: 'short' })] },
    { value: [notification('A1', { clientState: undefined })] },
    { value: [notification('A1'), notification('A2', { clientState: 'x'.repeat(43) })] },
    { value: [notification('A1', { subscriptionId: 'another-subscription' })] },
  ]
  for (const body of forged) t.match(verifyChangeNotifications(delivery(body), stored), { kind: 'rejected' })
  t.match(verifyChangeNotifications(delivery('{not json'), stored), { kind: 'rejected', reason: /not JSON/ })
  t.match(verifyChangeNotifications(delivery({ value: [] }), stored), { kind: 'rejected' })
  t.match(
    verifyChangeNotifications(delivery({ value: [notification('A1')] }), []),
    { kind: 'rejected' },
    'nothing stored: nothing verifies',
  )
})

t.test('a subscription still being created (stored under a provisional id) verifies by its clientState', async (t) => {
  const pending = [registration('pending:0a1b2c3d', 'c'.repeat(43))]
  const verdict = verifyChangeNotifications(
    delivery({ value: [notification('B1', { subscriptionId: 'new-subscription-id', clientState: 'c'.repeat(43) })] }),
    pending,
  )
  t.match(verdict, { kind: 'accepted', itemIds: ['B1'] })
})

t.test('lifecycle events: the three known ones are passed on, an unknown one acknowledged and ignored', async (t) => {
  const event = (lifecycleEvent: string, clientState = CLIENT_STATE) => ({
    subscriptionId: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07',
    subscriptionExpirationDateTime: '2026-12-02T08:40:00.0000000Z',
    tenantId: '84bd8158-6d4d-4958-8b9f-9d6445542f95',
    clientState,
    lifecycleEvent,
  })
  const verdict = verifyLifecycleNotifications(
    delivery({ value: [event('reauthorizationRequired'), event('subscriptionRemoved'), event('missed'), event('somethingNew')] }),
    stored,
  )
  t.same(verdict, {
    kind: 'accepted',
    events: ['reauthorizationRequired', 'subscriptionRemoved', 'missed'].map((name) => ({
      webhookId: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07',
      event: name,
    })),
  })
  t.match(verifyLifecycleNotifications(delivery({ value: [event('missed', 'forged')] }), stored), { kind: 'rejected' })
})

t.test('the mail requisition rule: subject tag first, then a plus-address of the hiring mailbox', async (t) => {
  t.equal(requisitionFromMail('Application [req:backend-2]', [], null), 'backend-2')
  t.equal(requisitionFromMail('Re: [Requisition: ml.eng_3] CV', [], 'hiring@example.com'), 'ml.eng_3')
  t.equal(requisitionFromMail('My CV', ['hiring+frontend-1@example.com'], 'hiring@example.com'), 'frontend-1')
  t.equal(
    requisitionFromMail('My CV', ['HIRING+frontend-1@Example.com'], 'hiring@example.com'),
    'frontend-1',
    'addresses compare case-blind',
  )
  t.equal(requisitionFromMail('My CV', ['jane+news@example.org'], 'hiring@example.com'), null, "someone else's plus-address names nothing")
  t.equal(requisitionFromMail('My CV', ['jane+x@example.org'], null), 'x', 'mailbox unknown: any plus-address')
  t.equal(requisitionFromMail('[req:a] wins', ['hiring+b@example.com'], 'hiring@example.com'), 'a')
  t.equal(requisitionFromMail('Application [req:../../etc]', [], null), null, 'only id characters')
  t.equal(requisitionFromMail(null, [], null), null)
})
