// `hireflow webhooks register|list|delete`: the task manager's webhook from a
// shell, the same operations as /integrations/task-manager/webhooks. Exit
// codes a script can rely on: 0 done, 1 failed (one line on stderr), 2 usage.
import pino from 'pino'
import type { Config } from './config.ts'
import { createServices } from './services.ts'
import { createSources } from './sources/registry.ts'
import { deleteSourceWebhooks, listSourceWebhooks, registerSourceWebhook, type WebhookView } from './sources/webhook-registrations.ts'

export const WEBHOOK_ACTIONS = ['register', 'list', 'delete'] as const

function line(webhook: WebhookView): string {
  const where = [webhook.stored ? 'stored' : 'not stored', webhook.atProvider ? 'at provider' : 'missing at provider'].join(', ')
  return `${webhook.id}\t${webhook.callbackUrl}\t${webhook.resource}\t${where}${webhook.expiresAt ? `\texpires ${webhook.expiresAt}` : ''}`
}

/** Runs one action and returns the exit code; what it prints is for people, one webhook a line. */
export async function webhooksCommand(
  config: Config,
  action: string | undefined,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  if (!(WEBHOOK_ACTIONS as readonly string[]).includes(action ?? '')) {
    err(`usage: hireflow webhooks ${WEBHOOK_ACTIONS.join('|')}`)
    return 2
  }
  if (!config.taskManager) throw new Error('no task manager is configured (set TASK_MANAGER)')
  const services = await createServices(config)
  try {
    const source = createSources(config, services.candidates, pino({ level: 'silent' })).get(config.taskManager.provider)!
    if (action === 'register') {
      out(`registered ${line(await registerSourceWebhook(source, services.candidates, config.publicUrl))}`)
    } else if (action === 'list') {
      const webhooks = await listSourceWebhooks(source, services.candidates)
      if (webhooks.length === 0) out(`no ${source.provider} webhooks`)
      for (const webhook of webhooks) out(line(webhook))
    } else {
      const deleted = await deleteSourceWebhooks(source, services.candidates, config.publicUrl)
      out(deleted.length === 0 ? 'nothing to delete' : `deleted ${deleted.join(', ')}`)
    }
    return 0
  } finally {
    await services.close()
  }
}
