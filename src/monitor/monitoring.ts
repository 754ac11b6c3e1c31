// Where metrics and alerts go, from configuration: CloudWatch and SNS on
// AWS; on the embedded defaults, Prometheus' /metrics and alert log lines
// (and email to ALERT_EMAIL when set).
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../config.ts'
import type { Mailer } from '../ports/mailer.ts'
import type { AlertChannel } from '../ports/alerts.ts'
import { DiscardingMetrics, type MetricsSink } from '../ports/metrics.ts'
import { ChannelAlerter, MailAlertChannel } from './alerter.ts'

export interface Monitoring {
  metrics: MetricsSink
  alerter: ChannelAlerter
  close(): Promise<void>
}

export function createMonitoring(config: Config, mailer: Mailer, log: FastifyBaseLogger): Monitoring {
  const metrics: MetricsSink = new DiscardingMetrics()
  let channel: AlertChannel | undefined
  if (config.alerts.email.length > 0) channel = new MailAlertChannel(mailer, config.senderEmail, config.alerts.email)
  const alerter = new ChannelAlerter(log.child({ component: 'alerts' }), channel)
  return {
    metrics,
    alerter,
    async close() {
      await metrics.close()
    },
  }
}
