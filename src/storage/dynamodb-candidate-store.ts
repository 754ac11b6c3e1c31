// The production candidate store: one DynamoDB table holding candidates and
// requisitions (single-table design). Every write is a single-item conditional
// write; nothing here needs TransactWriteItems, which dynalite lacks and which
// at-least-once jobs do not need when each step is keyed by a stable id.
//
// Item layout: the domain object's own fields are top-level attributes (so an
// UpdateExpression can set one of them), plus these storage attributes, which
// are stripped again on read:
//   pk              CANDIDATE#<id> | REQUISITION#<id>      table hash key
//   kind            candidate | requisition                 byKind hash
//   createdKey      <createdAt>#<id>                        range key of every index
//   sourceKey       <source>#<sourceItemId>  (candidates)   bySourceItem hash
//   requisitionKey  <requisitionId>, absent when none       byRequisition hash (sparse)
// A candidate's `status` is both a domain field and the byStatus hash key, so a
// transition moves the item between byStatus partitions with no extra write.
import {
  CreateTableCommand,
  DescribeTableCommand,
  waitUntilTableExists,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb'
import { CANDIDATE_PATCH_FIELDS, type Candidate, type CandidatePatch, type CandidateStatus } from '../domain/candidate.ts'
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

// A status + requisition listing filters the requisition's partition; these
// bound how much one request reads before it returns a short page.
const FILTERED_BATCH = 100
const MAX_QUERY_ROUNDS = 10
// Each retry means another writer moved the candidate meanwhile; this many in a
// row is not contention any pipeline produces, so it is reported, not looped on.
const MAX_TRANSITION_ATTEMPTS = 5

type IndexName = 'bySourceItem' | 'byStatus' | 'byRequisition' | 'byKind'
const INDEX_HASH_KEYS: Record<IndexName, string> = {
  bySourceItem: 'sourceKey',
  byStatus: 'status',
  byRequisition: 'requisitionKey',
  byKind: 'kind',
}
const STORAGE_ATTRIBUTES = ['pk', 'kind', 'createdKey', 'sourceKey', 'requisitionKey'] as const

type Item = Record<string, unknown>
type Key = Record<string, string>

const candidatePk = (id: string) => `CANDIDATE#${id}`
const requisitionPk = (id: string) => `REQUISITION#${id}`
const sourceStatePk = (source: string) => `SOURCE#${source}`
const createdKeyOf = (record: { createdAt: string; id: string }) => `${record.createdAt}#${record.id}`

export function candidateTableDefinition(tableName: string): CreateTableCommandInput {
  const index = (name: IndexName) => ({
    IndexName: name,
    KeySchema: [
      { AttributeName: INDEX_HASH_KEYS[name], KeyType: 'HASH' as const },
      { AttributeName: 'createdKey', KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  })
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: ['pk', 'createdKey', ...Object.values(INDEX_HASH_KEYS)].map((name) => ({
      AttributeName: name,
      AttributeType: 'S' as const,
    })),
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: (Object.keys(INDEX_HASH_KEYS) as IndexName[]).map(index),
  }
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined
}

async function describeTable(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return undefined
    throw error
  }
}

/**
 * Creates the table when it is missing and waits until it is ACTIVE. An
 * existing table is checked, never altered: a missing index is an operator's
 * decision (adding a GSI to a large table takes time and capacity).
 */
export async function ensureCandidateTable(client: DynamoDBClient, tableName: string): Promise<void> {
  if ((await describeTable(client, tableName)) === undefined) {
    try {
      await client.send(new CreateTableCommand(candidateTableDefinition(tableName)))
    } catch (error) {
      // Another process created it between our describe and create.
      if (errorName(error) !== 'ResourceInUseException') throw error
    }
  }
  await waitUntilTableExists({ client, maxWaitTime: 300, minDelay: 1, maxDelay: 5 }, { TableName: tableName })
  const table = await describeTable(client, tableName)
  const hashKey = table?.KeySchema?.find((key) => key.KeyType === 'HASH')?.AttributeName
  if (hashKey !== 'pk' || table?.KeySchema?.length !== 1) {
    throw new Error(`DynamoDB table ${tableName} exists with a different key schema (expected hash key "pk" only)`)
  }
  const present = new Set((table.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName))
  const missing = (Object.keys(INDEX_HASH_KEYS) as IndexName[]).filter((name) => !present.has(name))
  if (missing.length > 0) {
    throw new Error(`DynamoDB table ${tableName} lacks the global secondary index(es) ${missing.join(', ')}`)
  }
}

interface IndexQuery {
  index: IndexName
  hashValue: string
  status?: CandidateStatus
}

function keyNames(index: IndexName): string[] {
  return ['pk', INDEX_HASH_KEYS[index], 'createdKey']
}

// The cursor names its index and partition so that a cursor from one listing
// handed to another is refused here (400) instead of failing inside DynamoDB.
function keyCursor(index: IndexName, key: Key): string {
  return encodeCursor({ i: index, k: key })
}

function startKeyOf(cursor: string, query: IndexQuery): Key {
  const { i, k } = decodeCursor(cursor)
  if (i !== query.index || typeof k !== 'object' || k === null || Array.isArray(k)) {
    throw new InvalidCursorError('cursor is not valid for this listing')
  }
  const key = k as Record<string, unknown>
  if (!hasExactStringFields(key, keyNames(query.index)) || key[INDEX_HASH_KEYS[query.index]] !== query.hashValue) {
    throw new InvalidCursorError('cursor is not valid for this listing')
  }
  return key as Key
}

function keyOf(index: IndexName, item: Item): Key {
  return Object.fromEntries(keyNames(index).map((name) => [name, item[name] as string]))
}

function withoutStorageAttributes<T>(item: Item): T {
  const record = { ...item }
  for (const name of STORAGE_ATTRIBUTES) delete record[name]
  return record as T
}

function candidateItem(candidate: Candidate): Item {
  return {
    ...candidate,
    pk: candidatePk(candidate.id),
    kind: 'candidate',
    createdKey: createdKeyOf(candidate),
    sourceKey: `${candidate.source}#${candidate.sourceItemId}`,
    ...(candidate.requisitionId === null ? {} : { requisitionKey: candidate.requisitionId }),
  }
}

export class DynamoDbCandidateStore implements CandidateStore {
  readonly #documents: DynamoDBDocumentClient
  readonly #tableName: string

  /** `client` stays the caller's: it may be shared, so the caller destroys it. */
  constructor(client: DynamoDBClient, tableName: string) {
    this.#tableName = tableName
    this.#documents = DynamoDBDocumentClient.from(client, {
      // Domain nulls are stored as NULL and come back as null, so a record
      // round-trips unchanged; undefined (an absent optional) is dropped.
      marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
    })
  }

  async createRequisition(requisition: Requisition): Promise<void> {
    try {
      await this.#documents.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            ...requisition,
            pk: requisitionPk(requisition.id),
            kind: 'requisition',
            createdKey: createdKeyOf(requisition),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      )
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') {
        throw new Error(`requisition ${requisition.id} already exists`, { cause: error })
      }
      throw error
    }
  }

  async getRequisition(id: string): Promise<Requisition | undefined> {
    const item = await this.#get(requisitionPk(id))
    return item === undefined ? undefined : withoutStorageAttributes<Requisition>(item)
  }

  async listRequisitions(query: { limit: number; cursor?: string }): Promise<Page<Requisition>> {
    const page = await this.#queryPage({ index: 'byKind', hashValue: 'requisition' }, query.limit, query.cursor)
    return { items: page.items.map((item) => withoutStorageAttributes<Requisition>(item)), nextCursor: page.nextCursor }
  }

  async createCandidate(candidate: Candidate): Promise<{ candidate: Candidate; created: boolean }> {
    const item = candidateItem(candidate)
    try {
      await this.#documents.send(
        new PutCommand({ TableName: this.#tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
      )
      // A copy, so that the caller mutating its object cannot alter what we return.
      return { candidate: withoutStorageAttributes<Candidate>(structuredClone(item)), created: true }
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') throw error
    }
    const existing = await this.getCandidate(candidate.id)
    // Only an erasure that deletes items could get here; that is a conflict, not a duplicate.
    if (existing === undefined) throw new Error(`candidate ${candidate.id} vanished during create`)
    return { candidate: existing, created: false }
  }

  async getCandidate(id: string): Promise<Candidate | undefined> {
    const item = await this.#get(candidatePk(id))
    return item === undefined ? undefined : withoutStorageAttributes<Candidate>(item)
  }

  async listCandidates(query: CandidateQuery): Promise<Page<Candidate>> {
    // Filters combine: a requisition's partition is small next to a status
    // partition, so with both, the requisition is the key and status a filter.
    const indexQuery: IndexQuery =
      query.requisitionId !== undefined
        ? { index: 'byRequisition', hashValue: query.requisitionId, ...(query.status ? { status: query.status } : {}) }
        : query.status !== undefined
          ? { index: 'byStatus', hashValue: query.status }
          : { index: 'byKind', hashValue: 'candidate' }
    const page = await this.#queryPage(indexQuery, query.limit, query.cursor)
    return { items: page.items.map((item) => withoutStorageAttributes<Candidate>(item)), nextCursor: page.nextCursor }
  }

  async findBySourceItem(source: Candidate['source'], sourceItemId: string): Promise<Candidate[]> {
    const candidates: Candidate[] = []
    let startKey: Key | undefined
    do {
      const result = await this.#documents.send(
        new QueryCommand({
          TableName: this.#tableName,
          IndexName: 'bySourceItem',
          KeyConditionExpression: '#h = :h',
          ExpressionAttributeNames: { '#h': 'sourceKey' },
          ExpressionAttributeValues: { ':h': `${source}#${sourceItemId}` },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      )
      for (const item of result.Items ?? []) candidates.push(withoutStorageAttributes<Candidate>(item))
      startKey = result.LastEvaluatedKey as Key | undefined
    } while (startKey !== undefined)
    return candidates
  }

  async transition(id: string, request: TransitionRequest): Promise<Candidate | undefined> {
    if (request.from.length === 0) return undefined
    // The history entry must name the status actually left. An UpdateExpression
    // cannot copy an attribute into a new list element, so with one `from` the
    // write is blind; with several, the current status is read and then
    // required exactly, and a lost race re-reads.
    if (request.from.length === 1) return this.#transitionFrom(id, request.from[0]!, request)
    for (let attempt = 0; attempt < MAX_TRANSITION_ATTEMPTS; attempt++) {
      const current = await this.#get(candidatePk(id), 'status')
      const status = current?.status as CandidateStatus | undefined
      if (status === undefined || !request.from.includes(status)) return undefined
      const updated = await this.#transitionFrom(id, status, request)
      if (updated !== undefined) return updated
    }
    throw new Error(`candidate ${id} changed status ${MAX_TRANSITION_ATTEMPTS} times while a transition to ${request.to} was attempted`)
  }

  async #transitionFrom(id: string, from: CandidateStatus, request: TransitionRequest): Promise<Candidate | undefined> {
    const at = request.at ?? new Date().toISOString()
    const entries = historyEntries(request, at, from)
    const patch: CandidatePatch = request.set ?? {}
    const names: Record<string, string> = { '#status': 'status', '#updatedAt': 'updatedAt', '#history': 'history' }
    const values: Record<string, unknown> = { ':from': from, ':to': request.to, ':at': at, ':entry': entries }
    const assignments = ['#status = :to', '#updatedAt = :at', '#history = list_append(#history, :entry)']
    for (const field of CANDIDATE_PATCH_FIELDS) {
      if (patch[field] === undefined) continue
      names[`#${field}`] = field
      values[`:${field}`] = patch[field]
      assignments.push(`#${field} = :${field}`)
    }
    try {
      const result = await this.#documents.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: candidatePk(id) },
          UpdateExpression: `SET ${assignments.join(', ')}`,
          // Also false for an unknown id, so the update never creates an item.
          ConditionExpression: '#status = :from',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      )
      return withoutStorageAttributes<Candidate>(result.Attributes as Item)
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return undefined
      throw error
    }
  }

  /** Pages an index newest first, reading one item past the page to know whether another follows. */
  async #queryPage(query: IndexQuery, limit: number, cursor: string | undefined): Promise<Page<Item>> {
    checkPageLimit(limit)
    let startKey: Key | undefined = cursor === undefined ? undefined : startKeyOf(cursor, query)
    const items: Item[] = []
    const filtered = query.status !== undefined
    for (let round = 0; round < MAX_QUERY_ROUNDS; round++) {
      const wanted = limit + 1 - items.length
      const input: QueryCommandInput = {
        TableName: this.#tableName,
        IndexName: query.index,
        KeyConditionExpression: '#h = :h',
        ExpressionAttributeNames: { '#h': INDEX_HASH_KEYS[query.index] },
        ExpressionAttributeValues: { ':h': query.hashValue },
        ScanIndexForward: false,
        // Limit counts items read before the filter, so a filtered query reads
        // in larger batches and the page is cut at `limit` matches below.
        Limit: filtered ? Math.max(wanted, FILTERED_BATCH) : wanted,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }
      if (filtered) {
        input.FilterExpression = '#status = :status'
        input.ExpressionAttributeNames!['#status'] = 'status'
        input.ExpressionAttributeValues![':status'] = query.status
      }
      const result = await this.#documents.send(new QueryCommand(input))
      items.push(...(result.Items ?? []))
      if (items.length > limit) {
        const page = items.slice(0, limit)
        return { items: page, nextCursor: keyCursor(query.index, keyOf(query.index, page.at(-1)!)) }
      }
      startKey = result.LastEvaluatedKey as Key | undefined
      if (startKey === undefined) return { items, nextCursor: null }
    }
    // Read budget spent on a sparse filter: a short (possibly empty) page
    // whose cursor resumes where reading stopped.
    return { items, nextCursor: keyCursor(query.index, startKey!) }
  }

  async #get(pk: string, projection?: string): Promise<Item | undefined> {
    const result = await this.#documents.send(
      new GetCommand({
        TableName: this.#tableName,
        Key: { pk },
        // Strongly consistent: a job reads back what the previous step wrote.
        ConsistentRead: true,
        ...(projection ? { ProjectionExpression: '#p', ExpressionAttributeNames: { '#p': projection } } : {}),
      }),
    )
    return result.Item
  }

  async getSourceState(source: string): Promise<SourceState | undefined> {
    const item = await this.#get(sourceStatePk(source))
    return item === undefined ? undefined : withoutStorageAttributes<SourceState>(item)
  }

  async putSourceState(state: SourceState, expectedVersion: number): Promise<SourceState | undefined> {
    const written: SourceState = { ...state, version: expectedVersion + 1, updatedAt: new Date().toISOString() }
    try {
      await this.#documents.send(
        new PutCommand({
          TableName: this.#tableName,
          // No `kind`: source state stays out of every index.
          Item: { ...written, pk: sourceStatePk(state.source) },
          ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : '#version = :expected',
          ...(expectedVersion === 0
            ? {}
            : { ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': expectedVersion } }),
        }),
      )
      return written
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return undefined
      throw error
    }
  }

  async ping(): Promise<void> {
    // A data-plane read of a key that never exists: cheaper and less
    // rate-limited than DescribeTable, and it proves read permission too.
    try {
      await this.#documents.send(
        new GetCommand({
          TableName: this.#tableName,
          Key: { pk: 'HEALTH#ping' },
          ProjectionExpression: 'pk',
        }),
      )
    } catch (error) {
      throw new DependencyUnavailableError('DynamoDB candidate store', error)
    }
  }

  // Nothing of its own to release: the only resource is the caller's client.
  async close(): Promise<void> {}
}
