// The Jira Cloud intake source, as the registry builds it. The context is
// declared here rather than imported from the registry so the registry can
// import this folder without an import cycle; it is the registry's context
// with only what Jira uses.
import type { FastifyBaseLogger } from 'fastify'
import type { TaskManagerConfig } from '../../config.ts'
import type { AuthProvider } from '../../net/http-client.ts'
import type { IntakeSource } from '../../ports/intake-source.ts'
import { JiraSource } from './client.ts'

export { JiraSource } from './client.ts'

export interface JiraSourceContext {
  settings: TaskManagerConfig
  auth: AuthProvider
  log: FastifyBaseLogger
}

export function createJiraSource(context: JiraSourceContext): IntakeSource {
  return new JiraSource({ settings: context.settings, auth: context.auth, log: context.log })
}
