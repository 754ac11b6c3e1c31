// The history entries one transition appends: one per `via` step, then the
// one for `to`. Every store writes them all in its single conditional write.
import type { CandidateStatus, Transition } from '../domain/candidate.ts'
import type { TransitionRequest } from '../ports/candidate-store.ts'

/** `from` is the status left by the first entry; null when the store fills it in inside its own write. */
export function historyEntries(request: TransitionRequest, at: string, from: CandidateStatus | null): Transition[] {
  const steps = [...(request.via ?? []), { to: request.to, why: request.why ?? null }]
  return steps.map((step, i) => ({ at, from: i === 0 ? from : steps[i - 1]!.to, to: step.to, by: request.by, why: step.why }))
}
