// The Asana intake source, as the registry builds it from TASK_MANAGER=asana.
import type { IntakeSource } from '../../ports/intake-source.ts'
import type { TaskManagerSourceContext } from '../context.ts'
import { AsanaSource } from './client.ts'

export { AsanaSource } from './client.ts'

export function createAsanaSource(context: TaskManagerSourceContext): IntakeSource {
  return new AsanaSource({ settings: context.settings, auth: context.auth, log: context.log })
}
