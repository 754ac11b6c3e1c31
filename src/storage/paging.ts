// Keyset paging shared by the candidate stores: one page-size rule and one
// cursor envelope. What a cursor holds is each store's own (a row position in
// SQLite, an index key in DynamoDB), so each store checks the decoded shape.
import { InvalidCursorError } from '../ports/candidate-store.ts'

export const MAX_PAGE_SIZE = 1_000

export function checkPageLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new RangeError(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${limit}`)
  }
}

/** An opaque, URL-safe cursor holding `position`. */
export function encodeCursor(position: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url')
}

/**
 * The object a cursor from encodeCursor holds. Anything else (not base64url
 * JSON, or JSON that is not an object) is an InvalidCursorError, which the
 * routes answer with 400.
 */
export function decodeCursor(cursor: string): Record<string, unknown> {
  let decoded: unknown
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch (error) {
    throw new InvalidCursorError('cursor is not valid', { cause: error })
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) {
    throw new InvalidCursorError('cursor is not valid')
  }
  return decoded as Record<string, unknown>
}

/** True when `value` has exactly the keys `names`, each a non-empty string. */
export function hasExactStringFields(value: Record<string, unknown>, names: readonly string[]): boolean {
  const keys = Object.keys(value)
  return keys.length === names.length && names.every((name) => typeof value[name] === 'string' && value[name] !== '')
}
