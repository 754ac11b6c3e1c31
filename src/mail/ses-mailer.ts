// HR email through Amazon SES (v1 SendRawEmail: the only SES call that takes
// attachments in the SDK installed here).
import { GetSendQuotaCommand, SendRawEmailCommand, type SESClient } from '@aws-sdk/client-ses'
import { PermanentMailError, type Mailer, type OutgoingMail } from '../ports/mailer.ts'
import { buildRawMessage } from './mime.ts'

// Error codes SES answers for the message itself; throttling, 5xx, timeouts
// and credential errors are left to the retries of the SDK and then the job.
const PERMANENT_CODES = new Set([
  'MessageRejected',
  'InvalidParameterValue',
  'MailFromDomainNotVerifiedException',
  'FromEmailAddressNotVerifiedException',
  'ConfigurationSetDoesNotExistException',
])

/** SES v1 refuses raw messages above 10 MB, counted after base64 of the whole message. */
const SES_RAW_MESSAGE_LIMIT = 10 * 1024 * 1024

export interface SesMailerOptions {
  client: SESClient
  configurationSet?: string
  /**
   * Upper bound on one ping, retries included. aws-ses-v2-local does not
   * answer GetSendQuota at all, so without it a ping there would wait for the
   * client's timeout on every attempt.
   */
  pingTimeoutMs?: number
}

export class SesMailer implements Mailer {
  readonly #client: SESClient
  readonly #configurationSet: string | undefined
  readonly #pingTimeoutMs: number

  constructor(options: SesMailerOptions) {
    this.#client = options.client
    this.#configurationSet = options.configurationSet
    this.#pingTimeoutMs = options.pingTimeoutMs ?? 10_000
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
    try {
      const result = await this.#client.send(
        new SendRawEmailCommand({
          RawMessage: { Data: raw },
          Destinations: mail.to,
          ...(this.#configurationSet ? { ConfigurationSetName: this.#configurationSet } : {}),
        }),
      )
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
