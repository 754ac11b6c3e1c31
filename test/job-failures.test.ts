// Failures that retrying cannot mend are recorded on the candidate at once,
// with a machine-readable reason and the step.
import t from 'tap'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { AUTH, startHireflow, injectUpload } from './support/harness.ts'
import { jobsOfCandidate } from './support/jobs.ts'
import type { Candidate } from '../src/domain/candidate.ts'

t.test('a resume missing from the store fails the candidate without burning retries', async (t) => {
  // Upload through an API-only instance, lose the file, then let the workers at it.
  const api = await startHireflow({ role: 'api' })
  t.teardown(() => api.stop())
  const response = await injectUpload(api.app!, { filename: 'lost.txt', content: Buffer.from('Lost Larry\nPython developer\n') })
  t.equal(response.statusCode, 202)
  const uploaded = (await api.services.candidates.getCandidate(response.json().id))!
  await rm(join(api.config.resumeDir, uploaded.resume.key))

  // An upload is `stored` at once, so its process step finds the file gone. A candidate still
  // `received` (put back after its resume was restored) has the intake step check its bytes.
  const now = new Date().toISOString()
  const received: Candidate = {
    ...uploaded,
    id: 'f'.repeat(32),
    sourceItemId: `none/${'0'.repeat(64)}`,
    status: 'received',
    resume: { ...uploaded.resume, sha256: '0'.repeat(64), key: '0'.repeat(64) },
    createdAt: now,
    updatedAt: now,
    history: [{ at: now, from: null, to: 'received', by: 'test', why: null }],
  }
  await api.services.candidates.createCandidate(received)
  await api.queues.enqueueIntake({ source: received.source, sourceItemId: received.sourceItemId, candidateId: received.id })

  const workers = await startHireflow({
    role: 'worker',
    config: { ...api.config, jobAttempts: 8, jobBackoffMs: 60_000 },
    dataDir: api.dataDir,
  })
  t.teardown(() => workers.stop())
  const atIntake = await workers.waitFor(received.id, 'failed')
  t.match(atIntake.failure, { reason: 'resume_missing', step: 'intake' })
  const atParse = await workers.waitFor(uploaded.id, 'failed')
  t.match(atParse.failure, { reason: 'resume_missing', step: 'parse' })
  const jobs = await jobsOfCandidate(workers.queues.process, uploaded.id)
  t.same(
    jobs.map((job) => job.attemptsMade),
    [1],
    'one job, one attempt, no retries (the backoff would be a minute)',
  )
  const download = await api.app!.inject({ method: 'GET', url: `/candidates/${uploaded.id}/resume`, headers: AUTH })
  t.equal(download.statusCode, 404)
  t.match(download.json().message, /is no longer stored/)
})
