// Uploading a file again when the stored copy is gone puts the copy back; a
// candidate that failed because its file was missing goes through the
// pipeline again.
import t from 'tap'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { AUTH, startHireflow, injectUpload } from './support/harness.ts'
import type { FastifyInstance } from 'fastify'

async function upload(app: FastifyInstance, filename: string, content: Buffer) {
  return injectUpload(app, { filename, content })
}

t.test('a notified candidate whose file went missing: the repeated upload restores it', async (t) => {
  const hireflow = await startHireflow({ captureLogs: true })
  t.teardown(() => hireflow.stop())
  const app = hireflow.app!
  const content = Buffer.from('Rita Restore\nrita@example.com\nPython and SQL developer\n')
  const first = await upload(app, 'rita.txt', content)
  t.equal(first.statusCode, 202)
  const notified = await hireflow.waitFor(first.json().id, 'notified')
  await rm(join(hireflow.config.resumeDir, notified.resume.key))
  t.equal(await hireflow.services.resumes.head(notified.resume.key), undefined, 'the stored copy is gone')

  const again = await upload(app, 'rita-again.txt', content)
  t.equal(again.statusCode, 200)
  t.match(again.json(), { id: notified.id, duplicate: true, status: 'notified' })
  t.same(await hireflow.services.resumes.head(notified.resume.key), { size: content.length }, 'the copy is back')
  const download = await app.inject({ method: 'GET', url: `/candidates/${notified.id}/resume`, headers: AUTH })
  t.equal(download.statusCode, 200)
  t.ok(download.rawPayload.equals(content), 'and served byte for byte')
  t.ok(
    hireflow.logs.some((line) => line.includes(notified.id) && /restored/.test(line)),
    'the log says the copy was restored',
  )
})

t.test('a candidate failed with resume_missing: the repeated upload restores the file and re-queues it', async (t) => {
  // Upload through an API-only instance and lose the file before any worker sees it.
  const api = await startHireflow({ role: 'api' })
  t.teardown(() => api.stop())
  const content = Buffer.from('Lena Lostfile\nlena@example.com\nGo and Kubernetes engineer\n')
  const first = await upload(api.app!, 'lena.txt', content)
  t.equal(first.statusCode, 202)
  const id = first.json().id
  const received = (await api.services.candidates.getCandidate(id))!
  await rm(join(api.config.resumeDir, received.resume.key))

  const workers = await startHireflow({ role: 'worker', config: api.config, dataDir: api.dataDir })
  t.teardown(() => workers.stop())
  const failed = await workers.waitFor(id, 'failed')
  t.match(failed.failure, { reason: 'resume_missing', step: 'parse' })

  const again = await upload(api.app!, 'lena.txt', content)
  t.equal(again.statusCode, 200, again.body)
  t.match(again.json(), { id, duplicate: true, status: 'received' })
  t.same(await api.services.resumes.head(received.resume.key), { size: content.length }, 'the copy is back')

  const done = await workers.waitFor(id, 'notified')
  t.equal(done.failure, null, 'the old failure is cleared')
  t.same(
    done.history.map((step) => step.to),
    ['received', 'stored', 'failed', 'received', 'stored', 'parsed', 'scored', 'decided', 'notified'],
  )
})

t.test('an erased candidate is not restored by a repeated upload', async (t) => {
  const hireflow = await startHireflow({ role: 'api' })
  t.teardown(() => hireflow.stop())
  const app = hireflow.app!
  const content = Buffer.from('Erin Erased\nerin@example.com\nRust developer\n')
  const first = await upload(app, 'erin.txt', content)
  t.equal(first.statusCode, 202)
  const id = first.json().id
  const candidate = (await hireflow.services.candidates.getCandidate(id))!
  await hireflow.services.resumes.delete(candidate.resume.key)
  await hireflow.services.candidates.transition(id, { from: ['stored'], to: 'erased', by: 'test', why: 'erasure request' })

  const again = await upload(app, 'erin.txt', content)
  t.equal(again.statusCode, 200)
  t.match(again.json(), { id, duplicate: true, status: 'erased' })
  t.equal(await hireflow.services.resumes.head(candidate.resume.key), undefined, 'nothing of an erased candidate is stored again')
})
