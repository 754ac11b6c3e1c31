// Redis away: an upload is still accepted and saved, /health says what is
// failing, and once Redis is back the recovery sweep finishes the candidate.
import t from 'tap'
import { AUTH, multipartBody, startHireflow, testConfig } from './support/harness.ts'
import { makePdfResume, sampleResumeLines } from './support/resumes.ts'
import { requeueUnfinished } from '../jobs/recover.ts'

t.test('upload during a Redis outage, then recovery', async (t) => {
  const { config, dataDir } = await testConfig()
  const api = await startHireflow({ role: 'api', config: { ...config, redisUrl: 'redis://127.0.0.1:1' }, dataDir })
  t.teardown(() => api.stop())

  const health = await api.app!.inject({ method: 'GET', url: '/health' })
  t.equal(health.statusCode, 503)
  t.equal(health.json().checks.redis.ok, false)
  t.ok(health.json().checks.redis.error, 'the Redis error is named')
  t.equal(health.json().checks.candidateStore.ok, true)

  const content = await makePdfResume(sampleResumeLines('Outage Olga'))
  const body = multipartBody({}, { filename: 'olga.pdf', content })
  const started = Date.now()
  const response = await api.app!.inject({
    method: 'POST',
    url: '/candidates',
    headers: { ...AUTH, ...body.headers },
    payload: body.payload,
  })
  t.equal(response.statusCode, 202, 'accepted: the resume and the candidate are saved')
  t.ok(Date.now() - started < 5_000, 'the request did not wait for Redis')
  const id = response.json().id
  t.equal((await api.services.candidates.getCandidate(id))?.status, 'stored')

  // Redis is back: a worker process on the same data sweeps what was left unfinished.
  const worker = await startHireflow({ role: 'worker', config, dataDir })
  t.teardown(() => worker.stop())
  const queued = await requeueUnfinished({ services: worker.services, queues: worker.queues }, { quietForMs: 0 })
  t.equal(queued, 1)
  const candidate = await worker.waitFor(id, 'notified')
  t.same(
    candidate.history.map((h) => h.to),
    ['received', 'stored', 'parsed', 'scored', 'decided', 'notified'],
  )
})
