// POST /webhooks/ses: what SES reports about the HR emails (delivered,
// delayed, bounced, complained of, rejected), published by the events of
// SES_CONFIGURATION_SET to the SNS topic SES_EVENTS_TOPIC_ARN, which posts
// them here. Public: SNS's signature is the authentication, verified before
// anything is read (src/aws/sns-message.ts). The subscription is confirmed
// through SNS's ConfirmSubscription API with the message's token, never by
// fetching the SubscribeURL a message carries.
//
// A notification is matched to its candidate by the X-Hireflow-Message-Id
// header SES passes on, and only counts when SES's message id is the one
// recorded on that candidate. Each event goes to the candidate's history;
// `delivery` shows the latest email's worst news; an email HR may never have
// seen raises an alert.
import { ConfirmSubscriptionCommand, SNSClient } from '@aws-sdk/client-sns'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { awsClientConfig } from '../src/aws/client-config.ts'
import {
  httpsCertificateFetcher,
  SnsCertificateUnavailableError,
  SnsMessageRefusedError,
  SnsMessageVerifier,
  type SnsMessage,
  type SnsSubscriptionMessage,
} from '../src/aws/sns-message.ts'
import { HttpError } from '../src/http/errors.ts'
import { errorResponses } from '../src/http/schemas.ts'
import {
  deliveryAlert,
  nextDelivery,
  parseHireflowMessageId,
  readDeliveryEvent,
  recordedEmail,
  UnreadableSesEventError,
  type DeliveryEvent,
} from '../src/mail/delivery-events.ts'
import type { WebhookCounters } from './webhooks.ts'

/** SNS messages are at most 256 KB; SES's events are a few KB. */
const SNS_BODY_LIMIT = 256 * 1024
/** SNS message ids remembered per process, so a redelivery is answered without reading the store. */
const RECENT_MESSAGES = 1_000
/** ConfirmSubscription, retries included: SNS gives up on an endpoint that takes longer than 15 seconds. */
const CONFIRM_DEADLINE_MS = 10_000
const BY = 'ses:events'
const COUNTER = 'ses'

const SesEventAnswer = Type.Object({
  outcome: Type.Union([
    Type.Literal('recorded'),
    Type.Literal('ignored'),
    Type.Literal('duplicate'),
    Type.Literal('subscribed'),
    Type.Literal('unsubscribed'),
  ]),
  detail: Type.String(),
})

type Answer = { outcome: 'recorded' | 'ignored' | 'duplicate' | 'subscribed' | 'unsubscribed'; detail: string }

const sesEventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { config, services, alerts } = app.hiring
  const candidates = services.candidates
  const topicArn = config.sesEventsTopicArn
  const verifier = topicArn
    ? new SnsMessageVerifier({ topicArn, fetchCertificate: app.hiring.fetchSnsCertificate ?? httpsCertificateFetcher() })
    : undefined
  let sns: SNSClient | undefined
  if (verifier) {
    // ConfirmSubscription goes to the topic's own region.
    sns = new SNSClient(awsClientConfig({ ...config.aws, region: verifier.topic.region, endpoint: config.snsEndpoint }))
    app.addHook('onClose', async () => sns?.destroy())
  }

  const recent = new Set<string>()
  function remember(messageId: string): void {
    recent.add(messageId)
    // SES events arrive a few at a time: dropping the oldest id through the Set's iterator costs nothing at this rate.
    if (recent.size > RECENT_MESSAGES) recent.delete(recent.values().next().value as string)
  }

  function counters(): WebhookCounters {
    let count = app.webhookCounters.get(COUNTER)
    if (!count) app.webhookCounters.set(COUNTER, (count = { accepted: 0, rejected: 0, duplicates: 0 }))
    return count
  }

  // Events about one candidate are applied one at a time, so two arriving together (one recipient delivered,
  // another bounced) both count. Another API process could still interleave; the history keeps both either way.
  const inFlight = new Map<string, Promise<unknown>>()
  function serially<T>(candidateId: string, work: () => Promise<T>): Promise<T> {
    const previous = inFlight.get(candidateId) ?? Promise.resolve()
    const next = previous.catch(() => undefined).then(work)
    inFlight.set(candidateId, next)
    void next
      .finally(() => {
        if (inFlight.get(candidateId) === next) inFlight.delete(candidateId)
      })
      .catch(() => undefined)
    return next
  }

  async function confirm(message: SnsSubscriptionMessage, request: FastifyRequest): Promise<Answer> {
    try {
      const result = await sns!.send(
        new ConfirmSubscriptionCommand({ TopicArn: message.TopicArn, Token: message.Token, AuthenticateOnUnsubscribe: 'true' }),
        { abortSignal: AbortSignal.timeout(CONFIRM_DEADLINE_MS) },
      )
      request.log.info({ subscriptionArn: result.SubscriptionArn }, 'SES events subscription confirmed')
      return { outcome: 'subscribed', detail: `subscription to ${message.TopicArn} confirmed` }
    } catch (error) {
      request.log.warn({ err: { name: (error as Error).name, message: (error as Error).message } }, 'ConfirmSubscription failed')
      // SNS delivers the confirmation again; its token stays valid for three days.
      throw new HttpError(503, 'SNS did not confirm the subscription; deliver the confirmation again later')
    }
  }

  async function record(message: SnsMessage, event: DeliveryEvent, request: FastifyRequest): Promise<Answer> {
    const named = event.hireflowMessageId ? parseHireflowMessageId(event.hireflowMessageId) : undefined
    if (!named) {
      return { outcome: 'ignored', detail: 'the email has no X-Hireflow-Message-Id header: hireflow did not send it' }
    }
    const { candidateId } = named
    return serially(candidateId, async () => {
      for (let attempt = 0; attempt < 3; attempt++) {
        const candidate = await candidates.getCandidate(candidateId)
        if (!candidate || candidate.status === 'erased') return { outcome: 'ignored', detail: `no candidate ${candidateId}` } as Answer
        const email = recordedEmail(candidate, event.messageId)
        if (!email) {
          request.log.info({ candidateId, sesMessageId: event.messageId }, 'SES event for an email not recorded on the candidate')
          return {
            outcome: 'ignored',
            detail: `SES message ${event.messageId} is not an email recorded on candidate ${candidateId}`,
          } as Answer
        }
        const mark = `SNS message ${message.MessageId}`
        if (candidate.history.some((entry) => entry.by === BY && entry.why?.includes(mark))) {
          return { outcome: 'duplicate', detail: `${mark} was recorded before` } as Answer
        }
        const delivery = nextDelivery(candidate.delivery, event, email)
        const written = await candidates.transition(candidateId, {
          from: [candidate.status],
          to: candidate.status,
          ...(delivery ? { set: { delivery } } : {}),
          by: BY,
          why: `SES: ${email} email ${event.status} (${event.recipients.length} recipient${event.recipients.length === 1 ? '' : 's'}); ${mark}`,
        })
        if (!written) continue
        request.log.info({ candidateId, email, status: event.status, shown: Boolean(delivery) }, 'HR email delivery recorded')
        // After the write: a redelivery of this message finds it recorded and raises nothing twice.
        const alert = deliveryAlert(candidateId, email, event)
        if (alert) await alerts.raise(alert)
        return { outcome: 'recorded', detail: `${email} email of candidate ${candidateId}: ${event.status}` } as Answer
      }
      throw new HttpError(503, `candidate ${candidateId} kept changing while the delivery was recorded; deliver again`)
    })
  }

  function refuse(reply: FastifyReply, request: FastifyRequest, error: SnsMessageRefusedError): never {
    counters().rejected++
    request.log.warn({ reason: error.reason, detail: error.message }, 'SNS message refused')
    if (error.reason === 'malformed') throw new HttpError(400, error.message)
    reply.header('www-authenticate', 'Signature')
    throw new HttpError(401, `not a verified SNS message of SES_EVENTS_TOPIC_ARN: ${error.message}`)
  }

  // SNS signs field values, not bytes, but the raw body is kept so nothing is parsed before it is verified.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: SNS_BODY_LIMIT }, (_request, body, done) => done(null, body))

  app.post(
    '/webhooks/ses',
    {
      bodyLimit: SNS_BODY_LIMIT,
      schema: {
        tags: ['webhooks'],
        summary: 'SES delivery events about HR emails, through SNS',
        description:
          'Public: authenticated by the SNS signature (certificate from the SNS host of the topic region only, topic pinned to ' +
          "SES_EVENTS_TOPIC_ARN). A SubscriptionConfirmation is confirmed with SNS's ConfirmSubscription API. A Notification carrying " +
          "an SES Delivery, DeliveryDelay, Bounce, Complaint or Reject event about an HR email is recorded on the candidate's `delivery` " +
          'and history; a bounce, complaint or rejection raises an alert. 404 while SES_EVENTS_TOPIC_ARN is unset.',
        security: [],
        response: {
          200: SesEventAnswer,
          400: errorResponses[400],
          401: errorResponses[401],
          404: errorResponses[404],
          413: Type.Ref('ErrorResponse'),
          415: Type.Ref('ErrorResponse'),
          503: errorResponses[503],
        },
      },
    },
    async (request, reply) => {
      if (!verifier)
        throw new HttpError(404, 'SES delivery events are not configured: set SES_EVENTS_TOPIC_ARN to the SNS topic of their destination')
      const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
      if (contentType !== 'text/plain' && contentType !== 'application/json') {
        throw new HttpError(415, `SNS posts text/plain (or application/json), not ${contentType || 'untyped'}`)
      }
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
      let message: SnsMessage
      try {
        message = await verifier.verify(body)
      } catch (error) {
        if (error instanceof SnsMessageRefusedError) refuse(reply, request, error)
        if (error instanceof SnsCertificateUnavailableError) {
          request.log.warn({ err: { message: error.message } }, 'SNS signing certificate unavailable')
          throw new HttpError(503, 'the SNS signing certificate could not be fetched; deliver again later')
        }
        throw error
      }
      const declared = request.headers['x-amz-sns-message-type']
      if (declared !== undefined && declared !== message.Type) {
        refuse(
          reply,
          request,
          new SnsMessageRefusedError('malformed', `x-amz-sns-message-type says ${String(declared)}, the message ${message.Type}`),
        )
      }
      const count = counters()
      if (recent.has(message.MessageId)) {
        count.duplicates++
        return { outcome: 'duplicate', detail: `SNS message ${message.MessageId} was handled before` } satisfies Answer
      }

      let answer: Answer
      if (message.Type === 'SubscriptionConfirmation') answer = await confirm(message, request)
      else if (message.Type === 'UnsubscribeConfirmation') {
        // Someone unsubscribed this endpoint on purpose; confirming again would undo that, so it is only reported.
        request.log.warn({ topicArn: message.TopicArn }, 'SES events subscription removed: delivery status no longer arrives')
        answer = {
          outcome: 'unsubscribed',
          detail: 'the subscription was removed; subscribe PUBLIC_URL/webhooks/ses again to get SES events',
        }
      } else {
        let reading: ReturnType<typeof readDeliveryEvent>
        try {
          reading = readDeliveryEvent(message.Message)
        } catch (error) {
          if (!(error instanceof UnreadableSesEventError)) throw error
          // Signed by SNS for our topic, so not an attack: something else published there. Redelivering cannot help.
          request.log.warn({ snsMessageId: message.MessageId, detail: error.message }, 'SNS notification ignored')
          reading = { kind: 'ignored', reason: error.message }
        }
        answer = reading.kind === 'ignored' ? { outcome: 'ignored', detail: reading.reason } : await record(message, reading.event, request)
      }
      if (answer.outcome === 'duplicate') count.duplicates++
      else count.accepted++
      remember(message.MessageId)
      return answer
    },
  )
}

export default sesEventRoutes
