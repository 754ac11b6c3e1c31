// The integration monitor and the pipeline watch, built from configuration
// over one Redis connection that fails fast (a probe must not wait for a
// Redis that is away: that is what it reports).
import type { Redis } from 'ioredis'
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../config.ts'
import type { Alerter } from '../ports/alerts.ts'
import type { MetricsSink } from '../ports/metrics.ts'
import type { HiringQueues } from '../../jobs/queues.ts'
import { IntegrationMonitor } from './integration-monitor.ts'
import { PipelineWatch } from './pipeline-watch.ts'
import { integrationProbes, type ProbeDependencies } from './probes.ts'

export interface IntegrationWatchers {
  monitor: IntegrationMonitor
  watch: PipelineWatch
}

export function createIntegrationWatchers(
  deps: ProbeDependencies & { alerter: Alerter; metrics: MetricsSink; log: FastifyBaseLogger },
): IntegrationWatchers {
  const { config, redis, queues, alerter, metrics } = deps
  const log = deps.log.child({ component: 'monitor' })
  const monitor = new IntegrationMonitor({
    probes: integrationProbes(deps),
    redis,
    prefix: config.queuePrefix,
    alerter,
    metrics,
    log,
    policy: { afterFailures: config.alerts.afterFailures, repeatMinutes: config.alerts.repeatMinutes },
    timeoutMs: config.healthProbeTimeoutMs,
  })
  const watch = pipelineWatch(config, queues, redis, alerter, log)
  return { monitor, watch }
}

function pipelineWatch(config: Config, queues: HiringQueues, redis: Redis, alerter: Alerter, log: FastifyBaseLogger) {
  return new PipelineWatch({
    queues,
    redis,
    prefix: config.queuePrefix,
    alerter,
    log,
    failedPercent: config.alerts.failedPercent,
    failedMinCandidates: config.alerts.failedMinCandidates,
    oldestJobMinutes: config.alerts.oldestJobMinutes,
    repeatMinutes: config.alerts.repeatMinutes,
  })
}
