// What the operator subcommands share: their exit codes (0 done, 1 failed
// with one line on stderr, 2 usage), their argument parsing, the Redis check
// every command starts with, and the stores, queues and sources they work on.
import { once } from 'node:events'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import pino, { type Logger } from 'pino'
import type { Redis } from 'ioredis'
import type { Config } from './config.ts'
import { checkRedis, producerConnection } from './redis.ts'
import { createServices, type Services } from './services.ts'
import { createSources } from './sources/registry.ts'
import type { IntakeSource } from './ports/intake-source.ts'
import { HiringQueues } from '../jobs/queues.ts'
import type { ProgressOutput } from './cli-progress.ts'

export type Print = (text: string) => void

/**
 * An operator subcommand: it parses its arguments, prints results for people
 * on `out`, one error line on `err`, progress on `progressOutput`, and
 * returns the exit code.
 */
export type OperatorCommand = (config: Config, args: string[], out: Print, err: Print, progressOutput?: ProgressOutput) => Promise<number>

/** Wrong arguments: exit 2 with the command's usage. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** Runs a command's body: a thrown error becomes one line on stderr and exit 1, a usage error exit 2. */
export async function runCommand(err: Print, body: () => Promise<number>): Promise<number> {
  try {
    return await body()
  } catch (error) {
    err(oneLine((error as Error).message || String(error)))
    return error instanceof UsageError ? 2 : 1
  }
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim()

/** Parses `args` strictly; anything unexpected is a UsageError naming the problem and the usage. */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, usage: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true })
  } catch (error) {
    // Node's messages go on to explain `--` at length; the first sentence names the problem.
    throw usageError(usage, (error as Error).message.split('. ')[0]!)
  }
}

export function usageError(usage: string, problem?: string): UsageError {
  return new UsageError(`usage: ${usage}${problem ? ` (${problem})` : ''}`)
}

export function redacted(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return url
  }
}

/** One PING; throws the one line an operator needs when Redis does not answer. */
export async function checkQueueRedis(config: Config): Promise<{ maxmemoryPolicy: string | undefined }> {
  try {
    return await checkRedis(config.redisUrl)
  } catch (error) {
    throw new Error(
      `Redis at REDIS_URL=${redacted(config.redisUrl)} did not answer (${(error as Error).message || 'no reply'}); start Redis or set REDIS_URL`,
      { cause: error },
    )
  }
}

export interface Operations {
  config: Config
  services: Services
  queues: HiringQueues
  /** The queues' connection (fail-fast), for a command that reads Redis itself. */
  redis: Redis
  /** The configured intake sources by provider. */
  sources: Map<string, IntakeSource>
  log: Logger
  close(): Promise<void>
}

type QueuesClass = new (...args: ConstructorParameters<typeof HiringQueues>) => HiringQueues

/**
 * The configured stores, queues and sources, after checking Redis answers.
 * The queues fail fast: Redis going away mid-command ends it with an error
 * instead of a hang. Library logs are silent, so stderr stays the command's.
 */
export async function openOperations(config: Config, Queues: QueuesClass = HiringQueues): Promise<Operations> {
  await checkQueueRedis(config)
  const log = pino({ level: 'silent' })
  const connection = producerConnection(config.redisUrl)
  // Failures reach the command through its Redis calls; an unheard 'error' event would be printed by ioredis.
  connection.on('error', () => {})
  try {
    if (connection.status !== 'ready') await once(connection, 'ready')
  } catch (error) {
    connection.disconnect()
    throw new Error(`Redis at REDIS_URL=${redacted(config.redisUrl)} did not answer (${(error as Error).message})`, { cause: error })
  }
  let services: Services
  try {
    services = await createServices(config)
  } catch (error) {
    connection.disconnect()
    throw error
  }
  const queues = new Queues(
    connection,
    config.queuePrefix,
    { attempts: config.jobAttempts, backoffMs: config.jobBackoffMs },
    { failFast: true },
  )
  return {
    config,
    services,
    queues,
    redis: connection,
    sources: createSources(config, services.candidates, log),
    log,
    async close() {
      await queues.close()
      connection.disconnect()
      await services.close()
    },
  }
}

/** The configured source named `provider`; otherwise an error naming the ones there are. */
export function sourceNamed(operations: Operations, provider: string): IntakeSource {
  const source = operations.sources.get(provider)
  if (source) return source
  const configured = [...operations.sources.keys()]
  throw new Error(
    `no source "${provider}" is configured (${configured.length > 0 ? `configured: ${configured.join(', ')}` : 'none is: set TASK_MANAGER or MAILBOX'})`,
  )
}
