// The ids hireflow gives mails and the cursor it keeps for a folder.
//
// An IMAP UID is only valid with its folder's UIDVALIDITY, which a server may
// change at any time (a restored or rebuilt mailbox), and a mail moved to
// another folder gets a new one. Candidates are keyed by the item id, so the
// id of a mail is its Message-ID, which stays the same through both; only a
// mail without a usable Message-ID falls back to `uid:<uidvalidity>:<uid>`.

/** Longest Message-ID taken as an id; anything longer is more likely junk than a real one. */
const MAX_MESSAGE_ID_LENGTH = 250
const MESSAGE_ID = /^<[^<>\s]+>$/
const UID_ID = /^uid:(\d{1,20}):(\d{1,10})$/

/** A Message-ID as it can serve as an item id, or null. */
export function usableMessageId(value: string | null | undefined): string | null {
  const trimmed = value?.trim()
  return trimmed && trimmed.length <= MAX_MESSAGE_ID_LENGTH && MESSAGE_ID.test(trimmed) ? trimmed : null
}

export function itemIdFor(messageId: string | null | undefined, uidValidity: bigint | string, uid: number): string {
  return usableMessageId(messageId) ?? `uid:${uidValidity}:${uid}`
}

export type ItemRef = { kind: 'message-id'; messageId: string } | { kind: 'uid'; uidValidity: string; uid: number }

export function parseItemId(itemId: string): ItemRef | null {
  const messageId = usableMessageId(itemId)
  if (messageId === itemId) return { kind: 'message-id', messageId }
  const uid = UID_ID.exec(itemId)
  return uid ? { kind: 'uid', uidValidity: uid[1]!, uid: Number(uid[2]) } : null
}

/** Where the next sync starts: the folder's UIDVALIDITY and the highest UID already listed. */
export interface SyncCursor {
  uidValidity: string
  lastUid: number
}

export function formatCursor(cursor: SyncCursor): string {
  return `${cursor.uidValidity}:${cursor.lastUid}`
}

/** A stored cursor, or null when there is none or it is not one of ours (then the sync starts from the look-back time). */
export function parseCursor(value: string | null): SyncCursor | null {
  const match = value ? /^(\d{1,20}):(\d{1,10})$/.exec(value) : null
  return match ? { uidValidity: match[1]!, lastUid: Number(match[2]) } : null
}

/**
 * What is left of a listing: the UIDs `from` to `to` of one UIDVALIDITY,
 * and when it lists by date, the earliest INTERNALDATE (epoch ms). `to` is
 * the highest UID when the listing began, so mail arriving meanwhile is
 * left to the next run instead of being skipped by the cursor.
 */
export interface ListingRange {
  uidValidity: string
  from: number
  to: number
  since: number | null
  resynced: boolean
}

export function formatPageToken(range: ListingRange): string {
  return [range.uidValidity, range.from, range.to, range.since ?? '-', range.resynced ? 1 : 0].join(':')
}

export function parsePageToken(token: string | null): ListingRange | null {
  const match = token ? /^(\d{1,20}):(\d{1,10}):(\d{1,10}):(\d{1,15}|-):([01])$/.exec(token) : null
  if (!match) return null
  return {
    uidValidity: match[1]!,
    from: Number(match[2]),
    to: Number(match[3]),
    since: match[4] === '-' ? null : Number(match[4]),
    resynced: match[5] === '1',
  }
}
