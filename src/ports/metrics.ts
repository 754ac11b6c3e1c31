// Metrics leave the process in batches, off the request path and off the
// jobs: recording a data point never waits and never throws, and a metrics
// service that is down costs data points (counted), never a candidate.
export type MetricUnit = 'None' | 'Count' | 'Milliseconds' | 'Seconds' | 'Percent'

export interface MetricDatum {
  /** `<Name>Integration` for an integration's health (seed §4), `Hireflow` for the pipeline. */
  namespace: string
  /** e.g. `Health`, `ProbeLatency`, `CandidatesReceived`. */
  name: string
  value: number
  unit: MetricUnit
  dimensions?: Record<string, string>
  /** When it was measured (default: when recorded). */
  timestamp?: Date
}

export interface MetricsSink {
  /** Buffers one data point; never throws, never waits. */
  record(datum: MetricDatum): void
  /** Sends what is buffered; never throws: a batch that cannot be sent is dropped and counted. */
  flush(): Promise<void>
  /** Data points sent, dropped (the service refused or did not answer) and waiting, since the process started. */
  stats(): { sent: number; dropped: number; buffered: number }
  /** Flushes one last time and stops the timer. */
  close(): Promise<void>
}

/** No metrics service (METRICS=prometheus): data points are counted and let go. */
export class DiscardingMetrics implements MetricsSink {
  record(): void {}

  async flush(): Promise<void> {}

  stats() {
    return { sent: 0, dropped: 0, buffered: 0 }
  }

  async close(): Promise<void> {}
}
