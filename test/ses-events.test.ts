// SES delivery events through SNS at POST /webhooks/ses. Nothing here reaches
// AWS: the signing certificate is a throw-away self-signed one served by the
// test's own fetcher for the SNS host's URL, every message is signed the way
// SNS signs (string to sign written out below from AWS's documentation, apart
// from the code under test), ConfirmSubscription goes to the recording SNS
// stand-in, and the end-to-end test sends a real HR email through the SES
// stand-in and reports on its actual SES message id.
import t from 'tap'
import { randomUUID, sign } from 'node:crypto'
import pino from 'pino'
import type { Redis } from 'ioredis'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { buildApp } from '../src/app.ts'
import { loadConfig, type Config } from '../src/config.ts'
import type { Services } from '../src/services.ts'
import type { HiringQueues } from '../jobs/queues.ts'
import type { IntegrationMonitor } from '../src/monitor/integration-monitor.ts'
import type { Candidate } from '../src/domain/candidate.ts'
import { SqliteCandidateStore } from '../src/storage/sqlite-candidate-store.ts'
import {
  httpsCertificateFetcher,
  snsTopicOf,
  SnsCertificateUnavailableError,
  SnsMessageVerifier,
  type CertificateFetcher,
} from '../src/aws/sns-message.ts'
import { DownloadRefusedError, type safeDownload } from '../src/net/safe-download.ts'
import { hrMessageId } from '../src/mail/hr-notification.ts'
import { testClientCertificate } from './support/tls.ts'
import { faults, startAwsRecorder } from './support/aws-recorder.ts'
import { serve } from './support/recording-server.ts'
import { quietMonitoring } from './support/monitoring.ts'
import { API_KEY, AUTH, injectUpload, startHireflow } from './support/harness.ts'
import { candidateTableOn, emulatorCredentials, startDynalite, startSes } from './support/emulators.ts'
import { startFlakyProxy } from './support/flaky-proxy.ts'
import { sampleResumeLines } from './support/resumes.ts'

// The SNS client signs ConfirmSubscription with the default credential chain; the stand-in wants a SigV4 header.
process.env.AWS_ACCESS_KEY_ID = emulatorCredentials.accessKeyId
process.env.AWS_SECRET_ACCESS_KEY = emulatorCredentials.secretAccessKey

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:hireflow-ses-events'
const CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-7506a1e35b36ef5a444dd1a8e7cc3ed8.pem'
const snsIdentity = await testClientCertificate('sns.amazonaws.com')
const impostor = await testClientCertificate('sns.evil.test')

type Fields = Record<string, string>

/** What a refused message is rejected with. */
const refusal = (reason: string, message?: RegExp) => ({ name: 'SnsMessageRefusedError', reason, ...(message ? { message } : {}) })

/** Signs as SNS does: "name\nvalue\n" for each listed field present, in this order; SHA1withRSA (v1) or SHA256withRSA (v2). */
function signed(fields: Fields, options: { version?: '1' | '2'; keyPem?: string } = {}): string {
  const version = options.version ?? '2'
  const names =
    fields.Type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type']
  const text = names
    .filter((name) => fields[name] !== undefined)
    .map((name) => `${name}\n${fields[name]}\n`)
    .join('')
  const signature = sign(version === '1' ? 'sha1' : 'sha256', Buffer.from(text, 'utf8'), options.keyPem ?? snsIdentity.keyPem)
  return JSON.stringify({ SigningCertURL: CERT_URL, ...fields, SignatureVersion: version, Signature: signature.toString('base64') })
}

function notificationFields(message: unknown, overrides: Fields = {}): Fields {
  const messageId = randomUUID()
  return {
    Type: 'Notification',
    MessageId: messageId,
    TopicArn: TOPIC,
    Message: typeof message === 'string' ? message : JSON.stringify(message),
    Timestamp: new Date().toISOString(),
    UnsubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${TOPIC}:${messageId}`,
    ...overrides,
  }
}

interface SentMail {
  sesMessageId: string
  headers: { name: string; value: string }[]
  sentAt?: string
}

/** The headers SES passes on (mail.headers) for an HR email hireflow sent about `candidateId`. */
function hrHeaders(candidateId: string, email: 'decision' | 'unreadable' | 'final-decision' = 'decision') {
  return [
    { name: 'From', value: 'robot@acme.test' },
    { name: 'To', value: 'people@acme.test' },
    { name: 'Subject', value: 'Advance: Ada Lovelace for Platform Engineer' },
    { name: 'X-Hireflow-Message-Id', value: hrMessageId(candidateId, email, email === 'final-decision' ? 'decision-1' : undefined) },
  ]
}

/** An SES event-publishing record, as its documentation shows them. */
function sesEvent(type: string, mail: SentMail, details: Record<string, unknown> = {}): Record<string, unknown> {
  const sentAt = mail.sentAt ?? new Date(Date.now() - 60_000).toISOString()
  const at = new Date().toISOString()
  const bodies: Record<string, Record<string, unknown>> = {
    Delivery: {
      delivery: { timestamp: at, processingTimeMillis: 546, recipients: ['people@acme.test'], smtpResponse: '250 2.6.0 Message received' },
    },
    Bounce: {
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: [
          { emailAddress: 'people@acme.test', action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' },
        ],
        timestamp: at,
        feedbackId: '01000157c44f053b-61b59c11',
      },
    },
    Complaint: {
      complaint: { complainedRecipients: [{ emailAddress: 'people@acme.test' }], timestamp: at, complaintFeedbackType: 'abuse' },
    },
    DeliveryDelay: {
      deliveryDelay: {
        timestamp: at,
        delayType: 'MailboxFull',
        expirationTime: new Date(Date.now() + 3_600_000).toISOString(),
        delayedRecipients: [{ emailAddress: 'people@acme.test', status: '4.2.2', diagnosticCode: 'smtp; 452 4.2.2 mailbox full' }],
      },
    },
    Send: { send: {} },
  }
  return {
    eventType: type,
    mail: {
      timestamp: sentAt,
      source: 'robot@acme.test',
      sendingAccountId: '123456789012',
      messageId: mail.sesMessageId,
      destination: ['people@acme.test'],
      headersTruncated: false,
      headers: mail.headers,
      tags: { 'ses:configuration-set': ['hireflow'] },
    },
    ...bodies[type],
    ...details,
  }
}

/** The test's certificate host: answers the SNS URL with the certificate, anything else as a 404 would. */
function certificates(pem = snsIdentity.certPem) {
  const fetched: string[] = []
  const fetchCertificate: CertificateFetcher = async (url) => {
    fetched.push(url.href)
    if (url.href !== CERT_URL) throw new Error('HTTP 404')
    return pem
  }
  return { fetched, fetchCertificate }
}

t.test('the verifier', async (t) => {
  t.test('accepts a notification signed with SignatureVersion 1 and 2, with and without a Subject', async (t) => {
    const { fetched, fetchCertificate } = certificates()
    const verifier = new SnsMessageVerifier({ topicArn: TOPIC, fetchCertificate })
    for (const version of ['1', '2'] as const) {
      const fields = notificationFields({ hello: 'world' })
      const message = await verifier.verify(signed(fields, { version }))
      t.equal(message.MessageId, fields.MessageId, `v${version}`)
      const withSubject = notificationFields('plain text\nwith a line break and "quotes"', {
        Subject: 'Amazon SES Email Event Notification',
      })
      t.equal((await verifier.verify(signed(withSubject, { version }))).Type, 'Notification', `v${version} with a Subject`)
    }
    t.same(fetched, [CERT_URL], 'the certificate is fetched once and cached')
  })

  t.test('accepts a SubscriptionConfirmation (Token and SubscribeURL signed)', async (t) => {
    const verifier = new SnsMessageVerifier({ topicArn: TOPIC, fetchCertificate: certificates().fetchCertificate })
    const fields = {
      Type: 'SubscriptionConfirmation',
      MessageId: randomUUID(),
      Token:
        '2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736',
      TopicArn: TOPIC,
      Message: `You have chosen to subscribe to the topic ${TOPIC}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
      SubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=2336412f37`,
      Timestamp: new Date().toISOString(),
    }
    t.equal((await verifier.verify(signed(fields, { version: '1' }))).Type, 'SubscriptionConfirmation')
    const tampered = JSON.parse(signed(fields)) as Fields
    tampered.Token = 'a-token-of-my-choosing'
    await t.rejects(verifier.verify(JSON.stringify(tampered)), refusal('signature'), 'the Token is signed')
  })

  t.test('refuses a forged or altered message', async (t) => {
    const verifier = new SnsMessageVerifier({ topicArn: TOPIC, fetchCertificate: certificates().fetchCertificate })
    const altered = JSON.parse(signed(notificationFields({ eventType: 'Delivery' }))) as Fields
    altered.Message = JSON.stringify({ eventType: 'Bounce' })
    await t.rejects(verifier.verify(JSON.stringify(altered)), refusal('signature'))
    const otherKey = signed(notificationFields({ eventType: 'Delivery' }), { keyPem: impostor.keyPem })
    await t.rejects(verifier.verify(otherKey), refusal('signature'), 'signed with a key that is not the certificate one')
    const v1AsV2 = JSON.parse(signed(notificationFields('x'), { version: '1' })) as Fields
    v1AsV2.SignatureVersion = '2'
    await t.rejects(verifier.verify(JSON.stringify(v1AsV2)), refusal('signature'), 'the algorithm follows SignatureVersion')
    const notBase64 = { ...(JSON.parse(signed(notificationFields('x'))) as Fields), Signature: 'not*base64' }
    await t.rejects(verifier.verify(JSON.stringify(notBase64)), refusal('signature'))
  })

  t.test('refuses a certificate URL off the SNS host of the topic region, without fetching it', async (t) => {
    const { fetched, fetchCertificate } = certificates()
    const verifier = new SnsMessageVerifier({ topicArn: TOPIC, fetchCertificate })
    const urls = [
      'https://attacker.example/SimpleNotificationService-1.pem',
      'http://sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem',
      'https://sns.us-east-1.amazonaws.com.evil.test/SimpleNotificationService-1.pem',
      'https://evil.test/sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem',
      'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-1.pem',
      'https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-1.pem',
      'https://user@sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem',
      'https://sns.us-east-1.amazonaws.com/?Action=GetCertificate',
      'https://sns.us-east-1.amazonaws.com/redirect?to=https://evil.test/cert.pem',
      'not a url',
    ]
    for (const url of urls) {
      await t.rejects(verifier.verify(signed(notificationFields('x', { SigningCertURL: url }))), refusal('certificate_url'), url)
    }
    t.same(fetched, [], 'nothing was fetched')
  })

  t.test('refuses another topic, and a replayed or future message, before any fetch', async (t) => {
    const { fetched, fetchCertificate } = certificates()
    const verifier = new SnsMessageVerifier({ topicArn: TOPIC, fetchCertificate })
    const other = signed(notificationFields('x', { TopicArn: 'arn:aws:sns:us-east-1:123456789012:someone-else' }))
    await t.rejects(verifier.verify(other), refusal('topic', /SES_EVENTS_TOPIC_ARN/))
    const old = signed(notificationFields('x', { Timestamp: new Date(Date.now() - 2 * 3_600_000).toISOString() }))
    await t.rejects(verifier.verify(old), refusal('stale', /120 minutes ago/))
    const future = signed(notificationFields('x', { Timestamp: new Date(Date.now() + 3_600_000).toISOString() }))
    await t.rejects(verifier.verify(future), refusal('stale'))
    t.same(fetched, [])
    const retried = signed(notificationFields('x', { Timestamp: new Date(Date.now() - 50 * 60_000).toISOString() }))
    t.ok(await verifier.verify(retried), 'a message SNS is still retrying (within its one-hour limit) is accepted')
  })

  t.test('refuses malformed messages as such', async (t) => {
    const verifier = new SnsMessageVerifier({ topicArn: TOPIC, fetchCertificate: certificates().fetchCertificate })
    const good = JSON.parse(signed(notificationFields('x'))) as Fields
    const cases: [string, string, RegExp][] = [
      ['not json', '{"Type":', /not a JSON SNS message/],
      ['an array', '[]', /not a JSON SNS message/],
      ['unknown Type', JSON.stringify({ ...good, Type: 'Other' }), /Type must be one of/],
      ['no Signature', JSON.stringify({ ...good, Signature: undefined }), /lacks Signature/],
      ['SignatureVersion 3', JSON.stringify({ ...good, SignatureVersion: '3' }), /SignatureVersion 3/],
      ['bad Timestamp', JSON.stringify({ ...good, Timestamp: 'yesterday' }), /Timestamp is not a date/],
      ['confirmation without Token', JSON.stringify({ ...good, Type: 'SubscriptionConfirmation', SubscribeURL: 'x' }), /lacks Token/],
    ]
    for (const [what, body, message] of cases) await t.rejects(verifier.verify(body), refusal('malformed', message), what)
  })

  t.test('checks the certificate: SNS subject, validity, and failures to fetch it', async (t) => {
    const wrongSubject = new SnsMessageVerifier({ topicArn: TOPIC, fetchCertificate: certificates(impostor.certPem).fetchCertificate })
    const byImpostor = signed(notificationFields('x'), { keyPem: impostor.keyPem })
    await t.rejects(wrongSubject.verify(byImpostor), refusal('certificate', /subject is not sns\.amazonaws\.com/))

    const later = Date.now() + 3 * 24 * 3_600_000
    const expired = new SnsMessageVerifier({ topicArn: TOPIC, fetchCertificate: certificates().fetchCertificate, now: () => later })
    const fresh = signed(notificationFields('x', { Timestamp: new Date(later).toISOString() }))
    await t.rejects(expired.verify(fresh), refusal('certificate', /not valid now/))

    const notPem = new SnsMessageVerifier({ topicArn: TOPIC, fetchCertificate: async () => '<html>Not Found</html>' })
    await t.rejects(notPem.verify(signed(notificationFields('x'))), refusal('certificate', /not a PEM certificate/))

    let asked = 0
    const gone = new SnsMessageVerifier({
      topicArn: TOPIC,
      fetchCertificate: async () => {
        asked++
        throw new Error('HTTP 404')
      },
    })
    await t.rejects(gone.verify(signed(notificationFields('x'))), refusal('certificate', /HTTP 404/))
    await t.rejects(gone.verify(signed(notificationFields('x'))), refusal('certificate'))
    t.equal(asked, 1, 'a certificate URL that failed for good is not asked again at once')

    let attempts = 0
    const flaky = new SnsMessageVerifier({
      topicArn: TOPIC,
      fetchCertificate: async () => {
        attempts++
        if (attempts === 1) throw new SnsCertificateUnavailableError('timed out')
        return snsIdentity.certPem
      },
    })
    await t.rejects(flaky.verify(signed(notificationFields('x'))), SnsCertificateUnavailableError)
    t.ok(await flaky.verify(signed(notificationFields('x'))), 'a passing failure is not remembered: the next message fetches again')
  })

  t.test('concurrent messages share one certificate fetch', async (t) => {
    let calls = 0
    const verifier = new SnsMessageVerifier({
      topicArn: TOPIC,
      fetchCertificate: async () => {
        calls++
        await new Promise((resolve) => setTimeout(resolve, 20))
        return snsIdentity.certPem
      },
    })
    await Promise.all(Array.from({ length: 5 }, () => verifier.verify(signed(notificationFields('x')))))
    t.equal(calls, 1)
  })

  t.test('the certificate host and subject follow the topic: partition and region', async (t) => {
    t.match(snsTopicOf(TOPIC), { region: 'us-east-1', certificateHost: 'sns.us-east-1.amazonaws.com', signingNames: ['sns.amazonaws.com'] })
    t.match(snsTopicOf('arn:aws-cn:sns:cn-north-1:123456789012:t'), {
      certificateHost: 'sns.cn-north-1.amazonaws.com.cn',
      signingNames: ['sns-cn-north-1.amazonaws.com.cn'],
    })
    t.match(snsTopicOf('arn:aws:sns:af-south-1:123456789012:t'), { signingNames: ['sns-signing.af-south-1.amazonaws.com'] })
    t.match(snsTopicOf('arn:aws-us-gov:sns:us-gov-east-1:123456789012:t'), {
      certificateHost: 'sns.us-gov-east-1.amazonaws.com',
      signingNames: ['sns-us-gov-west-1.amazonaws.com'],
    })
    t.throws(() => snsTopicOf('arn:aws-iso:sns:us-iso-east-1:123456789012:t'), /aws-iso partition are not supported/)
  })
})

t.test('the production certificate fetcher', async (t) => {
  const url = new URL(CERT_URL)
  function download(failures: DownloadRefusedError[]) {
    const policies: Parameters<typeof safeDownload>[1][] = []
    const fake = (async (href: string, policy: Parameters<typeof safeDownload>[1]) => {
      policies.push(policy)
      const failure = failures.shift()
      if (failure) throw failure
      return { bytes: Buffer.from(snsIdentity.certPem), contentType: 'application/x-x509-ca-cert', finalUrl: href }
    }) as typeof safeDownload
    return { fake, policies }
  }
  const timeout = () => new DownloadRefusedError('timeout', 'download from sns.us-east-1.amazonaws.com failed: not finished within 5000 ms')

  t.test('asks the certificate host only, follows no redirect, caps the size, retries what can pass', async (t) => {
    const { fake, policies } = download([timeout(), new DownloadRefusedError('bad_status', 'HTTP 503', { status: 503, retryable: true })])
    const fetch = httpsCertificateFetcher({ download: fake, baseDelayMs: 1 })
    t.equal(await fetch(url), snsIdentity.certPem)
    t.equal(policies.length, 3, 'two retries')
    t.same(policies[0], { allowedHosts: ['sns.us-east-1.amazonaws.com'], maxBytes: 16 * 1024, timeoutMs: 5_000, maxRedirects: 0 })
  })

  t.test('gives up after its attempts, saying the certificate is unavailable for now', async (t) => {
    const { fake, policies } = download([timeout(), timeout(), timeout(), timeout()])
    const fetch = httpsCertificateFetcher({ download: fake, baseDelayMs: 1, maxAttempts: 3 })
    await t.rejects(fetch(url), { name: 'SnsCertificateUnavailableError', message: /3 attempts/ })
    t.equal(policies.length, 3)
  })

  t.test('a refusal that cannot pass (404, a redirect, too large) is not retried', async (t) => {
    for (const failure of [
      new DownloadRefusedError('bad_status', 'HTTP 404', { status: 404 }),
      new DownloadRefusedError('too_many_redirects', 'more than 0 redirects'),
      new DownloadRefusedError('too_large', 'larger than 16384 bytes'),
    ]) {
      const { fake, policies } = download([failure])
      await t.rejects(httpsCertificateFetcher({ download: fake, baseDelayMs: 1 })(url), {
        name: 'DownloadRefusedError',
        reason: failure.reason,
      })
      t.equal(policies.length, 1, failure.reason)
    }
  })
})

/** The app over an in-memory SQLite store, the SNS stand-in and the test's certificate host. */
async function sesEventsApp(t: Tap, env: Record<string, string> = {}, fetchCertificate?: CertificateFetcher) {
  const sns = await startAwsRecorder(t)
  const config = loadConfig({
    API_KEYS: API_KEY,
    LOG_LEVEL: 'silent',
    SES_EVENTS_TOPIC_ARN: TOPIC,
    SNS_ENDPOINT: sns.endpoint,
    AWS_MAX_ATTEMPTS: '2',
    ...env,
  })
  const store = new SqliteCandidateStore(':memory:')
  const certs = certificates()
  const monitoring = quietMonitoring()
  const app = await eventsApp(config, { candidates: store } as unknown as Services, monitoring, fetchCertificate ?? certs.fetchCertificate)
  t.teardown(async () => {
    await app.close()
    await store.close()
  })
  return { app, store, sns, alerts: monitoring.alerts.raised, fetched: certs.fetched }
}

type Tap = Parameters<Parameters<typeof t.test>[0]>[0]

async function eventsApp(
  config: Config,
  services: Services,
  monitoring: ReturnType<typeof quietMonitoring>,
  fetchSnsCertificate: CertificateFetcher,
  queues?: HiringQueues,
): Promise<FastifyInstance> {
  return buildApp(
    {
      config,
      services,
      queues: queues ?? ({ all: () => [] } as unknown as HiringQueues),
      redis: {} as Redis,
      sources: new Map(),
      integrations: {} as IntegrationMonitor,
      ...monitoring,
      fetchSnsCertificate,
    },
    pino({ level: 'silent' }),
  )
}

function postEvent(app: FastifyInstance, body: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const type = /"Type":"(\w+)"/.exec(body)?.[1] ?? 'Notification'
  return app.inject({
    method: 'POST',
    url: '/webhooks/ses',
    headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': type, 'x-amz-sns-topic-arn': TOPIC, ...headers },
    payload: body,
  })
}

let candidateSequence = 0

/** A candidate HR was emailed about through SES, with that email's SES message id. */
async function emailedCandidate(store: SqliteCandidateStore, sentAt = new Date(Date.now() - 60_000).toISOString()) {
  candidateSequence++
  const id = `c${String(candidateSequence).padStart(31, '0')}`
  const sesMessageId = `0100018e-${randomUUID()}-000000`
  const candidate: Candidate = {
    id,
    source: 'upload',
    sourceItemId: `none/${id}`,
    requisitionId: null,
    status: 'notified',
    resume: { filename: 'ada.pdf', mediaType: 'application/pdf', extension: 'pdf', size: 100, sha256: id, key: id },
    profile: null,
    score: null,
    decision: { outcome: 'advance', reasons: [] },
    failure: null,
    notification: { kind: 'decision', messageId: sesMessageId, sentAt },
    createdAt: sentAt,
    updatedAt: sentAt,
    history: [],
  }
  await store.createCandidate(candidate)
  return { id, mail: { sesMessageId, sentAt, headers: hrHeaders(id) } satisfies SentMail }
}

t.test('POST /webhooks/ses', async (t) => {
  t.test('without SES_EVENTS_TOPIC_ARN the route answers 404 naming it', async (t) => {
    const { app } = await sesEventsApp(t, { SES_EVENTS_TOPIC_ARN: '' })
    const response = await postEvent(app, signed(notificationFields('x')))
    t.equal(response.statusCode, 404)
    t.match(response.json().message, /SES_EVENTS_TOPIC_ARN/)
  })

  t.test('a delivery is recorded on the candidate and shown by GET /candidates/{id}; a redelivery changes nothing', async (t) => {
    const { app, store, alerts } = await sesEventsApp(t)
    const { id, mail } = await emailedCandidate(store)
    const body = signed(notificationFields(sesEvent('Delivery', mail)), { version: '1' })
    const response = await postEvent(app, body)
    t.equal(response.statusCode, 200, response.body)
    t.match(response.json(), { outcome: 'recorded' })

    const candidate = (await app.inject({ method: 'GET', url: `/candidates/${id}`, headers: AUTH })).json()
    t.match(candidate.delivery, {
      status: 'delivered',
      email: 'decision',
      messageId: mail.sesMessageId,
      sentAt: mail.sentAt,
      recipients: ['people@acme.test'],
      detail: '250 2.6.0 Message received',
    })
    t.equal(candidate.status, 'notified', 'the status is unchanged')
    t.match(candidate.history.at(-1), { from: 'notified', to: 'notified', by: 'ses:events', why: /decision email delivered/ })
    t.same(alerts, [], 'a delivery raises nothing')

    const again = await postEvent(app, body)
    t.equal(again.statusCode, 200)
    t.match(again.json(), { outcome: 'duplicate' })
    t.equal((await store.getCandidate(id))!.history.length, 1, 'nothing recorded twice')
    t.match(app.webhookCounters.get('ses'), { accepted: 1, duplicates: 1, rejected: 0 })
  })

  t.test('a redelivery after a restart is recognised from the history', async (t) => {
    const { app, store } = await sesEventsApp(t)
    const { id, mail } = await emailedCandidate(store)
    const body = signed(notificationFields(sesEvent('Delivery', mail)))
    t.equal((await postEvent(app, body)).statusCode, 200)
    const monitoring = quietMonitoring()
    const restarted = await eventsApp(app.hiring.config, app.hiring.services, monitoring, certificates().fetchCertificate)
    t.teardown(() => restarted.close())
    const again = await postEvent(restarted, body)
    t.match(again.json(), { outcome: 'duplicate' })
    t.equal((await store.getCandidate(id))!.history.length, 1)
  })

  t.test(
    'a permanent bounce marks the candidate bounced and raises an alert; a later delivery to another recipient does not hide it',
    async (t) => {
      const { app, store, alerts } = await sesEventsApp(t)
      const { id, mail } = await emailedCandidate(store)
      const response = await postEvent(app, signed(notificationFields(sesEvent('Bounce', mail))))
      t.equal(response.statusCode, 200, response.body)
      const candidate = (await store.getCandidate(id))!
      t.match(candidate.delivery, {
        status: 'bounced',
        email: 'decision',
        recipients: ['people@acme.test'],
        detail: 'Permanent (General) bounce; people@acme.test: 5.1.1 smtp; 550 5.1.1 user unknown',
      })
      t.equal(alerts.length, 1)
      t.match(alerts[0], { key: `bounce:${id}`, kind: 'bounce', subject: `HR email about candidate ${id} bounced` })
      t.ok(alerts[0]!.subject.length <= 100, 'the subject fits SNS')
      t.match(alerts[0]!.message, /recommendation email about candidate/)
      t.match(alerts[0]!.message, /550 5\.1\.1 user unknown/)
      t.match(alerts[0]!.message, /HR_EMAIL/)
      t.match(alerts[0]!.message, /suppression list/)
      t.notMatch(alerts[0]!.message, /Ada Lovelace/, 'the subject line (a candidate name) is not repeated')

      const late = await postEvent(app, signed(notificationFields(sesEvent('Delivery', mail))))
      t.equal(late.statusCode, 200)
      const after = (await store.getCandidate(id))!
      t.equal(after.delivery?.status, 'bounced', 'the worst news about the email stays shown')
      t.equal(after.history.length, 2, 'the delivery is in the history')
    },
  )

  t.test('a transient bounce, a complaint and a delay', async (t) => {
    const { app, store, alerts } = await sesEventsApp(t)
    const soft = await emailedCandidate(store)
    const bounce = sesEvent('Bounce', soft.mail, {
      bounce: { bounceType: 'Transient', bounceSubType: 'MailboxFull', bouncedRecipients: [{ emailAddress: 'people@acme.test' }] },
    })
    t.equal((await postEvent(app, signed(notificationFields(bounce)))).statusCode, 200)
    t.equal((await store.getCandidate(soft.id))!.delivery?.status, 'bounced')
    t.match(alerts.at(-1)!.message, /mailbox quota/)

    const spam = await emailedCandidate(store)
    t.equal((await postEvent(app, signed(notificationFields(sesEvent('Complaint', spam.mail))))).statusCode, 200)
    t.match((await store.getCandidate(spam.id))!.delivery, { status: 'complained', detail: 'complaint feedback type: abuse' })
    t.match(alerts.at(-1), { key: `bounce:${spam.id}`, subject: /marked as spam/ })

    const slow = await emailedCandidate(store)
    const raised = alerts.length
    t.equal((await postEvent(app, signed(notificationFields(sesEvent('DeliveryDelay', slow.mail))))).statusCode, 200)
    t.match((await store.getCandidate(slow.id))!.delivery, { status: 'delayed', detail: /MailboxFull; SES retries until/ })
    t.equal((await postEvent(app, signed(notificationFields(sesEvent('Delivery', slow.mail))))).statusCode, 200)
    t.equal((await store.getCandidate(slow.id))!.delivery?.status, 'delivered')
    t.equal(alerts.length, raised, 'a delay then a delivery raise nothing')
  })

  t.test('the final-decision email, sent later, takes over from the recommendation', async (t) => {
    const { app, store } = await sesEventsApp(t)
    const { id, mail } = await emailedCandidate(store, new Date(Date.now() - 3_600_000).toISOString())
    t.equal((await postEvent(app, signed(notificationFields(sesEvent('Delivery', mail))))).statusCode, 200)
    const finalMail = {
      sesMessageId: `0100018f-${randomUUID()}-000000`,
      sentAt: new Date().toISOString(),
      headers: hrHeaders(id, 'final-decision'),
    }
    const current = (await store.getCandidate(id))!
    await store.transition(id, {
      from: ['notified'],
      to: 'notified',
      set: {
        hrDecision: { id: 'decision-1', outcome: 'hired', reason: 'Great interview', decidedBy: 'Grace', at: finalMail.sentAt },
        hrDecisionNotification: { decisionId: 'decision-1', messageId: finalMail.sesMessageId, sentAt: finalMail.sentAt },
      },
      by: 'hr:Grace',
    })
    t.ok(current)
    t.equal((await postEvent(app, signed(notificationFields(sesEvent('Bounce', finalMail))))).statusCode, 200)
    t.match((await store.getCandidate(id))!.delivery, { status: 'bounced', email: 'final-decision', messageId: finalMail.sesMessageId })
    // A late report on the older email does not replace the newer one's.
    t.equal((await postEvent(app, signed(notificationFields(sesEvent('DeliveryDelay', mail))))).statusCode, 200)
    t.match((await store.getCandidate(id))!.delivery, { email: 'final-decision' })
  })

  t.test('forged, foreign-hosted and foreign-topic messages are 401 and record nothing', async (t) => {
    const { app, store, alerts, fetched } = await sesEventsApp(t)
    const { id, mail } = await emailedCandidate(store)
    const forged = JSON.parse(signed(notificationFields(sesEvent('Delivery', mail)))) as Fields
    forged.Message = JSON.stringify(sesEvent('Bounce', mail))
    const attempts: [string, string][] = [
      ['a forged signature', JSON.stringify(forged)],
      [
        'a certificate on another host',
        signed(notificationFields(sesEvent('Bounce', mail), { SigningCertURL: 'https://evil.test/SimpleNotificationService-1.pem' })),
      ],
      [
        'a certificate over http',
        signed(notificationFields(sesEvent('Bounce', mail), { SigningCertURL: CERT_URL.replace('https:', 'http:') })),
      ],
      [
        'a look-alike host',
        signed(
          notificationFields(sesEvent('Bounce', mail), { SigningCertURL: CERT_URL.replace('amazonaws.com', 'amazonaws.com.evil.test') }),
        ),
      ],
      ['another topic', signed(notificationFields(sesEvent('Bounce', mail), { TopicArn: 'arn:aws:sns:us-east-1:123456789012:other' }))],
      ['a self-signed impostor', signed(notificationFields(sesEvent('Bounce', mail)), { keyPem: impostor.keyPem })],
    ]
    for (const [what, body] of attempts) {
      const response = await postEvent(app, body)
      t.equal(response.statusCode, 401, what)
      t.equal(response.headers['www-authenticate'], 'Signature', what)
      t.match(response.json().message, /not a verified SNS message/, what)
    }
    t.same(fetched, [CERT_URL], 'only the SNS host was ever asked for a certificate')
    const candidate = (await store.getCandidate(id))!
    t.equal(candidate.delivery, undefined, 'nothing recorded')
    t.same(candidate.history, [])
    t.same(alerts, [])
    t.match(app.webhookCounters.get('ses'), { rejected: attempts.length, accepted: 0 })
  })

  t.test('events about email hireflow did not record are answered 200 and ignored', async (t) => {
    const { app, store, alerts } = await sesEventsApp(t)
    const { id, mail } = await emailedCandidate(store)
    const cases: [string, unknown, RegExp][] = [
      ['another SES message id', sesEvent('Bounce', { ...mail, sesMessageId: 'someone-elses' }), /not an email recorded on candidate/],
      ['no X-Hireflow-Message-Id', sesEvent('Bounce', { ...mail, headers: mail.headers.slice(0, 3) }), /hireflow did not send it/],
      ['an unknown candidate', sesEvent('Bounce', { ...mail, headers: hrHeaders('c9999') }), /no candidate c9999/],
      [
        'an alert email',
        sesEvent('Bounce', { ...mail, headers: [{ name: 'X-Hireflow-Message-Id', value: `alert.${randomUUID()}@hireflow` }] }),
        /did not send/,
      ],
      ['a Send event', sesEvent('Send', mail), /says nothing about delivery/],
      ['not an SES event', 'Hello from the SNS console', /Message is not JSON/],
      ['SES subscription test', { notificationType: 'AmazonSnsSubscriptionSucceeded', message: 'ok' }, /says nothing about delivery/],
    ]
    for (const [what, message, detail] of cases) {
      const response = await postEvent(app, signed(notificationFields(message)))
      t.equal(response.statusCode, 200, what)
      t.match(response.json(), { outcome: 'ignored', detail }, what)
    }
    t.same((await store.getCandidate(id))!.history, [])
    t.same(alerts, [])
  })

  t.test('bad requests: not JSON, a mismatched type header, another content type, too large', async (t) => {
    const { app } = await sesEventsApp(t)
    const broken = await postEvent(app, '{"Type":"Notification",')
    t.equal(broken.statusCode, 400)
    t.match(broken.json().message, /not a JSON SNS message/)
    const mismatch = await postEvent(app, signed(notificationFields('x')), { 'x-amz-sns-message-type': 'SubscriptionConfirmation' })
    t.equal(mismatch.statusCode, 400)
    t.match(mismatch.json().message, /x-amz-sns-message-type says SubscriptionConfirmation/)
    const form = await postEvent(app, signed(notificationFields('x')), { 'content-type': 'application/x-www-form-urlencoded' })
    t.equal(form.statusCode, 415)
    t.match(form.json().message, /text\/plain/)
    const json = await postEvent(app, signed(notificationFields({ eventType: 'Send', mail: {} })), { 'content-type': 'application/json' })
    t.equal(json.statusCode, 200, 'a delivery policy may set application/json')
    const huge = await postEvent(app, signed(notificationFields('x'.repeat(300 * 1024))))
    t.equal(huge.statusCode, 413)
  })

  t.test('a SubscriptionConfirmation is confirmed through ConfirmSubscription, never by fetching SubscribeURL', async (t) => {
    const { app, sns } = await sesEventsApp(t)
    const subscribeHost = await serve(t, (_request, response) => void response.end('confirmed'))
    const token = randomUUID().replaceAll('-', '')
    const confirmation = () =>
      signed({
        Type: 'SubscriptionConfirmation',
        MessageId: randomUUID(),
        Token: token,
        TopicArn: TOPIC,
        Message: `You have chosen to subscribe to the topic ${TOPIC}.`,
        SubscribeURL: `${subscribeHost.url}/?Action=ConfirmSubscription&Token=${token}`,
        Timestamp: new Date().toISOString(),
      })

    sns.fail('ConfirmSubscription', faults.serverError)
    const failing = await postEvent(app, confirmation())
    t.equal(failing.statusCode, 503, 'SNS is asked to deliver it again')
    t.match(failing.json().message, /did not confirm the subscription/)
    t.ok(sns.calls.filter((call) => call.action === 'ConfirmSubscription').length >= 2, 'the SDK retried before giving up')
    sns.recover()

    const body = confirmation()
    const response = await postEvent(app, body)
    t.equal(response.statusCode, 200, response.body)
    t.match(response.json(), { outcome: 'subscribed' })
    const confirmed = sns.succeeded('ConfirmSubscription')
    t.equal(confirmed.length, 1)
    t.match(confirmed[0], {
      service: 'sns',
      region: 'us-east-1',
      params: { TopicArn: TOPIC, Token: token, AuthenticateOnUnsubscribe: 'true' },
    })
    t.equal(subscribeHost.seen.length, 0, 'SubscribeURL was never requested')
    t.match((await postEvent(app, body)).json(), { outcome: 'duplicate' }, 'a redelivered confirmation is not confirmed twice')
    t.equal(sns.succeeded('ConfirmSubscription').length, 1)
  })

  t.test('an UnsubscribeConfirmation is acknowledged and not undone', async (t) => {
    const { app, sns } = await sesEventsApp(t)
    const response = await postEvent(
      app,
      signed({
        Type: 'UnsubscribeConfirmation',
        MessageId: randomUUID(),
        Token: 'abc',
        TopicArn: TOPIC,
        Message: `You have chosen to deactivate subscription ${TOPIC}:1.`,
        SubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=abc`,
        Timestamp: new Date().toISOString(),
      }),
    )
    t.equal(response.statusCode, 200)
    t.match(response.json(), { outcome: 'unsubscribed', detail: /subscribe PUBLIC_URL\/webhooks\/ses again/ })
    t.same(sns.calls, [])
  })

  t.test('a certificate that cannot be fetched for now is a 503, so SNS delivers again', async (t) => {
    const { app, store } = await sesEventsApp(t, {}, async () => {
      throw new SnsCertificateUnavailableError('timed out')
    })
    const { id, mail } = await emailedCandidate(store)
    const response = await postEvent(app, signed(notificationFields(sesEvent('Bounce', mail))))
    t.equal(response.statusCode, 503)
    t.match(response.json().message, /certificate could not be fetched/)
    t.same((await store.getCandidate(id))!.history, [])
  })
})

t.test('end to end on DynamoDB and SES: the events of a real HR email', async (t) => {
  const [dynamo, ses] = await Promise.all([startDynalite(), startSes()])
  const quota = await startFlakyProxy(ses.endpoint)
  t.teardown(() => Promise.all([dynamo.close(), ses.close(), quota.close()]))
  // The raw messages hireflow handed SES: their headers are what SES passes on in mail.headers.
  const raw: string[] = []
  const sesFront = await serve(t, async (request, response, seen) => {
    const data = seen.form.get('RawMessage.Data')
    if (seen.form.get('Action') === 'SendRawEmail' && data) raw.push(Buffer.from(data, 'base64').toString('utf8'))
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name)),
    ) as Record<string, string>
    const upstream = await fetch(`${quota.endpoint}${request.url}`, {
      method: request.method,
      headers,
      ...(seen.body ? { body: seen.body } : {}),
    })
    response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'text/xml' })
    response.end(Buffer.from(await upstream.arrayBuffer()))
  })
  const sns = await startAwsRecorder(t)
  const hireflow = await startHireflow({
    env: {
      ...(await candidateTableOn(dynamo, 'hireflow-ses-events')),
      MAILER: 'ses',
      SES_ENDPOINT: sesFront.url,
      HR_EMAIL: 'people@acme.test',
      SENDER_EMAIL: 'robot@acme.test',
      REPLY_TO_EMAIL: 'jobs@acme.test',
      SES_EVENTS_TOPIC_ARN: TOPIC,
      SNS_ENDPOINT: sns.endpoint,
    },
  })
  t.teardown(() => hireflow.stop())
  const api = hireflow.app!

  const upload = await injectUpload(api, { filename: 'ada.txt', content: Buffer.from(sampleResumeLines('Ada Lovelace').join('\n')) })
  t.equal(upload.statusCode, 202, upload.body)
  const { id } = upload.json()
  const notified = await hireflow.waitFor(id, 'notified')
  const sesMessageId = notified.notification!.messageId
  t.match(sesMessageId, /^ses-\d+$/, "the id SES's stand-in gave the email")
  t.equal(raw.length, 1)
  const head = raw[0]!.slice(0, raw[0]!.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ')
  const headers = head
    .split('\r\n')
    .map((line) => ({ name: line.slice(0, line.indexOf(':')), value: line.slice(line.indexOf(':') + 1).trim() }))
  const mail: SentMail = { sesMessageId, sentAt: notified.notification!.sentAt, headers }

  // The route as the API serves it, with the test's certificate host in place of AWS's.
  const monitoring = quietMonitoring()
  const events = await eventsApp(hireflow.config, hireflow.services, monitoring, certificates().fetchCertificate, hireflow.queues)
  t.teardown(() => events.close())

  const delivered = await postEvent(events, signed(notificationFields(sesEvent('Delivery', mail))))
  t.equal(delivered.statusCode, 200, delivered.body)
  t.match(delivered.json(), { outcome: 'recorded' })
  const shown = (await api.inject({ method: 'GET', url: `/candidates/${id}`, headers: AUTH })).json()
  t.match(shown.delivery, { status: 'delivered', email: 'decision', messageId: sesMessageId }, 'kept in DynamoDB, shown by the API')

  const bounced = await postEvent(events, signed(notificationFields(sesEvent('Bounce', mail)), { version: '1' }))
  t.equal(bounced.statusCode, 200, bounced.body)
  const after = (await api.inject({ method: 'GET', url: `/candidates/${id}`, headers: AUTH })).json()
  t.match(after.delivery, { status: 'bounced', detail: /user unknown/ })
  t.equal(after.status, 'notified')
  t.equal(monitoring.alerts.raised.length, 1)
  t.match(monitoring.alerts.raised[0], { key: `bounce:${id}`, kind: 'bounce' })
})
