// The pipeline's own metrics (namespace `Hireflow`): candidates received,
// HR emailed, failed by reason, and how long from arrival to HR's email.
// Recording only buffers; the counts for the failure-rate alert go to Redis
// without holding the job that finished.
import type { FastifyBaseLogger } from 'fastify'
import type { MetricsSink } from '../ports/metrics.ts'
import type { Candidate } from '../domain/candidate.ts'
import type { HiringQueues } from '../../jobs/queues.ts'

export const PIPELINE_NAMESPACE = 'Hireflow'

export function candidateReceived(metrics: MetricsSink, candidate: Pick<Candidate, 'source'>): void {
  metrics.record({
    namespace: PIPELINE_NAMESPACE,
    name: 'CandidatesReceived',
    value: 1,
    unit: 'Count',
    dimensions: { Source: candidate.source },
  })
}

interface OutcomeDeps {
  metrics: MetricsSink
  queues: Pick<HiringQueues, 'countOutcome'>
  log: FastifyBaseLogger
}

export function candidateNotified(
  { metrics, queues, log }: OutcomeDeps,
  candidate: Pick<Candidate, 'id' | 'createdAt'>,
  at = Date.now(),
): void {
  metrics.record({ namespace: PIPELINE_NAMESPACE, name: 'CandidatesNotified', value: 1, unit: 'Count' })
  const seconds = (at - Date.parse(candidate.createdAt)) / 1000
  if (Number.isFinite(seconds) && seconds >= 0) {
    metrics.record({ namespace: PIPELINE_NAMESPACE, name: 'UploadToNotifiedSeconds', value: seconds, unit: 'Seconds' })
  }
  queues.countOutcome('notified', null, at).catch((error: unknown) => countFailed(log, error))
}

export function candidateFailed({ metrics, queues, log }: OutcomeDeps, reason: string, at = Date.now()): void {
  metrics.record({ namespace: PIPELINE_NAMESPACE, name: 'CandidatesFailed', value: 1, unit: 'Count', dimensions: { Reason: reason } })
  queues.countOutcome('failed', reason, at).catch((error: unknown) => countFailed(log, error))
}

function countFailed(log: FastifyBaseLogger, error: unknown): void {
  log.warn({ err: { message: (error as Error).message } }, 'could not count a finished candidate for the failure-rate alert')
}
