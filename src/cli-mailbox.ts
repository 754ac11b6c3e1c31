// `hireflow mailbox subscribe|status|unsubscribe`: the hiring mailbox's Graph
// subscription from a shell, the same operations as
// /integrations/mailbox/subscription. Exit codes a script can rely on:
// 0 done, 1 failed (one line on stderr), 2 usage.
import pino from 'pino'
import type { Config } from './config.ts'
import { createServices } from './services.ts'
import { createSources } from './sources/registry.ts'
import { mailboxSubscriptionStatus, subscribeMailbox, unsubscribeMailbox, type SubscriptionView } from './sources/mailbox-subscription.ts'

export const MAILBOX_ACTIONS = ['subscribe', 'status', 'unsubscribe'] as const

const line = (subscription: SubscriptionView) =>
  `${subscription.id}\t${subscription.resource}\t${subscription.notificationUrl}\texpires ${subscription.expirationDateTime ?? 'unknown'}`

/** Runs one action and returns the exit code; what it prints is for people. */
export async function mailboxCommand(
  config: Config,
  action: string | undefined,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  if (!(MAILBOX_ACTIONS as readonly string[]).includes(action ?? '')) {
    err(`usage: hireflow mailbox ${MAILBOX_ACTIONS.join('|')}`)
    return 2
  }
  if (!config.mailbox) throw new Error('no mailbox is configured (set MAILBOX)')
  const services = await createServices(config)
  try {
    const source = createSources(config, services.candidates, pino({ level: 'silent' })).get(config.mailbox.provider)!
    if (action === 'subscribe') {
      const result = await subscribeMailbox(source, config.publicUrl)
      out(`${result.outcome} ${line(result.subscription)}`)
      if (result.resync) out('notifications may have been missed: the next reconciliation (POLL_INTERVAL_SECONDS) finds that mail')
    } else if (action === 'status') {
      const status = await mailboxSubscriptionStatus(source, services.candidates)
      if (!status.subscription) out(`no ${source.provider} subscription (run: hireflow mailbox subscribe)`)
      else out(`${line(status.subscription)}\t${status.atProvider ? 'active at Graph' : 'missing at Graph: subscribe again'}`)
    } else {
      const deleted = await unsubscribeMailbox(source, services.candidates, config.publicUrl)
      out(deleted.length === 0 ? 'nothing to delete' : `deleted ${deleted.join(', ')}`)
    }
    return 0
  } finally {
    await services.close()
  }
}
