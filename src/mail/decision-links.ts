// Decision links: the URLs in HR's email that open a page where HR confirms one
// outcome for one candidate. The token in the URL is the capability: it names
// the candidate, the outcome, when it expires and a random link id, signed
// with HMAC-SHA256 under DECISION_LINK_SECRET. Nothing about it is stored when
// the email goes out; the link id is kept with the decision recorded through it,
// which is how a link records once only.
//
// Format (version 1): `1.<payload>.<signature>`, both base64url. The payload is
// 37 bytes: the outcome (1 byte, OUTCOME_CODES), the expiry (4 bytes, Unix
// seconds, big-endian), the link id (16 random bytes) and the candidate id (the
// 16 bytes of its 32 hex digits). The signature is the whole HMAC-SHA256 of
// "hireflow decision link\n1.<payload>", so neither the version nor the payload
// can be swapped. Every token is 96 characters: Fastify refuses a path
// parameter over 100 (maxParamLength), and a short link survives plain-text
// mail. A later format gets a new leading version; an unknown version is
// refused as malformed.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { HrDecisionOutcome } from '../domain/candidate.ts'

const VERSION = '1'
const CONTEXT = 'hireflow decision link\n'
/** Fixed for version 1: a token's outcome byte indexes this list, so it only ever grows at the end. */
const OUTCOME_CODES = ['advance', 'hold', 'reject', 'hired'] as const satisfies readonly HrDecisionOutcome[]
const PAYLOAD_BYTES = 1 + 4 + 16 + 16
const SIGNATURE_BYTES = 32
const TOKEN = /^([^.]*)\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]*)$/
// Every candidate id hireflow makes (candidateIdFor) is 32 hex digits.
const CANDIDATE_ID = /^[0-9a-f]{32}$/
const LINK_ID = /^[A-Za-z0-9_-]{22}$/
/** No token we sign comes near this; a longer one is refused before any work is done on it. */
const MAX_TOKEN_LENGTH = 512

export interface DecisionLinkClaims {
  candidateId: string
  outcome: HrDecisionOutcome
  expiresAt: Date
  /** Random per link (22 base64url characters): a decision recorded through the link keeps it, so the link cannot record again. */
  linkId: string
}

export type DecisionLinkProblem = 'malformed' | 'bad-signature' | 'expired'

export type DecisionLinkCheck = { ok: true; claims: DecisionLinkClaims } | { ok: false; problem: DecisionLinkProblem; message: string }

/** The outcomes HR's recommendation email offers: `hired` comes later in a hiring process than the first look. */
export const EMAILED_OUTCOMES = ['advance', 'hold', 'reject'] as const satisfies readonly HrDecisionOutcome[]

/** Whether a candidate id can be named in a link (every id hireflow makes can). */
export function linkableCandidateId(candidateId: string): boolean {
  return CANDIDATE_ID.test(candidateId)
}

function sign(secret: string, signed: string): Buffer {
  return createHmac('sha256', secret).update(CONTEXT).update(signed).digest()
}

export function signDecisionToken(
  secret: string,
  claims: { candidateId: string; outcome: HrDecisionOutcome; expiresAt: Date; linkId?: string },
): string {
  if (!linkableCandidateId(claims.candidateId)) throw new Error(`candidate id ${JSON.stringify(claims.candidateId)} cannot go in a link`)
  const seconds = Math.floor(claims.expiresAt.getTime() / 1000)
  if (!(seconds >= 0 && seconds <= 0xffffffff)) throw new Error('a link needs a valid expiry (before 2106)')
  const linkId = claims.linkId ?? randomBytes(16).toString('base64url')
  if (!LINK_ID.test(linkId)) throw new Error('a link id is 22 base64url characters')
  const payload = Buffer.alloc(PAYLOAD_BYTES)
  payload.writeUInt8(OUTCOME_CODES.indexOf(claims.outcome), 0)
  payload.writeUInt32BE(seconds, 1)
  Buffer.from(linkId, 'base64url').copy(payload, 5)
  Buffer.from(claims.candidateId, 'hex').copy(payload, 21)
  const signed = `${VERSION}.${payload.toString('base64url')}`
  return `${signed}.${sign(secret, signed).toString('base64url')}`
}

/**
 * Checks a token: its shape, then its signature (in constant time, before the
 * payload is read), then its expiry against `now`.
 */
export function verifyDecisionToken(secret: string, token: string, now: Date = new Date()): DecisionLinkCheck {
  const malformed = (message: string): DecisionLinkCheck => ({ ok: false, problem: 'malformed', message })
  if (token.length > MAX_TOKEN_LENGTH) return malformed('the link is longer than any link hireflow sends')
  const parts = TOKEN.exec(token)
  if (!parts) return malformed('the link is incomplete: a mail client may have cut it')
  const [, version, payloadText, signatureText] = parts as unknown as [string, string, string, string]
  if (version !== VERSION) return malformed(`the link has an unknown format (version ${JSON.stringify(version.slice(0, 8))})`)

  const given = Buffer.from(signatureText, 'base64url')
  const expected = sign(secret, `${version}.${payloadText}`)
  // The length is no secret; timingSafeEqual needs equal lengths. Only the one spelling of the signature is
  // accepted: base64url's last character has spare bits, which a decoder ignores.
  if (given.length !== SIGNATURE_BYTES || given.toString('base64url') !== signatureText || !timingSafeEqual(given, expected)) {
    return { ok: false, problem: 'bad-signature', message: 'the link was changed, or was signed with a secret this server no longer uses' }
  }

  const payload = Buffer.from(payloadText, 'base64url')
  const outcome = OUTCOME_CODES[payload[0] ?? -1]
  if (payload.length !== PAYLOAD_BYTES || !outcome) return malformed('the link is signed but does not hold what a version 1 link holds')
  const expiresAt = new Date(payload.readUInt32BE(1) * 1000)
  const claims = {
    candidateId: payload.subarray(21).toString('hex'),
    outcome,
    expiresAt,
    linkId: payload.subarray(5, 21).toString('base64url'),
  }
  if (now.getTime() >= expiresAt.getTime())
    return { ok: false, problem: 'expired', message: `the link expired at ${expiresAt.toISOString()}` }
  return { ok: true, claims }
}

/** `<publicUrl>/decide/<token>`: the token is base64url and dots, safe in a path as it is. */
export function decisionLinkUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/decide/${token}`
}
