// Notify: the HR email for a decision, or for a resume we could not read.
// Sent at most once per candidate and kind: the candidate's `notification`
// is checked before sending and recorded right after. A crash between the
// two (the provider accepted the mail, the record was not written) sends the
// email again on the retry; both copies carry the same X-Hireflow-Message-Id
// header (SES replaces Message-ID with its own).
//
// HR's final decision is its own email, one per decision: the job names the
// decision's id, and `hrDecisionNotification` records which decision was
// mailed (and commented on the source item) the same way.
import { UnrecoverableError, type Job } from 'bullmq'
import type { Candidate, CandidatePatch } from '../src/domain/candidate.ts'
import { PermanentSourceError } from '../src/ports/intake-source.ts'
import { buildHrNotification, resumeFilename } from '../src/mail/hr-notification.ts'
import { PermanentMailError } from '../src/ports/mailer.ts'
import type { NotifyJobData } from './queues.ts'
import type { JobContext } from './context.ts'
import { candidateNotified } from '../src/monitor/pipeline-metrics.ts'
import { StepFailure } from './step-failure.ts'

const BY = 'worker:notify'

function kindFor(candidate: Candidate): 'decision' | 'unreadable' | undefined {
  if (candidate.notification) return undefined
  if (candidate.status === 'decided') return 'decision'
  if (candidate.status === 'failed' && candidate.failure?.reason === 'unreadable_resume') return 'unreadable'
  return undefined
}

export function notifyProcessor({ services, config, queues, sources, log, metrics }: JobContext) {
  const { candidates, resumes, mailer, templates } = services

  async function resumeFor(candidate: Candidate) {
    const { resume } = candidate
    if (resume.size <= config.sesAttachmentMaxBytes) return { bytes: await resumes.get(resume.key) }
    const link = await resumes.link(resume.key, {
      filename: resumeFilename(candidate),
      mediaType: resume.mediaType,
      expiresInSeconds: config.resumeLinkTtlSeconds,
    })
    const expiresAt = new Date(Date.now() + config.resumeLinkTtlSeconds * 1000)
    return link ? { link, expiresAt } : { apiPath: `/candidates/${candidate.id}/resume` }
  }

  /**
   * Records a note about the candidate without moving it: the transition
   * holds only while the status read is current, so it is read again once if
   * another job moved the candidate meanwhile (notified to acknowledged).
   */
  /** The email to HR about `candidate`, in the wording of `kind`, with its requisition. */
  async function hrMail(
    candidate: Candidate,
    kind: Parameters<typeof buildHrNotification>[0]['kind'],
    resume: Parameters<typeof buildHrNotification>[0]['resume'],
  ) {
    const requisition = candidate.requisitionId ? ((await candidates.getRequisition(candidate.requisitionId)) ?? null) : null
    return buildHrNotification({
      kind,
      candidate,
      requisition,
      resume,
      from: config.senderEmail,
      to: config.hrEmail,
      replyTo: config.replyToEmail,
      ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
      ...(config.decisionLinkSecret ? { decisionLinks: { secret: config.decisionLinkSecret, ttlHours: config.decisionLinkTtlHours } } : {}),
      renderer: templates,
    })
  }

  async function recordInPlace(candidate: Candidate, set: CandidatePatch, why: string): Promise<Candidate | undefined> {
    let current: Candidate | undefined = candidate
    for (let attempt = 0; attempt < 2 && current; attempt++) {
      const written = await candidates.transition(current.id, { from: [current.status], to: current.status, set, by: BY, why })
      if (written) return written
      current = await candidates.getCandidate(current.id)
    }
    throw new Error(`candidate ${candidate.id} kept changing status while ${why} was recorded`)
  }

  async function finalDecision(candidate: Candidate, hrDecisionId: string): Promise<void> {
    const hrDecision = candidate.hrDecision
    // HR changed the decision since this job was queued: the newer decision has a job of its own.
    if (!hrDecision || hrDecision.id !== hrDecisionId) return
    let notification = candidate.hrDecisionNotification?.decisionId === hrDecisionId ? candidate.hrDecisionNotification : null
    if (!notification) {
      // HR has had the resume with the recommendation; this email points to the record instead of attaching it again.
      const mail = await hrMail(candidate, 'final-decision', { apiPath: `/candidates/${candidate.id}/resume` })
      let messageId: string
      try {
        ;({ messageId } = await mailer.send(mail))
      } catch (error) {
        if (error instanceof PermanentMailError) throw new UnrecoverableError(`the final-decision email was refused: ${error.message}`)
        throw error
      }
      notification = { decisionId: hrDecisionId, messageId, sentAt: new Date().toISOString(), commentedAt: null }
      await recordInPlace(
        candidate,
        { hrDecisionNotification: notification },
        `HR emailed the final decision ${hrDecisionId} (${messageId})`,
      )
    }
    if (!candidate.origin || notification.commentedAt) return
    const source = sources.get(candidate.origin.provider)
    if (!source) {
      log.warn(
        { candidateId: candidate.id, provider: candidate.origin.provider },
        'the source is not configured; the final decision was not commented',
      )
      return
    }
    const note =
      `hireflow: HR decided "${hrDecision.outcome}" for candidate ${candidate.id} (${candidate.resume.filename}): ` +
      `${hrDecision.reason} (decided by ${hrDecision.decidedBy})`
    try {
      // Mailboxes have nowhere to comment: their sources log the note.
      await source.comment(candidate.origin.itemId, note)
    } catch (error) {
      // The task is gone or closed to us: nothing more to tell, and the candidate is unaffected.
      if (!(error instanceof PermanentSourceError)) throw error
      log.warn(
        { candidateId: candidate.id, provider: source.provider, err: { message: error.message } },
        'could not comment on the source item',
      )
    }
    const latest = await candidates.getCandidate(candidate.id)
    // A newer decision's email may be recorded by now; this older one must not overwrite it.
    if (latest?.hrDecision?.id !== hrDecisionId) return
    await recordInPlace(
      latest,
      { hrDecisionNotification: { ...notification, commentedAt: new Date().toISOString() } },
      `final decision ${hrDecisionId} commented on the source item`,
    )
  }

  return async (job: Job<NotifyJobData>): Promise<void> => {
    const { candidateId, hrDecisionId } = job.data
    const candidate = await candidates.getCandidate(candidateId)
    if (!candidate) throw new UnrecoverableError(`candidate ${candidateId} does not exist`)
    if (hrDecisionId) return finalDecision(candidate, hrDecisionId)
    const kind = kindFor(candidate)
    if (!kind) return

    const mail = await hrMail(candidate, kind, await resumeFor(candidate))
    let messageId: string
    try {
      ;({ messageId } = await mailer.send(mail))
    } catch (error) {
      if (error instanceof PermanentMailError) throw new StepFailure('mail_rejected', 'notify', error.message)
      throw error
    }
    const notification = { kind, messageId, sentAt: new Date().toISOString() }
    if (kind === 'decision') {
      const notified = await candidates.transition(candidateId, {
        from: ['decided'],
        to: 'notified',
        set: { notification },
        by: BY,
        why: `HR emailed (${messageId})`,
      })
      if (notified) candidateNotified({ metrics, queues, log }, notified)
    } else {
      await candidates.transition(candidateId, {
        from: ['failed'],
        to: 'failed',
        set: { notification },
        by: BY,
        why: `HR emailed the unreadable resume (${messageId})`,
      })
    }
    // A resume from a task or a mailbox: its people hear the outcome too.
    if (candidate.origin) await queues.enqueueAcknowledge(candidateId)
  }
}
