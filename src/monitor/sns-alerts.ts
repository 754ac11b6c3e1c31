// Alerts published to an SNS topic (ALERT_TOPIC_ARN), from which the
// operators' subscriptions (email, SMS, chat, a pager) take them. The kind and
// key travel as message attributes so a subscription's filter policy can
// route, say, only `unhealthy` and `recovered` to the pager.
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns'
import type { Alert, AlertChannel } from '../ports/alerts.ts'

/** SNS refuses a subject of 100 characters or more. */
const MAX_SUBJECT_CHARS = 99
/** SNS's limit for a message body, in UTF-8 bytes. */
const MAX_MESSAGE_BYTES = 262_144

export class SnsAlertChannel implements AlertChannel {
  readonly name = 'sns'
  readonly #client: SNSClient
  readonly #topicArn: string

  constructor(client: SNSClient, topicArn: string) {
    this.#client = client
    this.#topicArn = topicArn
  }

  async send(alert: Alert): Promise<void> {
    const attributes = Object.entries({ kind: alert.kind, key: alert.key }).filter(([, value]) => value !== '')
    await this.#client.send(
      new PublishCommand({
        TopicArn: this.#topicArn,
        Subject: snsSubject(alert.subject),
        Message: snsMessage(alert.message || alert.subject),
        MessageAttributes: Object.fromEntries(attributes.map(([name, value]) => [name, { DataType: 'String', StringValue: value }])),
      }),
    )
  }
}

/**
 * A subject SNS accepts: printable ASCII only (accents folded, anything else
 * a `?`), no line breaks or control characters, starting with a letter, digit
 * or punctuation mark, under 100 characters.
 */
export function snsSubject(text: string): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[\s\p{Cc}\p{Cf}]+/gu, ' ')
    .replace(/[^\x20-\x7e]/gu, '?')
    .trim()
  const subject = ascii.length > MAX_SUBJECT_CHARS ? `${ascii.slice(0, MAX_SUBJECT_CHARS - 3).trimEnd()}...` : ascii
  return subject || 'hireflow alert'
}

/** The message cut to SNS's 256 KB, on a character boundary. */
function snsMessage(text: string): string {
  if (Buffer.byteLength(text) <= MAX_MESSAGE_BYTES) return text
  const marker = '\n[cut to fit SNS]'
  let cut = Buffer.from(text)
    .subarray(0, MAX_MESSAGE_BYTES - Buffer.byteLength(marker))
    .toString()
  // A character split by the cut decodes as U+FFFD: drop it.
  cut = cut.replace(/\uFFFD+$/u, '')
  return cut + marker
}
