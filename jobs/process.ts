// Process: extract text -> profile -> score -> decision. The results are
// written in one conditional transition that records each step, so a replayed
// job resumes where the last attempt stopped and never repeats a recorded step.
import { UnrecoverableError, type Job } from 'bullmq'
import { PROCESSABLE_STATUSES, type Candidate, type CandidatePatch } from '../src/domain/candidate.ts'
import type { TransitionRequest } from '../src/ports/candidate-store.ts'
import type { Requisition } from '../src/domain/requisition.ts'
import { UnreadableResumeError } from '../src/pipeline/extract.ts'
import { lexicalScreener } from '../src/pipeline/lexical-screener.ts'
import { decide } from '../src/pipeline/decide.ts'
import { resumeKindForMediaType } from '../src/pipeline/detect.ts'
import type { HiddenText } from '../src/pipeline/formats/hidden-text.ts'
import { assessResume, type Assessment } from '../src/pipeline/assessment.ts'
import type { CandidateJobData } from './queues.ts'
import type { JobContext } from './context.ts'

const BY = 'worker:process'

/**
 * What the process and OCR jobs both do once a resume is text (profile, score, recommendation, one transition),
 * or once it proved unreadable. `by` names the job in the candidate's history.
 */
export function processingSteps({ services, queues, log, screener = lexicalScreener }: JobContext, by: string) {
  const { candidates } = services

  async function requisitionOf(candidate: Candidate): Promise<Requisition | null> {
    if (!candidate.requisitionId) return null
    return (await candidates.getRequisition(candidate.requisitionId)) ?? null
  }

  /** A resume we cannot read is an outcome, not a fault: HR gets the file to read by hand. */
  async function unreadable(candidateId: string, error: UnreadableResumeError): Promise<void> {
    log.info({ candidateId, reason: error.reason, problem: error.problem }, 'resume unreadable')
    const failed = await candidates.transition(candidateId, {
      from: [...PROCESSABLE_STATUSES],
      to: 'failed',
      set: { failure: { reason: error.reason, step: 'parse', message: error.message } },
      by,
      why: error.message,
    })
    if (failed) await queues.enqueueNotify(candidateId, 'unreadable')
  }

  // Profile, score and recommendation are worked out together here, so they are recorded in one write that
  // passes through each step: the history still shows parsed, scored and decided, and the store commits once.
  // A candidate an earlier attempt left part way keeps what that attempt recorded. `assessed`: the profile and
  // score an extraction thread already worked out for a `stored` candidate, against `requisition`.
  async function complete(
    candidate: Candidate,
    text: string,
    hidden: HiddenText[],
    assessed?: { requisition: Requisition | null; assessment: Assessment },
  ): Promise<void> {
    const candidateId = candidate.id
    const from = candidate.status
    const requisition = assessed ? assessed.requisition : await requisitionOf(candidate)
    const via: NonNullable<TransitionRequest['via']> = []
    const set: CandidatePatch = {}
    let { profile, score } = candidate
    if (from === 'stored' || from === 'parsed') {
      const known = from === 'parsed' && profile ? { profile } : {}
      ;({ profile, score } = assessed?.assessment ?? (await assessResume({ text, hidden, requisition, ...known }, screener)))
      if (from === 'stored') {
        set.profile = profile
        via.push({ to: 'parsed', why: 'text extracted, profile read' })
      }
      set.score = score
      via.push({ to: 'scored', why: `score ${score.value}/100` })
    }
    if (!score || !profile) return
    const decision = decide({ score, profile, requisition })
    const decided =
      (await candidates.transition(candidateId, {
        from: [from],
        to: 'decided',
        via,
        set: { ...set, decision },
        by,
        why: `recommendation: ${decision.outcome}`,
      })) ?? (await candidates.getCandidate(candidateId))
    // When another attempt recorded the decision first, queueing its email again is a no-op.
    if (decided?.status === 'decided') await queues.enqueueNotify(candidateId, 'decision')
  }

  /**
   * The candidate when it still has processing to do. One already decided only
   * has its email queued (again: a no-op while it waits); any other has nothing to do.
   */
  async function pending(candidateId: string): Promise<Candidate | undefined> {
    const candidate = await candidates.getCandidate(candidateId)
    if (!candidate) throw new UnrecoverableError(`candidate ${candidateId} does not exist`)
    if (candidate.status === 'decided') {
      await queues.enqueueNotify(candidateId, 'decision')
      return undefined
    }
    return (PROCESSABLE_STATUSES as readonly string[]).includes(candidate.status) ? candidate : undefined
  }

  return { pending, unreadable, complete, requisitionOf }
}

/**
 * A read that ran out of time may be the machine's fault (a busy moment), so
 * it gets one more try; a file that is slow by construction must not hold a
 * worker for every attempt.
 */
export function worthAnotherTry(job: Job<CandidateJobData>, error: UnreadableResumeError): boolean {
  return error.problem === 'too_slow' && job.attemptsMade === 0 && (job.opts.attempts ?? 1) > 1
}

export function processProcessor(context: JobContext) {
  const { services, queues, extractor, screener = lexicalScreener } = context
  const { resumes } = services
  const steps = processingSteps(context, BY)
  // The lexical scorer is pure work on the text: an extraction thread that read the text can score it too, and the
  // main thread (HTTP, queues, storage) only records the outcome. A model-backed screener is called from here.
  const readAndAssess = screener === lexicalScreener ? extractor.readAndAssess?.bind(extractor) : undefined

  return async (job: Job<CandidateJobData>): Promise<void> => {
    const { candidateId } = job.data
    const candidate = await steps.pending(candidateId)
    if (!candidate) return

    const kind = resumeKindForMediaType(candidate.resume.mediaType)
    // OCR takes seconds a page: it has a queue of its own, so a text resume never waits behind a scan.
    if (kind === 'image') return queues.enqueueOcr(candidateId)
    let text: string
    let hidden: HiddenText[] = []
    let assessed: Parameters<typeof steps.complete>[3]
    try {
      if (!kind) throw new UnreadableResumeError(`resumes of type ${candidate.resume.mediaType} cannot be read`, { problem: 'other' })
      const bytes = await resumes.get(candidate.resume.key)
      // Hidden text (white, tiny, off the page) is already out of the text; what it said goes to HR.
      if (readAndAssess && candidate.status === 'stored') {
        const requisition = await steps.requisitionOf(candidate)
        let assessment: Assessment
        ;({ text, hidden, assessment } = await readAndAssess(bytes, kind, requisition))
        assessed = { requisition, assessment }
      } else if (extractor.extractResume) ({ text, hidden } = await extractor.extractResume(bytes, kind))
      else text = await extractor.extract(bytes, kind)
    } catch (error) {
      if (!(error instanceof UnreadableResumeError)) throw error
      if (worthAnotherTry(job, error)) throw error
      // A PDF without a text layer is a scan (or a photo printed to PDF): OCR reads its pages. A Word document
      // without text, or with only a caption beside a picture of a page, is a resume pasted into it as pictures:
      // OCR reads those.
      if ((kind === 'pdf' || kind === 'docx') && error.problem === 'no_text') return queues.enqueueOcr(candidateId)
      return steps.unreadable(candidateId, error)
    }
    return steps.complete(candidate, text, hidden, assessed)
  }
}
