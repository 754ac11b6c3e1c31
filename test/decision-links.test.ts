// Deciding from the email: the signed token, the links in HR's email, the
// confirm page (GET shows, POST records once), and the whole flow in headless
// Chromium from the real .eml to the final-decision email.
import { launchChromium } from './support/chromium.ts'
import t from 'tap'
import { createHmac, randomBytes } from 'node:crypto'
import { simpleParser, type ParsedMail } from 'mailparser'
import type { Browser } from 'puppeteer-core'
import type { Candidate, HrDecision } from '../src/domain/candidate.ts'
import {
  decisionLinkUrl,
  signDecisionToken,
  verifyDecisionToken,
  type DecisionLinkCheck,
  type DecisionLinkClaims,
} from '../src/mail/decision-links.ts'
import { buildHrNotification, hrNotificationView, type HrNotificationInput } from '../src/mail/hr-notification.ts'
import { DirectoryTemplateSource, TemplateRenderer } from '../src/mail/templates.ts'
import { AUTH, freePort, injectUpload, startHireflow, until, type TestHireflow } from './support/harness.ts'
import { fakeApp } from './support/fake-app.ts'
import { outbox } from './support/mailbox-e2e.ts'
import { serve } from './support/recording-server.ts'
import { makeCorruptPdf, makePdfResume, sampleResumeLines } from './support/resumes.ts'

const SECRET = randomBytes(32).toString('hex')
const OTHER_SECRET = randomBytes(32).toString('hex')
const CANDIDATE_ID = 'c0ffee'.repeat(5) + 'ab'
const LINK_ID = 'AAAAAAAAAAAAAAAAAAAAAA'
const NOW = new Date('2025-06-01T12:00:00.000Z')
const IN_A_WEEK = new Date(NOW.getTime() + 7 * 24 * 3_600_000)

const tokenOf = (url: string) => url.slice(url.indexOf('/decide/') + '/decide/'.length)

function claimsOf(check: DecisionLinkCheck): DecisionLinkClaims | undefined {
  return check.ok ? check.claims : undefined
}

/**
 * A version 1 payload as src/mail/decision-links.ts documents it: outcome code,
 * expiry (Unix seconds), link id, candidate id.
 */
function payloadOf(fields: { outcomeCode: number; expiresAt: number; linkId: string; candidateId: string }): Buffer {
  const payload = Buffer.alloc(37)
  payload.writeUInt8(fields.outcomeCode, 0)
  payload.writeUInt32BE(fields.expiresAt, 1)
  Buffer.from(fields.linkId, 'base64url').copy(payload, 5)
  Buffer.from(fields.candidateId, 'hex').copy(payload, 21)
  return payload
}

/** The token with its payload bytes changed, its signature kept. */
function withPayload(token: string, change: (payload: Buffer) => void): string {
  const [version, payload, signature] = token.split('.') as [string, string, string]
  const bytes = Buffer.from(payload, 'base64url')
  change(bytes)
  return `${version}.${bytes.toString('base64url')}.${signature}`
}

/** One character of `part` (0 version, 1 payload, 2 signature) changed. */
function flipCharacter(token: string, part: number): string {
  const parts = token.split('.')
  const text = parts[part]!
  const at = Math.floor(text.length / 2)
  parts[part] = text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1)
  return parts.join('.')
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

t.test('the token', async (t) => {
  const token = signDecisionToken(SECRET, { candidateId: CANDIDATE_ID, outcome: 'hold', expiresAt: IN_A_WEEK, linkId: LINK_ID })
  t.match(token, /^1\.[A-Za-z0-9_-]{50}\.[A-Za-z0-9_-]{43}$/, 'version, payload and signature, URL-safe')
  t.equal(token.length, 96, 'within the 100 characters Fastify allows a path parameter')

  t.test('round trip', async (t) => {
    t.same(claimsOf(verifyDecisionToken(SECRET, token, NOW)), {
      candidateId: CANDIDATE_ID,
      outcome: 'hold',
      expiresAt: IN_A_WEEK,
      linkId: LINK_ID,
    })
    const fresh = signDecisionToken(SECRET, { candidateId: CANDIDATE_ID, outcome: 'hold', expiresAt: IN_A_WEEK })
    const again = signDecisionToken(SECRET, { candidateId: CANDIDATE_ID, outcome: 'hold', expiresAt: IN_A_WEEK })
    t.not(
      claimsOf(verifyDecisionToken(SECRET, fresh, NOW))?.linkId,
      claimsOf(verifyDecisionToken(SECRET, again, NOW))?.linkId,
      'a random link id per link',
    )
    for (const outcome of ['advance', 'reject', 'hired'] as const) {
      const other = signDecisionToken(SECRET, { candidateId: CANDIDATE_ID, outcome, expiresAt: IN_A_WEEK })
      t.equal(claimsOf(verifyDecisionToken(SECRET, other, NOW))?.outcome, outcome, `${outcome} is bound`)
    }
  })

  t.test('each part tampered with: refused as a bad signature', async (t) => {
    const cases: [string, string][] = [
      ['another candidate', withPayload(token, (p) => Buffer.from('deadbeef'.repeat(4), 'hex').copy(p, 21))],
      ['another outcome', withPayload(token, (p) => p.writeUInt8(3, 0))],
      ['a later expiry', withPayload(token, (p) => p.writeUInt32BE(p.readUInt32BE(1) + 3600, 1))],
      ['another link id', withPayload(token, (p) => Buffer.from('BBBBBBBBBBBBBBBBBBBBBB', 'base64url').copy(p, 5))],
      ['a payload character', flipCharacter(token, 1)],
      ['a signature character', flipCharacter(token, 2)],
      ['a shortened signature', token.slice(0, -4)],
      // 43 characters carry 256 bits: the last one has two spare bits, which a decoder would ignore.
      // The character for the same 6-bit value with its lowest (spare) bit flipped: still base64url, the same 256 bits.
      ['the spare bits of the signature', token.replace(/.$/, (c) => BASE64URL[BASE64URL.indexOf(c) ^ 1]!)],
      [
        'the signature of another token',
        `${token.split('.').slice(0, 2).join('.')}.${signDecisionToken(SECRET, { candidateId: CANDIDATE_ID, outcome: 'reject', expiresAt: IN_A_WEEK }).split('.')[2]}`,
      ],
    ]
    for (const [label, tampered] of cases) {
      const check = verifyDecisionToken(SECRET, tampered, NOW)
      t.equal(check.ok ? 'ok' : check.problem, 'bad-signature', label)
    }
    const wrongSecret = verifyDecisionToken(OTHER_SECRET, token, NOW)
    t.equal(wrongSecret.ok ? 'ok' : wrongSecret.problem, 'bad-signature', 'signed with another secret (a rotated DECISION_LINK_SECRET)')
  })

  t.test('malformed', async (t) => {
    const cases: [string, string][] = [
      ['empty', ''],
      ['two parts', token.split('.').slice(0, 2).join('.')],
      ['four parts', `${token}.x`],
      ['another version', `2${token.slice(1)}`],
      ['a version changed into one we never made', flipCharacter(token, 0)],
      ['characters outside base64url', token.replace(/\.([A-Za-z0-9_-])/, '.%')],
      ['far too long', `1.${'A'.repeat(600)}.${'A'.repeat(43)}`],
    ]
    for (const [label, bad] of cases) {
      const check = verifyDecisionToken(SECRET, bad, NOW)
      t.equal(check.ok ? 'ok' : check.problem, 'malformed', label)
    }
    // Signed as the format says, but naming nothing valid: only a holder of the secret could make one.
    const signed = (payload: Buffer) => {
      const encoded = payload.toString('base64url')
      const signature = createHmac('sha256', SECRET).update('hireflow decision link\n').update(`1.${encoded}`).digest('base64url')
      return `1.${encoded}.${signature}`
    }
    const documented = { outcomeCode: 1, expiresAt: IN_A_WEEK.getTime() / 1000, linkId: LINK_ID, candidateId: CANDIDATE_ID }
    t.same(
      claimsOf(verifyDecisionToken(SECRET, signed(payloadOf(documented)), NOW)),
      { candidateId: CANDIDATE_ID, outcome: 'hold', expiresAt: IN_A_WEEK, linkId: LINK_ID },
      'the format as documented',
    )
    t.equal(signed(payloadOf(documented)), token, 'and the very token signDecisionToken makes')
    for (const [label, payload] of [
      ['an outcome code no version 1 link has', payloadOf({ ...documented, outcomeCode: 4 })],
      ['a short payload', payloadOf(documented).subarray(0, 36)],
      ['a long payload', Buffer.concat([payloadOf(documented), Buffer.from([0])])],
      ['an empty payload', Buffer.alloc(0)],
    ] as const) {
      const check = verifyDecisionToken(SECRET, signed(payload), NOW)
      t.equal(check.ok ? 'ok' : check.problem, 'malformed', `signed, but ${label}`)
    }
  })

  t.test('expiry, with an injected clock', async (t) => {
    const justBefore = new Date(IN_A_WEEK.getTime() - 1000)
    t.ok(verifyDecisionToken(SECRET, token, justBefore).ok, 'valid a second before it expires')
    const at = verifyDecisionToken(SECRET, token, IN_A_WEEK)
    t.equal(at.ok ? 'ok' : at.problem, 'expired', 'expired at the expiry')
    const later = verifyDecisionToken(SECRET, token, new Date(IN_A_WEEK.getTime() + 3_600_000))
    t.equal(later.ok ? 'ok' : later.problem, 'expired', 'expired after it')
    t.match(later, { message: IN_A_WEEK.toISOString() }, 'the message says when it expired')
    const tamperedExpired = verifyDecisionToken(
      SECRET,
      withPayload(token, (p) => p.writeUInt32BE(1, 1)),
      NOW,
    )
    t.equal(tamperedExpired.ok ? 'ok' : tamperedExpired.problem, 'bad-signature', 'the signature is checked before the expiry')
  })

  t.test('signing refuses what cannot go in a link', async (t) => {
    t.throws(() => signDecisionToken(SECRET, { candidateId: 'a/b', outcome: 'hold', expiresAt: IN_A_WEEK }), /cannot go in a link/)
    t.throws(() => signDecisionToken(SECRET, { candidateId: CANDIDATE_ID, outcome: 'hold', expiresAt: new Date(NaN) }), /valid expiry/)
    t.throws(() => signDecisionToken(SECRET, { candidateId: CANDIDATE_ID, outcome: 'hold', expiresAt: IN_A_WEEK, linkId: 'x' }), /link id/)
  })
})

function emailCandidate(overrides: Partial<Candidate> = {}): Candidate {
  const sha = 'ab'.repeat(32)
  return {
    id: CANDIDATE_ID,
    source: 'upload',
    sourceItemId: `none/${sha}`,
    requisitionId: null,
    status: 'decided',
    resume: { filename: 'Jane Doe CV.pdf', mediaType: 'application/pdf', extension: 'pdf', size: 2048, sha256: sha, key: `resumes/${sha}` },
    profile: { name: 'Jane Doe', email: 'jane@example.com', phone: null, links: [], yearsOfExperience: 4 },
    score: { value: 60, skills: [] },
    decision: { outcome: 'review', reasons: ['no requisition'] },
    failure: null,
    notification: null,
    createdAt: NOW.toISOString(),
    updatedAt: NOW.toISOString(),
    history: [],
    ...overrides,
  }
}

const renderer = new TemplateRenderer(new DirectoryTemplateSource())

function emailInput(overrides: Partial<HrNotificationInput> = {}): HrNotificationInput {
  return {
    kind: 'decision',
    candidate: emailCandidate(),
    requisition: null,
    resume: { bytes: Buffer.from('%PDF-1.7\n%%EOF\n') },
    from: 'hiring-automation@example.com',
    to: ['hr@example.com'],
    replyTo: 'hiring@example.com',
    publicUrl: 'https://hireflow.example.test/',
    decisionLinks: { secret: SECRET, ttlHours: 48 },
    now: NOW,
    renderer,
    ...overrides,
  }
}

t.test('the links in HR email', async (t) => {
  t.test('one per outcome, valid for the TTL from when the email is built', async (t) => {
    const view = hrNotificationView(emailInput())
    const decide = view.decide!
    t.same(
      decide.links.map((link) => [link.outcome, link.label]),
      [
        ['advance', 'Advance'],
        ['hold', 'Hold'],
        ['reject', 'Reject'],
      ],
      'advance, hold and reject (hired is recorded later, through the API)',
    )
    const expiresAt = new Date(NOW.getTime() + 48 * 3_600_000)
    t.equal(decide.linksExpireAt, expiresAt.toISOString())
    const linkIds = new Set<string>()
    for (const link of decide.links) {
      t.ok(link.url.startsWith('https://hireflow.example.test/decide/'), `${link.outcome}: under PUBLIC_URL, one slash`)
      const claims = claimsOf(verifyDecisionToken(SECRET, link.url.split('/decide/')[1]!, NOW))
      t.match(claims, { candidateId: CANDIDATE_ID, outcome: link.outcome, expiresAt }, `${link.outcome}: the token names it`)
      linkIds.add(claims?.linkId ?? '')
    }
    t.equal(linkIds.size, 3, 'each link has an id of its own')

    const mail = await buildHrNotification(emailInput())
    for (const [format, body] of [
      ['text', mail.text],
      ['html', mail.html],
    ] as const) {
      const urls = body.match(/https:\/\/hireflow\.example\.test\/decide\/[A-Za-z0-9._-]+/g) ?? []
      t.same(
        urls.map((url) => claimsOf(verifyDecisionToken(SECRET, tokenOf(url), NOW))?.outcome),
        ['advance', 'hold', 'reject'],
        `${format}: three links that verify, one per outcome`,
      )
      t.match(body, 'records nothing by itself', `${format}: says opening a link decides nothing`)
      t.match(body, expiresAt.toISOString(), `${format}: says until when`)
    }
    t.match(mail.html, /<a href="https:\/\/hireflow\.example\.test\/decide\/[^"]+"[^>]*>Hold<\/a>/, 'html: the Hold link')
    t.match(mail.text, /Hold: https:\/\/hireflow\.example\.test\/decide\/\S+/, 'text: the Hold link')
  })

  t.test('without the secret or PUBLIC_URL: no links, and HR is told to use the API', async (t) => {
    for (const [label, input] of [
      ['no DECISION_LINK_SECRET', emailInput({ decisionLinks: undefined })],
      ['no PUBLIC_URL', emailInput({ publicUrl: undefined })],
    ] as const) {
      const view = hrNotificationView(input)
      t.same(view.decide?.links, [], `${label}: no links`)
      const mail = await buildHrNotification(input)
      for (const body of [mail.text, mail.html]) {
        t.notMatch(body, /\/decide\//, `${label}: nothing that looks like a link`)
        t.match(body, `POST /candidates/${CANDIDATE_ID}/decision`, `${label}: the API instead`)
        t.match(body, 'carries no decision links', `${label}: says so`)
      }
    }
  })

  t.test('the unreadable email carries them too; the final-decision email does not', async (t) => {
    const unreadable = emailInput({
      kind: 'unreadable',
      candidate: emailCandidate({
        status: 'failed',
        decision: null,
        score: null,
        profile: null,
        failure: { reason: 'unreadable_resume', step: 'parse', message: 'no text' },
      }),
    })
    t.equal(hrNotificationView(unreadable).decide?.links.length, 3, 'HR may decide on an unreadable resume it was sent')
    t.match((await buildHrNotification(unreadable)).text, /Reject: https:\/\/hireflow\.example\.test\/decide\//)
    const final = emailInput({
      kind: 'final-decision',
      candidate: emailCandidate({ hrDecision: { id: 'd1', outcome: 'hold', reason: 'r', decidedBy: 'Ada', at: NOW.toISOString() } }),
    })
    t.equal(hrNotificationView(final).decide, null)
    t.notMatch((await buildHrNotification(final)).html, /\/decide\//)
  })

  t.test('a hostile PUBLIC_URL is escaped in the links', async (t) => {
    const mail = await buildHrNotification(emailInput({ publicUrl: `https://hireflow.example.test/"><script>alert(1)</script>` }))
    t.notMatch(mail.html, /<script/, 'no markup from the URL')
    t.match(
      mail.html,
      /href="https:\/\/hireflow\.example\.test\/&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;\/decide\//,
      'escaped in href',
    )
  })
})

// ---------------------------------------------------------------------------------------------------------------------
// The page, through inject.

interface Page {
  status: number
  body: string
  headers: Record<string, unknown>
}

const decidePath = (token: string) => `/decide/${token}`
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' }

async function recordedCandidate(hireflow: TestHireflow, name: string, content?: Buffer): Promise<Candidate> {
  const upload = await injectUpload(hireflow.app!, {
    filename: `${name}.pdf`,
    content: content ?? (await makePdfResume(sampleResumeLines(name))),
    contentType: 'application/pdf',
  })
  if (upload.statusCode !== 202) throw new Error(`upload answered ${upload.statusCode}: ${upload.body}`)
  const { id } = upload.json()
  await hireflow.waitFor(id, ['notified', 'acknowledged', 'failed'])
  // An unreadable resume is failed before HR is emailed: wait for the email.
  return until(`HR emailed about ${name}`, async () => {
    const candidate = await hireflow.services.candidates.getCandidate(id)
    return candidate?.notification ? candidate : undefined
  })
}

async function mailsAbout(hireflow: TestHireflow, candidateId: string): Promise<ParsedMail[]> {
  const mails = await Promise.all((await outbox(hireflow)).map((raw) => simpleParser(raw)))
  return mails.filter((mail) => (mail.messageId ?? '').includes(candidateId))
}

const finalDecisionMails = async (hireflow: TestHireflow, candidateId: string) =>
  (await mailsAbout(hireflow, candidateId)).filter((mail) => (mail.subject ?? '').startsWith('HR decision:'))

/** The link for `label` in the HTML part of the email HR got about the candidate. */
async function linkFromEmail(hireflow: TestHireflow, candidateId: string, label: string): Promise<string> {
  const [mail] = (await mailsAbout(hireflow, candidateId)).filter((m) => !(m.subject ?? '').startsWith('HR decision:'))
  const html = String(mail?.html ?? '')
  const match = new RegExp(`<a href="([^"]+/decide/[^"]+)"[^>]*>${label}</a>`).exec(html)
  if (!match) throw new Error(`no ${label} link in the email about ${candidateId}`)
  return match[1]!
}

t.test('the confirm page', async (t) => {
  const publicUrl = 'https://hireflow.example.test'
  const hireflow = await startHireflow({ env: { DECISION_LINK_SECRET: SECRET, PUBLIC_URL: publicUrl } })
  t.teardown(() => hireflow.stop())
  const app = hireflow.app!
  const get = async (token: string, headers: Record<string, string> = {}): Promise<Page> => {
    const response = await app.inject({ method: 'GET', url: decidePath(token), headers })
    return { status: response.statusCode, body: response.body, headers: response.headers }
  }
  const post = async (token: string, payload: string, headers: Record<string, string> = FORM_HEADERS): Promise<Page> => {
    const response = await app.inject({ method: 'POST', url: decidePath(token), headers, payload })
    return { status: response.statusCode, body: response.body, headers: response.headers }
  }
  const read = async (id: string) => (await hireflow.services.candidates.getCandidate(id))!

  const grace = await recordedCandidate(hireflow, 'Grace Hopper')
  const holdLink = await linkFromEmail(hireflow, grace.id, 'Hold')
  t.ok(holdLink.startsWith(`${publicUrl}/decide/`), 'the email links to PUBLIC_URL/decide/...')
  const hold = tokenOf(holdLink)
  const holdClaims = claimsOf(verifyDecisionToken(SECRET, hold))!

  t.test('GET shows the form and changes nothing', async (t) => {
    const before = await read(grace.id)
    for (let i = 0; i < 3; i++) {
      const page = await get(hold)
      t.equal(page.status, 200)
      t.match(page.body, '<form method="post">', 'a form that posts back to the link')
      t.match(page.body, 'Grace Hopper', 'the candidate')
      t.match(page.body, /hireflow recommends/, "hireflow's recommendation")
      t.match(page.body, /id="outcome"><strong>Hold</, 'the outcome the link is for')
      t.match(page.body, /<textarea id="reason" name="reason"[^>]*required/, 'a required reason')
      t.match(page.body, /<input id="decidedBy" name="decidedBy"[^>]*required/, 'a required "decided by"')
      t.notMatch(page.body, /<script|src=|https?:\/\/(?!hireflow)/, 'no script, no external asset')
      const csp = String(page.headers['content-security-policy'])
      t.match(csp, /default-src 'none'/, 'a strict CSP')
      t.match(csp, /form-action 'self'/)
      t.match(csp, /frame-ancestors 'none'/)
      const nonce = /style-src 'nonce-([^']+)'/.exec(csp)?.[1]
      t.ok(nonce && page.body.includes(`<style nonce="${nonce}">`), 'the only style allowed is the page own, by nonce')
      t.equal(page.headers['referrer-policy'], 'no-referrer')
      t.equal(page.headers['cache-control'], 'no-store')
      t.match(page.headers['x-robots-tag'], /noindex/)
      t.match(page.headers['content-type'], /^text\/html; charset=utf-8/)
    }
    const after = await read(grace.id)
    t.same(after, before, 'opening the link three times changed nothing')
  })

  t.test('a missing reason or name: the form again with the message, nothing recorded', async (t) => {
    const before = await read(grace.id)
    const noReason = await post(hold, form({ reason: '   ', decidedBy: 'Ada from HR' }))
    t.equal(noReason.status, 400)
    t.match(noReason.body, /id="form-error"[^>]*>Write the reason/)
    t.match(noReason.body, 'value="Ada from HR"', 'what HR typed is kept')
    const noName = await post(hold, form({ reason: 'Line one\r\nLine two' }))
    t.equal(noName.status, 400)
    t.match(noName.body, /Say who decided/)
    t.match(noName.body, />Line one&#10;Line two<\/textarea>/, 'the reason is kept, its lines too')
    const tooLong = await post(hold, form({ reason: 'x'.repeat(2001), decidedBy: 'Ada' }))
    t.equal(tooLong.status, 400)
    t.match(tooLong.body, /longer than 2000 characters/)
    t.same(await read(grace.id), before, 'nothing changed')
  })

  t.test('only the page form is accepted, and only from this site', async (t) => {
    const before = await read(grace.id)
    const fields = form({ reason: 'Looks strong', decidedBy: 'Ada' })
    const json = await app.inject({
      method: 'POST',
      url: decidePath(hold),
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ reason: 'Looks strong', decidedBy: 'Ada' }),
    })
    t.equal(json.statusCode, 415, 'JSON is refused')
    t.match(json.headers['content-type'], /text\/html/, 'with a page')
    const big = await post(hold, form({ reason: 'x'.repeat(40_000), decidedBy: 'Ada' }))
    t.equal(big.status, 413, 'a large body is refused')
    const crossSite = await post(hold, fields, { ...FORM_HEADERS, 'sec-fetch-site': 'cross-site' })
    t.equal(crossSite.status, 403, 'Sec-Fetch-Site: cross-site is refused')
    t.match(crossSite.body, 'sent from another site')
    const otherOrigin = await post(hold, fields, { ...FORM_HEADERS, origin: 'https://evil.example' })
    t.equal(otherOrigin.status, 403, 'an Origin of another site is refused')
    t.match(otherOrigin.body, 'https://evil.example')
    t.same(await read(grace.id), before, 'nothing changed')
  })

  t.test('tampered, expired, malformed, unknown', async (t) => {
    const before = await read(grace.id)
    const tampered = await get(flipCharacter(hold, 2))
    t.equal(tampered.status, 403)
    t.match(tampered.body, 'This link is not valid')
    const otherOutcome = withPayload(hold, (p) => p.writeUInt8(3, 0))
    t.equal((await post(otherOutcome, form({ reason: 'x', decidedBy: 'y' }))).status, 403, 'a tampered link cannot record')
    const expired = signDecisionToken(SECRET, { candidateId: grace.id, outcome: 'hold', expiresAt: new Date(Date.now() - 60_000) })
    const expiredGet = await get(expired)
    t.equal(expiredGet.status, 410)
    t.match(expiredGet.body, 'This link has expired')
    t.equal((await post(expired, form({ reason: 'x', decidedBy: 'y' }))).status, 410, 'an expired link cannot record')
    const malformed = await get('not-a-token')
    t.equal(malformed.status, 400)
    t.match(malformed.body, 'This link is damaged')
    const rotated = signDecisionToken(OTHER_SECRET, { candidateId: grace.id, outcome: 'hold', expiresAt: IN_A_WEEK })
    t.equal((await get(rotated)).status, 403, 'a link signed with another secret')
    const unknown = signDecisionToken(SECRET, { candidateId: 'f'.repeat(32), outcome: 'hold', expiresAt: new Date(Date.now() + 60_000) })
    const unknownGet = await get(unknown)
    t.equal(unknownGet.status, 404)
    t.match(unknownGet.body, 'Candidate not found')
    t.equal((await post(unknown, form({ reason: 'x', decidedBy: 'y' }))).status, 404)
    t.same(await read(grace.id), before, 'nothing changed')
  })

  t.test('an unfinished candidate: 409 and nothing recorded', async (t) => {
    const unfinished = { ...grace, id: 'e'.repeat(32), sourceItemId: `unfinished/${grace.resume.sha256}`, status: 'parsed' as const }
    delete unfinished.hrDecision
    await hireflow.services.candidates.createCandidate({ ...unfinished, notification: null, history: [] })
    const token = signDecisionToken(SECRET, { candidateId: unfinished.id, outcome: 'advance', expiresAt: new Date(Date.now() + 60_000) })
    const page = await get(token)
    t.equal(page.status, 409)
    t.match(page.body, /is parsed: HR(&#39;|')s decision is recorded once hireflow has finished/)
    t.notMatch(page.body, '<form', 'no form')
    t.equal((await post(token, form({ reason: 'x', decidedBy: 'y' }))).status, 409)
    t.notOk((await read(unfinished.id)).hrDecision, 'nothing recorded')
  })

  t.test('POST records once; the link is used up', async (t) => {
    const recorded = await post(hold, form({ reason: 'Strong systems work;\r\nsecond interview next week', decidedBy: '  Ada from HR ' }))
    t.equal(recorded.status, 201, recorded.body)
    t.match(recorded.body, 'Decision recorded')
    const candidate = await read(grace.id)
    t.match(candidate.hrDecision, {
      outcome: 'hold',
      reason: 'Strong systems work;\nsecond interview next week',
      decidedBy: 'Ada from HR',
      linkId: holdClaims.linkId,
    })
    t.equal(candidate.status, grace.status, 'the status is unchanged')
    const entry = candidate.history.at(-1)!
    t.equal(entry.by, 'hr-link:Ada from HR', 'the history says it came through a link')
    t.match(entry.why, `HR decided hold through decision link ${holdClaims.linkId}`)
    const api = (await app.inject({ method: 'GET', url: `/candidates/${grace.id}`, headers: AUTH })).json()
    t.equal(api.hrDecision.id, candidate.hrDecision!.id, 'the API shows it')

    const mails = await until('the final-decision email', async () => {
      const found = await finalDecisionMails(hireflow, grace.id)
      return found.length > 0 ? found : undefined
    })
    t.match(mails[0]!.text, 'second interview next week')

    const again = await post(hold, form({ reason: 'Another reason', decidedBy: 'Mallory' }))
    t.equal(again.status, 409, 'the same link again')
    t.match(again.body, 'This decision is already recorded')
    const reopened = await get(hold)
    t.equal(reopened.status, 200)
    t.match(reopened.body, 'This decision is already recorded')
    t.notMatch(reopened.body, '<form', 'no form')
    t.same((await read(grace.id)).hrDecision, candidate.hrDecision, 'the decision is unchanged')

    // Another link of the same email changes the decision; the used one stays used after it is replaced.
    const reject = tokenOf(await linkFromEmail(hireflow, grace.id, 'Reject'))
    const changed = await post(reject, form({ reason: 'The role was filled', decidedBy: 'Ada from HR' }))
    t.equal(changed.status, 201, changed.body)
    t.equal((await read(grace.id)).hrDecision?.outcome, 'reject')
    const replaced = await post(hold, form({ reason: 'Strong systems work', decidedBy: 'Ada from HR' }))
    t.equal(replaced.status, 409, 'the first link cannot record again after a later decision')
    t.match(replaced.body, 'replaced by a later one')
    t.equal((await read(grace.id)).hrDecision?.outcome, 'reject', 'still reject')

    await until('both final-decision emails', async () => ((await finalDecisionMails(hireflow, grace.id)).length >= 2 ? true : undefined))
    await new Promise((resolve) => setTimeout(resolve, 500))
    t.equal((await finalDecisionMails(hireflow, grace.id)).length, 2, 'one email per decision, none for the refused ones')
  })

  t.test('the email cannot be queued: the decision is kept, and the link sends it when submitted again', async (t) => {
    const alan = await recordedCandidate(hireflow, 'Alan Turing')
    const token = tokenOf(await linkFromEmail(hireflow, alan.id, 'Advance'))
    const queues = hireflow.queues
    const enqueue = queues.enqueueFinalDecisionNotify
    queues.enqueueFinalDecisionNotify = async () => {
      throw new Error('Redis is away')
    }
    t.teardown(() => void (queues.enqueueFinalDecisionNotify = enqueue))
    const failed = await post(token, form({ reason: 'Excellent', decidedBy: 'Ada' }))
    t.equal(failed.status, 503)
    t.match(failed.body, 'could not be queued')
    const kept = await read(alan.id)
    t.equal(kept.hrDecision?.outcome, 'advance', 'the decision is saved')
    t.notOk(kept.hrDecisionNotification, 'no email yet')

    queues.enqueueFinalDecisionNotify = enqueue
    const again = await post(token, form({ reason: 'Excellent', decidedBy: 'Ada' }))
    t.equal(again.status, 409, 'the link has recorded its decision')
    t.match(again.body, 'This decision is already recorded')
    const mails = await until('the final-decision email', async () => {
      const found = await finalDecisionMails(hireflow, alan.id)
      return found.length > 0 ? found : undefined
    })
    t.equal(mails.length, 1, 'sent by the second submission')
    t.equal((await read(alan.id)).hrDecision?.id, kept.hrDecision?.id, 'the same decision')
  })

  t.test('an unreadable resume HR was emailed can be decided from its email', async (t) => {
    const unreadable = await recordedCandidate(hireflow, 'Corrupt Resume', makeCorruptPdf())
    t.equal(unreadable.failure?.reason, 'unreadable_resume')
    const token = tokenOf(await linkFromEmail(hireflow, unreadable.id, 'Reject'))
    const page = await get(token)
    t.equal(page.status, 200)
    t.match(page.body, 'could not read the resume')
    const recorded = await post(token, form({ reason: 'The file is damaged; asked the candidate for another', decidedBy: 'Ada' }))
    t.equal(recorded.status, 201, recorded.body)
    t.equal((await read(unreadable.id)).hrDecision?.outcome, 'reject')
  })
})

t.test('hostile values on the page are escaped', async (t) => {
  const hostile = `"><script>alert(1)</script>\u202e\r\nX-Injected: 1`
  const candidate = emailCandidate({
    status: 'notified',
    profile: { name: hostile, email: null, phone: null, links: [], yearsOfExperience: null },
    hrDecision: { id: 'd1', outcome: 'advance', reason: `${hostile}\nsecond line`, decidedBy: hostile, at: NOW.toISOString() },
  })
  const { app } = await fakeApp({
    env: { DECISION_LINK_SECRET: SECRET },
    services: { candidates: { getCandidate: async (id: string) => (id === CANDIDATE_ID ? candidate : undefined) } },
  })
  t.teardown(() => app.close())
  const token = signDecisionToken(SECRET, { candidateId: CANDIDATE_ID, outcome: 'hold', expiresAt: new Date(Date.now() + 60_000) })
  const pages = [
    await app.inject({ method: 'GET', url: decidePath(token) }),
    await app.inject({ method: 'POST', url: decidePath(token), headers: FORM_HEADERS, payload: form({ reason: '', decidedBy: hostile }) }),
  ]
  for (const page of pages) {
    t.notMatch(page.body, /<script/, `${page.statusCode}: no markup from the data`)
    t.notMatch(page.body, /\u202e|\r/, `${page.statusCode}: no bidi or carriage return`)
    t.match(page.body, '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;', `${page.statusCode}: shown, escaped`)
    t.notOk(page.headers['x-injected'], `${page.statusCode}: no header from the data`)
  }
  t.equal(pages[1]!.statusCode, 400, 'the form again')
})

t.test('without DECISION_LINK_SECRET the page says links are off', async (t) => {
  const { app } = await fakeApp()
  t.teardown(() => app.close())
  const token = signDecisionToken(SECRET, { candidateId: CANDIDATE_ID, outcome: 'hold', expiresAt: new Date(Date.now() + 60_000) })
  for (const method of ['GET', 'POST'] as const) {
    const response = await app.inject({
      method,
      url: decidePath(token),
      headers: FORM_HEADERS,
      payload: method === 'POST' ? 'reason=x' : undefined,
    })
    t.equal(response.statusCode, 404, method)
    t.match(response.body, 'Decision links are not enabled')
  }
})

// ---------------------------------------------------------------------------------------------------------------------
// The whole flow in a real browser.

t.test('in headless Chromium: from the .eml to the recorded decision and its email', async (t) => {
  const port = await freePort()
  const publicUrl = `http://127.0.0.1:${port}`
  const hireflow = await startHireflow({ env: { PORT: String(port), PUBLIC_URL: publicUrl, DECISION_LINK_SECRET: SECRET } })
  t.teardown(() => hireflow.stop())
  const browser: Browser = await launchChromium('the decision-link test drives a real browser')
  t.teardown(() => browser.close())
  const page = await browser.newPage()
  // No DOM types here: what the page's script sees, named as much as the test needs.
  type ValidityState = { valueMissing: boolean }
  const text = (selector: string) => page.$eval(selector, (element) => element.textContent?.trim() ?? '')
  const api = async (id: string) =>
    (await hireflow.app!.inject({ method: 'GET', url: `/candidates/${id}`, headers: AUTH })).json() as {
      hrDecision: (HrDecision & { notifiedAt: string | null }) | null
    }

  const candidate = await recordedCandidate(hireflow, 'Katherine Johnson')
  const link = await linkFromEmail(hireflow, candidate.id, 'Hold')
  t.ok(link.startsWith(`${publicUrl}/decide/`), 'the link in the .eml points at this hireflow')

  // The same link open in a second tab, as HR might have it.
  const secondTab = await browser.newPage()
  t.equal((await secondTab.goto(link))?.status(), 200)
  const opened = await page.goto(link)
  t.equal(opened?.status(), 200)
  t.match(await text('#title'), 'Confirm: Hold for Katherine Johnson')
  t.equal(await text('#outcome'), 'Hold')
  t.equal((await api(candidate.id)).hrDecision, null, 'opening the link recorded nothing')

  // Input goes to the tab in front.
  await page.bringToFront()
  // The browser refuses to send the form without a reason.
  await page.type('#decidedBy', 'Ada from HR')
  await page.click('#submit')
  t.equal(
    await page.$eval('#reason', (element) => (element as unknown as { validity: ValidityState }).validity.valueMissing),
    true,
    'reason is required',
  )
  t.equal((await api(candidate.id)).hrDecision, null, 'nothing sent')

  await page.type('#reason', 'Great fit for the orbital team.\nSecond interview on Monday.')
  const [submitted] = await Promise.all([page.waitForNavigation(), page.click('#submit')])
  t.equal(submitted?.status(), 201)
  t.equal(await text('#title'), 'Decision recorded')
  t.match(await text('#decision'), 'Ada from HR')

  const recorded = await api(candidate.id)
  t.match(recorded.hrDecision, {
    outcome: 'hold',
    reason: 'Great fit for the orbital team.\nSecond interview on Monday.',
    decidedBy: 'Ada from HR',
  })
  const mails = await until('the final-decision email', async () => {
    const found = await finalDecisionMails(hireflow, candidate.id)
    return found.length > 0 ? found : undefined
  })
  t.match(mails[0]!.subject, /^HR decision: Hold — Katherine Johnson/)
  t.match(mails[0]!.text, 'Second interview on Monday.')

  const reopened = await page.goto(link)
  t.equal(reopened?.status(), 200)
  t.equal(await text('#title'), 'This decision is already recorded')
  t.equal(await page.$('form'), null, 'no form on a used link')
  // The form still open in the second tab, submitted after the first: refused.
  await secondTab.bringToFront()
  await secondTab.type('#reason', 'Submitted again from another tab')
  await secondTab.type('#decidedBy', 'Ada from HR')
  const [again] = await Promise.all([secondTab.waitForNavigation(), secondTab.click('#submit')])
  t.equal(again?.status(), 409, 'a second POST of the link')
  t.equal(await secondTab.$eval('#title', (element) => element.textContent?.trim()), 'This decision is already recorded')

  const tampered = decisionLinkUrl(publicUrl, flipCharacter(tokenOf(link), 2))
  const tamperedPage = await page.goto(tampered)
  t.equal(tamperedPage?.status(), 403)
  t.equal(await text('#title'), 'This link is not valid')

  const expired = decisionLinkUrl(
    publicUrl,
    signDecisionToken(SECRET, { candidateId: candidate.id, outcome: 'reject', expiresAt: new Date(Date.now() - 1000) }),
  )
  const expiredPage = await page.goto(expired)
  t.equal(expiredPage?.status(), 410)
  t.equal(await text('#title'), 'This link has expired')

  // A form on another site posting to a fresh link through HR's browser is refused (Sec-Fetch-Site: cross-site).
  const reject = await linkFromEmail(hireflow, candidate.id, 'Reject')
  const elsewhere = await serve(t, (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' })
    response.end(
      `<form method="post" action="${reject}"><input name="reason" value="forged"><input name="decidedBy" value="someone">` +
        '<button id="go">go</button></form>',
    )
  })
  await page.bringToFront()
  await page.goto(elsewhere.url.replace('127.0.0.1', 'localhost'))
  const [forged] = await Promise.all([page.waitForNavigation(), page.click('#go')])
  t.equal(forged?.status(), 403, 'cross-site POST refused')
  t.match(await text('#message'), 'sent from another site')

  await new Promise((resolve) => setTimeout(resolve, 500))
  const final = await api(candidate.id)
  t.equal(final.hrDecision?.id, recorded.hrDecision?.id, 'the decision is the one recorded through the page')
  t.equal((await finalDecisionMails(hireflow, candidate.id)).length, 1, 'exactly one final-decision email')
})
