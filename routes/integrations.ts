// The task manager's webhooks, registered and inspected by operators (API key
// required). Registration needs PUBLIC_URL: the provider calls back
// PUBLIC_URL/webhooks/<provider>.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { HttpError } from '../src/http/errors.ts'
import { withDeadline } from '../src/async/deadline.ts'
import { errorResponses } from '../src/http/schemas.ts'
import { ProviderHttpError, ProviderNetworkError } from '../src/net/http-client.ts'
import { deleteSourceWebhooks, listSourceWebhooks, registerSourceWebhook, WebhookSetupError } from '../src/sources/webhook-registrations.ts'
import { mailboxSubscriptionStatus, subscribeMailbox, unsubscribeMailbox } from '../src/sources/mailbox-subscription.ts'
import { GraphTokenError } from '../src/sources/graph/auth.ts'
import { INTEGRATION_NAMES, type IntegrationName } from '../src/monitor/integration.ts'

const Integration = Type.Object({
  name: Type.Union(INTEGRATION_NAMES.map((name) => Type.Literal(name))),
  adapter: Type.Union([Type.String(), Type.Null()], {
    description:
      'what serves it (clickup, graph, imap, ses, outbox, s3, local, dynamodb, sqlite, bundled, redis); null when not configured',
  }),
  status: Type.Union([Type.Literal('healthy'), Type.Literal('unhealthy'), Type.Literal('disabled')], {
    description: `unhealthy after ALERT_AFTER_FAILURES failed probes in a row; disabled when not configured`,
  }),
  since: Type.Union([Type.String(), Type.Null()], { description: 'since when it has had this status' }),
  lastProbeAt: Type.Union([Type.String(), Type.Null()]),
  latencyMs: Type.Union([Type.Integer(), Type.Null()], { description: 'how long the last probe took' }),
  lastError: Type.Union([Type.String(), Type.Null()], { description: 'why the last probe failed; null once one succeeds' }),
  consecutiveFailures: Type.Integer(),
  facts: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]), {
    description:
      "what else is known: a source's reconciledAt, reconciledSecondsAgo, cursorStored, webhooksRegistered and webhookExpiresAt (a Graph subscription's expiry); the queue's waiting, active, delayed, failed and oldestWaitingSeconds",
  }),
})

const ProbeResult = Type.Object({
  at: Type.String(),
  ok: Type.Boolean(),
  latencyMs: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()]),
})

const IntegrationParams = Type.Object({
  name: Type.String({ description: INTEGRATION_NAMES.join(', ') }),
})

const Webhook = Type.Object({
  id: Type.String(),
  callbackUrl: Type.String(),
  resource: Type.String(),
  createdAt: Type.String(),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  stored: Type.Boolean({ description: 'hireflow keeps its secret and verifies its deliveries' }),
  atProvider: Type.Boolean({ description: 'the provider lists it' }),
})

const Subscription = Type.Object({
  id: Type.String(),
  resource: Type.String(),
  notificationUrl: Type.String(),
  lifecycleNotificationUrl: Type.String(),
  expirationDateTime: Type.Union([Type.String(), Type.Null()]),
})

const Deliveries = Type.Object({
  accepted: Type.Integer(),
  rejected: Type.Integer(),
  duplicates: Type.Integer(),
})

/** A probe that hangs is an answer too: unhealthy, said within this long. */
const MAILBOX_PROBE_TIMEOUT_MS = 20_000

const integrationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { config, sources, services, queues, integrations } = app.hiring
  const tags = ['integrations']

  function taskManager() {
    const provider = config.taskManager?.provider
    const source = provider ? sources.get(provider) : undefined
    if (!source) throw new HttpError(404, 'no task manager is configured (set TASK_MANAGER)')
    return source
  }

  function mailbox() {
    const provider = config.mailbox?.provider
    const source = provider ? sources.get(provider) : undefined
    if (!source) throw new HttpError(404, 'no mailbox is configured (set MAILBOX)')
    return source
  }

  /** The provider's refusal or absence, worded for the operator; never its credentials. */
  function providerError(error: unknown): never {
    if (error instanceof WebhookSetupError) throw new HttpError(409, error.message)
    if (error instanceof GraphTokenError) throw new HttpError(502, error.message)
    if (error instanceof ProviderHttpError) {
      // Graph says why a subscription was refused (e.g. its validation call to PUBLIC_URL failed): worth showing.
      const why = error.provider === 'graph' && error.bodySnippet ? `: ${error.bodySnippet.slice(0, 300)}` : ''
      throw new HttpError(502, `${error.provider} answered ${error.status} to ${error.method} ${error.path}${why}`)
    }
    if (error instanceof ProviderNetworkError) throw new HttpError(504, `${error.provider} did not answer (${error.code})`)
    throw error
  }

  function integrationNamed(name: string): IntegrationName {
    const known = INTEGRATION_NAMES.find((candidate) => candidate.toLowerCase() === name.toLowerCase())
    if (!known) throw new HttpError(404, `no integration named "${name}": use one of ${INTEGRATION_NAMES.join(', ')}`)
    return known
  }

  app.get(
    '/integrations',
    {
      schema: {
        tags,
        summary: 'Every integration as last probed: healthy, unhealthy or disabled, since when, the last error and facts',
        description:
          'The monitor probes every integration each HEALTH_INTERVAL_SECONDS; this answers from its last round (an integration never probed is probed now). ' +
          '/health stays the liveness and readiness check for load balancers.',
        response: { 200: Type.Object({ integrations: Type.Array(Integration) }), 401: errorResponses[401] },
      },
    },
    async () => ({ integrations: await integrations.list() }),
  )

  app.get(
    '/integrations/:name',
    {
      schema: {
        tags,
        summary: 'One integration as last probed, with its recent probes (newest first)',
        params: IntegrationParams,
        response: {
          200: Type.Intersect([Integration, Type.Object({ history: Type.Array(ProbeResult) })]),
          401: errorResponses[401],
          404: errorResponses[404],
        },
      },
    },
    async (request) => integrations.get(integrationNamed(request.params.name)),
  )

  app.post(
    '/integrations/:name/probe',
    {
      schema: {
        tags,
        summary: 'Probe one integration now (no body); alerts follow the same rules as the scheduled probes',
        params: IntegrationParams,
        response: { 200: Integration, 401: errorResponses[401], 404: errorResponses[404] },
      },
    },
    async (request) => integrations.probe(integrationNamed(request.params.name)),
  )

  app.post(
    '/integrations/task-manager/webhooks',
    {
      schema: {
        tags,
        summary: "Register the task manager's webhook for the hiring project (idempotent; no body)",
        response: {
          201: Webhook,
          401: errorResponses[401],
          404: errorResponses[404],
          409: Type.Ref('ErrorResponse'),
          502: Type.Ref('ErrorResponse'),
          504: Type.Ref('ErrorResponse'),
        },
      },
    },
    async (_request, reply) => {
      const webhook = await registerSourceWebhook(taskManager(), services.candidates, config.publicUrl).catch(providerError)
      return reply.code(201).send(webhook)
    },
  )

  app.get(
    '/integrations/task-manager/webhooks',
    {
      schema: {
        tags,
        summary: "The task manager's webhooks, as stored and as the provider lists them, and the deliveries this process saw",
        response: {
          200: Type.Object({ provider: Type.String(), webhooks: Type.Array(Webhook), deliveries: Deliveries }),
          401: errorResponses[401],
          404: errorResponses[404],
          502: Type.Ref('ErrorResponse'),
          504: Type.Ref('ErrorResponse'),
        },
      },
    },
    async () => {
      const source = taskManager()
      const webhooks = await listSourceWebhooks(source, services.candidates).catch(providerError)
      const deliveries = app.webhookCounters.get(source.provider) ?? { accepted: 0, rejected: 0, duplicates: 0 }
      return { provider: source.provider, webhooks, deliveries }
    },
  )

  app.delete(
    '/integrations/task-manager/webhooks',
    {
      schema: {
        tags,
        summary: "Delete hireflow's webhooks at the task manager and forget their secrets",
        response: {
          200: Type.Object({ deleted: Type.Array(Type.String()) }),
          401: errorResponses[401],
          404: errorResponses[404],
          502: Type.Ref('ErrorResponse'),
          504: Type.Ref('ErrorResponse'),
        },
      },
    },
    async () => ({ deleted: await deleteSourceWebhooks(taskManager(), services.candidates, config.publicUrl).catch(providerError) }),
  )

  const subscriptionErrors = {
    401: errorResponses[401],
    404: errorResponses[404],
    409: Type.Ref('ErrorResponse'),
    502: Type.Ref('ErrorResponse'),
    504: Type.Ref('ErrorResponse'),
  }

  app.get(
    '/integrations/mailbox',
    {
      schema: {
        tags,
        summary: 'The mailbox probed now (a token, then the folder): healthy, or unhealthy with the reason; and its reconciliation',
        response: {
          200: Type.Object({
            provider: Type.String(),
            status: Type.Union([Type.Literal('healthy'), Type.Literal('unhealthy')]),
            error: Type.Union([Type.String(), Type.Null()], { description: 'why it is unhealthy (e.g. the token error Entra gave)' }),
            latencyMs: Type.Integer(),
            reconciledAt: Type.Union([Type.String(), Type.Null()], { description: 'when reconciliation last completed a run' }),
            cursorStored: Type.Boolean({ description: 'a sync cursor (delta link, UID) is kept in the candidate store' }),
          }),
          401: errorResponses[401],
          404: errorResponses[404],
        },
      },
    },
    async (request) => {
      const source = mailbox()
      const started = performance.now()
      let error: string | null = null
      try {
        await withDeadline(source.probe(), MAILBOX_PROBE_TIMEOUT_MS, () => new Error(`no answer within ${MAILBOX_PROBE_TIMEOUT_MS} ms`))
      } catch (failure) {
        error = (failure as Error).message.slice(0, 500)
        request.log.warn({ provider: source.provider, err: { message: error } }, 'mailbox probe failed')
      }
      const state = await services.candidates.getSourceState(source.provider)
      return {
        provider: source.provider,
        status: error ? ('unhealthy' as const) : ('healthy' as const),
        error,
        latencyMs: Math.round(performance.now() - started),
        reconciledAt: state?.reconciledAt ?? null,
        cursorStored: !!state?.cursor,
      }
    },
  )

  app.post(
    '/integrations/mailbox/subscription',
    {
      schema: {
        tags,
        summary: "Create the mailbox's Graph subscription, or renew the stored one (no body)",
        description:
          'Creates a subscription to the hiring folder with notificationUrl PUBLIC_URL/webhooks/graph and ' +
          'lifecycleNotificationUrl PUBLIC_URL/webhooks/graph/lifecycle (Graph calls both to validate them first), or renews ' +
          'the stored one; when Graph no longer has it, it is recreated and the folder resynced.',
        response: {
          200: Type.Object({ outcome: Type.String(), subscription: Subscription, resync: Type.Boolean() }),
          ...subscriptionErrors,
        },
      },
    },
    async () => {
      const result = await subscribeMailbox(mailbox(), config.publicUrl).catch(providerError)
      if (result.resync) await queues.enqueueReconcile(mailbox().provider).catch(() => {})
      return result
    },
  )

  app.get(
    '/integrations/mailbox/subscription',
    {
      schema: {
        tags,
        summary: "The mailbox's Graph subscription: its id, resource and expirationDateTime, and whether Graph still has it",
        response: {
          200: Type.Object({
            provider: Type.String(),
            subscription: Type.Union([Subscription, Type.Null()]),
            atProvider: Type.Boolean(),
            deliveries: Deliveries,
            upkeep: Type.Record(Type.String(), Type.Integer(), {
              description: 'outcomes of renewals and lifecycle events so far: created, renewed, recreated, reauthorized, resync, failed',
            }),
          }),
          ...subscriptionErrors,
        },
      },
    },
    async () => {
      const source = mailbox()
      const status = await mailboxSubscriptionStatus(source, services.candidates).catch(providerError)
      const upkeep = await queues.webhookUpkeepCounts(source.provider).catch(() => ({}))
      return { ...status, deliveries: app.webhookCounters.get(source.provider) ?? { accepted: 0, rejected: 0, duplicates: 0 }, upkeep }
    },
  )

  app.delete(
    '/integrations/mailbox/subscription',
    {
      schema: {
        tags,
        summary: "Delete the mailbox's Graph subscription and forget its clientState",
        response: { 200: Type.Object({ deleted: Type.Array(Type.String()) }), ...subscriptionErrors },
      },
    },
    async () => ({ deleted: await unsubscribeMailbox(mailbox(), services.candidates, config.publicUrl).catch(providerError) }),
  )
}

export default integrationRoutes
