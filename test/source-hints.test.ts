// Webhook hints: one set member per item, taken by one worker only, and
// turned into one look per item; the drainer loop stops on close.
import t from 'tap'
import pino from 'pino'
import { HiringQueues } from '../jobs/queues.ts'
import { SourceHintDrainer } from '../jobs/source-hints.ts'
import { workerConnection } from '../src/redis.ts'
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from './support/harness.ts'

type Tap = Parameters<Parameters<typeof t.test>[0]>[0]

async function queuesFor(t: Tap) {
  const prefix = uniquePrefix()
  const connection = workerConnection(TEST_REDIS_URL)
  const queues = new HiringQueues(connection, prefix, { attempts: 1, backoffMs: 10 })
  t.teardown(async () => {
    await queues.close()
    connection.disconnect()
    await dropPrefix(prefix)
  })
  return { queues, connection, prefix }
}

const itemsQueued = async (queues: HiringQueues) =>
  (await queues.sources.getJobs(['waiting', 'delayed', 'active'])).map((job) => (job.data as { itemId: string }).itemId).sort()

t.test('ten deliveries about two tasks are two hints and two jobs; a second drain finds nothing', async (t) => {
  const { queues } = await queuesFor(t)
  for (let i = 0; i < 10; i++) await queues.hintSourceItem('clickup', ['task-a', 'task-b', 'task-a'])
  t.equal(await queues.drainSourceHints('clickup'), 2)
  t.equal(await queues.drainSourceHints('clickup'), 0)
  t.same(await itemsQueued(queues), ['task-a', 'task-b'])
  t.equal(await queues.drainSourceHints('asana'), 0, 'each source has its own hints')
})

t.test('the hints of one turn of the event loop are one SADD, and every delivery in it hears of a failure', async (t) => {
  const { queues, connection, prefix } = await queuesFor(t)
  const key = `${prefix}:source-hints:clickup`
  await connection.ping() // connected: nothing waits in ioredis' offline queue to be sent twice through the spy
  // Every command the connection sends passes here on its way to Redis (the connection itself is untouched).
  const sadds: string[][] = []
  const send = connection.sendCommand.bind(connection)
  connection.sendCommand = (command, stream) => {
    const args = command.args.map(String)
    if (command.name === 'sadd' && args[0] === key) sadds.push(args.slice(1))
    return send(command, stream)
  }

  await Promise.all(Array.from({ length: 50 }, (_, i) => queues.hintSourceItem('clickup', [`task-${i % 20}`])))
  await queues.hintSourceItem('clickup', ['task-late'])
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(sadds.length, 2, 'fifty deliveries in one turn, then one more: two commands')
  t.equal(sadds[0]!.length, 20, 'the first names each of the twenty tasks once')
  t.same(sadds[1], ['task-late'])
  t.equal(await queues.drainSourceHints('clickup'), 21)

  // A hint set Redis refuses to add to (the key holds a string): each waiting delivery is told, none is left hanging.
  await connection.set(key, 'not a set')
  const outcomes = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => queues.hintSourceItem('clickup', [`task-${i}`])))
  t.same(
    outcomes.map((outcome) => outcome.status),
    ['rejected', 'rejected', 'rejected', 'rejected', 'rejected'],
  )
  t.match(String((outcomes[0] as PromiseRejectedResult).reason), /WRONGTYPE/)
})

t.test('two drainers at once take each hint once', async (t) => {
  const { queues } = await queuesFor(t)
  const items = Array.from({ length: 300 }, (_, i) => `task-${i}`)
  await queues.hintSourceItem('jira', items)
  const [first, second] = await Promise.all([queues.drainSourceHints('jira', 100), queues.drainSourceHints('jira', 250)])
  t.equal(first! + second!, 250 + 50, 'all taken between them, none twice')
  t.equal(await queues.drainSourceHints('jira'), 0)
  t.equal((await itemsQueued(queues)).length, 300)
})

t.test('the drainer loop queues hints as they come and stops on close', async (t) => {
  const { queues } = await queuesFor(t)
  const drainer = new SourceHintDrainer(queues, ['clickup'], pino({ level: 'silent' }), { idleMs: 20 })
  await queues.hintSourceItem('clickup', ['task-x'])
  const deadline = Date.now() + 5_000
  while ((await itemsQueued(queues)).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  t.same(await itemsQueued(queues), ['task-x'])
  await drainer.close()
  await queues.hintSourceItem('clickup', ['task-y'])
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.same(await itemsQueued(queues), ['task-x'], 'nothing taken after close')
})

t.test('closing while Redis is away does not hang shutdown', async (t) => {
  const connection = workerConnection('redis://127.0.0.1:1')
  connection.on('error', () => {})
  const queues = new HiringQueues(connection, uniquePrefix(), { attempts: 1, backoffMs: 10 })
  t.teardown(() => connection.disconnect())
  const drainer = new SourceHintDrainer(queues, ['clickup'], pino({ level: 'silent' }), { idleMs: 20 })
  await new Promise((resolve) => setTimeout(resolve, 100))
  const started = Date.now()
  await drainer.close()
  t.ok(Date.now() - started < 3_000, `closed in ${Date.now() - started} ms`)
})
