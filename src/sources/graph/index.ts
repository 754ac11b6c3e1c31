// The Microsoft Graph mailbox source; see client.ts.
import type { GraphMailboxConfig } from '../../config.ts'
import type { IntakeSource } from '../../ports/intake-source.ts'
import type { MailboxSourceContext } from '../context.ts'
import { GraphSource } from './client.ts'

export function createGraphSource(context: MailboxSourceContext<GraphMailboxConfig>): IntakeSource {
  return new GraphSource(context)
}
