// The queue board at /queues: every route of it (page, static files, JSON
// API) behind the API key and answered in the API's error shape; the four
// queues on it; read-only unless QUEUE_BOARD_WRITE=true.
import t from 'tap'
import { AUTH, startHireflow } from './support/harness.ts'

async function delayedProcessJob(hireflow: Awaited<ReturnType<typeof startHireflow>>, jobId: string) {
  await hireflow.queues.process.add('process', { candidateId: `cand-${jobId}` }, { jobId, delay: 600_000 })
}

t.test('the board needs the API key for its page, its static files and its API', async (t) => {
  const hireflow = await startHireflow({ role: 'api' })
  t.teardown(() => hireflow.stop())
  const app = hireflow.app!

  const anonymous = await app.inject({ method: 'GET', url: '/queues' })
  t.equal(anonymous.statusCode, 401)
  t.equal(anonymous.headers['www-authenticate'], 'Bearer realm="hireflow"')
  t.same(anonymous.json(), { statusCode: 401, error: 'Unauthorized', message: 'send the API key as "Authorization: Bearer <key>"' })

  const page = await app.inject({ method: 'GET', url: '/queues', headers: AUTH })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /^text\/html/)
  // The page names its files relative to <base href="/queues/">.
  t.match(page.body, '<base href="/queues/" />')
  const script = /src="(static\/js\/main\.[\w.]+\.js)"/.exec(page.body)?.[1]
  t.ok(script, 'the page loads a script from the board static files')
  const asset = `/queues/${script}`
  t.equal((await app.inject({ method: 'GET', url: asset })).statusCode, 401, `${asset} without a key`)
  const loaded = await app.inject({ method: 'GET', url: asset, headers: AUTH })
  t.equal(loaded.statusCode, 200, `${asset} with the key`)
  t.match(loaded.headers['content-type'], /javascript/)

  t.equal((await app.inject({ method: 'GET', url: '/queues/api/queues' })).statusCode, 401)
  const listed = await app.inject({ method: 'GET', url: '/queues/api/queues', headers: AUTH })
  t.equal(listed.statusCode, 200, listed.body)
  const queues = (listed.json() as { queues: { name: string; readOnlyMode: boolean }[] }).queues
  t.same(queues.map((queue) => queue.name).sort(), ['intake', 'notify', 'ocr', 'process', 'sources'])
  t.ok(
    queues.every((queue) => queue.readOnlyMode),
    'every queue is read-only by default',
  )
  t.equal((await app.inject({ method: 'PUT', url: '/queues/api/queues/process/any/retry' })).statusCode, 401, 'a write without a key')
})

t.test('read-only by default: retry, promote and clean are refused and change nothing', async (t) => {
  const hireflow = await startHireflow({ role: 'api' })
  t.teardown(() => hireflow.stop())
  const app = hireflow.app!
  await delayedProcessJob(hireflow, 'board-delayed-1')

  for (const url of [
    '/queues/api/queues/process/board-delayed-1/promote',
    '/queues/api/queues/process/promote',
    '/queues/api/queues/process/clean/delayed',
    '/queues/api/queues/process/board-delayed-1/clean',
    '/queues/api/queues/process/retry/failed',
    '/queues/api/queues/process/board-delayed-1/retry',
  ]) {
    const response = await app.inject({ method: 'PUT', url, headers: AUTH })
    t.equal(response.statusCode, 405, `PUT ${url}`)
  }
  t.equal(await (await hireflow.queues.process.getJob('board-delayed-1'))!.getState(), 'delayed', 'the job is still delayed')
})

t.test('with QUEUE_BOARD_WRITE=true the same calls act on the jobs', async (t) => {
  const hireflow = await startHireflow({ role: 'api', env: { QUEUE_BOARD_WRITE: 'true' } })
  t.teardown(() => hireflow.stop())
  const app = hireflow.app!
  await delayedProcessJob(hireflow, 'board-delayed-2')
  await delayedProcessJob(hireflow, 'board-delayed-3')

  const listed = await app.inject({ method: 'GET', url: '/queues/api/queues', headers: AUTH })
  t.ok((listed.json() as { queues: { readOnlyMode: boolean }[] }).queues.every((queue) => !queue.readOnlyMode))

  const promote = await app.inject({ method: 'PUT', url: '/queues/api/queues/process/board-delayed-2/promote', headers: AUTH })
  t.ok(promote.statusCode >= 200 && promote.statusCode < 300, `promote answered ${promote.statusCode} ${promote.body}`)
  t.equal(await (await hireflow.queues.process.getJob('board-delayed-2'))!.getState(), 'waiting', 'the promoted job waits')

  const clean = await app.inject({ method: 'PUT', url: '/queues/api/queues/process/board-delayed-3/clean', headers: AUTH })
  t.ok(clean.statusCode >= 200 && clean.statusCode < 300, `clean answered ${clean.statusCode} ${clean.body}`)
  t.equal(await hireflow.queues.process.getJob('board-delayed-3'), undefined, 'the delayed job is removed')
})
