// The IMAP hiring mailbox, as the registry builds it from MAILBOX=imap. New
// mail is noticed by ImapIdleWatcher (one IDLE per deployment), which starts
// a reconciliation; there are no webhooks.
import type { ImapMailboxConfig } from '../../config.ts'
import type { IntakeSource } from '../../ports/intake-source.ts'
import type { MailboxSourceContext } from '../context.ts'
import { ImapSource } from './client.ts'

export { ImapSource, NO_RESUME_KEYWORD, PROCESSED_KEYWORD } from './client.ts'
export { ImapIdleWatcher, type ImapIdleWatcherOptions } from './idle.ts'

export function createImapSource(context: MailboxSourceContext<ImapMailboxConfig>): IntakeSource {
  return new ImapSource(context)
}
