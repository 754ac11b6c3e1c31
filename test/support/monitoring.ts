// Alerts and metrics for tests that build the app or a job context by hand: alerts are kept for assertions, metrics let go.
import type { Alert } from '../../src/ports/alerts.ts'
import { DiscardingMetrics } from '../../src/ports/metrics.ts'

export function quietMonitoring() {
  const raised: Alert[] = []
  return {
    alerts: {
      raised,
      async raise(alert: Alert) {
        raised.push(alert)
      },
    },
    metrics: new DiscardingMetrics(),
  }
}
