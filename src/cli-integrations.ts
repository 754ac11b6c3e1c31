// `hireflow integrations [--probe] [--json]`: the table GET /integrations
// answers, from the monitor's last round (integrations never probed are
// probed now; --probe probes every one now, with the same alert rules).
// Exit codes: 0 nothing unhealthy, 3 at least one integration unhealthy,
// 1 the command failed (one line on stderr), 2 usage.
import { openOperations, parseOptions, runCommand, usageError, type OperatorCommand } from './cli-context.ts'
import { createMonitoring } from './monitor/monitoring.ts'
import { createIntegrationWatchers } from './monitor/integrations.ts'
import type { IntegrationStatus } from './monitor/integration.ts'

const USAGE = 'hireflow integrations [--probe] [--json]'

/** Exit code when the command worked and found an integration unhealthy. */
export const UNHEALTHY_EXIT_CODE = 3

export const integrationsCommand: OperatorCommand = (config, args, out, err) =>
  runCommand(err, async () => {
    const { values, positionals } = parseOptions(args, { probe: { type: 'boolean' }, json: { type: 'boolean' } }, USAGE)
    if (positionals.length > 0) throw usageError(USAGE, `unexpected "${positionals[0]}"`)
    const operations = await openOperations(config)
    const monitoring = createMonitoring(config, operations.services.mailer, operations.log)
    try {
      const { monitor } = createIntegrationWatchers({
        config,
        services: operations.services,
        sources: operations.sources,
        redis: operations.redis,
        queues: operations.queues,
        alerter: monitoring.alerter,
        metrics: monitoring.metrics,
        log: operations.log,
      })
      const integrations = values.probe ? await monitor.probeAll() : await monitor.list()
      if (values.json) out(JSON.stringify({ integrations }, null, 2))
      else for (const line of integrationTable(integrations)) out(line)
      return integrations.some((integration) => integration.status === 'unhealthy') ? UNHEALTHY_EXIT_CODE : 0
    } finally {
      await monitoring.close()
      await operations.close()
    }
  })

/** Aligned columns for a terminal; the facts follow each row, indented. */
export function integrationTable(integrations: readonly IntegrationStatus[]): string[] {
  const rows = integrations.map((integration) => [
    integration.name,
    integration.status,
    integration.adapter ?? '-',
    integration.since ?? '-',
    integration.latencyMs === null ? '-' : `${integration.latencyMs} ms`,
    integration.lastError ?? '',
  ])
  const header = ['INTEGRATION', 'STATUS', 'ADAPTER', 'SINCE', 'LATENCY', 'LAST ERROR']
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)))
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd()
  const lines = [line(header)]
  integrations.forEach((integration, index) => {
    lines.push(line(rows[index]!))
    const facts = Object.entries(integration.facts).filter(([, value]) => value !== null)
    if (facts.length > 0) lines.push(`  ${facts.map(([key, value]) => `${key}=${value}`).join(' ')}`)
  })
  return lines
}
