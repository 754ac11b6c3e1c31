// The integrations hireflow depends on, by the names the seed's classes
// suggest, and what the monitor knows about each.

export const INTEGRATION_NAMES = ['TaskManager', 'EmailServer', 'HREmail', 'ResumeStore', 'CandidateStore', 'Templates', 'Queue'] as const
export type IntegrationName = (typeof INTEGRATION_NAMES)[number]

export type IntegrationHealth = 'healthy' | 'unhealthy' | 'disabled'

/** Facts an integration adds beside its health: a subscription's expiry, a cursor's age, queue depths. */
export type IntegrationFacts = Record<string, string | number | boolean | null>

export interface ProbeResult {
  at: string
  ok: boolean
  latencyMs: number
  error: string | null
}

export interface IntegrationStatus {
  name: IntegrationName
  /** The adapter behind it (`clickup`, `graph`, `ses`, `sqlite`, ...), or null when disabled. */
  adapter: string | null
  status: IntegrationHealth
  /** Since when it has had this status (null until first probed). */
  since: string | null
  lastProbeAt: string | null
  latencyMs: number | null
  lastError: string | null
  consecutiveFailures: number
  facts: IntegrationFacts
}

export interface IntegrationDetail extends IntegrationStatus {
  /** The latest probes, newest first. */
  history: ProbeResult[]
}

/** Reads the monitor's view of every integration (REST, CLI, Prometheus). */
export interface IntegrationStatusReader {
  list(): Promise<IntegrationStatus[]>
}
