// The HR email's content: wording, escaping, how the resume travels, and
// template overrides from S3.
import t from 'tap'
import { createServer, type AddressInfo } from 'node:net'
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { awsClientConfig } from '../src/aws/client-config.ts'
import type { Candidate } from '../src/domain/candidate.ts'
import type { Requisition } from '../src/domain/requisition.ts'
import { buildHrNotification, type HrNotificationInput } from '../src/mail/hr-notification.ts'
import { DirectoryTemplateSource, S3TemplateSource, TemplateRenderer } from '../src/mail/templates.ts'
import { emulatorCredentials, startS3rver } from './support/emulators.ts'

const SHA = 'ab'.repeat(32)

const span = (line: number) => ({ page: 1, line, section: 'Experience' })

function candidate(overrides: Partial<Candidate> = {}): Candidate {
  return {
    id: 'cand-1',
    source: 'upload',
    sourceItemId: `req-1/${SHA}`,
    requisitionId: 'req-1',
    status: 'decided',
    resume: {
      filename: 'Jane Doe CV.pdf',
      mediaType: 'application/pdf',
      extension: 'pdf',
      size: 245_760,
      sha256: SHA,
      key: `resumes/${SHA}`,
    },
    profile: {
      name: 'Jane Doe',
      email: 'jane@example.com',
      phone: '+44 20 7946 0000',
      links: [
        { kind: 'github', url: 'https://github.com/janedoe' },
        { kind: 'website', url: 'javascript:alert(1)' },
      ],
      yearsOfExperience: 8,
      work: [
        { employer: 'Northwind', title: 'Staff Engineer', start: '2020-01', end: null, current: true, kind: 'work', at: span(10) },
        { employer: 'Code Club', title: 'Mentor', start: '2019', end: null, current: true, kind: 'volunteer', at: span(12) },
        { employer: 'Contoso', title: 'Engineer', start: '2014', end: '2019-12', current: false, kind: 'work', at: span(14) },
      ],
      education: [
        { institution: 'University of Leeds', degree: 'BSc', field: 'Computer Science', start: '2010', end: '2014', at: span(20) },
      ],
    },
    score: {
      value: 86,
      skills: [
        {
          skill: 'Kubernetes',
          required: true,
          found: true,
          evidence: { line: 14, text: 'Ran k8s clusters for 40 services', matched: 'k8s' },
        },
        { skill: 'Go', required: true, found: false, evidence: null },
        { skill: 'Rust', required: false, found: true, evidence: { line: 30, text: 'Wrote a Rust ingestion service', matched: 'Rust' } },
      ],
      requirements: [
        {
          kind: 'must_have',
          requirement: 'Kubernetes',
          verdict: 'met',
          evidence: { quote: 'Ran k8s clusters for 40 services', at: { page: 1, line: 14, section: 'Experience' } },
          note: null,
        },
        { kind: 'must_have', requirement: 'Go', verdict: 'not_met', evidence: null, note: 'not found in the resume' },
        {
          kind: 'nice_to_have',
          requirement: 'Rust',
          verdict: 'partly',
          evidence: { quote: 'Wrote a Rust ingestion service', at: { page: 2, line: 30, section: 'Early Career' } },
          note: 'last used in 2014',
        },
        { kind: 'min_years', requirement: 'at least 5 years of experience', verdict: 'met', evidence: null, note: '8 years of experience' },
        {
          kind: 'criterion',
          requirement: 'has mentored engineers',
          verdict: 'met',
          evidence: { quote: 'Mentored four engineers', at: { page: 1, line: 3, section: null } },
          note: null,
        },
      ],
      scorer: { name: 'lexical' },
    },
    decision: { outcome: 'advance', reasons: ['1 of 2 must-have skills missing: Go', '8 years of experience (5 required)'] },
    failure: null,
    notification: null,
    createdAt: '2025-03-01T09:00:00.000Z',
    updatedAt: '2025-03-01T09:00:05.000Z',
    history: [],
    ...overrides,
  }
}

const requisition: Requisition = {
  id: 'req-1',
  title: 'Senior Backend Engineer',
  mustHaveSkills: ['Kubernetes', 'Go'],
  niceToHaveSkills: ['Rust'],
  minYearsExperience: 5,
  advanceAtOrAbove: 75,
  rejectBelow: 40,
  createdAt: '2025-02-01T00:00:00.000Z',
}

const bundled = new TemplateRenderer(new DirectoryTemplateSource())
const resumeBytes = Buffer.from('%PDF-1.7\nJane Doe\n%%EOF\n')

function input(overrides: Partial<HrNotificationInput> = {}): HrNotificationInput {
  return {
    kind: 'decision',
    candidate: candidate(),
    requisition,
    resume: { bytes: resumeBytes },
    from: 'hiring-automation@example.com',
    to: ['hr@example.com'],
    replyTo: 'hiring@example.com',
    publicUrl: 'https://hireflow.example.com/',
    renderer: bundled,
    ...overrides,
  }
}

t.test('decision email of a score recorded before requirements: skills with their line', async (t) => {
  const legacy = candidate()
  delete legacy.score!.requirements
  const mail = await buildHrNotification(input({ candidate: legacy }))
  t.match(mail.text, /\[met\] {8}Kubernetes \(as "k8s"\)\n {15}line 14: "Ran k8s clusters for 40 services"/)
  t.match(mail.text, /\[not met\] {4}Go\n/)
  t.match(mail.html, /line 14/)
  t.match(mail.html, /as &quot;k8s&quot;|as "k8s"/)
})

t.test('decision email', async (t) => {
  const mail = await buildHrNotification(input())
  t.equal(mail.subject, 'Advance: Jane Doe for Senior Backend Engineer')
  t.equal(mail.messageId, 'cand-1.decision@hireflow')
  t.same([mail.from, mail.to, mail.replyTo], ['hiring-automation@example.com', ['hr@example.com'], 'hiring@example.com'])

  for (const [format, body] of [
    ['text', mail.text],
    ['html', mail.html],
  ] as const) {
    t.match(body, /recommendation/i, `${format}: worded as a recommendation`)
    t.match(body, /HR decides/, `${format}: people decide`)
    t.match(body, /has not contacted the candidate/, `${format}: nobody contacted the candidate`)
    t.match(body, 'Senior Backend Engineer', `${format}: requisition`)
    t.match(body, /86<\/strong> \/ 100|86 \/ 100/, `${format}: score out of 100`)
    for (const detail of ['jane@example.com', '+44 20 7946 0000', 'https://github.com/janedoe']) {
      t.match(body, detail, `${format}: ${detail}`)
    }
    t.match(body, /Kubernetes[\s\S]*Ran k8s clusters for 40 services/, `${format}: met requirement with its quote`)
    t.match(body, /Kubernetes[\s\S]*page 1, section Experience/, `${format}: where the quote is, as page and section`)
    t.match(body, /Rust[\s\S]*last used in 2014/, `${format}: partly met, with why`)
    t.match(body, /Rust[\s\S]*page 2, section Early Career/, `${format}: a quote on page 2`)
    t.match(body, /has mentored engineers[\s\S]*Mentored four engineers/, `${format}: a criterion with its quote`)
    t.match(body, /has mentored engineers[\s\S]*page 1(?!,)/, `${format}: a quote above any heading is placed by its page alone`)
    t.match(body, /at least 5 years of experience[\s\S]*8 years of experience/, `${format}: the years requirement`)
    t.notMatch(body, /line 14|line 30/, `${format}: no bare line numbers`)
    t.match(body, '1 of 2 must-have skills missing: Go', `${format}: reasons`)
    t.match(body, /Staff Engineer, Northwind \(2020-01 - present\)[\s\S]*Engineer, Contoso \(2014 - 2019-12\)/, `${format}: latest roles`)
    t.notMatch(body, 'Code Club', `${format}: a volunteer role is not among the roles`)
    t.match(body, 'BSc Computer Science, University of Leeds (2010 - 2014)', `${format}: education`)
    t.match(body, 'Jane Doe CV.pdf', `${format}: resume filename`)
    t.match(body, 'application/pdf', `${format}: resume type`)
    t.match(body, '240.0 KB', `${format}: resume size`)
    t.match(body, /attached to this email/, `${format}: the resume is attached`)
    t.match(body, format === 'text' ? 'Candidate id: cand-1\n' : 'Candidate id: <code>cand-1</code>', `${format}: candidate id`)
    t.match(body, 'https://hireflow.example.com/candidates/cand-1', `${format}: link to the record`)
  }
  t.match(mail.text, /MUST-HAVE SKILLS\n {2}\[met\] {8}Kubernetes\n {15}page 1, section Experience: "Ran k8s clusters for 40 services"\n/)
  t.match(mail.text, /\n {2}\[not met\] {4}Go \(not found in the resume\)\n/)
  t.match(mail.text, /NICE-TO-HAVE SKILLS\n {2}\[partly met\] Rust \(last used in 2014\)\n/)
  t.match(mail.text, /YEARS OF EXPERIENCE\n[\s\S]*CRITERIA\n/)
  // The reasons also say "missing: Go": the requirement row itself is what is checked.
  t.match(mail.html, /<td [^>]*>Go<\/td>\s*<td [^>]*color:#cf222e;">not met<\/td>/, 'html: missing must-have')
  t.match(mail.html, /<td [^>]*>Rust<\/td>\s*<td [^>]*color:#9a6700;">partly met<\/td>/, 'html: partly met')
  t.notMatch(mail.html, /href="javascript:/, 'a non-http link from a resume is not clickable')

  t.equal(mail.attachments.length, 1)
  t.same(mail.attachments[0], { filename: 'Jane Doe CV.pdf', content: resumeBytes, contentType: 'application/pdf' })
})

t.test('subject for each outcome, and without a requisition or a name', async (t) => {
  const subject = async (over: Partial<HrNotificationInput>) => (await buildHrNotification(input(over))).subject
  t.equal(
    await subject({ candidate: candidate({ decision: { outcome: 'review', reasons: [] } }) }),
    'Review: Jane Doe for Senior Backend Engineer',
  )
  t.equal(
    await subject({ candidate: candidate({ decision: { outcome: 'reject', reasons: [] } }), requisition: null }),
    'Reject: Jane Doe (no requisition)',
  )
  t.equal(await subject({ candidate: candidate({ profile: null }) }), 'Advance: Jane Doe CV.pdf for Senior Backend Engineer')
})

t.test('unreadable email', async (t) => {
  const mail = await buildHrNotification(
    input({
      kind: 'unreadable',
      requisition: null,
      candidate: candidate({
        status: 'failed',
        profile: null,
        score: null,
        decision: null,
        failure: { reason: 'unreadable_resume', step: 'parse', message: 'the PDF has no text layer' },
        resume: { ...candidate().resume, filename: 'scan.pdf' },
      }),
    }),
  )
  t.equal(mail.subject, 'Unreadable resume: scan.pdf (no requisition)')
  t.equal(mail.messageId, 'cand-1.unreadable@hireflow')
  for (const [format, body] of [
    ['text', mail.text],
    ['html', mail.html],
  ] as const) {
    t.match(body, /could not read this resume/, format)
    t.match(body, 'unreadable_resume', `${format}: reason`)
    t.match(body, 'the PDF has no text layer', `${format}: message`)
    t.match(body, /attached to this email/, `${format}: file attached for a look by hand`)
    t.notMatch(body, /Advance|Reject/, `${format}: no recommendation`)
  }
  t.equal(mail.attachments[0]?.filename, 'scan.pdf')
})

t.test('a decision email needs a decision', async (t) => {
  await t.rejects(buildHrNotification(input({ candidate: candidate({ decision: null }) })), { message: /no decision/ })
})

t.test('how the resume travels', async (t) => {
  t.test('as a time-limited link', async (t) => {
    const url = 'https://resumes.s3.amazonaws.com/resumes/abc?X-Amz-Signature=1&X-Amz-Expires=259200'
    const mail = await buildHrNotification(input({ resume: { link: url, expiresAt: '2025-03-04T09:00:00.000Z' } }))
    t.same(mail.attachments, [])
    t.match(mail.text, /time-limited link \(valid until 2025-03-04T09:00:00\.000Z\)/)
    t.match(mail.text, url)
    t.match(mail.html, `href="${url.replace('&', '&amp;')}"`)
    t.notMatch(mail.text, /attached to this email/)
  })

  t.test('from the API when neither attachment nor link is possible', async (t) => {
    const mail = await buildHrNotification(input({ resume: { apiPath: '/candidates/cand-1/resume' } }))
    t.same(mail.attachments, [])
    for (const body of [mail.text, mail.html]) {
      t.match(body, /available from the hireflow API/)
      t.match(body, /GET \/candidates\/cand-1\/resume/)
      t.match(body, 'https://hireflow.example.com/candidates/cand-1/resume')
    }
    t.match(
      mail.text,
      'at GET /candidates/cand-1/resume (an API key is required):\n  https://hireflow.example.com/candidates/cand-1/resume\n',
    )
  })

  t.test('without a public URL there are no links into the API', async (t) => {
    const mail = await buildHrNotification(input({ publicUrl: undefined, resume: { apiPath: '/candidates/cand-1/resume' } }))
    t.match(mail.text, 'at GET /candidates/cand-1/resume (an API key is required).\n')
    t.notMatch(mail.text, /https:\/\/hireflow/)
    t.notMatch(mail.html, /href="[^"]*\/candidates\//)
  })

  t.test("the attachment name is sanitised and carries the detected type's extension", async (t) => {
    const resume = { ...candidate().resume, filename: '../../cv\u202Efdp.exe' }
    let mail = await buildHrNotification(input({ candidate: candidate({ resume }) }))
    t.equal(mail.attachments[0]?.filename, 'cvfdp.pdf')
    mail = await buildHrNotification(input({ candidate: candidate({ resume: { ...resume, filename: '\u0000..' } }) }))
    t.equal(mail.attachments[0]?.filename, 'resume.pdf')
  })
})

t.test('HR gets the resume under the extension of the detected type, not the one it was sent with', async (t) => {
  const text = { mediaType: 'text/plain', extension: 'txt' }
  for (const [filename, type, expected] of [
    ['Resume.bat', text, 'Resume.txt'],
    // An HTML page is no PDF or DOCX: detection calls it text.
    ['Jane.docx', text, 'Jane.txt'],
    ['Jane Doe CV', { mediaType: 'application/pdf', extension: 'pdf' }, 'Jane Doe CV.pdf'],
  ] as const) {
    const c = candidate({ profile: null, resume: { ...candidate().resume, filename, ...type } })
    const mail = await buildHrNotification(input({ candidate: c }))
    t.same(
      mail.attachments.map((a) => [a.filename, a.contentType]),
      [[expected, type.mediaType]],
      `${filename}: attached as ${expected}`,
    )
    for (const body of [mail.text, mail.html, mail.subject]) t.match(body, expected, `${filename}: the email names the same file`)
    if (!expected.startsWith(filename)) {
      t.notMatch(`${mail.text}${mail.html}${mail.subject}`, filename, `${filename}: the name it was sent with appears nowhere`)
    }
  }
})

t.test('what the candidate wrote is escaped in HTML and cannot break the subject', async (t) => {
  const hostile = ['<script>alert(1)</script>', '"><img src=x onerror=1>']
  for (const name of hostile) {
    const c = candidate()
    c.profile = { ...(c.profile as NonNullable<Candidate['profile']>), name, email: name }
    c.decision = { outcome: 'review', reasons: [`reason ${name}`] }
    c.score = { value: 50, skills: [{ skill: 'Go', required: true, found: true, evidence: { line: 1, text: name, matched: 'Go' } }] }
    const mail = await buildHrNotification(input({ candidate: c }))
    t.notMatch(mail.html, '<script>', name)
    t.notMatch(mail.html, '<img', name)
    const escaped = name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
    t.match(mail.html, escaped, `${name} appears escaped`)
    t.match(mail.text, name, 'plain text shows it as written')
  }

  const c = candidate()
  c.profile = { ...(c.profile as NonNullable<Candidate['profile']>), name: 'Jane\r\nBcc: attacker@example.com\u2028x' }
  const mail = await buildHrNotification(input({ candidate: c }))
  t.equal(mail.subject, 'Advance: Jane Bcc: attacker@example.com x for Senior Backend Engineer')

  // A bidi override would show HR "Senior Backend Engineer" reversed, or hide what follows it.
  const reversed = { ...requisition, title: 'Senior \u202Ereenigne dnekcaB\u202C\u2066 \u200F(contract)\u2069' }
  const bidi = await buildHrNotification(input({ candidate: c, requisition: reversed }))
  t.equal(bidi.subject, 'Advance: Jane Bcc: attacker@example.com x for Senior reenigne dnekcaB (contract)')

  c.profile = { ...(c.profile as NonNullable<Candidate['profile']>), name: 'J'.repeat(500) }
  const long = await buildHrNotification(input({ candidate: c }))
  t.ok(Array.from(long.subject).length <= 200, 'subject is capped')
  t.match(long.subject, /^Advance: J+…$/)
})

t.test('templates cannot read files', async (t) => {
  const source = { load: async () => `<%~ include('/etc/passwd') %>`, ping: async () => {} }
  await t.rejects(new TemplateRenderer(source).render('decision.txt.eta', {}), { message: /Failed to get template/ })
  await t.rejects(new DirectoryTemplateSource().load('../package.json'), { message: /invalid template name/ })
})

t.test('templates overridden from S3', async (t) => {
  const bucket = 'hiring-automation-templates'
  const prefix = 'email-templates/'
  const s3 = await startS3rver([bucket])
  const client = new S3Client({
    ...awsClientConfig({
      region: 'us-east-1',
      endpoint: s3.endpoint,
      credentials: emulatorCredentials,
      requestTimeoutMs: 5_000,
      maxAttempts: 2,
    }),
    forcePathStyle: true,
  })
  t.teardown(async () => {
    client.destroy()
    await s3.close()
  })
  const put = (name: string, body: string) =>
    client.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${name}`, Body: body, ContentType: 'text/plain' }))
  const requests: string[] = []
  client.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === 'GetObjectCommand') requests.push(String((args.input as { Key?: string }).Key))
      return next(args)
    },
    { step: 'initialize', name: 'recordGets' },
  )

  await put('decision.subject.eta', 'Custom <%= it.outcomeLabel %> for <%= it.candidateLabel %>')
  await put('decision.html.eta', '<p>Custom: <%= it.candidateLabel %></p>')
  let clock = 1_000_000
  const source = new S3TemplateSource({ client, bucket, prefix, fallback: new DirectoryTemplateSource(), now: () => clock })
  const renderer = new TemplateRenderer(source)

  t.test('an object overrides the bundled template; a missing one falls back', async (t) => {
    const c = candidate()
    c.profile = { ...(c.profile as NonNullable<Candidate['profile']>), name: '<script>x</script>' }
    const mail = await buildHrNotification(input({ renderer, candidate: c }))
    t.equal(mail.subject, 'Custom Advance for <script>x</script>', 'subject from S3, not escaped (it is not HTML)')
    t.equal(mail.html, '<p>Custom: &lt;script&gt;x&lt;/script&gt;</p>', 'HTML from S3, still escaped')
    t.match(mail.text, /MUST-HAVE SKILLS/, 'text from the bundled template')
  })

  t.test('templates are cached for the TTL, then loaded again', async (t) => {
    requests.length = 0
    await put('decision.subject.eta', 'Changed <%= it.candidateLabel %>')
    let mail = await buildHrNotification(input({ renderer }))
    t.same(requests, [], 'no S3 call within the TTL, missing objects included')
    t.equal(mail.subject, 'Custom Advance for Jane Doe')

    clock += 301_000
    mail = await buildHrNotification(input({ renderer }))
    t.equal(mail.subject, 'Changed Jane Doe')
    t.same(
      requests.sort(),
      ['decision.html.eta', 'decision.subject.eta', 'decision.txt.eta'].map((n) => prefix + n),
    )
  })

  t.test('any S3 failure other than a missing object propagates', async (t) => {
    const noBucket = new S3TemplateSource({ client, bucket: 'no-such-bucket', prefix })
    await t.rejects(noBucket.load('decision.subject.eta'), { name: 'NoSuchBucket' })

    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const { port } = probe.address() as AddressInfo
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    const dead = new S3Client({
      ...awsClientConfig({
        region: 'us-east-1',
        endpoint: `http://127.0.0.1:${port}`,
        credentials: emulatorCredentials,
        requestTimeoutMs: 500,
        maxAttempts: 2,
      }),
      forcePathStyle: true,
    })
    t.teardown(() => dead.destroy())
    const unreachable = new TemplateRenderer(new S3TemplateSource({ client: dead, bucket, prefix }))
    // Refused by the closed port, not by anything before the request.
    await t.rejects(buildHrNotification(input({ renderer: unreachable })), { message: /ECONNREFUSED/ })
  })
})

t.test('the email says which task or mail the resume came from, and an upload says nothing of the kind', async (t) => {
  const origin = {
    provider: 'clickup',
    itemId: '86b1x2',
    url: 'https://app.clickup.com/t/86b1x2',
    sender: 'Alex Recruiter',
    title: 'Jane Doe – Backend',
  }
  for (const kind of ['decision', 'unreadable'] as const) {
    const failure = kind === 'unreadable' ? { reason: 'unreadable_resume', step: 'parse' as const, message: 'encrypted' } : null
    const mail = await buildHrNotification(
      input({ kind, candidate: candidate({ origin, failure, status: kind === 'decision' ? 'decided' : 'failed' }) }),
    )
    t.match(
      mail.text,
      /Source: ClickUp task "Jane Doe – Backend" from Alex Recruiter\n\s+https:\/\/app\.clickup\.com\/t\/86b1x2\n/,
      `${kind}: text`,
    )
    t.match(
      mail.html,
      /<a href="https:\/\/app\.clickup\.com\/t\/86b1x2"[^>]*>ClickUp task<\/a> “Jane Doe – Backend” from Alex Recruiter/,
      `${kind}: html`,
    )

    const uploaded = await buildHrNotification(
      input({ kind, candidate: candidate({ failure, status: kind === 'decision' ? 'decided' : 'failed' }) }),
    )
    t.notMatch(uploaded.text, /Source:/, `${kind}: no source line for an upload`)
    t.notMatch(uploaded.html, />Source</, `${kind}: no source row for an upload`)
  }
  const plain = await buildHrNotification(input({ candidate: candidate({ origin: { ...origin, url: 'javascript:alert(1)' } }) }))
  t.notMatch(plain.html, /href="javascript/, 'only https links become links')
})
