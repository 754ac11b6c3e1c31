// `hireflow candidates retry <id> [--force]`: a failed candidate run again
// from the step that failed. Exit 0 retried, 1 not (one line saying why), 2 usage.
import { openOperations, parseOptions, runCommand, usageError, type OperatorCommand } from './cli-context.ts'
import { retryFailedCandidate } from '../jobs/retry.ts'
import type { CandidateStatus } from './domain/candidate.ts'

const USAGE = 'hireflow candidates retry <id> [--force]'

/** The job each state waits for. */
const STEP_OF: Partial<Record<CandidateStatus, string>> = {
  received: 'intake',
  stored: 'process',
  parsed: 'process',
  scored: 'process',
  decided: 'notify',
}

export const candidatesCommand: OperatorCommand = (config, args, out, err) =>
  runCommand(err, async () => {
    const { values, positionals } = parseOptions(args, { force: { type: 'boolean' } }, USAGE)
    const [action, id, ...extra] = positionals
    if (action !== 'retry') throw usageError(USAGE, action ? `unknown action "${action}"` : undefined)
    if (!id) throw usageError(USAGE, 'the candidate id is missing')
    if (extra.length > 0) throw usageError(USAGE, `unexpected "${extra[0]}"`)

    const operations = await openOperations(config)
    try {
      const { services, queues } = operations
      const outcome = await retryFailedCandidate(
        { candidates: services.candidates, resumes: services.resumes, queues, providers: new Set(operations.sources.keys()) },
        id,
        { force: values.force === true },
      )
      switch (outcome.kind) {
        case 'missing':
          throw new Error(`candidate ${id} not found`)
        case 'refused':
          throw new Error(outcome.message)
        case 'reopened':
          out(`retried candidate ${id}: failed (${outcome.reason}) -> ${outcome.status}; its ${STEP_OF[outcome.status]} job is queued`)
          return 0
        case 'looking-again':
          out(
            `retried candidate ${id}: its download was refused; ${outcome.provider} item ${outcome.itemId} is looked at again ` +
              '(a resume it gives now becomes a candidate of its own)',
          )
          return 0
      }
    } finally {
      await operations.close()
    }
  })
