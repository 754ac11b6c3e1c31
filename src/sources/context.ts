// What the registry hands each task-manager source when it builds it. Kept
// apart from the registry, which imports every provider folder, so that the
// providers can name this type without an import cycle.
import type { FastifyBaseLogger } from 'fastify'
import type { MailboxConfig, TaskManagerConfig } from '../config.ts'
import type { AuthProvider } from '../net/http-client.ts'
import type { CandidateStore } from '../ports/candidate-store.ts'
import type { IntakeSource } from '../ports/intake-source.ts'

export interface TaskManagerSourceContext {
  settings: TaskManagerConfig
  /** Authenticates calls to the provider's API as its docs prescribe. */
  auth: AuthProvider
  /** For source state (webhook secrets) kept beside the candidates. */
  candidates: CandidateStore
  log: FastifyBaseLogger
}

export type TaskManagerSourceFactory = (context: TaskManagerSourceContext) => IntakeSource

/** What the registry hands a mailbox source (Graph, IMAP) when it builds it. */
export interface MailboxSourceContext<Settings extends MailboxConfig = MailboxConfig> {
  settings: Settings
  /** For source state (the sync cursor, a subscription and its clientState) kept beside the candidates. */
  candidates: CandidateStore
  log: FastifyBaseLogger
}
