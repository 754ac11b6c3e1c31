// End to end on the embedded defaults: SQLite, a local resume folder, the
// .eml outbox. Upload a PDF and a DOCX resume, wait for HR's emails, read them.
import t from 'tap'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { simpleParser, type ParsedMail } from 'mailparser'
import { API_KEY, AUTH, createRequisition, startHireflow, injectUpload } from './support/harness.ts'
import { makeDocxResume, makePdfResume, sampleResumeLines } from './support/resumes.ts'

async function outbox(dir: string): Promise<ParsedMail[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.eml')).sort()
  return Promise.all(files.map(async (f) => simpleParser(await readFile(join(dir, f)))))
}

t.test('a resume goes in, is stored and scored, and HR gets the email', async (t) => {
  const hireflow = await startHireflow({
    env: { HR_EMAIL: 'people@acme.test', SENDER_EMAIL: 'robot@acme.test', REPLY_TO_EMAIL: 'jobs@acme.test' },
    captureLogs: true,
  })
  t.teardown(() => hireflow.stop())
  const app = hireflow.app!

  const requisition = await createRequisition(app, {
    title: 'Senior Backend Engineer',
    mustHaveSkills: ['TypeScript', 'PostgreSQL'],
    niceToHaveSkills: ['Kubernetes', 'AWS', 'Rust'],
    minYearsExperience: 3,
    advanceAtOrAbove: 70,
    rejectBelow: 30,
  })

  const uploads = [
    { filename: 'Ada Lovelace.pdf', content: await makePdfResume(sampleResumeLines('Ada Lovelace')), type: 'application/pdf' },
    {
      filename: 'grace-hopper.docx',
      content: await makeDocxResume(sampleResumeLines('Grace Hopper')),
      type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    },
  ]
  const ids: string[] = []
  for (const upload of uploads) {
    const response = await injectUpload(app, { filename: upload.filename, content: upload.content }, { requisitionId: requisition.id })
    t.equal(response.statusCode, 202, response.body)
    t.match(response.json(), { status: 'stored', duplicate: false })
    ids.push(response.json().id)
  }

  for (const [i, id] of ids.entries()) {
    await hireflow.waitFor(id, 'notified')
    const response = await app.inject({ method: 'GET', url: `/candidates/${id}`, headers: AUTH })
    t.equal(response.statusCode, 200)
    const candidate = response.json()
    t.equal(candidate.resume.filename, uploads[i]!.filename)
    t.equal(candidate.resume.mediaType, uploads[i]!.type)
    t.match(candidate.resume.sha256, /^[0-9a-f]{64}$/)
    t.notOk('key' in candidate.resume, 'storage keys stay internal')
    t.ok(candidate.profile.email, 'profile has the email')
    t.ok(candidate.score.value > 0, 'scored')
    t.ok(candidate.score.skills.find((s: { skill: string; found: boolean }) => s.skill === 'TypeScript' && s.found).evidence.text)
    t.match(
      candidate.score.requirements.find((r: { requirement: string }) => r.requirement === 'TypeScript'),
      { kind: 'must_have', verdict: 'met', evidence: { quote: /TypeScript/, at: { page: 1, section: 'Experience' } } },
      'each requirement with its quote, page and section',
    )
    t.match(
      candidate.score.requirements.find((r: { requirement: string }) => r.requirement === 'Rust'),
      { kind: 'nice_to_have', verdict: 'not_met', evidence: null },
    )
    t.equal(candidate.score.scorer.name, 'lexical')
    t.ok(['advance', 'review', 'reject'].includes(candidate.decision.outcome))
    t.ok(candidate.decision.reasons.length > 0)
    t.same(
      candidate.history.map((h: { to: string }) => h.to),
      ['received', 'stored', 'parsed', 'scored', 'decided', 'notified'],
    )
  }

  const listed = await app.inject({
    method: 'GET',
    url: `/candidates?status=notified&requisitionId=${requisition.id}&limit=1`,
    headers: AUTH,
  })
  t.equal(listed.statusCode, 200)
  t.equal(listed.json().items.length, 1)
  const next = await app.inject({
    method: 'GET',
    url: `/candidates?status=notified&requisitionId=${requisition.id}&limit=1&cursor=${listed.json().nextCursor}`,
    headers: AUTH,
  })
  t.equal(next.json().items.length, 1)
  t.not(next.json().items[0].id, listed.json().items[0].id)

  const mails = await outbox(hireflow.config.outboxDir)
  t.equal(mails.length, 2, 'one email per candidate')
  for (const [i, upload] of uploads.entries()) {
    const name = i === 0 ? 'Ada Lovelace' : 'Grace Hopper'
    const mail = mails.find((m) => m.subject?.includes(name))
    t.ok(mail, `an email about ${name}`)
    if (!mail) continue
    t.equal(mail.from?.text, 'robot@acme.test')
    t.equal((Array.isArray(mail.to) ? mail.to[0] : mail.to)?.text, 'people@acme.test')
    t.equal(mail.replyTo?.text, 'jobs@acme.test')
    t.match(mail.subject, /^(Advance|Review|Reject): .+ for Senior Backend Engineer$/)
    t.match(mail.text, /TypeScript/)
    t.match(mail.html, /Senior Backend Engineer/)
    t.equal(mail.attachments.length, 1)
    t.equal(mail.attachments[0]!.filename, upload.filename)
    t.ok(mail.attachments[0]!.content.equals(upload.content), 'the resume is attached byte for byte')
  }

  // Logs never carry resume text or contact fields, even at trace level.
  t.ok(hireflow.logs.length > 10, 'logs were captured')
  const logText = hireflow.logs.join('\n')
  for (const secret of [
    'Ada Lovelace',
    'Grace Hopper',
    'ada-lovelace@example.com',
    'grace-hopper@example.com',
    '7946 0958',
    'linkedin.com',
    'Built event pipelines',
    API_KEY,
  ]) {
    t.notOk(logText.includes(secret), `logs do not contain "${secret}"`)
  }
})
