// Notify: the HR email for a decision, or for a resume we could not read.
// Sent at most once per candidate and kind: the candidate's `notification`
// is checked before sending and recorded right after. A crash between the
// two (the provider accepted the mail, the record was not written) sends the
// email again on the retry; both copies carry the same X-Hireflow-Message-Id
// header (SES replaces Message-ID with its own).
import { UnrecoverableError, type Job } from 'bullmq'
import type { Candidate } from '../src/domain/candidate.ts'
import { buildHrNotification, resumeFilename } from '../src/mail/hr-notification.ts'
import { PermanentMailError } from '../src/ports/mailer.ts'
import type { CandidateJobData } from './queues.ts'
import type { JobContext } from './context.ts'
import { StepFailure } from './step-failure.ts'

const BY = 'worker:notify'

function kindFor(candidate: Candidate): 'decision' | 'unreadable' | undefined {
  if (candidate.notification) return undefined
  if (candidate.status === 'decided') return 'decision'
  if (candidate.status === 'failed' && candidate.failure?.reason === 'unreadable_resume') return 'unreadable'
  return undefined
}

export function notifyProcessor({ services, config, queues }: JobContext) {
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

  return async (job: Job<CandidateJobData>): Promise<void> => {
    const { candidateId } = job.data
    const candidate = await candidates.getCandidate(candidateId)
    if (!candidate) throw new UnrecoverableError(`candidate ${candidateId} does not exist`)
    const kind = kindFor(candidate)
    if (!kind) return

    const requisition = candidate.requisitionId ? ((await candidates.getRequisition(candidate.requisitionId)) ?? null) : null
    const mail = await buildHrNotification({
      kind,
      candidate,
      requisition,
      resume: await resumeFor(candidate),
      from: config.senderEmail,
      to: config.hrEmail,
      replyTo: config.replyToEmail,
      ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
      renderer: templates,
    })
    let messageId: string
    try {
      ;({ messageId } = await mailer.send(mail))
    } catch (error) {
      if (error instanceof PermanentMailError) throw new StepFailure('mail_rejected', 'notify', error.message)
      throw error
    }
    const notification = { kind, messageId, sentAt: new Date().toISOString() }
    if (kind === 'decision') {
      await candidates.transition(candidateId, {
        from: ['decided'],
        to: 'notified',
        set: { notification },
        by: BY,
        why: `HR emailed (${messageId})`,
      })
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
