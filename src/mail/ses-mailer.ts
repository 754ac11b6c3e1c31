// HR email through Amazon SES (v1 SendRawEmail: the only SES call that takes
// attachments in the SDK installed here).
//
// Sending is not idempotent: when a request times out, SES may already have
// accepted it. So a send is one attempt with a timeout of its own, never
// retried by the SDK; the job retries, and checks the candidate's
// `notification` before it sends again. GetSendQuota keeps the client's retries.
import { GetSendQuotaCommand, SendRawEmailCommand, type SESClient } from '@aws-sdk/client-ses'
import { PermanentMailError, type Mailer, type OutgoingMail } from '../ports/mailer.ts'
import { buildRawMessage } from './mime.ts'

// Error codes SES answers for the message itself; throttling, 5xx, timeouts
// and credential errors are left to the job's retries.
const PERMANENT_CODES = new Set([
  'MessageRejected',
  'InvalidParameterValue',
  'MailFromDomainNotVerifiedException',
  'FromEmailAddressNotVerifiedException',
  'ConfigurationSetDoesNotExistException',
])

/** SES v1 refuses raw messages above 10 MB, counted after base64 of the whole message. */
const SES_RAW_MESSAGE_LIMIT = 10 * 1024 * 1024

/**
 * SES takes seconds, not milliseconds, to accept a raw message of several MB,
 * and a timeout there is a possible duplicate: the send waits longer than the
 * ordinary AWS request timeout.
 */
const DEFAULT_SEND_TIMEOUT_MS = 30_000

/**
 * Takes the place of the SDK's retry middleware (same name, step and
 * priority) for one command: the request goes out once.
 */
const singleAttempt = {
  applyToStack(stack: SendRawEmailCommand['middlewareStack']) {
    stack.add((next) => (args) => next(args), {
      name: 'retryMiddleware',
      step: 'finalizeRequest',
      priority: 'high',
      override: true,
    })
  },
}

export interface SesMailerOptions {
  client: SESClient
  configurationSet?: string
  /**
   * Upper bound on one ping, retries included. aws-ses-v2-local does not
   * answer GetSendQuota at all, so without it a ping there would wait for the
   * client's timeout on every attempt.
   */
  pingTimeoutMs?: number
  /** Upper bound on one SendRawEmail request (one attempt, no SDK retry). Default 30 s. */
  sendTimeoutMs?: number
}

export class SesMailer implements Mailer {
  readonly #client: SESClient
  readonly #configurationSet: string | undefined
  readonly #pingTimeoutMs: number
  readonly #sendTimeoutMs: number

  constructor(options: SesMailerOptions) {
    this.#client = options.client
    this.#configurationSet = options.configurationSet
    this.#pingTimeoutMs = options.pingTimeoutMs ?? 10_000
    this.#sendTimeoutMs = options.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS
  }

  async send(mail: OutgoingMail): Promise<{ messageId: string }> {
    if (mail.to.length === 0) throw new PermanentMailError('an HR email needs at least one recipient')
    const raw = await buildRawMessage(mail)
    if (Math.ceil(raw.length / 3) * 4 > SES_RAW_MESSAGE_LIMIT) {
      throw new PermanentMailError(
        `message of ${raw.length} bytes exceeds the SES limit of 10 MB once encoded; send the resume as a link instead`,
        { code: 'MessageTooLarge' },
      )
    }
    const command = new SendRawEmailCommand({
      RawMessage: { Data: raw },
      Destinations: mail.to,
      ...(this.#configurationSet ? { ConfigurationSetName: this.#configurationSet } : {}),
    })
    command.middlewareStack.use(singleAttempt)
    try {
      const result = await this.#client.send(command, {
        // The HTTP handler's timeout for this request only (the client's is for quick calls),
        // and a deadline on the whole call in case the handler was built without one.
        requestTimeout: this.#sendTimeoutMs,
        abortSignal: AbortSignal.timeout(this.#sendTimeoutMs),
      })
      return { messageId: result.MessageId ?? mail.messageId }
    } catch (error) {
      throw classify(error)
    }
  }

  async ping(): Promise<void> {
    const quota = await this.#client.send(new GetSendQuotaCommand({}), {
      abortSignal: AbortSignal.timeout(this.#pingTimeoutMs),
    })
    // A negative Max24HourSend means no daily limit.
    const max = quota.Max24HourSend ?? -1
    if (max >= 0 && (quota.SentLast24Hours ?? 0) >= max) {
      throw new Error(`SES daily sending quota used up (${quota.SentLast24Hours} of ${max})`)
    }
  }
}

function classify(error: unknown): unknown {
  if (!(error instanceof Error)) return error
  const code = (error as { Code?: unknown }).Code
  const name = typeof code === 'string' ? code : error.name
  if (PERMANENT_CODES.has(name)) {
    return new PermanentMailError(`SES refused the message (${name}): ${error.message}`, { code: name, cause: error })
  }
  return error
}

export { PermanentMailError }
