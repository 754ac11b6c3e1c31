// ImapIdleWatcher against a real Dovecot and Redis: new mail is noticed in
// seconds, one process of many holds IDLE, another takes over when it dies,
// and a dropped connection loses no mail.
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import t from 'tap'
import pino from 'pino'
import { Redis } from 'ioredis'
import { loadConfig, type ImapMailboxConfig } from '../src/config.ts'
import { ImapIdleWatcher } from '../src/sources/imap/index.ts'
import { startDovecotMailbox, type DovecotMailbox } from './support/dovecot.ts'
import { TEST_REDIS_URL, uniquePrefix } from './support/harness.ts'
import { openMailbox, syncAll } from './support/mailbox-contract.ts'

type Tap = Parameters<Parameters<typeof t.test>[0]>[0]

/** Short leases keep take-overs quick: renewed every 500 ms, taken over within about 2 s. */
const LEASE_MS = 1_500
const silent = pino({ level: 'silent' })

const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 })
t.teardown(() => redis.quit())

const settingsOf = (fake: DovecotMailbox) => loadConfig(fake.env).mailbox as ImapMailboxConfig

async function waitUntil(t: Tap, what: string, condition: () => boolean, timeoutMs = 8_000): Promise<number> {
  const startedAt = Date.now()
  while (!condition()) {
    if (Date.now() - startedAt > timeoutMs) {
      t.fail(`${what}: not within ${timeoutMs} ms`)
      throw new Error(`${what}: not within ${timeoutMs} ms`)
    }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return Date.now() - startedAt
}

interface Watched {
  watcher: ImapIdleWatcher
  /** onChange calls so far. */
  calls: () => number
}

function watch(t: Tap, fake: DovecotMailbox, leaseKey: string, onChange: () => Promise<void> = async () => {}): Watched {
  let calls = 0
  const watcher = new ImapIdleWatcher({
    settings: settingsOf(fake),
    redis,
    leaseKey,
    leaseMs: LEASE_MS,
    log: silent,
    onChange: async () => {
      calls++
      await onChange()
    },
  })
  t.teardown(() => watcher.close())
  return { watcher, calls: () => calls }
}

const leaseKey = (t: Tap) => {
  const key = `${uniquePrefix()}:imap-idle`
  t.teardown(() => redis.del(key))
  return key
}

t.test('new mail makes onChange run within seconds; a failing onChange is logged, not fatal', async (t) => {
  const fake = await startDovecotMailbox(t)
  let fail = true
  const { watcher, calls } = watch(t, fake, leaseKey(t), async () => {
    if (fail) {
      fail = false
      throw new Error('the queue is away')
    }
  })
  watcher.start()
  await waitUntil(t, 'the lease is taken and onChange runs after connecting', () => watcher.holding && calls() >= 1)
  const before = calls()
  await fake.deliver({ subject: 'Pushed by IDLE' })
  const took = await waitUntil(t, 'onChange runs for the new mail', () => calls() > before, 5_000)
  t.ok(took < 5_000, `noticed in ${took} ms`)
  await fake.deliver({ subject: 'And another' })
  await waitUntil(t, 'onChange runs again after one failed', () => calls() > before + 1, 5_000)
  t.equal(fake.openConnections, 1, 'one IDLE connection')
})

t.test('two watchers on one lease: exactly one holds it and keeps an IDLE connection', async (t) => {
  const fake = await startDovecotMailbox(t)
  const key = leaseKey(t)
  const a = watch(t, fake, key)
  const b = watch(t, fake, key)
  a.watcher.start()
  b.watcher.start()
  await waitUntil(t, 'one of them holds the lease', () => a.watcher.holding || b.watcher.holding)
  const holders = new Set<number>()
  const until = Date.now() + 3 * LEASE_MS
  while (Date.now() < until) {
    holders.add(Number(a.watcher.holding) + Number(b.watcher.holding))
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  t.same([...holders], [1], 'always exactly one holder, over several renewals')
  t.equal(fake.openConnections, 1, 'one IDLE connection to the server')
  const holder = a.watcher.holding ? a : b
  const other = holder === a ? b : a
  await holder.watcher.close()
  const took = await waitUntil(t, 'the other takes the released lease', () => other.watcher.holding, 3 * LEASE_MS)
  t.ok(took < LEASE_MS + 1_000, `a released lease is taken within a retry (${took} ms), not after it would expire`)
  await waitUntil(t, 'the new holder watches the folder', () => other.calls() >= 1)
  t.equal(fake.openConnections, 1, 'still one IDLE connection')
})

/** A watcher in a process of its own, so that it can die the way processes die: killed, releasing nothing. */
async function watcherProcess(t: Tap, fake: DovecotMailbox, key: string): Promise<ChildProcess> {
  const module = new URL('../src/sources/imap/idle.ts', import.meta.url).href
  const script = `
    import pino from 'pino'
    import { Redis } from 'ioredis'
    import { ImapIdleWatcher } from ${JSON.stringify(module)}
    const { settings, redisUrl, leaseKey, leaseMs } = JSON.parse(process.env.HIREFLOW_IDLE_TEST)
    const watcher = new ImapIdleWatcher({ settings, redis: new Redis(redisUrl), leaseKey, leaseMs, log: pino({ level: 'silent' }), onChange: async () => {} })
    watcher.start()
    const timer = setInterval(() => {
      if (!watcher.holding) return
      clearInterval(timer)
      console.log('holding')
    }, 20)
  `
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: new URL('..', import.meta.url),
    env: {
      ...process.env,
      HIREFLOW_IDLE_TEST: JSON.stringify({ settings: settingsOf(fake), redisUrl: TEST_REDIS_URL, leaseKey: key, leaseMs: LEASE_MS }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  t.teardown(() => void child.kill('SIGKILL'))
  const lines = createInterface({ input: child.stdout! })
  await new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => line === 'holding' && resolve())
    child.once('exit', (code) => reject(new Error(`the watcher process ended (${code}) before it held the lease`)))
  })
  return child
}

t.test('the holder dies without releasing the lease: another process takes over within seconds and sees new mail', async (t) => {
  const fake = await startDovecotMailbox(t)
  const key = leaseKey(t)
  const child = await watcherProcess(t, fake, key)
  const survivor = watch(t, fake, key)
  survivor.watcher.start()
  await new Promise((resolve) => setTimeout(resolve, LEASE_MS))
  t.notOk(survivor.watcher.holding, 'while the other process lives, it keeps the lease')

  const died = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGKILL')
  await died
  const took = await waitUntil(t, 'the survivor takes over', () => survivor.watcher.holding, 10_000)
  t.ok(took <= LEASE_MS + 1_500, `taken over ${took} ms after the holder died (lease ${LEASE_MS} ms)`)
  await waitUntil(t, 'it watches the folder', () => survivor.calls() >= 1)
  const before = survivor.calls()
  await fake.deliver({ subject: 'After the take-over' })
  await waitUntil(t, 'the new holder sees new mail', () => survivor.calls() > before, 5_000)
})

t.test('every connection dropped mid-IDLE: the holder reconnects, keeps the lease and misses no mail', async (t) => {
  const fake = await startDovecotMailbox(t)
  const { source } = openMailbox(t, fake)
  // onChange does what the reconciliation does: list from the stored cursor.
  let cursor: string | null = null
  const seen: string[] = []
  const { watcher, calls } = watch(t, fake, leaseKey(t), async () => {
    const result = await syncAll(source, cursor)
    cursor = result.cursor
    for (const id of result.ids) seen.push((await source.getItem(id))!.title!)
  })
  watcher.start()
  await waitUntil(t, 'watching, with a first sync done', () => calls() >= 1 && cursor !== null)

  fake.dropConnections()
  await fake.deliver({ subject: 'Arrived during the drop' })
  await waitUntil(t, 'the mail is found after reconnecting', () => seen.includes('Arrived during the drop'), 6_000)
  t.ok(watcher.holding, 'the lease is kept through the drop')

  // Down for a while: reconnect attempts back off, and the first one after the outage syncs.
  await fake.setDown(true)
  await fake.deliver({ subject: 'Arrived while the server was away' })
  await new Promise((resolve) => setTimeout(resolve, 2_500))
  t.ok(watcher.holding, 'still holding the lease while the server is away')
  await fake.setDown(false)
  await waitUntil(t, 'the mail is found once the server is back', () => seen.includes('Arrived while the server was away'), 8_000)
  await fake.deliver({ subject: 'Pushed again' })
  await waitUntil(t, 'IDLE works again', () => seen.includes('Pushed again'), 5_000)
  t.same([...seen].sort(), ['Arrived during the drop', 'Arrived while the server was away', 'Pushed again'], 'each mail found once')
})

t.test('a lease taken by another process ends this one’s IDLE', async (t) => {
  const fake = await startDovecotMailbox(t)
  const key = leaseKey(t)
  const { watcher } = watch(t, fake, key)
  watcher.start()
  await waitUntil(t, 'holding and connected', () => watcher.holding && fake.openConnections === 1)
  // As after a Redis failover that lost the key and another process took it.
  await redis.set(key, 'another-process', 'PX', 10 * LEASE_MS)
  await waitUntil(t, 'the renewal notices', () => !watcher.holding, LEASE_MS)
  await waitUntil(t, 'the IDLE connection is closed', () => fake.openConnections === 0, 2_000)
  t.equal(await redis.get(key), 'another-process', 'the other process keeps its lease')
})

t.test('close() is prompt, and releases the lease, even while the IMAP server or Redis is away', async (t) => {
  const fake = await startDovecotMailbox(t)
  const key = leaseKey(t)
  const { watcher } = watch(t, fake, key)
  watcher.start()
  await waitUntil(t, 'holding and connected', () => watcher.holding && fake.openConnections === 1)
  await fake.setDown(true)
  await new Promise((resolve) => setTimeout(resolve, 300))
  let startedAt = Date.now()
  await watcher.close()
  t.ok(Date.now() - startedAt < 500, `closed in ${Date.now() - startedAt} ms while reconnecting`)
  t.equal(await redis.get(key), null, 'the lease is released for the next process')

  const nowhere = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, maxRetriesPerRequest: null, retryStrategy: () => 200 })
  nowhere.on('error', () => {})
  t.teardown(() => nowhere.disconnect())
  const stranded = new ImapIdleWatcher({
    settings: settingsOf(fake),
    redis: nowhere,
    leaseKey: key,
    leaseMs: LEASE_MS,
    log: silent,
    onChange: async () => {},
  })
  stranded.start()
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.notOk(stranded.holding)
  startedAt = Date.now()
  await stranded.close()
  t.ok(Date.now() - startedAt < 500, `closed in ${Date.now() - startedAt} ms while Redis is unreachable`)
})
