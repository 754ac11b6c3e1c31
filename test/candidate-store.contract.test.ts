// One contract for every CandidateStore adapter: SQLite (a temp file) and
// DynamoDB (dynalite). Every test gets a store of its own, so listings see
// only what the test wrote.
import t from 'tap'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { awsClientConfig } from '../src/aws/client-config.ts'
import type { Candidate, CandidateStatus, Source } from '../src/domain/candidate.ts'
import type { Requisition } from '../src/domain/requisition.ts'
import { emptySourceState } from '../src/domain/source-state.ts'
import { InvalidCursorError, type CandidateQuery, type CandidateStore, type Page } from '../src/ports/candidate-store.ts'
import { DynamoDbCandidateStore, ensureCandidateTable } from '../src/storage/dynamodb-candidate-store.ts'
import { SqliteCandidateStore } from '../src/storage/sqlite-candidate-store.ts'
import { emulatorCredentials, startDynalite } from './support/emulators.ts'

// The type tap gives a subtest's `t`, which the contract registers its tests on.
type Tap = Parameters<Parameters<typeof t.test>[0]>[0]
/** Opens a fresh, empty store and registers its cleanup on the given test. */
type StoreFactory = (t: Tap) => Promise<CandidateStore>

const BASE_TIME = Date.UTC(2025, 2, 1, 9, 0, 0)
const at = (seconds: number) => new Date(BASE_TIME + seconds * 1000).toISOString()

let fixtureSequence = 0

function candidateFixture(
  options: {
    source?: Source
    sourceItemId?: string
    requisitionId?: string | null
    status?: CandidateStatus
    createdAt?: string
    content?: string
  } = {},
): Candidate {
  fixtureSequence++
  const source = options.source ?? 'upload'
  const requisitionId = options.requisitionId === undefined ? 'req-backend' : options.requisitionId
  const sha256 = createHash('sha256')
    .update(options.content ?? `resume ${fixtureSequence}`)
    .digest('hex')
  const sourceItemId = options.sourceItemId ?? `${requisitionId ?? 'none'}/${sha256}`
  const createdAt = options.createdAt ?? at(fixtureSequence)
  const status = options.status ?? 'received'
  return {
    id: `${source}:${sourceItemId}:${sha256}`,
    source,
    sourceItemId,
    requisitionId,
    status,
    resume: {
      filename: `Résumé ${fixtureSequence}.pdf`,
      mediaType: 'application/pdf',
      extension: 'pdf',
      size: 1234 + fixtureSequence,
      sha256,
      key: `resumes/${sha256}.pdf`,
    },
    profile: null,
    score: null,
    decision: null,
    failure: null,
    notification: null,
    createdAt,
    updatedAt: createdAt,
    history: [{ at: createdAt, from: null, to: status, by: 'api', why: null }],
  }
}

function requisitionFixture(id: string, createdAt: string): Requisition {
  return {
    id,
    title: `Engineer ${id}`,
    mustHaveSkills: ['TypeScript', 'PostgreSQL'],
    niceToHaveSkills: [],
    minYearsExperience: 3,
    advanceAtOrAbove: 75,
    rejectBelow: 40.5,
    createdAt,
  }
}

const newestFirst = (a: { createdAt: string; id: string }, b: { createdAt: string; id: string }) =>
  a.createdAt === b.createdAt ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) : a.createdAt < b.createdAt ? 1 : -1

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/** Follows cursors to the end; returns the pages so callers can check their sizes. */
async function allPages<T>(list: (cursor: string | undefined) => Promise<Page<T>>): Promise<Page<T>[]> {
  const pages: Page<T>[] = []
  let cursor: string | undefined
  // Bounded so that a store which never ends a listing fails the test instead of hanging it.
  for (let i = 0; i < 200; i++) {
    const page = await list(cursor)
    pages.push(page)
    if (page.nextCursor === null) return pages
    cursor = page.nextCursor
  }
  throw new Error('listing did not end within 200 pages')
}

function candidateStoreContract(t: Tap, openStore: StoreFactory): void {
  t.test('ping succeeds', async (t) => {
    const store = await openStore(t)
    await t.resolves(store.ping())
  })

  t.test('requisitions: create, get, duplicate id, list newest first in pages', async (t) => {
    const store = await openStore(t)
    const requisitions = [
      requisitionFixture('req-a', at(10)),
      requisitionFixture('req-b', at(30)),
      requisitionFixture('req-c', at(20)),
      requisitionFixture('req-d', at(30)),
      requisitionFixture('req-e', at(5)),
    ]
    for (const requisition of requisitions) await store.createRequisition(requisition)

    t.same(await store.getRequisition('req-c'), requisitions[2])
    t.equal(await store.getRequisition('req-unknown'), undefined)

    await t.rejects(store.createRequisition({ ...requisitions[0]!, title: 'Impostor' }), /already exists/)
    t.same(await store.getRequisition('req-a'), requisitions[0], 'the duplicate did not overwrite')

    const pages = await allPages((cursor) => store.listRequisitions({ limit: 2, ...(cursor ? { cursor } : {}) }))
    t.same(
      pages.map((page) => page.items.map((r) => r.id)),
      [['req-d', 'req-b'], ['req-c', 'req-a'], ['req-e']],
    )
    t.same(
      pages.flatMap((page) => page.items),
      [...requisitions].sort(newestFirst),
    )

    const exact = await store.listRequisitions({ limit: 5 })
    t.equal(exact.items.length, 5)
    t.equal(exact.nextCursor, null, 'no cursor when the page holds the last item')
  })

  t.test('createCandidate is idempotent by id', async (t) => {
    const store = await openStore(t)
    const candidate = candidateFixture()
    const first = await store.createCandidate(candidate)
    t.equal(first.created, true)
    t.same(first.candidate, candidate)

    const replay = await store.createCandidate({ ...candidate, status: 'parsed', updatedAt: at(999), history: [] })
    t.equal(replay.created, false)
    t.same(replay.candidate, candidate, 'the existing candidate is returned unchanged')
    t.same(await store.getCandidate(candidate.id), candidate)
  })

  t.test('a full candidate round-trips unchanged', async (t) => {
    const store = await openStore(t)
    const candidate: Candidate = {
      ...candidateFixture({ requisitionId: null, source: 'mailbox', sourceItemId: 'AAMkAGI2TG93AAA=' }),
      profile: {
        name: 'Ada Lovelace',
        email: null,
        phone: '+44 20 7946 0958',
        links: [{ kind: 'github', url: 'https://github.com/ada' }],
        yearsOfExperience: 7.5,
      },
      score: {
        value: 66.66666666666667,
        skills: [
          { skill: 'Kubernetes', required: true, found: true, evidence: { line: 12, text: 'Ran k8s', matched: 'k8s' } },
          { skill: 'Go', required: false, found: false, evidence: null },
        ],
      },
      decision: { outcome: 'review', reasons: [] },
      failure: null,
      notification: { kind: 'decision', messageId: '<id@hireflow>', sentAt: at(50) },
    }
    await store.createCandidate(candidate)
    t.same(await store.getCandidate(candidate.id), candidate)
    t.equal(await store.getCandidate('upload:none/unknown:unknown'), undefined)
  })

  t.test('transition sets status, patch and appends history', async (t) => {
    const store = await openStore(t)
    const candidate = candidateFixture()
    await store.createCandidate(candidate)

    const profile = { name: 'Grace Hopper', email: 'grace@example.com', phone: null, links: [], yearsOfExperience: null }
    const updated = await store.transition(candidate.id, {
      from: ['received'],
      to: 'parsed',
      set: { profile, failure: null },
      by: 'worker:process',
      why: 'text extracted',
      at: at(100),
    })
    const expected: Candidate = {
      ...candidate,
      status: 'parsed',
      profile,
      updatedAt: at(100),
      history: [...candidate.history, { at: at(100), from: 'received', to: 'parsed', by: 'worker:process', why: 'text extracted' }],
    }
    t.same(updated, expected)
    t.same(await store.getCandidate(candidate.id), expected)

    // With several allowed origins, the history names the one actually left.
    const decided = await store.transition(candidate.id, {
      from: ['scored', 'parsed', 'stored'],
      to: 'decided',
      set: { decision: { outcome: 'advance', reasons: ['all must-have skills found'] } },
      by: 'hr:jane',
    })
    t.equal(decided?.status, 'decided')
    t.same(decided?.decision, { outcome: 'advance', reasons: ['all must-have skills found'] })
    t.same(decided?.profile, profile, 'fields outside the patch are kept')
    t.match(decided?.history.at(-1), { from: 'parsed', to: 'decided', by: 'hr:jane', why: null, at: String })
    t.equal(decided?.updatedAt, decided?.history.at(-1)?.at, 'at defaults to now and is also updatedAt')
    t.same(await store.getCandidate(candidate.id), decided)
  })

  t.test('transition through several steps: one write, one history entry per step', async (t) => {
    const store = await openStore(t)
    const candidate = candidateFixture({ status: 'stored' })
    await store.createCandidate(candidate)
    const request = {
      from: ['stored' as const, 'parsed' as const],
      to: 'decided' as const,
      via: [
        { to: 'parsed' as const, why: 'profile read' },
        { to: 'scored' as const, why: 'score 80/100' },
      ],
      set: { decision: { outcome: 'advance' as const, reasons: ['all must-have skills found'] } },
      by: 'worker:process',
      why: 'recommendation: advance',
      at: at(300),
    }
    const decided = await store.transition(candidate.id, request)
    t.equal(decided?.status, 'decided')
    t.same(decided?.history.slice(1), [
      { at: at(300), from: 'stored', to: 'parsed', by: 'worker:process', why: 'profile read' },
      { at: at(300), from: 'parsed', to: 'scored', by: 'worker:process', why: 'score 80/100' },
      { at: at(300), from: 'scored', to: 'decided', by: 'worker:process', why: 'recommendation: advance' },
    ])
    t.same(await store.getCandidate(candidate.id), decided)
    t.equal(await store.transition(candidate.id, request), undefined, 'a replay changes nothing')
    t.equal((await store.getCandidate(candidate.id))?.history.length, 4, 'and appends nothing')
  })

  t.test('transition from the wrong state is a no-op', async (t) => {
    const store = await openStore(t)
    const candidate = candidateFixture()
    await store.createCandidate(candidate)
    const request = { from: ['received' as const], to: 'stored' as const, by: 'worker:intake', at: at(200) }

    const stored = await store.transition(candidate.id, request)
    t.equal(stored?.status, 'stored')
    t.equal(await store.transition(candidate.id, request), undefined, 'a replay changes nothing')
    t.equal(await store.transition(candidate.id, { from: ['parsed', 'scored'], to: 'failed', by: 'worker:process' }), undefined)
    t.same(await store.getCandidate(candidate.id), stored, 'the candidate is as the first transition left it')

    t.equal(await store.transition('upload:none/unknown:unknown', request), undefined, 'an unknown id')
    t.equal(await store.getCandidate('upload:none/unknown:unknown'), undefined, 'and it was not created')
    t.equal(await store.transition(candidate.id, { ...request, from: [] }), undefined, 'no allowed origin')
  })

  t.test('concurrent transitions from one state: exactly one wins', async (t) => {
    const store = await openStore(t)
    for (const from of [['received'], ['received', 'stored']] as CandidateStatus[][]) {
      const candidate = candidateFixture()
      await store.createCandidate(candidate)
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.transition(candidate.id, { from, to: 'failed', by: `worker:${i}`, why: `attempt ${i}` })),
      )
      const winners = results.filter((result) => result !== undefined)
      t.equal(winners.length, 1, `one winner with from=${from.join(',')}`)
      const final = await store.getCandidate(candidate.id)
      t.equal(final?.history.length, 2, 'one history entry appended')
      t.same(final, winners[0])
    }
  })

  t.test('listing: newest first, filters, and paging visits every item once', async (t) => {
    const store = await openStore(t)
    const candidates = [
      candidateFixture({ requisitionId: 'req-1', status: 'received', createdAt: at(1) }),
      candidateFixture({ requisitionId: 'req-1', status: 'scored', createdAt: at(2) }),
      candidateFixture({ requisitionId: 'req-2', status: 'scored', createdAt: at(3) }),
      candidateFixture({ requisitionId: null, status: 'scored', createdAt: at(3) }),
      candidateFixture({ requisitionId: 'req-1', status: 'scored', createdAt: at(3) }),
      candidateFixture({ requisitionId: 'req-1', status: 'failed', createdAt: at(4) }),
      candidateFixture({ requisitionId: 'req-2', status: 'received', createdAt: at(5) }),
      candidateFixture({ requisitionId: 'req-1', status: 'scored', createdAt: at(6) }),
      candidateFixture({ requisitionId: null, status: 'received', createdAt: at(7) }),
      candidateFixture({ requisitionId: 'req-1', status: 'received', createdAt: at(8) }),
      candidateFixture({ requisitionId: 'req-1', status: 'scored', createdAt: at(9) }),
    ]
    for (const candidate of candidates) await store.createCandidate(candidate)

    const filters: Omit<CandidateQuery, 'limit' | 'cursor'>[] = [
      {},
      { status: 'scored' },
      { status: 'acknowledged' },
      { requisitionId: 'req-1' },
      { requisitionId: 'req-unknown' },
      { requisitionId: 'req-1', status: 'scored' },
      { requisitionId: 'req-2', status: 'failed' },
    ]
    for (const filter of filters) {
      const expected = candidates
        .filter((c) => filter.status === undefined || c.status === filter.status)
        .filter((c) => filter.requisitionId === undefined || c.requisitionId === filter.requisitionId)
        .sort(newestFirst)
      const whole = await store.listCandidates({ ...filter, limit: 100 })
      t.same(whole, { items: expected, nextCursor: null }, `one page: ${JSON.stringify(filter)}`)

      for (const limit of [1, 2, 3]) {
        const pages = await allPages((cursor) => store.listCandidates({ ...filter, limit, ...(cursor ? { cursor } : {}) }))
        t.ok(
          pages.every((page) => page.items.length <= limit),
          `no page exceeds limit ${limit}: ${JSON.stringify(filter)}`,
        )
        t.same(
          pages.flatMap((page) => page.items.map((c) => c.id)),
          expected.map((c) => c.id),
          `limit ${limit} visits each once, in order: ${JSON.stringify(filter)}`,
        )
      }
    }

    // A listing by status follows the candidate when it moves.
    const moved = candidates[0]!
    await store.transition(moved.id, { from: ['received'], to: 'scored', by: 'worker:process' })
    const scored = await store.listCandidates({ status: 'scored', requisitionId: 'req-1', limit: 100 })
    t.ok(scored.items.some((c) => c.id === moved.id))
    const received = await store.listCandidates({ status: 'received', limit: 100 })
    t.notOk(received.items.some((c) => c.id === moved.id))
  })

  t.test('an invalid cursor is refused with InvalidCursorError', async (t) => {
    const store = await openStore(t)
    await store.createCandidate(candidateFixture())
    const bad = [
      'not a cursor!',
      Buffer.from('not json').toString('base64url'),
      cursorOf(null),
      cursorOf([1, 2]),
      cursorOf({}),
      cursorOf({ c: 1, i: 2 }),
      cursorOf({ i: 'byKind', k: 'x' }),
    ]
    for (const cursor of bad) {
      await t.rejects(store.listCandidates({ limit: 10, cursor }), InvalidCursorError, `candidates: ${cursor}`)
      await t.rejects(store.listCandidates({ status: 'received', requisitionId: 'req-backend', limit: 10, cursor }), InvalidCursorError)
      await t.rejects(store.listRequisitions({ limit: 10, cursor }), InvalidCursorError, `requisitions: ${cursor}`)
    }
  })

  t.test('a page size outside 1..1000 is refused', async (t) => {
    const store = await openStore(t)
    for (const limit of [0, -1, 1.5, 1001, Number.NaN]) {
      await t.rejects(store.listCandidates({ limit }), RangeError, `candidates, limit ${limit}`)
      await t.rejects(store.listRequisitions({ limit }), RangeError, `requisitions, limit ${limit}`)
    }
    t.same(await store.listCandidates({ limit: 1000 }), { items: [], nextCursor: null }, 'the largest page is allowed')
  })

  t.test('findBySourceItem returns every candidate from one item, oldest first', async (t) => {
    const store = await openStore(t)
    const first = candidateFixture({ source: 'task-manager', sourceItemId: 'task-42', createdAt: at(2) })
    const second = candidateFixture({ source: 'task-manager', sourceItemId: 'task-42', createdAt: at(1) })
    await store.createCandidate(first)
    await store.createCandidate(second)
    await store.createCandidate(candidateFixture({ source: 'mailbox', sourceItemId: 'task-42' }))
    await store.createCandidate(candidateFixture({ source: 'task-manager', sourceItemId: 'task-43' }))

    t.same(await store.findBySourceItem('task-manager', 'task-42'), [second, first])
    t.same(await store.findBySourceItem('task-manager', 'task-404'), [])
  })

  t.test('source state: created once, then written only over the version that was read', async (t) => {
    const store = await openStore(t)
    t.equal(await store.getSourceState('clickup'), undefined)
    const webhook = {
      id: 'wh-1',
      callbackUrl: 'https://hireflow.example.com/webhooks/clickup',
      secret: 'shh',
      resource: 'list:901',
      createdAt: at(1),
      expiresAt: null,
    }
    const first = await store.putSourceState({ ...emptySourceState('clickup'), cursor: '1700000000000', webhooks: [webhook] }, 0)
    t.equal(first?.version, 1)
    t.same(await store.getSourceState('clickup'), first, 'round-trips whole')
    t.equal(await store.putSourceState(emptySourceState('clickup'), 0), undefined, 'a second create loses')

    const second = await store.putSourceState({ ...first!, cursor: '1700000060000', refreshToken: 'rotated' }, 1)
    t.match(second, { version: 2, cursor: '1700000060000', refreshToken: 'rotated', webhooks: [webhook] })
    t.equal(await store.putSourceState({ ...first!, cursor: 'stale' }, 1), undefined, 'a writer holding version 1 loses')
    t.equal((await store.getSourceState('clickup'))?.cursor, '1700000060000')
    t.equal(await store.getSourceState('asana'), undefined, 'each source has its own state')
  })

  t.test('source state: of concurrent writers over one version exactly one wins', async (t) => {
    const store = await openStore(t)
    const created = (await store.putSourceState(emptySourceState('jira'), 0))!
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => store.putSourceState({ ...created, cursor: `writer-${i}` }, created.version)),
    )
    const winners = results.filter((result) => result !== undefined)
    t.equal(winners.length, 1)
    t.same(await store.getSourceState('jira'), winners[0])
  })

  t.test('source state stays out of candidate and requisition listings', async (t) => {
    const store = await openStore(t)
    await store.putSourceState(emptySourceState('asana'), 0)
    t.same((await store.listCandidates({ limit: 10 })).items, [])
    t.same((await store.listRequisitions({ limit: 10 })).items, [])
  })
}

t.test('SqliteCandidateStore', async (t) => {
  const directory = await mkdtemp(join(tmpdir(), 'hireflow-candidates-'))
  t.teardown(() => rm(directory, { recursive: true, force: true }))
  let count = 0

  candidateStoreContract(t, async (t) => {
    // A directory that does not exist yet: the store creates it.
    const store = new SqliteCandidateStore(join(directory, `store-${++count}`, 'candidates.db'))
    t.teardown(() => store.close())
    return store
  })

  t.test('the schema is created once and the data survives reopening', async (t) => {
    const path = join(directory, 'reopen', 'candidates.db')
    const candidate = candidateFixture()
    const first = new SqliteCandidateStore(path)
    await first.createCandidate(candidate)
    await first.close()
    await first.close()

    const second = new SqliteCandidateStore(path)
    t.teardown(() => second.close())
    t.same(await second.getCandidate(candidate.id), candidate)

    const raw = new DatabaseSync(path, { readOnly: true })
    t.teardown(() => raw.close())
    t.equal((raw.prepare('PRAGMA user_version').get() as { user_version: number }).user_version, 3)
    t.equal((raw.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal')
  })

  t.test('a version 1 database is upgraded in place, its data kept', async (t) => {
    const path = join(directory, 'upgrade', 'candidates.db')
    const candidate = candidateFixture()
    const first = new SqliteCandidateStore(path)
    await first.createCandidate(candidate)
    await first.close()
    const raw = new DatabaseSync(path)
    raw.exec('DROP TABLE health_probe; PRAGMA user_version = 1')
    raw.close()

    const upgraded = new SqliteCandidateStore(path)
    t.teardown(() => upgraded.close())
    await t.resolves(upgraded.ping(), 'the probe table exists again')
    t.same(await upgraded.getCandidate(candidate.id), candidate)
  })

  // Candidates hold contact data: the database gets the modes the resume and
  // outbox folders have, whatever umask the service was started with.
  for (const umask of [0o022, 0o000, 0o277]) {
    t.test(`the folder it creates is 0700 and the files 0600 (umask ${umask.toString(8).padStart(3, '0')})`, async (t) => {
      const folder = join(directory, `modes-${umask.toString(8)}`, 'nested')
      const path = join(folder, 'candidates.db')
      const previous = process.umask(umask)
      let store: SqliteCandidateStore
      try {
        store = new SqliteCandidateStore(path)
      } finally {
        process.umask(previous)
      }
      t.teardown(() => store.close())
      await store.createCandidate(candidateFixture())
      const modeOf = async (file: string) => ((await stat(file)).mode & 0o777).toString(8)
      t.equal(await modeOf(dirname(folder)), '700', 'the first folder it created')
      t.equal(await modeOf(folder), '700', 'the folder holding the database')
      for (const file of [path, `${path}-wal`, `${path}-shm`]) t.equal(await modeOf(file), '600', file)
    })
  }

  t.test('reopening tightens a database left readable by others', async (t) => {
    const folder = join(directory, 'loose')
    const path = join(folder, 'candidates.db')
    const first = new SqliteCandidateStore(path)
    await first.createCandidate(candidateFixture())
    // Kept open, so its -wal and -shm stay on disk while the modes are loosened.
    t.teardown(() => first.close())
    for (const file of [path, `${path}-wal`, `${path}-shm`]) await chmod(file, 0o644)

    const second = new SqliteCandidateStore(path)
    t.teardown(() => second.close())
    for (const file of [path, `${path}-wal`, `${path}-shm`]) {
      t.equal(((await stat(file)).mode & 0o777).toString(8), '600', file)
    }
  })

  t.test('writes that arrive together commit together: each is on disk once it is acknowledged, or all fail', async (t) => {
    const path = join(directory, 'group', 'candidates.db')
    const store = new SqliteCandidateStore(path, { busyTimeoutMs: 100 })
    t.teardown(() => store.close())
    const other = new DatabaseSync(path)
    t.teardown(() => other.close())
    const onDisk = (id: string) => other.prepare('SELECT status FROM candidates WHERE id = ?').get(id)?.status

    const together = Array.from({ length: 6 }, () => candidateFixture())
    await Promise.all(
      together.map(async (candidate) => {
        await store.createCandidate(candidate)
        t.equal(onDisk(candidate.id), 'received', 'committed when the create is acknowledged')
        await store.transition(candidate.id, { from: ['received'], to: 'stored', by: 'worker:intake' })
        t.equal(onDisk(candidate.id), 'stored', 'committed when the transition is acknowledged')
      }),
    )

    // Another process holds the write lock past the busy timeout: the batch cannot commit, so none of it is kept.
    other.exec('BEGIN IMMEDIATE')
    const refused = Array.from({ length: 3 }, () => candidateFixture())
    const results = await Promise.allSettled(refused.map((candidate) => store.createCandidate(candidate)))
    other.exec('ROLLBACK')
    t.same(
      results.map((result) => result.status),
      ['rejected', 'rejected', 'rejected'],
    )
    for (const candidate of refused) t.equal(await store.getCandidate(candidate.id), undefined, 'not stored')
    t.same((await store.createCandidate(refused[0]!)).created, true, 'the next write goes through')
  })

  t.test('ping writes: a store that cannot take the write lock is unhealthy, though it can still read', async (t) => {
    const path = join(directory, 'locked', 'candidates.db')
    const store = new SqliteCandidateStore(path, { busyTimeoutMs: 200 })
    t.teardown(() => store.close())
    await t.resolves(store.ping())
    const other = new DatabaseSync(path)
    other.exec('BEGIN IMMEDIATE')
    t.teardown(() => {
      other.exec('ROLLBACK')
      other.close()
    })
    t.equal((await store.listCandidates({ limit: 1 })).items.length, 0, 'reads still work')
    await t.rejects(store.ping(), { message: /^SQLite candidate store is unavailable: /, cause: { code: 'ERR_SQLITE_ERROR' } })
  })

  t.test('a closed store fails ping with a cause', async (t) => {
    const store = new SqliteCandidateStore(':memory:')
    await store.close()
    await t.rejects(store.ping(), { message: /^SQLite candidate store is unavailable: /, cause: Error })
  })
})

function dynamoClient(endpoint: string, overrides: { requestTimeoutMs?: number; maxAttempts?: number } = {}) {
  return new DynamoDBClient(
    awsClientConfig({
      region: 'us-east-1',
      endpoint,
      credentials: emulatorCredentials,
      requestTimeoutMs: overrides.requestTimeoutMs ?? 5_000,
      maxAttempts: overrides.maxAttempts ?? 2,
    }),
  )
}

t.test('DynamoDbCandidateStore', async (t) => {
  const dynalite = await startDynalite()
  t.teardown(() => dynalite.close())
  const run = `${process.pid}-${Date.now()}`
  let count = 0

  candidateStoreContract(t, async (t) => {
    const tableName = `candidates-${run}-${++count}`
    const client = dynamoClient(dynalite.endpoint)
    await ensureCandidateTable(client, tableName)
    const store = new DynamoDbCandidateStore(client, tableName)
    t.teardown(async () => {
      await store.close()
      client.destroy()
    })
    return store
  })

  t.test('ensureCandidateTable is idempotent', async (t) => {
    const client = dynamoClient(dynalite.endpoint)
    t.teardown(() => client.destroy())
    const tableName = `candidates-${run}-ensure`
    await ensureCandidateTable(client, tableName)
    await t.resolves(ensureCandidateTable(client, tableName))
  })

  t.test('ping rejects when nothing listens', async (t) => {
    const server = createServer()
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const { port } = server.address() as AddressInfo
    await new Promise((resolve) => server.close(resolve))

    const client = dynamoClient(`http://127.0.0.1:${port}`, { requestTimeoutMs: 500, maxAttempts: 2 })
    t.teardown(() => client.destroy())
    const store = new DynamoDbCandidateStore(client, 'candidates-table')
    // /health shows the message on an open route: the table name stays in the cause.
    await t.rejects(store.ping(), {
      message: 'DynamoDB candidate store is unavailable: connection refused',
      cause: { code: 'ECONNREFUSED' },
    })
  })
})
