// POST /webhooks/:provider: change notifications from the intake sources.
// Public (providers hold no API key): the signature is the authentication,
// checked by the source on the raw bytes before anything is parsed or
// queued. A delivery is a hint: it queues a look at the items it names and is
// answered at once; the item job asks the provider's API what is true.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { WebhookDelivery, WebhookVerdict } from '../src/ports/intake-source.ts'
import { Type } from 'typebox'
import type { WebhookRegistration } from '../src/domain/source-state.ts'
import { HttpError } from '../src/http/errors.ts'
import { errorResponses } from '../src/http/schemas.ts'
import { readSourceState, updateSourceState } from '../src/sources/state.ts'

/** Deliveries are small JSON documents; a larger body is refused before it is read whole. */
const WEBHOOK_BODY_LIMIT = 1024 * 1024
/** Registrations are read from the store at most this often per process; a failed check reloads them at once. */
const REGISTRATIONS_TTL_MS = 10_000
/** Delivery ids remembered per process, so a provider's retry of one delivery is answered without queueing again. */
const RECENT_DELIVERIES = 1_000

export interface WebhookCounters {
  accepted: number
  rejected: number
  duplicates: number
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Webhook deliveries seen by this process, per provider. */
    webhookCounters: Map<string, WebhookCounters>
  }
}

const ProviderParams = Type.Object({ provider: Type.String({ pattern: '^[a-z0-9-]{1,32}$' }) })

/** The answers both webhook routes give: a handshake echoed as text, a refused signature, body or type, a queue away. */
const webhookResponses = {
  200: Type.Unsafe<string>({ type: 'string', description: 'a handshake answer' }),
  401: errorResponses[401],
  404: errorResponses[404],
  413: Type.Ref('ErrorResponse'),
  415: Type.Ref('ErrorResponse'),
  503: errorResponses[503],
}

const WebhookAccepted = Type.Object({
  accepted: Type.Boolean(),
  items: Type.Integer({ description: 'items queued for a look at the provider' }),
})

const webhookRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sources, services, queues } = app.hiring
  const counters = app.webhookCounters
  const cache = new Map<string, { at: number; registrations: WebhookRegistration[] }>()
  const recent = new Set<string>()
  // Oldest first, as a ring: evicting through the Set's own iterator slows down as deleted slots pile up at its front.
  const recentOrder: (string | undefined)[] = new Array(RECENT_DELIVERIES)
  let recentNext = 0

  /** The cached registrations while fresh: the common case needs no promise at all. */
  function cachedRegistrations(provider: string): WebhookRegistration[] | undefined {
    const cached = cache.get(provider)
    return cached && Date.now() - cached.at < REGISTRATIONS_TTL_MS ? cached.registrations : undefined
  }

  async function registrations(provider: string, fresh = false): Promise<WebhookRegistration[]> {
    const cached = fresh ? undefined : cachedRegistrations(provider)
    if (cached) return cached
    const { webhooks } = await readSourceState(services.candidates, provider)
    cache.set(provider, { at: Date.now(), registrations: webhooks })
    return webhooks
  }

  function remember(deliveryId: string): boolean {
    if (recent.has(deliveryId)) return false
    const evicted = recentOrder[recentNext]
    if (evicted !== undefined) recent.delete(evicted)
    recentOrder[recentNext] = deliveryId
    recentNext = (recentNext + 1) % RECENT_DELIVERIES
    recent.add(deliveryId)
    return true
  }

  /** A verdict on the cached registrations; a rejection is checked again on fresh ones before it stands. */
  async function verify<V extends { kind: string }>(provider: string, check: (known: WebhookRegistration[]) => V): Promise<V> {
    const verdict = check(cachedRegistrations(provider) ?? (await registrations(provider)))
    // A webhook registered by another process a moment ago: its secret is in the store, not yet in this cache.
    return verdict.kind === 'rejected' ? check(await registrations(provider, true)) : verdict
  }

  /** Counts and logs a refused call (never its payload: personal data, and forged) and asks for a signature. */
  function refuse(request: FastifyRequest, reply: FastifyReply, count: WebhookCounters, reason: string, what: string): void {
    count.rejected++
    const { provider } = request.params as { provider: string }
    request.log.warn({ provider, reason, bytes: Buffer.isBuffer(request.body) ? request.body.length : 0 }, what)
    reply.header('www-authenticate', 'Signature')
  }

  /** A provider's set-up call answered as it expects: its headers, its body as text. */
  function answerHandshake(reply: FastifyReply, verdict: Extract<WebhookVerdict, { kind: 'handshake' }>, status: 200 | 204): FastifyReply {
    return reply
      .code(status)
      .headers(verdict.headers)
      .type('text/plain')
      .send(verdict.body ?? '')
  }

  function countersFor(provider: string): WebhookCounters {
    let count = counters.get(provider)
    if (!count) counters.set(provider, (count = { accepted: 0, rejected: 0, duplicates: 0 }))
    return count
  }

  /** The call as the source checks it: raw bytes, lower-case headers, the query (Graph's validationToken). */
  function deliveryOf(request: FastifyRequest): WebhookDelivery {
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
    if (body.length > 0 && contentType !== 'application/json' && contentType !== 'text/plain') {
      throw new HttpError(415, `webhook deliveries are application/json, not ${contentType || 'untyped'}`)
    }
    const headers: Record<string, string | undefined> = {}
    for (const name in request.headers) {
      const value = request.headers[name]
      headers[name] = Array.isArray(value) ? value.join(', ') : value
    }
    return { headers, query: request.query as Record<string, string | undefined>, rawBody: body, receivedAt: new Date() }
  }

  // Signatures are over the exact bytes sent: the body is kept raw, never parsed here.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_request, body, done) => done(null, body))

  app.post(
    '/webhooks/:provider',
    {
      bodyLimit: WEBHOOK_BODY_LIMIT,
      schema: {
        tags: ['webhooks'],
        summary: 'Change notifications from a task manager or mail provider',
        description:
          'Public: authenticated by the provider signature on the raw body (ClickUp X-Signature, Asana X-Hook-Signature, ' +
          "Jira X-Hub-Signature). Answers 202 at once, after recording a hint to look at the items named; Asana's X-Hook-Secret handshake " +
          'is answered with the header echoed.',
        security: [],
        params: ProviderParams,
        response: {
          ...webhookResponses,
          204: Type.Null({ description: 'a handshake answered without a body' }),
          202: WebhookAccepted,
        },
      },
    },
    async (request, reply) => {
      const { provider } = request.params
      const source = sources.get(provider)
      if (!source) throw new HttpError(404, `no intake source "${provider}" is configured`)
      const count = countersFor(provider)
      const delivery = deliveryOf(request)
      const verdict = await verify(provider, (known) => source.verifyWebhook(delivery, known))

      if (verdict.kind === 'handshake') {
        if (verdict.secret) {
          const secret = verdict.secret
          await updateSourceState(services.candidates, provider, (state) => ({
            ...state,
            handshake: { secret, at: new Date().toISOString() },
          }))
          cache.delete(provider)
        }
        request.log.info({ provider }, 'webhook handshake answered')
        // Handshakes are answered 200 (Asana, Graph); the schema documents that one.
        return answerHandshake(reply, verdict, verdict.status === 204 ? 204 : 200)
      }
      if (verdict.kind === 'rejected') {
        refuse(request, reply, count, verdict.reason, 'webhook delivery rejected')
        throw new HttpError(401, 'the delivery is not signed by a registered webhook')
      }
      if (verdict.deliveryId && !remember(`${provider}:${verdict.deliveryId}`)) {
        count.duplicates++
        return reply.code(202).send({ accepted: true, items: 0 })
      }
      try {
        await queues.hintSourceItem(provider, verdict.itemIds)
      } catch (error) {
        // Answered 503 so the provider retries; reconciliation finds the item either way.
        if (verdict.deliveryId) recent.delete(`${provider}:${verdict.deliveryId}`)
        request.log.warn({ provider, err: { message: (error as Error).message } }, 'webhook delivery not queued')
        throw new HttpError(503, 'the job queue is unavailable; deliver again later')
      }
      count.accepted++
      return reply.code(202).send({ accepted: true, items: new Set(verdict.itemIds).size })
    },
  )

  app.post(
    '/webhooks/:provider/lifecycle',
    {
      bodyLimit: WEBHOOK_BODY_LIMIT,
      schema: {
        tags: ['webhooks'],
        summary: "A provider's notices about the webhook itself (Microsoft Graph lifecycle notifications)",
        description:
          'Public: authenticated by the clientState of the subscription each notice names. `reauthorizationRequired` renews ' +
          'the subscription, `subscriptionRemoved` recreates it and resyncs, `missed` resyncs. Answers 202 once the work is queued; ' +
          "Graph's validationToken handshake is echoed as text/plain.",
        security: [],
        params: ProviderParams,
        response: {
          ...webhookResponses,
          202: Type.Object({ accepted: Type.Boolean(), events: Type.Integer() }),
        },
      },
    },
    async (request, reply) => {
      const { provider } = request.params
      const source = sources.get(provider)
      if (!source?.verifyLifecycle) throw new HttpError(404, `no intake source "${provider}" with lifecycle notifications is configured`)
      const delivery = deliveryOf(request)
      const count = countersFor(provider)
      const verdict = await verify(provider, (known) => source.verifyLifecycle!(delivery, known))
      if (verdict.kind === 'handshake') {
        request.log.info({ provider }, 'lifecycle handshake answered')
        return answerHandshake(reply, verdict, 200)
      }
      if (verdict.kind === 'rejected') {
        refuse(request, reply, count, verdict.reason, 'lifecycle notification rejected')
        throw new HttpError(401, 'the notification does not carry the clientState of a subscription hireflow keeps')
      }
      try {
        for (const event of verdict.events) await queues.enqueueLifecycle(provider, event.webhookId, event.event)
      } catch (error) {
        request.log.warn({ provider, err: { message: (error as Error).message } }, 'lifecycle notification not queued')
        throw new HttpError(503, 'the job queue is unavailable; deliver again later')
      }
      count.accepted++
      request.log.info({ provider, events: verdict.events }, 'lifecycle notification accepted')
      return reply.code(202).send({ accepted: true, events: verdict.events.length })
    },
  )
}

export default webhookRoutes
