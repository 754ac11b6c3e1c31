// The Jira Cloud intake source, as the registry builds it from TASK_MANAGER=jira.
import type { IntakeSource } from '../../ports/intake-source.ts'
import type { TaskManagerSourceContext } from '../context.ts'
import { JiraSource } from './client.ts'

export { JiraSource } from './client.ts'

export function createJiraSource(context: TaskManagerSourceContext): IntakeSource {
  return new JiraSource({ settings: context.settings, auth: context.auth, log: context.log })
}
