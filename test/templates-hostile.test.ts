// Every template in templates/ (a new one is picked up by this test without
// a change to it) rendered with hostile text in every field a candidate, a
// file or a requisition can fill: names and zip entry names from inside an
// upload reach the failure message, the resume's lines reach the evidence.
// Nothing comes out raw in HTML, and nothing can start a header.
import t from 'tap'
import { readdir } from 'node:fs/promises'
import { simpleParser } from 'mailparser'
import type { Candidate } from '../src/domain/candidate.ts'
import type { Requisition } from '../src/domain/requisition.ts'
import {
  buildHrNotification,
  hrNotificationView,
  type HrNotificationInput,
  type HrNotificationKind,
  type ResumeDelivery,
} from '../src/mail/hr-notification.ts'
import { buildRawMessage, composeMessage, serializeMessage } from '../src/mail/mime.ts'
import type { OutgoingMail } from '../src/ports/mailer.ts'
import { BUNDLED_TEMPLATE_DIR, DirectoryTemplateSource, TemplateRenderer } from '../src/mail/templates.ts'

interface Hostile {
  label: string
  value: string
  /** Part of the value that must still be readable (escaped or flattened) in every output. */
  visible: string
}

const BIDI = '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c'
const HOSTILE: Hostile[] = [
  { label: 'script tag', value: '<script>alert(1)</script>', visible: 'alert(1)' },
  { label: 'attribute break-out', value: `"><img src=x onerror=alert(2)>'`, visible: 'onerror=alert(2)' },
  { label: 'CRLF and a Bcc header', value: 'Jane\r\nBcc: attacker@evil.test\r\n\r\n<b>body</b>', visible: 'attacker@evil.test' },
  {
    label: 'LF, lone CR, Unicode line breaks',
    value: 'Jane\nBcc: a@evil.test\rCc: b@evil.test\u2028To: c@evil.test\u2029\u0085x',
    visible: 'c@evil.test',
  },
  { label: 'bidi overrides', value: `cv${BIDI}fdp.exe`, visible: 'fdp.exe' },
  { label: 'control characters', value: 'a\u0000b\u0007c\u001b[31md\u007fe\u009bf\tg', visible: '[31m' },
  { label: 'very long', value: `${'A'.repeat(20_000)}<i>end</i>`, visible: 'AAAAAAAAAA' },
]

// What may never be in an output, whatever the data: control characters
// other than the template's own line breaks, bidi controls, Unicode line breaks.
const FORBIDDEN_CHARACTERS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/
// The template's own markup has none of these; the hostile values all do.
const RAW_MARKUP = /<script|<img|<b>|<i>/

const SHA = 'cd'.repeat(32)

function hostileCandidate(h: string): Candidate {
  return {
    id: `cand-${h}`,
    source: h as Candidate['source'],
    sourceItemId: h,
    requisitionId: 'req-1',
    origin: { provider: h, itemId: h, url: `https://tasks.example.test/${h}`, sender: h, title: h, receivedAt: h, messageId: h },
    status: 'decided',
    resume: { filename: `${h}.pdf`, mediaType: h, extension: 'pdf', size: 1234, sha256: SHA, key: `resumes/${SHA}` },
    profile: {
      name: h,
      email: h,
      phone: h,
      links: [
        { kind: h as 'website', url: `https://example.test/${h}` },
        { kind: 'website', url: h },
      ],
      yearsOfExperience: 3,
      work: [{ employer: h, title: h, start: h, end: h, current: false, kind: 'work', at: { page: 1, line: 1, section: h } }],
      education: [{ institution: h, degree: h, field: h, start: h, end: null, at: { page: 1, line: 2, section: h } }],
    },
    score: {
      value: 50,
      skills: [
        { skill: h, required: true, found: true, evidence: { line: 2, text: h, matched: `${h} (alias)` } },
        { skill: h, required: false, found: false, evidence: null },
      ],
      requirements: [
        { kind: 'must_have', requirement: h, verdict: 'met', evidence: { quote: h, at: { page: 1, line: 2, section: h } }, note: h },
        { kind: 'nice_to_have', requirement: h, verdict: 'not_met', evidence: null, note: h },
        { kind: 'criterion', requirement: h, verdict: 'partly', evidence: { quote: h, at: { page: 2, line: 9, section: null } }, note: h },
      ],
    },
    decision: { outcome: 'review', reasons: [h, h] },
    failure: { reason: h, step: 'parse', message: `zip entry ${h} could not be read` },
    notification: null,
    // HR types the reason and their own name: they reach the final-decision email as they were sent.
    hrDecision: { id: h, outcome: 'hold', reason: h, decidedBy: h, at: h },
    createdAt: h,
    updatedAt: h,
    history: [],
  }
}

function hostileRequisition(h: string): Requisition {
  return {
    id: 'req-1',
    title: h,
    mustHaveSkills: [h],
    niceToHaveSkills: [h],
    minYearsExperience: 1,
    advanceAtOrAbove: 75,
    rejectBelow: 40,
    criteria: [h],
    createdAt: h,
  }
}

const deliveries = (h: string): ResumeDelivery[] => [
  { bytes: Buffer.from('%PDF-1.7\n%%EOF\n') },
  { link: `https://resumes.example.test/${h}?X-Amz-Signature=1`, expiresAt: '2025-03-04T09:00:00.000Z' },
  { apiPath: `/candidates/${h}/resume` },
]

const renderer = new TemplateRenderer(new DirectoryTemplateSource())

function input(h: string, kind: HrNotificationKind, resume: ResumeDelivery): HrNotificationInput {
  return {
    kind,
    candidate: hostileCandidate(h),
    requisition: hostileRequisition(h),
    resume,
    from: 'hiring-automation@example.com',
    to: ['hr@example.com'],
    replyTo: 'hiring@example.com',
    publicUrl: `https://hireflow.example.test/${h}`,
    renderer,
  }
}

t.test('every template, every hostile value, every way the resume travels', async (t) => {
  const templates = (await readdir(BUNDLED_TEMPLATE_DIR)).filter((name) => name.endsWith('.eta')).sort()
  t.ok(templates.length >= 9, `templates found: ${templates.join(', ')}`)

  for (const name of templates) {
    // "decision.html.eta" is the HTML part of the "decision" email.
    const kind = name.split('.')[0] as HrNotificationKind
    t.test(name, async (t) => {
      for (const hostile of HOSTILE) {
        for (const delivery of deliveries(hostile.value)) {
          const view = hrNotificationView(input(hostile.value, kind, delivery))
          const out = await renderer.render(name, view)
          const where = `${hostile.label}, ${Object.keys(delivery)[0]}`
          t.notMatch(out, FORBIDDEN_CHARACTERS, `${where}: no control or bidi characters`)
          t.notMatch(out, /\r/, `${where}: no carriage return`)
          if (name.endsWith('.html.eta')) {
            t.notMatch(out, RAW_MARKUP, `${where}: no markup from the data`)
            t.ok(out.includes(hostile.visible.replace(/</g, '&lt;')), `${where}: the value is shown, escaped`)
          } else if (name.endsWith('.subject.eta')) {
            t.notMatch(out, /\n/, `${where}: the subject is one line`)
            t.ok(Array.from(out).length <= 200, `${where}: the subject is bounded`)
            // The very long value is cut: only its start is left to see.
            t.ok(out.includes(hostile.visible), `${where}: the value is shown`)
          } else {
            t.notMatch(out, /^\s*(Bcc|Cc|To|From|Subject|Content-Type):/im, `${where}: no line reads as a header`)
            t.ok(out.includes(hostile.visible), `${where}: the value is shown`)
          }
        }
      }
    })
  }
})

t.test('the whole message: hostile data cannot add or break a header', async (t) => {
  for (const hostile of HOSTILE) {
    for (const kind of ['decision', 'unreadable', 'final-decision'] as const) {
      const mail = await buildHrNotification(input(hostile.value, kind, deliveries(hostile.value)[0]!))
      const raw = (await buildRawMessage(mail)).toString('latin1')
      const head = raw.slice(0, raw.indexOf('\r\n\r\n'))
      const where = `${kind}, ${hostile.label}`
      const names = head
        .split('\r\n')
        .filter((line) => !/^[ \t]/.test(line))
        .map((line) => line.slice(0, line.indexOf(':')).toLowerCase())
      t.same(
        names.filter(
          (n) =>
            ![
              'content-type',
              'from',
              'to',
              'reply-to',
              'subject',
              'message-id',
              'date',
              'mime-version',
              'x-hireflow-message-id',
              'auto-submitted',
              'x-auto-response-suppress',
            ].includes(n),
        ),
        [],
        `${where}: only our headers`,
      )
      t.ok(
        head.split('\r\n').every((line) => line.length <= 998),
        `${where}: header lines within the 998-character limit of RFC 5322`,
      )
      const parsed = await simpleParser(raw)
      t.notOk(parsed.headers.has('bcc') || parsed.headers.has('cc'), `${where}: no Bcc or Cc`)
      t.same(
        (parsed.to && !Array.isArray(parsed.to) ? parsed.to.value : []).map((a) => a.address),
        ['hr@example.com'],
        `${where}: the recipients are ours`,
      )
      t.notMatch(parsed.subject ?? '', FORBIDDEN_CHARACTERS, `${where}: subject clean once decoded`)
      t.ok((parsed.subject ?? '').includes(hostile.visible), `${where}: subject shows the value`)
      const [attachment] = parsed.attachments
      t.ok(attachment, `${where}: resume attached`)
      t.notMatch(attachment?.filename ?? '', FORBIDDEN_CHARACTERS, `${where}: attachment name clean once decoded`)
      t.match(attachment?.filename ?? '', /\.pdf$/, `${where}: attachment keeps the detected type's extension`)
    }
  }
})

t.test('the raw message is byte for byte what nodemailer itself builds from the same parts', async (t) => {
  const mails: { label: string; mail: OutgoingMail }[] = []
  for (const hostile of HOSTILE) {
    for (const kind of ['decision', 'unreadable', 'final-decision'] as const) {
      for (const delivery of deliveries(hostile.value)) {
        const mail = await buildHrNotification(input(hostile.value, kind, delivery))
        mails.push({ label: `${kind}, ${hostile.label}, ${Object.keys(delivery)[0]}`, mail })
      }
    }
  }
  const base = mails[0]!.mail
  const resume = {
    filename: 'Zoë Łukasz CV.pdf',
    content: Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256)),
    contentType: 'application/pdf',
  }
  const edges: [string, Partial<OutgoingMail>][] = [
    ['short ASCII text (7bit parts)', { text: 'Score: 91 / 100', html: '<p>ok</p>' }],
    [
      'long lines, blanks before line ends and at the end, lone CR and LF, escapes',
      {
        text: `${'word '.repeat(60)}\n  trailing  \t\nbare\rcr\r\n\r\nend = 3D   `,
        html: `<p>${'x'.repeat(300)}</p>\r\n<p>é ${'=3D '.repeat(50)}</p>\t `,
      },
    ],
    [
      'text mostly outside Latin (base64 parts)',
      { text: 'Зоя Лукаш, кандидат. '.repeat(20), html: `<p>${'日本語の履歴書'.repeat(40)}</p>` },
    ],
    [
      'parts longer than one slice of the encoder',
      { text: `Zoë ${'a'.repeat(90)} \n`.repeat(1500), html: `<p>${'é'.repeat(70)} x</p>\n`.repeat(2000) },
    ],
    ['an empty text part', { text: '' }],
    // One part and no multipart closing line: the message still ends with a line break.
    ['text alone, ending without a line break', { html: '', attachments: [], text: 'Zoë is a match. '.repeat(10) }],
    ['text alone, ending with a lone CR', { html: '', attachments: [], text: 'Score: 91 / 100\r' }],
    [
      'text attachments, an empty one, and a binary one',
      {
        attachments: [
          {
            filename: 'cv.txt',
            content: Buffer.from(`Jane Doe  \r\nlone\rCR and lone\nLF ${'long '.repeat(40)}\t`),
            contentType: 'text/plain',
          },
          { filename: 'empty.pdf', content: Buffer.alloc(0), contentType: 'application/pdf' },
          resume,
        ],
      },
    ],
  ]
  for (const [label, overrides] of edges) mails.push({ label, mail: { ...base, ...overrides } })

  for (const { label, mail } of mails) {
    // Either way round on one tree, so the boundaries and the Date are the same for both.
    for (const oursFirst of [true, false]) {
      const tree = composeMessage(mail)
      const build = () => new Promise<Buffer>((resolve, reject) => tree.build((error, raw) => (error ? reject(error) : resolve(raw))))
      const theirs = oursFirst ? undefined : await build()
      const ours = await serializeMessage(tree)
      const expected = theirs ?? (await build())
      t.ok(ours.equals(expected), `${label}${oursFirst ? '' : ' (nodemailer first)'}: the same bytes`)
    }
  }
})
