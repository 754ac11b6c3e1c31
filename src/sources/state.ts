// Read-modify-write of a source's state with optimistic concurrency: API and
// worker processes may write at once (a webhook registered while a
// reconciliation moves the cursor), so each write names the version it read
// and a lost race reads again.
import { emptySourceState, type SourceState } from '../domain/source-state.ts'
import type { CandidateStore } from '../ports/candidate-store.ts'

const MAX_ATTEMPTS = 10

export async function readSourceState(store: CandidateStore, source: string): Promise<SourceState> {
  return (await store.getSourceState(source)) ?? emptySourceState(source)
}

/** Applies `change` to the current state and writes it; `change` may run more than once. */
export async function updateSourceState(
  store: CandidateStore,
  source: string,
  change: (state: SourceState) => SourceState,
): Promise<SourceState> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = await readSourceState(store, source)
    const written = await store.putSourceState(change(structuredClone(current)), current.version)
    if (written) return written
  }
  throw new Error(`the state of source ${source} changed ${MAX_ATTEMPTS} times during one update`)
}
