// Work at the intake sources. A webhook or a reconciliation only names an
// item; the item job asks the provider what it holds now and takes each
// resume in through the one intake every resume goes through, so replays and
// duplicate deliveries land on the same candidates. Reconciliation runs
// whether webhooks work or not. Acknowledgement tells the item's people the
// outcome once HR has been emailed.
import { DelayedError, UnrecoverableError, type Job } from 'bullmq'
import type { Candidate } from '../src/domain/candidate.ts'
import { candidateIdFor } from '../src/domain/candidate-id.ts'
import type { IntakeSource, SourceAttachment, SourceItem, SourceItemChange, WebhookUpkeep } from '../src/ports/intake-source.ts'
import type { WebhookRegistration } from '../src/domain/source-state.ts'
import { callbackUrlFor } from '../src/sources/webhook-registrations.ts'
import { PermanentSourceError } from '../src/ports/intake-source.ts'
import { intakeResume, NotAResumeError } from '../src/intake/resume-intake.ts'
import { candidateReceived } from '../src/monitor/pipeline-metrics.ts'
import { DownloadRefusedError } from '../src/net/safe-download.ts'
import { ProviderHttpError, RateLimitedError } from '../src/net/http-client.ts'
import { readSourceState, updateSourceState } from '../src/sources/state.ts'
import type { JobContext } from './context.ts'
import type { SourceJobData } from './queues.ts'

/** Reconciliation looks this far behind its cursor, so an item changed on a boundary or seen late by a listing is not missed. */
export const RECONCILE_OVERLAP_MS = 10 * 60_000

export const sourceItemId = (provider: string, itemId: string) => `${provider}:${itemId}`

export interface ReconcileProgress {
  listed: number
}

export function sourceProcessor(context: JobContext) {
  const item = itemProcessor(context)
  const reconcile = reconcileProcessor(context)
  const acknowledge = acknowledgeProcessor(context)
  const { keepWebhook, lifecycle } = webhookUpkeepProcessors(context)
  const run = async (job: Job<SourceJobData>): Promise<void> => {
    const { data } = job
    switch (data.kind) {
      case 'item':
        return item(data.provider, data.itemId)
      case 'reconcile':
        await reconcile(data.provider, (progress) => void job.updateProgress({ ...progress }))
        return
      case 'acknowledge':
        return acknowledge(data.candidateId)
      case 'keep-webhook':
        return keepWebhook(data.provider)
      case 'lifecycle':
        return lifecycle(data.provider, { webhookId: data.webhookId, event: data.event })
    }
  }
  return async (job: Job<SourceJobData>, token?: string): Promise<void> => {
    try {
      await run(job)
    } catch (error) {
      // The provider asked us to wait longer than a request may: come back then, without spending an attempt.
      if (error instanceof RateLimitedError && token) {
        await job.moveToDelayed(error.retryAt.getTime(), token)
        throw new DelayedError()
      }
      // A 4xx other than a timeout or a rate limit will answer the same next time.
      if ((error instanceof ProviderHttpError && error.permanent) || error instanceof PermanentSourceError) {
        throw new UnrecoverableError((error as Error).message)
      }
      throw error
    }
  }
}

function sourceNamed(context: JobContext, provider: string): IntakeSource {
  const source = context.sources.get(provider)
  if (!source) throw new UnrecoverableError(`no intake source "${provider}" is configured`)
  return source
}

/** The requisition an item names, if it exists; else DEFAULT_REQUISITION_ID; else none (the recommendation is then `review`). */
async function requisitionFor(context: JobContext, item: SourceItem): Promise<string | null> {
  const { candidates } = context.services
  if (item.requisitionId && (await candidates.getRequisition(item.requisitionId))) return item.requisitionId
  if (item.requisitionId) {
    context.log.warn({ itemId: item.id, requisitionId: item.requisitionId }, 'the item names a requisition that does not exist')
  }
  return context.config.defaultRequisitionId ?? null
}

export function itemProcessor(context: JobContext) {
  const { services, queues, log, config } = context

  /** A download the safety rules refused is recorded as a failed candidate, so it shows in the API, and told to the item. */
  async function recordRefusedDownload(source: IntakeSource, item: SourceItem, attachment: SourceAttachment, error: DownloadRefusedError) {
    const now = new Date().toISOString()
    const id = candidateIdFor(source.source, sourceItemId(source.provider, item.id), `attachment:${attachment.id}`)
    const message = `the attachment ${attachment.filename} was not downloaded: ${error.message}`
    const candidate: Candidate = {
      id,
      source: source.source,
      sourceItemId: sourceItemId(source.provider, item.id),
      requisitionId: null,
      origin: { provider: source.provider, itemId: item.id, url: item.url, sender: item.sender, title: item.title },
      status: 'failed',
      resume: {
        filename: attachment.filename,
        mediaType: attachment.mediaType ?? 'application/octet-stream',
        extension: '',
        size: 0,
        sha256: '',
        key: '',
      },
      profile: null,
      score: null,
      decision: null,
      failure: { reason: 'attachment_refused', step: 'intake', message },
      notification: null,
      createdAt: now,
      updatedAt: now,
      history: [{ at: now, from: null, to: 'failed', by: `source:${source.provider}`, why: message }],
    }
    const created = await services.candidates.createCandidate(candidate)
    log.warn({ provider: source.provider, itemId: item.id, candidateId: id, reason: error.reason }, 'attachment download refused')
    if (created.created) await source.comment(item.id, `hireflow did not download ${attachment.filename}: ${error.message}`)
  }

  return async (provider: string, itemId: string): Promise<void> => {
    const source = sourceNamed(context, provider)
    const item = await source.getItem(itemId)
    if (!item) return log.info({ provider, itemId }, 'source item is gone; nothing to take in')
    if (!item.inScope) return log.debug({ provider, itemId }, 'source item is outside the hiring project or its filter labels')
    // A mail does not change once received: marked processed, it has nothing new (its "updated" notices are our own marks).
    if (item.processed && source.source === 'mailbox') return log.debug({ provider, itemId }, 'mail already processed')

    const requisitionId = await requisitionFor(context, item)
    const origin = {
      provider,
      itemId: item.id,
      url: item.url,
      sender: item.sender,
      title: item.title,
      ...(item.receivedAt ? { receivedAt: item.receivedAt } : {}),
      ...(item.messageId ? { messageId: item.messageId } : {}),
    }
    const candidateIds: string[] = []
    const elsewhere: SourceAttachment[] = []
    for (const attachment of item.attachments) {
      if (attachment.externalUrl) {
        elsewhere.push(attachment)
        continue
      }
      let bytes: Buffer
      try {
        bytes = await source.downloadAttachment(item, attachment, { maxBytes: config.maxResumeBytes })
      } catch (error) {
        if (error instanceof DownloadRefusedError && !error.retryable) {
          await recordRefusedDownload(source, item, attachment, error)
          continue
        }
        throw error
      }
      try {
        const outcome = await intakeResume(services, {
          source: source.source,
          sourceItemId: sourceItemId(provider, item.id),
          origin,
          requisitionId,
          filename: attachment.filename,
          bytes,
          by: `source:${provider}`,
          why: `attached to ${provider} item ${item.id}`,
        })
        candidateIds.push(outcome.candidate.id)
        if (outcome.created) candidateReceived(context.metrics, outcome.candidate)
        if (outcome.created || outcome.requeue) {
          await queues.enqueueIntake({
            source: source.source,
            sourceItemId: outcome.candidate.sourceItemId,
            candidateId: outcome.candidate.id,
          })
        }
      } catch (error) {
        // An image, a spreadsheet, a cover letter in an unread format: not a resume, and not an error.
        if (!(error instanceof NotAResumeError)) throw error
        log.debug({ provider, itemId, attachmentId: attachment.id, detected: error.detected }, 'attachment is not a resume')
      }
    }

    if (item.processed) return
    const noResume = candidateIds.length === 0 && elsewhere.length === 0
    // Marked first: a retry after a failed comment then leaves no second comment.
    await source.markProcessed(item, { candidateIds, noResume })
    const links = elsewhere.map((attachment) => `${attachment.filename} (${attachment.externalUrl})`)
    if (links.length > 0) {
      await source.comment(
        item.id,
        `hireflow does not download files kept elsewhere: ${links.join(', ')}. Attach the resume to the task itself if it is one of them.`,
      )
    }
    if (noResume) await source.comment(item.id, 'hireflow found no resume attached (PDF, DOCX or text).')
  }
}

export function reconcileProcessor(context: JobContext, clock: () => number = Date.now) {
  const { services, queues, log, config } = context
  return async (provider: string, onProgress: (progress: ReconcileProgress) => void = () => {}): Promise<ReconcileProgress> => {
    const source = sourceNamed(context, provider)
    const state = await readSourceState(services.candidates, provider)
    const startedAt = clock()
    const lookback = new Date(startedAt - config.lookbackHours * 3_600_000)
    const progress: ReconcileProgress = { listed: 0 }
    const take = async (changes: readonly SourceItemChange[]) => {
      for (const change of changes) await queues.enqueueSourceItem(provider, change.id)
      progress.listed += changes.length
      onProgress(progress)
    }
    let page: string | null = null
    let since: Date | null = null
    let cursor: string
    if (source.syncChanges) {
      // The source keeps its own cursor (a delta link, a UID): it knows what is new since then, and when it must resync.
      let next: string | null
      do {
        const result = await source.syncChanges(state.cursor, lookback, page)
        await take(result.changes)
        if (result.resynced && page === null)
          log.warn({ provider }, 'the stored sync cursor is no longer valid; resynced from the look-back time')
        page = result.nextPage
        next = result.cursor
      } while (page)
      if (!next) throw new Error(`${provider} ended its listing without a cursor to start from next time`)
      cursor = next
    } else {
      since = state.cursor ? new Date(Date.parse(state.cursor) - RECONCILE_OVERLAP_MS) : lookback
      do {
        const result = await source.listChanges(since, page)
        await take(result.changes)
        page = result.nextPage
      } while (page)
      // The next run starts from when this one started: whatever changed while it listed is seen again.
      cursor = new Date(startedAt).toISOString()
    }
    await updateSourceState(services.candidates, provider, (current) => ({
      ...current,
      cursor,
      reconciledAt: new Date(clock()).toISOString(),
    }))
    if (progress.listed > 0) log.info({ provider, since: since?.toISOString(), listed: progress.listed }, 'source reconciled')
    return progress
  }
}

/** What the item's people are told once HR has the candidate. */
export function acknowledgementNote(candidate: Candidate): string | undefined {
  if (candidate.status === 'notified' && candidate.decision) {
    const score = candidate.score ? `, score ${Math.round(candidate.score.value)}/100` : ''
    return (
      `hireflow: candidate ${candidate.id} (${candidate.resume.filename}) was screened; recommendation: ` +
      `${candidate.decision.outcome}${score}. HR has been emailed and decides.`
    )
  }
  if (candidate.status === 'failed' && candidate.failure?.reason === 'unreadable_resume' && candidate.notification) {
    return `hireflow could not read ${candidate.resume.filename} (candidate ${candidate.id}); HR has been emailed the file to read by hand.`
  }
  return undefined
}

export function acknowledgeProcessor(context: JobContext) {
  const { services } = context
  return async (candidateId: string): Promise<void> => {
    const candidate = await services.candidates.getCandidate(candidateId)
    if (!candidate) throw new UnrecoverableError(`candidate ${candidateId} does not exist`)
    if (candidate.acknowledgement || !candidate.origin) return
    const note = acknowledgementNote(candidate)
    if (!note) return
    const source = sourceNamed(context, candidate.origin.provider)
    try {
      await source.comment(candidate.origin.itemId, note)
    } catch (error) {
      // The task is gone or closed to us: nothing more to tell, and the candidate is unaffected.
      if (!(error instanceof PermanentSourceError)) throw error
      context.log.warn({ candidateId, provider: source.provider, err: { message: error.message } }, 'could not comment on the source item')
    }
    const acknowledgement = { at: new Date().toISOString(), note }
    const by = `source:${source.provider}`
    if (candidate.status === 'notified') {
      await services.candidates.transition(candidateId, {
        from: ['notified'],
        to: 'acknowledged',
        set: { acknowledgement },
        by,
        why: 'outcome commented on the source item',
      })
    } else {
      await services.candidates.transition(candidateId, {
        from: ['failed'],
        to: 'failed',
        set: { acknowledgement },
        by,
        why: 'outcome commented on the source item',
      })
    }
  }
}

/** A webhook with less than this left is renewed (Graph subscriptions to mail live at most 4,230 minutes). */
export const RENEW_WITHIN_MS = 48 * 3_600_000

/** Where the provider calls back: PUBLIC_URL's, else the one the stored webhook was made with. */
function callbackUrl(context: JobContext, provider: string, stored: WebhookRegistration | undefined): string | undefined {
  if (context.config.publicUrl) return callbackUrlFor(context.config.publicUrl, provider)
  return stored?.callbackUrl || undefined
}

export function webhookUpkeepProcessors(context: JobContext, clock: () => number = Date.now) {
  const { services, queues, log } = context
  const stored = async (provider: string) =>
    (await readSourceState(services.candidates, provider)).webhooks.find((webhook) => !webhook.id.startsWith('pending:'))

  async function after(provider: string, upkeep: WebhookUpkeep, why: string): Promise<void> {
    log.info(
      { provider, outcome: upkeep.outcome, webhookId: upkeep.registration?.id, expiresAt: upkeep.registration?.expiresAt, why },
      'webhook upkeep',
    )
    await queues.countWebhookUpkeep(provider, upkeep.outcome)
    // Notifications may have been lost while there was no subscription: the delta query finds what they were about.
    if (upkeep.resync) await queues.enqueueReconcile(provider)
  }

  /** Renews the source's webhook when it expires within RENEW_WITHIN_MS; an operator who never subscribed gets none. */
  async function keepWebhook(provider: string): Promise<void> {
    const source = sourceNamed(context, provider)
    if (!source.keepWebhook) return
    const webhook = await stored(provider)
    if (!webhook) return log.debug({ provider }, 'no webhook to keep (subscribe to have one)')
    if (webhook.expiresAt && Date.parse(webhook.expiresAt) - clock() > RENEW_WITHIN_MS) return
    const url = callbackUrl(context, provider, webhook)
    if (!url) throw new UnrecoverableError('PUBLIC_URL is not set and the stored webhook has no callback URL')
    let upkeep: WebhookUpkeep
    try {
      upkeep = await source.keepWebhook(url)
    } catch (error) {
      log.warn(
        { provider, webhookId: webhook.id, err: { message: (error as Error).message } },
        'webhook renewal failed; retried with backoff',
      )
      await queues.countWebhookUpkeep(provider, 'failed')
      throw error
    }
    await after(provider, upkeep, 'expiry near')
  }

  async function lifecycle(provider: string, event: { webhookId: string; event: string }): Promise<void> {
    const source = sourceNamed(context, provider)
    if (!source.handleLifecycle) return
    const url = callbackUrl(context, provider, await stored(provider))
    if (!url) throw new UnrecoverableError('PUBLIC_URL is not set and the stored webhook has no callback URL')
    await after(provider, await source.handleLifecycle(event, url), event.event)
  }

  return { keepWebhook, lifecycle }
}
