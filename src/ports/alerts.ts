// Alerts page a person: an integration that went down (and came back), a
// failure rate above the threshold, a queue that stopped moving, an HR email
// that bounced. Every alert is also a log line, whatever else carries it.

export type AlertKind = 'unhealthy' | 'reminder' | 'recovered' | 'failure-rate' | 'oldest-job' | 'bounce'

export interface Alert {
  /** What the alert is about, the same for its reminders and recovery: `integration:TaskManager`, `failure-rate`, `bounce:<candidateId>`. */
  key: string
  kind: AlertKind
  /** One line of at most 100 characters (SNS's limit for a subject). */
  subject: string
  /** Plain text: what failed, since when, the last error, what to check. */
  message: string
}

/** Where alerts go (SNS, email); `send` may throw, the caller logs it. */
export interface AlertChannel {
  readonly name: string
  send(alert: Alert): Promise<void>
}

/** What raises alerts: it logs every alert and hands it to the configured channel without ever throwing. */
export interface Alerter {
  raise(alert: Alert): Promise<void>
}
