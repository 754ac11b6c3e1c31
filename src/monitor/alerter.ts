// Every alert is a log line; it also goes to the configured channel (SNS, or
// email through the mailer). A channel that fails is logged, never thrown:
// an alert about a broken integration must not break what raised it.
import type { FastifyBaseLogger } from 'fastify'
import type { Alert, AlertChannel, Alerter } from '../ports/alerts.ts'
import type { Mailer } from '../ports/mailer.ts'
import { headerText } from '../domain/display-text.ts'
import { randomUUID } from 'node:crypto'
import { escapeMarkup } from '../mail/templates.ts'

export class ChannelAlerter implements Alerter {
  readonly #log: FastifyBaseLogger
  readonly #channel: AlertChannel | undefined

  constructor(log: FastifyBaseLogger, channel?: AlertChannel) {
    this.#log = log
    this.#channel = channel
  }

  get channel(): string {
    return this.#channel?.name ?? 'log'
  }

  async raise(alert: Alert): Promise<void> {
    const level = alert.kind === 'recovered' ? 'info' : 'warn'
    this.#log[level](
      { alert: { key: alert.key, kind: alert.kind, channel: this.channel }, detail: alert.message },
      `alert: ${alert.subject}`,
    )
    if (!this.#channel) return
    try {
      await this.#channel.send(alert)
    } catch (error) {
      this.#log.error({ err: error, alert: { key: alert.key, kind: alert.kind, channel: this.#channel.name } }, 'could not send an alert')
    }
  }
}

/** Alerts by email through the configured mailer (ALERT_EMAIL), for setups without SNS. */
export class MailAlertChannel implements AlertChannel {
  readonly name = 'email'
  readonly #mailer: Mailer
  readonly #from: string
  readonly #to: string[]

  constructor(mailer: Mailer, from: string, to: string[]) {
    this.#mailer = mailer
    this.#from = from
    this.#to = to
  }

  async send(alert: Alert): Promise<void> {
    const escaped = escapeMarkup(alert.message)
    await this.#mailer.send({
      from: this.#from,
      to: this.#to,
      subject: headerText(`[hireflow] ${alert.subject}`),
      text: `${alert.message}\n`,
      html: `<pre style="font-family: ui-monospace, monospace; white-space: pre-wrap">${escaped}</pre>`,
      attachments: [],
      messageId: `alert.${randomUUID()}@hireflow`,
    })
  }
}
