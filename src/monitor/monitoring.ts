// Where metrics and alerts go, from configuration: CloudWatch and SNS on
// AWS; on the embedded defaults, Prometheus' /metrics and alert log lines
// (and email to ALERT_EMAIL when set).
import type { FastifyBaseLogger } from 'fastify'
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch'
import { SNSClient } from '@aws-sdk/client-sns'
import type { Config } from '../config.ts'
import type { Mailer } from '../ports/mailer.ts'
import type { AlertChannel } from '../ports/alerts.ts'
import { DiscardingMetrics, type MetricsSink } from '../ports/metrics.ts'
import { awsClientConfig } from '../aws/client-config.ts'
import { ChannelAlerter, MailAlertChannel } from './alerter.ts'
import { CloudWatchMetrics } from './cloudwatch-metrics.ts'
import { SnsAlertChannel } from './sns-alerts.ts'

export interface Monitoring {
  metrics: MetricsSink
  alerter: ChannelAlerter
  close(): Promise<void>
}

export function createMonitoring(config: Config, mailer: Mailer, log: FastifyBaseLogger): Monitoring {
  const clients: { destroy(): void }[] = []

  let metrics: MetricsSink = new DiscardingMetrics()
  if (config.metrics === 'cloudwatch') {
    const cloudwatch = new CloudWatchClient(awsClientConfig({ ...config.aws, endpoint: config.cloudwatchEndpoint }))
    clients.push(cloudwatch)
    metrics = new CloudWatchMetrics(cloudwatch, {
      flushSeconds: config.metricsFlushSeconds,
      log: log.child({ component: 'metrics' }),
      // Shutdown waits for one last flush, but never longer than one AWS request may take.
      closeTimeoutMs: Math.min(config.aws.requestTimeoutMs, 5_000),
    })
  }

  let channel: AlertChannel | undefined
  if (config.alerts.topicArn) {
    // A topic lives in one region, and SNS only publishes to it from there.
    const region = config.alerts.topicArn.split(':')[3] || config.aws.region
    const sns = new SNSClient(awsClientConfig({ ...config.aws, region, endpoint: config.snsEndpoint }))
    clients.push(sns)
    channel = new SnsAlertChannel(sns, config.alerts.topicArn)
  } else if (config.alerts.email.length > 0) {
    channel = new MailAlertChannel(mailer, config.senderEmail, config.alerts.email)
  }
  const alerter = new ChannelAlerter(log.child({ component: 'alerts' }), channel)

  return {
    metrics,
    alerter,
    async close() {
      await metrics.close()
      for (const client of clients) client.destroy()
    },
  }
}
