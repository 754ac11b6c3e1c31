// The ClickUp intake source, as the registry builds it from TASK_MANAGER=clickup.
import type { IntakeSource } from '../../ports/intake-source.ts'
import type { TaskManagerSourceContext } from '../context.ts'
import { ClickUpSource } from './client.ts'

export { ClickUpSource } from './client.ts'

export function createClickUpSource(context: TaskManagerSourceContext): IntakeSource {
  return new ClickUpSource({ settings: context.settings, auth: context.auth, log: context.log })
}
