// Messages Amazon SNS posts to an HTTPS subscription (notifications and
// subscription confirmations), parsed and verified as AWS documents it
// ("Verifying the signatures of Amazon SNS messages"): the topic must be the
// one pinned in configuration, the signing certificate must come over https
// from the SNS host of that topic's region and name SNS as its subject, and
// its RSA key must verify the signature (SHA1withRSA for SignatureVersion 1,
// SHA256withRSA for 2) over the fields AWS lists for the message's type.
//
// Everything that needs no network is checked first, so a message naming a
// foreign topic or a certificate anywhere else is refused without a request.
// The certificate itself carries no chain: it is trusted because it came over
// TLS from the SNS host of the topic's own region, which no one else can serve.
import { X509Certificate, verify as verifySignature } from 'node:crypto'
import { SingleFlight } from '../async/single-flight.ts'
import { DownloadRefusedError, safeDownload } from '../net/safe-download.ts'
import { backoffDelay, pause } from '../net/http-client.ts'

export const SNS_MESSAGE_TYPES = ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const
export type SnsMessageType = (typeof SNS_MESSAGE_TYPES)[number]

interface SnsEnvelope {
  MessageId: string
  TopicArn: string
  Message: string
  /** When SNS published it (ISO 8601); a retry keeps the original. */
  Timestamp: string
  SignatureVersion: '1' | '2'
  Signature: string
  SigningCertURL: string
}

export interface SnsNotification extends SnsEnvelope {
  Type: 'Notification'
  Subject?: string
}

export interface SnsSubscriptionMessage extends SnsEnvelope {
  Type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation'
  /** What ConfirmSubscription takes; the SubscribeURL beside it is never fetched. */
  Token: string
  SubscribeURL: string
}

export type SnsMessage = SnsNotification | SnsSubscriptionMessage

/** Why a message was refused: `malformed` is a bad request, every other reason an authentication failure. */
export type SnsRefusal = 'malformed' | 'topic' | 'certificate_url' | 'stale' | 'certificate' | 'signature'

export class SnsMessageRefusedError extends Error {
  override name = 'SnsMessageRefusedError'
  readonly reason: SnsRefusal
  constructor(reason: SnsRefusal, message: string) {
    super(message)
    this.reason = reason
  }
}

/** The signing certificate could not be fetched for now (timeout, network, 5xx): the sender should deliver again later. */
export class SnsCertificateUnavailableError extends Error {
  override name = 'SnsCertificateUnavailableError'
}

/** Fetches the PEM text at a certificate URL already judged to be on the topic's SNS host. */
export type CertificateFetcher = (url: URL) => Promise<string>

/** The pinned topic and what follows from its ARN: where its certificates are served, and the names they carry. */
export interface SnsTopic {
  arn: string
  region: string
  /** `sns.<region>.amazonaws.com` (`.com.cn` in China): the only host a signing certificate is fetched from. */
  certificateHost: string
  /** Subject common names an SNS signing certificate of this region carries. */
  signingNames: string[]
}

const PARTITION_DOMAINS: Record<string, string> = { aws: 'amazonaws.com', 'aws-cn': 'amazonaws.com.cn', 'aws-us-gov': 'amazonaws.com' }

// The regions whose certificates do not say sns.amazonaws.com, as the AWS SDK for Java's SNS message manager lists them.
const REGIONAL_SIGNING_NAMES: Record<string, string> = {
  'cn-north-1': 'sns-cn-north-1.amazonaws.com.cn',
  'cn-northwest-1': 'sns-cn-northwest-1.amazonaws.com.cn',
  'us-gov-west-1': 'sns-us-gov-west-1.amazonaws.com',
  'us-gov-east-1': 'sns-us-gov-west-1.amazonaws.com',
}
const OPT_IN_REGIONS = new Set([
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
])

/** The topic behind an ARN; throws for a partition whose SNS certificate hosts hireflow does not know. */
export function snsTopicOf(arn: string): SnsTopic {
  const match = /^arn:(aws[a-z-]*):sns:([a-z0-9-]+):\d{12}:[A-Za-z0-9_.-]+$/.exec(arn)
  if (!match) throw new Error(`"${arn}" is not an SNS topic ARN`)
  const [, partition, region] = match as unknown as [string, string, string]
  const domain = PARTITION_DOMAINS[partition]
  if (!domain) throw new Error(`SNS topics in the ${partition} partition are not supported: their certificate hosts are not known`)
  const regional = REGIONAL_SIGNING_NAMES[region]
  // A region opened after this list was written is most likely opt-in, and those sign as sns-signing.<region>.
  const signingNames = regional
    ? [regional]
    : OPT_IN_REGIONS.has(region)
      ? [`sns-signing.${region}.${domain}`]
      : [`sns.${domain}`, `sns-signing.${region}.${domain}`]
  return { arn, region, certificateHost: `sns.${region}.${domain}`, signingNames }
}

const REQUIRED_FIELDS = [
  'Type',
  'MessageId',
  'TopicArn',
  'Message',
  'Timestamp',
  'SignatureVersion',
  'Signature',
  'SigningCertURL',
] as const
const CONFIRMATION_FIELDS = ['Token', 'SubscribeURL'] as const

// The fields signed, in this order, each as "name\nvalue\n"; Subject only when the notification has one.
const SIGNED_NOTIFICATION_FIELDS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const
const SIGNED_CONFIRMATION_FIELDS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const

/** The message's fields, checked for presence and type (not yet for authenticity). */
export function parseSnsMessage(raw: Buffer | string): SnsMessage {
  let parsed: unknown
  try {
    parsed = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'))
  } catch {
    throw new SnsMessageRefusedError('malformed', 'the body is not a JSON SNS message')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SnsMessageRefusedError('malformed', 'the body is not a JSON SNS message')
  }
  const fields = parsed as Record<string, unknown>
  const type = fields.Type
  if (!SNS_MESSAGE_TYPES.includes(type as SnsMessageType)) {
    throw new SnsMessageRefusedError('malformed', `Type must be one of ${SNS_MESSAGE_TYPES.join(', ')}`)
  }
  const required = type === 'Notification' ? REQUIRED_FIELDS : [...REQUIRED_FIELDS, ...CONFIRMATION_FIELDS]
  const missing = required.filter((name) => typeof fields[name] !== 'string' || fields[name] === '')
  if (missing.length > 0) throw new SnsMessageRefusedError('malformed', `the ${type} lacks ${missing.join(', ')}`)
  if (fields.SignatureVersion !== '1' && fields.SignatureVersion !== '2') {
    throw new SnsMessageRefusedError('malformed', `SignatureVersion ${String(fields.SignatureVersion)} is not 1 or 2`)
  }
  if (fields.Subject != null && typeof fields.Subject !== 'string') throw new SnsMessageRefusedError('malformed', 'Subject is not text')
  if (Number.isNaN(Date.parse(fields.Timestamp as string))) throw new SnsMessageRefusedError('malformed', 'Timestamp is not a date')
  // A null Subject is an absent one: it is left out of the string to sign.
  if (fields.Subject === null) delete fields.Subject
  return fields as unknown as SnsMessage
}

/** What SNS signed for this message. */
export function stringToSign(message: SnsMessage): string {
  const names = message.Type === 'Notification' ? SIGNED_NOTIFICATION_FIELDS : SIGNED_CONFIRMATION_FIELDS
  const fields = message as unknown as Record<string, unknown>
  let text = ''
  for (const name of names) {
    const value = fields[name]
    if (typeof value === 'string') text += `${name}\n${value}\n`
  }
  return text
}

export interface SnsMessageVerifierOptions {
  /** The only topic whose messages are accepted. */
  topicArn: string
  fetchCertificate: CertificateFetcher
  /**
   * Oldest message accepted. SNS retries an HTTP/S delivery for at most an hour (a hard limit of its delivery
   * policies) and keeps the original Timestamp, so anything older is a replay. Default 65 minutes.
   */
  maxAgeMs?: number
  /** How far in the future a Timestamp may be (clock skew). Default 5 minutes. */
  maxSkewMs?: number
  /** How long a fetched certificate is used before it is fetched again (never past its expiry). Default 1 hour. */
  cacheTtlMs?: number
  /** How long a certificate URL that failed for good is not asked again. Default 5 minutes. */
  refusalTtlMs?: number
  now?: () => number
}

interface CachedCertificate {
  certificate: X509Certificate
  until: number
}

/** Certificates and refusals kept per URL at most: only URLs on the SNS host get here, but anyone can vary the path. */
const CACHE_ENTRIES = 32
const PEM_PATH = /^\/[A-Za-z0-9._-]+\.pem$/
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

export class SnsMessageVerifier {
  readonly topic: SnsTopic
  readonly #fetch: CertificateFetcher
  readonly #maxAgeMs: number
  readonly #maxSkewMs: number
  readonly #cacheTtlMs: number
  readonly #refusalTtlMs: number
  readonly #now: () => number
  readonly #certificates = new Map<string, CachedCertificate>()
  readonly #refused = new Map<string, { until: number; message: string }>()
  readonly #pending = new SingleFlight<string, X509Certificate>()

  constructor(options: SnsMessageVerifierOptions) {
    this.topic = snsTopicOf(options.topicArn)
    this.#fetch = options.fetchCertificate
    this.#maxAgeMs = options.maxAgeMs ?? 65 * 60_000
    this.#maxSkewMs = options.maxSkewMs ?? 5 * 60_000
    this.#cacheTtlMs = options.cacheTtlMs ?? 60 * 60_000
    this.#refusalTtlMs = options.refusalTtlMs ?? 5 * 60_000
    this.#now = options.now ?? Date.now
  }

  /**
   * The message, once it is proven to come from SNS for the pinned topic. Throws SnsMessageRefusedError for a message
   * that is malformed or not authentic, SnsCertificateUnavailableError when the certificate cannot be had for now.
   */
  async verify(raw: Buffer | string): Promise<SnsMessage> {
    const message = parseSnsMessage(raw)
    if (message.TopicArn !== this.topic.arn) {
      throw new SnsMessageRefusedError('topic', 'the message is for a topic other than SES_EVENTS_TOPIC_ARN')
    }
    const url = this.#certificateUrl(message.SigningCertURL)
    const age = this.#now() - Date.parse(message.Timestamp)
    if (age > this.#maxAgeMs) {
      throw new SnsMessageRefusedError('stale', `the message was published ${Math.round(age / 60_000)} minutes ago: too old to be a retry`)
    }
    if (age < -this.#maxSkewMs) throw new SnsMessageRefusedError('stale', 'the message is dated in the future')
    if (!BASE64.test(message.Signature)) throw new SnsMessageRefusedError('signature', 'the Signature is not base64')

    const certificate = await this.#certificate(url)
    const algorithm = message.SignatureVersion === '1' ? 'sha1' : 'sha256'
    let valid: boolean
    try {
      valid = verifySignature(
        algorithm,
        Buffer.from(stringToSign(message), 'utf8'),
        certificate.publicKey,
        Buffer.from(message.Signature, 'base64'),
      )
    } catch {
      valid = false
    }
    if (!valid) throw new SnsMessageRefusedError('signature', 'the signature does not verify with the SNS signing certificate')
    return message
  }

  /** The certificate URL, if SNS of the topic's region serves it: https, that exact host, default port, a .pem file. */
  #certificateUrl(text: string): URL {
    let url: URL
    try {
      url = new URL(text)
    } catch {
      throw new SnsMessageRefusedError('certificate_url', 'SigningCertURL is not a URL')
    }
    const host = url.hostname.toLowerCase()
    if (url.protocol !== 'https:') throw new SnsMessageRefusedError('certificate_url', 'SigningCertURL is not https')
    if (host !== this.topic.certificateHost) {
      throw new SnsMessageRefusedError(
        'certificate_url',
        `SigningCertURL is not on ${this.topic.certificateHost}, the SNS host of the topic`,
      )
    }
    if (
      url.port !== '' ||
      url.username !== '' ||
      url.password !== '' ||
      url.search !== '' ||
      url.hash !== '' ||
      !PEM_PATH.test(url.pathname)
    ) {
      throw new SnsMessageRefusedError('certificate_url', `SigningCertURL is not a .pem file on ${this.topic.certificateHost}`)
    }
    return url
  }

  async #certificate(url: URL): Promise<X509Certificate> {
    const key = url.href
    const now = this.#now()
    const cached = this.#certificates.get(key)
    if (cached && cached.until > now) return cached.certificate
    const refused = this.#refused.get(key)
    if (refused && refused.until > now) throw new SnsMessageRefusedError('certificate', refused.message)
    // One fetch however many messages wait for the same certificate.
    return this.#pending.run(key, () => this.#load(url))
  }

  async #load(url: URL): Promise<X509Certificate> {
    const key = url.href
    let pem: string
    try {
      pem = await this.#fetch(url)
    } catch (error) {
      if (error instanceof SnsCertificateUnavailableError) throw error
      throw this.#refuse(key, `the signing certificate could not be fetched: ${(error as Error).message}`)
    }
    const certificate = this.#check(key, pem)
    const until = Math.min(this.#now() + this.#cacheTtlMs, Date.parse(certificate.validTo))
    remember(this.#certificates, key, { certificate, until })
    return certificate
  }

  /** An SNS signing certificate for the topic's region, valid now, with an RSA key. */
  #check(key: string, pem: string): X509Certificate {
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw this.#refuse(key, 'the signing certificate is not a PEM certificate')
    let certificate: X509Certificate
    try {
      certificate = new X509Certificate(pem)
    } catch {
      throw this.#refuse(key, 'the signing certificate does not parse')
    }
    const now = this.#now()
    if (now < Date.parse(certificate.validFrom) || now > Date.parse(certificate.validTo)) {
      throw this.#refuse(key, `the signing certificate is not valid now (${certificate.validFrom} to ${certificate.validTo})`)
    }
    const names = certificate.subject.split('\n').filter((part) => part.startsWith('CN='))
    if (!names.some((name) => this.topic.signingNames.includes(name.slice(3).toLowerCase()))) {
      throw this.#refuse(key, `the certificate's subject is not ${this.topic.signingNames.join(' or ')}`)
    }
    if (certificate.publicKey.asymmetricKeyType !== 'rsa') throw this.#refuse(key, 'the signing certificate has no RSA key')
    return certificate
  }

  #refuse(key: string, message: string): SnsMessageRefusedError {
    remember(this.#refused, key, { until: this.#now() + this.#refusalTtlMs, message })
    return new SnsMessageRefusedError('certificate', message)
  }
}

/** Sets an entry, dropping the oldest beyond CACHE_ENTRIES. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key)
  map.set(key, value)
  while (map.size > CACHE_ENTRIES) map.delete(map.keys().next().value as string)
}

export interface HttpsCertificateFetcherOptions {
  /** Per attempt. Default 5 s. */
  timeoutMs?: number
  /** Attempts for a timeout, a network error or a 5xx, the first included. Default 3. */
  maxAttempts?: number
  /** First backoff ceiling, doubled per attempt with full jitter. Default 200 ms. */
  baseDelayMs?: number
  /** Largest certificate read; SNS's are about 2 KB. Default 16 KiB. */
  maxBytes?: number
  /** The download itself; replaceable in tests, which cannot reach AWS. */
  download?: typeof safeDownload
}

/**
 * Production's fetcher: an https GET to the URL's host only (the verifier has already pinned it), no redirect
 * followed, no private address connected to, bounded in time and size, retried with backoff when the failure
 * can pass. A refusal that cannot pass (404, too large, a redirect) is thrown as it is.
 */
export function httpsCertificateFetcher(options: HttpsCertificateFetcherOptions = {}): CertificateFetcher {
  const timeoutMs = options.timeoutMs ?? 5_000
  const maxAttempts = options.maxAttempts ?? 3
  const baseDelayMs = options.baseDelayMs ?? 200
  const maxBytes = options.maxBytes ?? 16 * 1024
  const download = options.download ?? safeDownload
  return async (url) => {
    for (let attempt = 1; ; attempt++) {
      try {
        const { bytes } = await download(url.href, { allowedHosts: [url.hostname], maxBytes, timeoutMs, maxRedirects: 0 })
        return bytes.toString('utf8')
      } catch (error) {
        const passing = error instanceof DownloadRefusedError && error.retryable
        if (!passing) throw error
        if (attempt >= maxAttempts) {
          throw new SnsCertificateUnavailableError(
            `the SNS signing certificate could not be fetched (${maxAttempts} attempts): ${error.message}`,
          )
        }
        await pause(backoffDelay(attempt, baseDelayMs, 2_000))
      }
    }
  }
}
