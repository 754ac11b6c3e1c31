// The HMAC-SHA256 check every task manager's deliveries share (ClickUp
// X-Signature, Asana X-Hook-Signature, Jira X-Hub-Signature: each a hex
// digest of the raw body under the webhook's secret). Every secret is tried,
// each compared in constant time, so the time taken says nothing about which
// one matched or how much of a digest did.
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto'

const HEX_SHA256 = /^[0-9a-f]{64}$/i
// Secrets are few and long-lived: their key objects are made once, not per delivery.
const keys = new Map<string, KeyObject>()
const MAX_KEYS = 64

function keyFor(secret: string): KeyObject {
  let key = keys.get(secret)
  if (!key) {
    if (keys.size >= MAX_KEYS) keys.clear()
    key = createSecretKey(Buffer.from(secret, 'utf8'))
    keys.set(secret, key)
  }
  return key
}

/** Whether `hexDigest` is the HMAC-SHA256 of `rawBody` under any of `secrets`. */
export function signedByAny(rawBody: Buffer, hexDigest: string, secrets: Iterable<string>): boolean {
  if (!HEX_SHA256.test(hexDigest)) return false
  const given = Buffer.from(hexDigest, 'hex')
  let matched = false
  for (const secret of secrets) {
    if (!secret) continue
    const expected = createHmac('sha256', keyFor(secret)).update(rawBody).digest()
    matched = timingSafeEqual(expected, given) || matched
  }
  return matched
}
