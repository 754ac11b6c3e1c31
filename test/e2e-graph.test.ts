// End to end through Microsoft Graph: hireflow's real routes and workers
// against the Graph + Entra stand-in (HTTPS, msal-node's real flow), with
// the subscription created through the API and Graph's validation calls,
// notifications and lifecycle events coming back to hireflow's routes.
import t from 'tap'
import { mailboxCommand } from '../src/cli-mailbox.ts'
import { AUTH, type TestHireflow } from './support/harness.ts'
import { startFakeGraph, type FakeGraph } from './support/fake-graph.ts'
import type { FakeMailbox } from './support/fake-mailbox.ts'
import { until } from './support/harness.ts'
import { candidatesOfMail, mailboxEndToEnd, mailCandidates, outbox, resumeMail, startWithMailbox } from './support/mailbox-e2e.ts'

type Tap = Parameters<Parameters<typeof t.test>[0]>[0]

async function graph(t: Tap): Promise<FakeGraph> {
  // hireflow's test listener is plain http on loopback; real Graph only calls https (PUBLIC_URL behind a TLS proxy).
  const fake = await startFakeGraph({ tokenLifetimeSeconds: 3_600, allowHttpNotificationUrl: true })
  t.teardown(() => fake.close())
  return fake
}

async function subscribe(hireflow: TestHireflow): Promise<{ outcome: string; subscription: { id: string } }> {
  const answer = await hireflow.app!.inject({ method: 'POST', url: '/integrations/mailbox/subscription', headers: AUTH })
  if (answer.statusCode !== 200) throw new Error(`subscribe answered ${answer.statusCode}: ${answer.body}`)
  return answer.json()
}

mailboxEndToEnd(t, graph, { push: async (hireflow) => void (await subscribe(hireflow)), pushFromApi: true })

t.test('subscribe validates both routes; GET shows it; subscribing again renews; DELETE removes it', async (t) => {
  const fake = await graph(t)
  const hireflow = await startWithMailbox(t, fake)
  const first = await subscribe(hireflow)
  t.equal(first.outcome, 'created')
  const port = hireflow.config.port
  t.same(
    fake.validations.map((validation) => [new URL(validation.url).pathname, validation.ok]).sort(),
    [
      ['/webhooks/graph', true],
      ['/webhooks/graph/lifecycle', true],
    ],
    'Graph validated both URLs against the real routes',
  )
  t.equal(fake.subscriptions()[0]!.notificationUrl, `http://127.0.0.1:${port}/webhooks/graph`)
  const shown = await hireflow.app!.inject({ method: 'GET', url: '/integrations/mailbox/subscription', headers: AUTH })
  t.equal(shown.statusCode, 200)
  t.match(shown.json(), {
    provider: 'graph',
    atProvider: true,
    subscription: { id: first.subscription.id, resource: /mailFolders\('Inbox'\)\/messages/, expirationDateTime: /^\d{4}-/ },
  })
  t.notMatch(shown.body, fake.subscriptions()[0]!.clientState!, 'the clientState is never shown')
  t.equal((await subscribe(hireflow)).outcome, 'renewed')
  t.equal(fake.subscriptions().length, 1)

  const lines: string[] = []
  t.equal(
    await mailboxCommand(
      hireflow.config,
      'status',
      (line) => lines.push(line),
      () => {},
    ),
    0,
  )
  t.match(lines[0], new RegExp(`^${first.subscription.id}\\t.*active at Graph`))
  t.equal(
    await mailboxCommand(
      hireflow.config,
      'frobnicate',
      () => {},
      () => {},
    ),
    2,
    'usage: exit 2',
  )

  const removed = await hireflow.app!.inject({ method: 'DELETE', url: '/integrations/mailbox/subscription', headers: AUTH })
  t.same(removed.json(), { deleted: [first.subscription.id] })
  t.equal(fake.subscriptions().length, 0)
  const none = await hireflow.app!.inject({ method: 'GET', url: '/integrations/mailbox/subscription', headers: AUTH })
  t.match(none.json(), { subscription: null, atProvider: false })
})

t.test('ten duplicate notifications: one candidate per resume and one email each', async (t) => {
  const fake = await graph(t)
  const hireflow = await startWithMailbox(t, fake)
  await subscribe(hireflow)
  await resumeMail(fake, 'Application: Dora Duplicate', 'Dora Duplicate')
  const [message] = fake.messagesWithSubject('Application: Dora Duplicate')
  const statuses = [
    ...(await fake.notifyAgain(message!.id, { changeType: 'created', times: 5 })),
    ...(await fake.notifyAgain(message!.id, { changeType: 'updated', times: 5 })),
  ]
  t.ok(
    statuses.every((status) => status === 202),
    'every notification answered 202',
  )
  await mailCandidates(hireflow, 'Application: Dora Duplicate', 2, ['acknowledged'])
  await new Promise((resolve) => setTimeout(resolve, 1_000))
  t.equal((await candidatesOfMail(hireflow, 'Application: Dora Duplicate')).length, 2)
  t.equal((await outbox(hireflow)).length, 2)
})

t.test('a forged clientState is 401, counted, and takes nothing in', async (t) => {
  const fake = await graph(t)
  const hireflow = await startWithMailbox(t, fake)
  await subscribe(hireflow)
  // A forger who knows a subscription id and a message id, not the clientState: Graph's shape, sent to the public route.
  const [subscription] = fake.subscriptions()
  fake.createFolder('Archive')
  const message = await fake.deliverMessage({ subject: 'Forged notice', attachments: [] }, { folder: 'Archive' })
  const notice = (clientState: string | undefined) => ({
    value: [
      {
        subscriptionId: subscription!.id,
        subscriptionExpirationDateTime: subscription!.expirationDateTime,
        changeType: 'created',
        resource: `Users/${fake.userId}/Messages/${message.id}`,
        resourceData: {
          '@odata.type': '#Microsoft.Graph.Message',
          '@odata.id': `Users/${fake.userId}/Messages/${message.id}`,
          id: message.id,
        },
        ...(clientState === undefined ? {} : { clientState }),
        tenantId: fake.tenantId,
      },
    ],
  })
  for (const clientState of ['not-the-client-state', undefined, `${subscription!.clientState}x`]) {
    const answer = await hireflow.app!.inject({
      method: 'POST',
      url: '/webhooks/graph',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      payload: notice(clientState),
    })
    t.equal(answer.statusCode, 401, `clientState ${clientState ?? 'missing'}: 401`)
  }
  const shown = await hireflow.app!.inject({ method: 'GET', url: '/integrations/mailbox/subscription', headers: AUTH })
  t.match(shown.json(), { deliveries: { rejected: 3 } })
  const hints = await hireflow.queues.drainSourceHints('graph')
  t.equal(hints, 0, 'nothing was queued')
  await new Promise((resolve) => setTimeout(resolve, 500))
  t.same(await candidatesOfMail(hireflow, 'Forged notice'), [])
})

t.test('subscription deleted behind our back: the renewal job recreates it, and a resync finds the mail that came meanwhile', async (t) => {
  const fake = await graph(t)
  const hireflow = await startWithMailbox(t, fake)
  const { subscription } = await subscribe(hireflow)
  fake.deleteSubscriptionBehindOurBack(subscription.id)
  await resumeMail(fake, 'Application: Lou Lost', 'Lou Lost')
  t.same(
    fake.notifications.filter((notification) => notification.kind === 'change'),
    [],
    'Graph had no subscription to notify',
  )
  // Time passes: the stored subscription is due for renewal.
  const state = (await hireflow.services.candidates.getSourceState('graph'))!
  const soon = new Date(Date.now() + 3_600_000).toISOString()
  await hireflow.services.candidates.putSourceState(
    { ...state, webhooks: state.webhooks.map((webhook) => ({ ...webhook, expiresAt: soon })) },
    state.version,
  )
  await hireflow.queues.enqueueKeepWebhook('graph')
  await until('a new subscription', async () => (fake.subscriptions().length === 1 ? true : undefined))
  t.not(fake.subscriptions()[0]!.id, subscription.id)
  await mailCandidates(hireflow, 'Application: Lou Lost', 2, ['acknowledged'])
  t.same(
    (await hireflow.services.candidates.getSourceState('graph'))!.webhooks.map((webhook) => webhook.id),
    [fake.subscriptions()[0]!.id],
  )
  const shown = await hireflow.app!.inject({ method: 'GET', url: '/integrations/mailbox/subscription', headers: AUTH })
  t.match(shown.json(), { upkeep: { recreated: 1 } }, 'the outcome is counted')
})

t.test('lifecycle: missed resyncs, subscriptionRemoved recreates, reauthorizationRequired renews; a forged one is 401', async (t) => {
  const fake = await graph(t)
  const hireflow = await startWithMailbox(t, fake)
  const { subscription } = await subscribe(hireflow)
  // A mail whose notification Graph dropped.
  await fake.deliverMessage({ subject: 'Application: Mo Missed', attachments: [] })
  await hireflow.queues.enqueueReconcile('graph')
  await until('the first reconciliation', async () =>
    (await hireflow.services.candidates.getSourceState('graph'))?.cursor ? true : undefined,
  )
  t.same(await fake.sendLifecycle('missed'), [202])
  await until('the mail marked', async () => ((await fake.mail('Application: Mo Missed')).marks.length > 0 ? true : undefined))

  t.same(await fake.sendLifecycle('reauthorizationRequired'), [202])
  await until('renewed', async () => (fake.subscriptions()[0]?.reauthorizationRequired === false ? true : undefined))

  t.same(await fake.sendLifecycle('subscriptionRemoved'), [202])
  await until('recreated', async () => (fake.subscriptions()[0] && fake.subscriptions()[0]!.id !== subscription.id ? true : undefined))

  const forged = await hireflow.app!.inject({
    method: 'POST',
    url: '/webhooks/graph/lifecycle',
    headers: { 'content-type': 'application/json' },
    payload: { value: [{ subscriptionId: fake.subscriptions()[0]!.id, clientState: 'forged', lifecycleEvent: 'subscriptionRemoved' }] },
  })
  t.equal(forged.statusCode, 401)
})

t.test("GET /integrations/mailbox: healthy while Entra and Graph answer; a refused secret is unhealthy with Entra's reason", async (t) => {
  const fake = await graph(t)
  const hireflow = await startWithMailbox(t, fake)
  const healthy = await hireflow.app!.inject({ method: 'GET', url: '/integrations/mailbox', headers: AUTH })
  t.match(healthy.json(), { provider: 'graph', status: 'healthy', error: null })
  const wrong = await startWithMailbox(t, fake, { GRAPH_CLIENT_SECRET: 'an-expired-secret' })
  const unhealthy = await wrong.app!.inject({ method: 'GET', url: '/integrations/mailbox', headers: AUTH })
  t.match(unhealthy.json(), { provider: 'graph', status: 'unhealthy', error: /Entra.*(invalid_client|AADSTS7000215)/ })
  t.notMatch(unhealthy.body, /an-expired-secret/, 'never the secret')
})

export type { FakeMailbox }
