// The embedded candidate store: one SQLite file, so that `npm start` on a fresh
// machine needs no database server. Each record is kept whole as a JSON
// document; the columns beside it exist only to be indexed and must always
// agree with the document, which is why every write sets both in one statement.
import { dirname } from 'node:path'
import { DatabaseSync, type StatementSync } from 'node:sqlite'
import { CANDIDATE_PATCH_FIELDS, type Candidate, type CandidatePatch } from '../domain/candidate.ts'
import type { Requisition } from '../domain/requisition.ts'
import type { SourceState } from '../domain/source-state.ts'
import {
  InvalidCursorError,
  type CandidateQuery,
  type CandidateStore,
  type Page,
  type TransitionRequest,
} from '../ports/candidate-store.ts'
import { DependencyUnavailableError } from '../ports/unavailable.ts'
import { historyEntries } from './transition-history.ts'
import { checkPageLimit, decodeCursor, encodeCursor, hasExactStringFields } from './paging.ts'
import { makePrivateFileSync, makePrivateFolderSync, restrictToOwnerSync } from '../fs/private-files.ts'

const SCHEMA_VERSION = 3
const BUSY_TIMEOUT_MS = 5_000

// Each entry upgrades the schema from version i to i + 1; append, never edit.
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE IF NOT EXISTS requisitions (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    doc TEXT NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS requisitions_by_created ON requisitions (created_at, id);

  CREATE TABLE IF NOT EXISTS candidates (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    source_item_id TEXT NOT NULL,
    requisition_id TEXT,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    doc TEXT NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS candidates_by_created ON candidates (created_at, id);
  CREATE INDEX IF NOT EXISTS candidates_by_source_item ON candidates (source, source_item_id, created_at, id);
  CREATE INDEX IF NOT EXISTS candidates_by_status ON candidates (status, created_at, id);
  CREATE INDEX IF NOT EXISTS candidates_by_requisition ON candidates (requisition_id, created_at, id);
  CREATE INDEX IF NOT EXISTS candidates_by_requisition_status ON candidates (requisition_id, status, created_at, id);
  `,
  // One row that ping() rewrites: /health proves the store can still write, not only read.
  `
  CREATE TABLE IF NOT EXISTS health_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at TEXT NOT NULL
  ) STRICT;
  `,
  `
  CREATE TABLE IF NOT EXISTS source_state (
    source TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL
  ) STRICT;
  `,
]

interface Keyset {
  createdAt: string
  id: string
}

function positionCursor(position: Keyset): string {
  return encodeCursor({ c: position.createdAt, i: position.id })
}

function positionOf(cursor: string): Keyset {
  const decoded = decodeCursor(cursor)
  if (!hasExactStringFields(decoded, ['c', 'i'])) throw new InvalidCursorError('cursor is not valid')
  return { createdAt: decoded.c as string, id: decoded.i as string }
}

function parseDocument<T>(row: Record<string, unknown> | undefined): T | undefined {
  return row === undefined ? undefined : (JSON.parse(row.doc as string) as T)
}

interface PendingWrite {
  write(): unknown
  resolve(value: unknown): void
  reject(error: unknown): void
}

export class SqliteCandidateStore implements CandidateStore {
  readonly #db: DatabaseSync
  // Statements whose text depends on the query shape are prepared once per shape.
  readonly #statements = new Map<string, StatementSync>()
  readonly #pending: PendingWrite[] = []
  #flushScheduled = false

  /**
   * `path` is a file (its directory is created) or `':memory:'`.
   * `busyTimeoutMs`: how long a write waits for another process's write lock.
   */
  constructor(path: string, { busyTimeoutMs = BUSY_TIMEOUT_MS } = {}) {
    if (path !== ':memory:') {
      // SQLite would create the file 0644; made 0600 first, it keeps that
      // mode, and SQLite gives the -wal and -shm files it creates the same.
      makePrivateFolderSync(dirname(path))
      makePrivateFileSync(path)
      for (const suffix of ['-wal', '-shm', '-journal']) restrictToOwnerSync(`${path}${suffix}`)
    }
    this.#db = new DatabaseSync(path)
    try {
      // WAL lets the API read while a worker writes; busy_timeout makes a
      // second process wait for the write lock instead of failing at once.
      this.#db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`)
      this.#db.exec('PRAGMA journal_mode = WAL')
      this.#migrate()
    } catch (error) {
      this.#db.close()
      throw error
    }
  }

  #migrate(): void {
    const versionOf = () => Number((this.#db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version)
    if (versionOf() === SCHEMA_VERSION) return
    // IMMEDIATE takes the write lock first, so two processes opening a new
    // file at once cannot both run the same migration.
    this.#db.exec('BEGIN IMMEDIATE')
    try {
      const current = versionOf()
      if (current > SCHEMA_VERSION) {
        throw new Error(`candidate store schema version ${current} is newer than this build supports (${SCHEMA_VERSION})`)
      }
      for (let version = current; version < SCHEMA_VERSION; version++) this.#db.exec(MIGRATIONS[version]!)
      this.#db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`)
      this.#db.exec('COMMIT')
    } catch (error) {
      this.#db.exec('ROLLBACK')
      throw error
    }
  }

  /**
   * Group commit. Every commit waits for the disk (synchronous=FULL, SQLite's
   * default, left as it is), and the writes that arrive while one waits are
   * applied together in the next transaction: one sync makes the whole batch
   * durable. Each caller still hears back only once the COMMIT holding its
   * write has returned, so a write is exactly as durable as in a commit of its
   * own; each keeps its own condition, checked in turn inside the transaction.
   */
  #write<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ write, resolve: resolve as (value: unknown) => void, reject })
      if (this.#flushScheduled) return
      this.#flushScheduled = true
      setImmediate(() => this.#flush())
    })
  }

  #flush(): void {
    this.#flushScheduled = false
    const batch = this.#pending.splice(0)
    if (batch.length === 0) return
    if (batch.length === 1) {
      const [only] = batch as [PendingWrite]
      try {
        only.resolve(only.write())
      } catch (error) {
        only.reject(error)
      }
      return
    }
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = []
    try {
      this.#db.exec('BEGIN IMMEDIATE')
      for (const { write } of batch) {
        try {
          outcomes.push({ ok: true, value: write() })
        } catch (error) {
          // Most failures undo only their own statement; some (I/O, a full disk) end the whole transaction.
          if (!this.#db.isTransaction) throw error
          outcomes.push({ ok: false, error })
        }
      }
      this.#db.exec('COMMIT')
    } catch (error) {
      if (this.#db.isOpen && this.#db.isTransaction) this.#db.exec('ROLLBACK')
      // Nothing of the batch was committed: every write in it failed.
      for (const { reject } of batch) reject(error)
      return
    }
    batch.forEach(({ resolve, reject }, i) => {
      const outcome = outcomes[i]!
      if (outcome.ok) resolve(outcome.value)
      else reject(outcome.error)
    })
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql)
    if (statement === undefined) {
      statement = this.#db.prepare(sql)
      this.#statements.set(sql, statement)
    }
    return statement
  }

  async createRequisition(requisition: Requisition): Promise<void> {
    const result = await this.#write(() =>
      this.#statement('INSERT INTO requisitions (id, created_at, doc) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING').run(
        requisition.id,
        requisition.createdAt,
        JSON.stringify(requisition),
      ),
    )
    if (Number(result.changes) === 0) throw new Error(`requisition ${requisition.id} already exists`)
  }

  async getRequisition(id: string): Promise<Requisition | undefined> {
    return parseDocument<Requisition>(this.#statement('SELECT doc FROM requisitions WHERE id = ?').get(id))
  }

  async listRequisitions(query: { limit: number; cursor?: string }): Promise<Page<Requisition>> {
    return this.#page<Requisition>('requisitions', [], [], query.limit, query.cursor)
  }

  async createCandidate(candidate: Candidate): Promise<{ candidate: Candidate; created: boolean }> {
    const doc = JSON.stringify(candidate)
    const result = await this.#write(() =>
      this.#statement(
        `INSERT INTO candidates (id, source, source_item_id, requisition_id, status, created_at, doc)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      ).run(candidate.id, candidate.source, candidate.sourceItemId, candidate.requisitionId, candidate.status, candidate.createdAt, doc),
    )
    if (Number(result.changes) === 1) return { candidate: JSON.parse(doc) as Candidate, created: true }
    const existing = await this.getCandidate(candidate.id)
    // Only an erasure that deletes rows could get here; it is not a duplicate then, it is a conflict.
    if (existing === undefined) throw new Error(`candidate ${candidate.id} vanished during create`)
    return { candidate: existing, created: false }
  }

  async getCandidate(id: string): Promise<Candidate | undefined> {
    return parseDocument<Candidate>(this.#statement('SELECT doc FROM candidates WHERE id = ?').get(id))
  }

  async listCandidates(query: CandidateQuery): Promise<Page<Candidate>> {
    const conditions: string[] = []
    const parameters: string[] = []
    if (query.status !== undefined) {
      conditions.push('status = ?')
      parameters.push(query.status)
    }
    if (query.requisitionId !== undefined) {
      conditions.push('requisition_id = ?')
      parameters.push(query.requisitionId)
    }
    return this.#page<Candidate>('candidates', conditions, parameters, query.limit, query.cursor)
  }

  async #page<T extends Keyset>(
    table: 'candidates' | 'requisitions',
    conditions: string[],
    parameters: string[],
    limit: number,
    cursor: string | undefined,
  ): Promise<Page<T>> {
    checkPageLimit(limit)
    const where = [...conditions]
    const values: (string | number)[] = [...parameters]
    if (cursor !== undefined) {
      const after = positionOf(cursor)
      // Row-value comparison is what lets SQLite seek in the (…, created_at, id) index.
      where.push('(created_at, id) < (?, ?)')
      values.push(after.createdAt, after.id)
    }
    // One row past the page tells whether there is a next page without a second query.
    values.push(limit + 1)
    const sql = `SELECT doc FROM ${table}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT ?`
    const rows = this.#statement(sql).all(...values)
    const items = rows.slice(0, limit).map((row) => parseDocument<T>(row)!)
    const last = items.at(-1)
    return { items, nextCursor: rows.length > limit && last !== undefined ? positionCursor(last) : null }
  }

  async findBySourceItem(source: Candidate['source'], sourceItemId: string): Promise<Candidate[]> {
    const rows = this.#statement('SELECT doc FROM candidates WHERE source = ? AND source_item_id = ? ORDER BY created_at, id').all(
      source,
      sourceItemId,
    )
    return rows.map((row) => parseDocument<Candidate>(row)!)
  }

  async transition(id: string, request: TransitionRequest): Promise<Candidate | undefined> {
    if (request.from.length === 0) return undefined
    const at = request.at ?? new Date().toISOString()
    const entries = historyEntries(request, at, null)
    const patch: CandidatePatch = request.set ?? {}
    // Field names are interpolated into JSON paths: they come from the domain's list, never from the patch.
    const fields = CANDIDATE_PATCH_FIELDS.filter((field) => patch[field] !== undefined)

    // The first history entry's `from` is the status the row had when the
    // UPDATE matched, read inside the same statement, so a concurrent writer
    // cannot make it lie. json_set applies its paths in order, so each
    // `[#]` appends after the one before.
    const sql = `UPDATE candidates
      SET status = ?,
          doc = json_set(doc,
            '$.history[#]', json_set(json(?), '$.from', status),${entries
              .slice(1)
              .map(() => `\n            '$.history[#]', json(?),`)
              .join('')}
            '$.status', ?,
            '$.updatedAt', ?${fields.map((field) => `,\n            '$.${field}', json(?)`).join('')})
      WHERE id = ? AND status IN (${request.from.map(() => '?').join(', ')})
      RETURNING doc`
    const row = await this.#write(() =>
      this.#statement(sql).get(
        request.to,
        ...entries.map((entry) => JSON.stringify(entry)),
        request.to,
        at,
        ...fields.map((field) => JSON.stringify(patch[field])),
        id,
        ...request.from,
      ),
    )
    return parseDocument<Candidate>(row)
  }

  async getSourceState(source: string): Promise<SourceState | undefined> {
    return parseDocument<SourceState>(this.#statement('SELECT doc FROM source_state WHERE source = ?').get(source))
  }

  async putSourceState(state: SourceState, expectedVersion: number): Promise<SourceState | undefined> {
    const written: SourceState = { ...state, version: expectedVersion + 1, updatedAt: new Date().toISOString() }
    const doc = JSON.stringify(written)
    // One statement either way: insert only where none exists, update only the version that was read.
    const result = await this.#write(() =>
      expectedVersion === 0
        ? this.#statement('INSERT INTO source_state (source, version, doc) VALUES (?, ?, ?) ON CONFLICT (source) DO NOTHING').run(
            state.source,
            written.version,
            doc,
          )
        : this.#statement('UPDATE source_state SET version = ?, doc = ? WHERE source = ? AND version = ?').run(
            written.version,
            doc,
            state.source,
            expectedVersion,
          ),
    )
    return Number(result.changes) === 1 ? written : undefined
  }

  async ping(): Promise<void> {
    try {
      await this.#write(() =>
        this.#statement('INSERT INTO health_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at').run(
          new Date().toISOString(),
        ),
      )
    } catch (error) {
      throw new DependencyUnavailableError('SQLite candidate store', error)
    }
  }

  async close(): Promise<void> {
    // Writes already accepted are committed first.
    if (this.#db.isOpen) this.#flush()
    if (this.#db.isOpen) this.#db.close()
  }
}
