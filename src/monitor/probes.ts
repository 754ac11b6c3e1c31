// What "healthy" means for each integration: one cheap, authenticated call,
// and the facts an operator wants beside it (a subscription's expiry, how
// long ago the source was reconciled, how deep the queues are).
import type { Redis } from 'ioredis'
import { whenReady } from '../redis.ts'
import type { Config } from '../config.ts'
import type { Services } from '../services.ts'
import type { IntakeSource } from '../ports/intake-source.ts'
import type { HiringQueues } from '../../jobs/queues.ts'
import type { IntegrationFacts } from './integration.ts'
import type { Probe, Probes } from './integration-monitor.ts'

export interface ProbeDependencies {
  config: Config
  services: Pick<Services, 'candidates' | 'resumes' | 'mailer' | 'templates'>
  sources: ReadonlyMap<string, IntakeSource>
  redis: Redis
  queues: HiringQueues
  now?: () => number
}

const disabled = (advice: string): Probe => ({ adapter: null, advice })

/** Ages in whole seconds, so a table and a metric read the same. */
const secondsSince = (iso: string | null | undefined, now: number): number | null =>
  iso ? Math.max(0, Math.round((now - Date.parse(iso)) / 1000)) : null

export function integrationProbes({ config, services, sources, redis, queues, now = Date.now }: ProbeDependencies): Probes {
  const sourceProbe = (provider: string | undefined, advice: string): Probe => {
    const source = provider ? sources.get(provider) : undefined
    if (!source) return disabled(advice)
    return {
      adapter: source.provider,
      advice,
      run: async () => {
        await source.probe()
        return sourceFacts(source.provider)
      },
    }
  }

  const sourceFacts = async (provider: string): Promise<IntegrationFacts> => {
    const state = await services.candidates.getSourceState(provider)
    const expiries = (state?.webhooks ?? []).map((webhook) => webhook.expiresAt).filter((at): at is string => !!at)
    expiries.sort()
    return {
      reconciledAt: state?.reconciledAt ?? null,
      reconciledSecondsAgo: secondsSince(state?.reconciledAt, now()),
      cursorStored: !!state?.cursor,
      webhooksRegistered: state?.webhooks.length ?? 0,
      webhookExpiresAt: expiries[0] ?? null,
    }
  }

  const mailbox = config.mailbox
  return {
    TaskManager: sourceProbe(
      config.taskManager?.provider,
      `the ${config.taskManager?.provider ?? 'task manager'} token (TASK_MANAGER_TOKEN or the OAuth2 refresh token) is valid and may read HIRING_PROJECT_ID; the provider's status page`,
    ),
    EmailServer: sourceProbe(
      mailbox?.provider,
      mailbox?.provider === 'imap'
        ? 'IMAP_HOST answers on IMAP_PORT, IMAP_USER and IMAP_PASSWORD are accepted, IMAP_FOLDER exists'
        : "the app registration's client secret or certificate has not expired, the Mail.ReadWrite application permission is granted (and the application access policy includes HIRING_MAILBOX), MAILBOX_FOLDER exists",
    ),
    HREmail: {
      adapter: config.mailer,
      advice:
        config.mailer === 'ses'
          ? "SES credentials and SES_REGION, the account's sending quota (and whether sending is paused), the verified sender identity"
          : 'OUTBOX_DIR exists, is writable and its disk is not full',
      run: () => services.mailer.ping(),
    },
    ResumeStore: {
      adapter: config.resumeStore,
      advice:
        config.resumeStore === 's3'
          ? 'S3_BUCKET exists in the region, the credentials may put and delete under S3_PREFIX (and use S3_KMS_KEY_ID with aws:kms)'
          : 'RESUME_DIR exists, is writable and its disk has room for a resume',
      run: () => services.resumes.ping(),
    },
    CandidateStore: {
      adapter: config.candidateStore,
      advice:
        config.candidateStore === 'dynamodb'
          ? 'DYNAMODB_TABLE exists (hireflow create-table) in the region and the credentials may read and write it'
          : 'SQLITE_PATH is writable, its disk is not full and no other process holds its write lock',
      run: () => services.candidates.ping(),
    },
    Templates: {
      adapter: config.templateBucket ? 's3' : 'bundled',
      advice: config.templateBucket
        ? 'TEMPLATE_BUCKET exists and the credentials may list and read TEMPLATE_PREFIX (s3:ListBucket, s3:GetObject)'
        : 'TEMPLATE_DIR holds the templates (decision.html.eta and the others)',
      run: () => services.templates.ping(),
    },
    Queue: {
      adapter: 'redis',
      advice: 'Redis at REDIS_URL answers, is not out of memory, and runs with maxmemory-policy noeviction',
      run: async () => {
        await whenReady(redis, config.healthProbeTimeoutMs)
        await redis.ping()
        return queueFacts(queues, now())
      },
    },
  }
}

/** Jobs by state over every queue, and how long the oldest waiting job has waited. */
export async function queueFacts(queues: HiringQueues, now: number): Promise<IntegrationFacts> {
  const facts: IntegrationFacts = { waiting: 0, active: 0, delayed: 0, failed: 0 }
  for (const queue of queues.all()) {
    const counts = await queue.getJobCounts('wait', 'prioritized', 'active', 'delayed', 'failed')
    facts.waiting = Number(facts.waiting) + (counts.wait ?? 0) + (counts.prioritized ?? 0)
    facts.active = Number(facts.active) + (counts.active ?? 0)
    facts.delayed = Number(facts.delayed) + (counts.delayed ?? 0)
    facts.failed = Number(facts.failed) + (counts.failed ?? 0)
  }
  const oldest = await queues.oldestWaiting(now)
  facts.oldestWaitingSeconds = oldest ? Math.round(oldest.ageMs / 1000) : 0
  facts.oldestWaitingQueue = oldest?.queue ?? null
  return facts
}
