#!/usr/bin/env node
// hireflow [all|api|worker|openapi|create-table]
//   all (default)  the HTTP API and the workers in one process
//   api            only the HTTP API (scale out behind a load balancer)
//   worker         only the queue workers (scale out for throughput)
//   openapi        print the OpenAPI document generated from the route schemas
//   create-table   create the DynamoDB table and its indexes (CANDIDATE_STORE=dynamodb)
//   webhooks register|list|delete   the task manager's webhook (TASK_MANAGER, PUBLIC_URL)
//   mailbox subscribe|status|unsubscribe   the mailbox's Graph subscription (MAILBOX=graph, PUBLIC_URL)
//   candidates retry <id> [--force]   run a failed candidate again from the step that failed
//   jobs retry-failed [--queue <name>]   queue the work of failed jobs again
//   reconcile --source <provider> [--wait <seconds>]   one reconciliation of a source now
//   backfill --source <provider> --since <7d|48h|date> [--restart]   queue a look at every item changed since then (resumable)
//   integrations [--probe] [--json]   every integration's health, as GET /integrations (exit 3 when one is unhealthy)
import closeWithGrace from 'close-with-grace'
import { ConfigError, loadConfig, type Config } from './config.ts'
import { checkQueueRedis, type OperatorCommand } from './cli-context.ts'
import { createLogger, start, type Role } from './runtime.ts'
import { openapiDocument } from './openapi.ts'

const ROLES: Role[] = ['all', 'api', 'worker']

function fail(message: string): never {
  process.stderr.write(`hireflow: ${message}\n`)
  process.exit(1)
}

async function run(config: Config, role: Role) {
  const log = createLogger(config)
  try {
    const { maxmemoryPolicy } = await checkQueueRedis(config)
    if (maxmemoryPolicy && maxmemoryPolicy !== 'noeviction') {
      log.warn(`Redis maxmemory-policy is "${maxmemoryPolicy}": queued jobs can be evicted. Set it to noeviction.`)
    }
  } catch (error) {
    fail((error as Error).message)
  }
  if (role !== 'worker' && config.loopbackOnly) {
    log.warn(`no API_KEYS configured: listening on loopback only (${config.host}); set API_KEYS to serve other hosts`)
  }
  const running = await start(config, role, { logger: log })
  log.info(
    { role, host: role === 'worker' ? undefined : config.host, port: role === 'worker' ? undefined : config.port },
    'hireflow started',
  )

  closeWithGrace({ delay: config.shutdownGraceMs, logger: log }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'shutting down after an error')
    else log.info({ signal }, 'shutting down: finishing in-flight work')
    await running.close()
  })
}

/**
 * Operator subcommands: they print for people and return the exit code a
 * script can rely on (0 done, 1 failed with one line on stderr, 2 usage).
 * A new one is one line here, loaded only when run.
 */
const OPERATOR_COMMANDS: Record<string, () => Promise<OperatorCommand>> = {
  webhooks: async () => {
    const { webhooksCommand } = await import('./cli-webhooks.ts')
    return (config, args, out, err) => webhooksCommand(config, args[0], out, err)
  },
  mailbox: async () => {
    const { mailboxCommand } = await import('./cli-mailbox.ts')
    return (config, args, out, err) => mailboxCommand(config, args[0], out, err)
  },
  candidates: async () => (await import('./cli-candidates.ts')).candidatesCommand,
  jobs: async () => (await import('./cli-jobs.ts')).jobsCommand,
  reconcile: async () => (await import('./cli-sources.ts')).reconcileCommand,
  backfill: async () => (await import('./cli-sources.ts')).backfillCommand,
  integrations: async () => (await import('./cli-integrations.ts')).integrationsCommand,
}

const command = process.argv[2] ?? 'all'
let config: Config
try {
  config = loadConfig()
} catch (error) {
  if (error instanceof ConfigError) fail(error.message)
  throw error
}

if (command === 'openapi') {
  process.stdout.write(`${JSON.stringify(await openapiDocument(), null, 2)}\n`)
} else if (command === 'create-table') {
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb')
  const { awsClientConfig } = await import('./aws/client-config.ts')
  const { ensureCandidateTable } = await import('./storage/dynamodb-candidate-store.ts')
  const client = new DynamoDBClient(awsClientConfig({ ...config.aws, endpoint: config.dynamodbEndpoint }))
  await ensureCandidateTable(client, config.dynamodbTable)
  process.stdout.write(`table ${config.dynamodbTable} is ready\n`)
  client.destroy()
} else if (Object.hasOwn(OPERATOR_COMMANDS, command)) {
  const run = await OPERATOR_COMMANDS[command]!()
  try {
    process.exitCode = await run(
      config,
      process.argv.slice(3),
      (text) => process.stdout.write(`${text}\n`),
      (text) => process.stderr.write(`hireflow: ${text}\n`),
    )
  } catch (error) {
    fail((error as Error).message)
  }
} else if ((ROLES as string[]).includes(command)) {
  await run(config, command as Role)
} else {
  fail(`unknown command "${command}": use one of ${[...ROLES, 'openapi', 'create-table', ...Object.keys(OPERATOR_COMMANDS)].join(', ')}`)
}
