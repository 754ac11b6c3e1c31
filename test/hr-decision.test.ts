// HR's final decision, end to end on the embedded defaults: the recommendation
// email goes out, HR records a decision through the API, and HR gets one
// email per decision, however often the request or its job is repeated.
import { quietMonitoring } from './support/monitoring.ts'
import t from 'tap'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import pino from 'pino'
import type { FastifyInstance } from 'fastify'
import { simpleParser, type ParsedMail } from 'mailparser'
import { notifyProcessor } from '../jobs/notify.ts'
import { ExtractionPool } from '../src/pipeline/extraction-pool.ts'
import { sourceItemId } from '../jobs/sources.ts'
import { AUTH, injectUpload, startHireflow, until } from './support/harness.ts'
import { startFakeClickUp } from './support/fake-clickup.ts'
import { startAgainst } from './support/source-e2e.ts'
import { makeCorruptPdf, makePdfResume, sampleResumeLines } from './support/resumes.ts'

async function outbox(dir: string): Promise<ParsedMail[]> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.eml')).sort()
  return Promise.all(files.map(async (f) => simpleParser(await readFile(join(dir, f)))))
}

async function finalDecisionMails(dir: string): Promise<ParsedMail[]> {
  return (await outbox(dir)).filter((mail) => (mail.subject ?? '').startsWith('HR decision:'))
}

type Tap = Parameters<Parameters<typeof t.test>[0]>[0]

const decide = (app: FastifyInstance, candidateId: string, payload: object) =>
  app.inject({ method: 'POST', url: `/candidates/${candidateId}/decision`, headers: AUTH, payload })

/** hireflow on the embedded defaults (or one role of it), stopped at teardown, with one PDF uploaded to it. */
async function startWithUpload(t: Tap, filename: string, content: Buffer, role?: 'api') {
  const hireflow = await startHireflow(role ? { role } : {})
  t.teardown(() => hireflow.stop())
  const app = hireflow.app!
  const upload = await injectUpload(app, { filename, content, contentType: 'application/pdf' })
  t.equal(upload.statusCode, 202, upload.body)
  const { id } = upload.json() as { id: string }
  return { hireflow, app, id }
}

/** `name`'s resume uploaded and taken through the pipeline until hireflow made its recommendation and emailed HR. */
async function recommendedCandidate(t: Tap, name: string) {
  const started = await startWithUpload(t, `${name}.pdf`, await makePdfResume(sampleResumeLines(name)))
  const notified = await started.hireflow.waitFor(started.id, ['notified', 'acknowledged'])
  return { ...started, notified }
}

t.test('HR records a final decision and is emailed once per decision', async (t) => {
  const { hireflow, app, id, notified } = await recommendedCandidate(t, 'Grace Hopper')
  const dir = hireflow.config.outboxDir
  t.ok(notified.decision, 'hireflow made its recommendation')
  const recommendation = notified.decision!

  const post = (payload: object) => decide(app, id, payload)

  const first = await post({ outcome: 'hold', reason: 'Strong profile; waiting for the\nsecond interview', decidedBy: 'Ada from HR' })
  t.equal(first.statusCode, 201, first.body)
  const recorded = first.json()
  t.equal(recorded.status, notified.status, 'the status is unchanged')
  t.same(recorded.decision, recommendation, 'the recommendation is unchanged')
  t.match(recorded.hrDecision, {
    outcome: 'hold',
    reason: 'Strong profile; waiting for the\nsecond interview',
    decidedBy: 'Ada from HR',
    at: String,
    id: String,
    agreesWithRecommendation: recommendation.outcome === 'review',
  })

  const mails = await until('the final-decision email', async () => {
    const found = await finalDecisionMails(dir)
    return found.length > 0 ? found : undefined
  })
  t.equal(mails.length, 1, 'one final-decision email')
  const mail = mails[0]!
  t.match(mail.subject, /^HR decision: Hold — Grace Hopper/, 'the subject names the outcome and the candidate')
  for (const [format, body] of [
    ['text', mail.text ?? ''],
    ['html', String(mail.html)],
  ] as const) {
    t.match(body, 'Strong profile; waiting for the second interview', `${format}: the reason, on one line`)
    t.match(body, 'Ada from HR', `${format}: who decided`)
    t.match(body, recorded.hrDecision.at, `${format}: when`)
    t.match(body, /hireflow.s recommendation: |hireflow recommended/, `${format}: the recommendation`)
  }
  t.same(
    mail.to && !Array.isArray(mail.to) ? mail.to.value.map((a) => a.address) : [],
    hireflow.config.hrEmail,
    'sent to HR like the recommendation',
  )

  const shown = await until('the email recorded on the candidate', async () => {
    const got = (await app.inject({ method: 'GET', url: `/candidates/${id}`, headers: AUTH })).json()
    return got.hrDecision?.notifiedAt ? got : undefined
  })
  t.equal(shown.hrDecision.id, recorded.hrDecision.id, 'GET shows the decision')
  t.same(shown.decision, recommendation, 'GET shows the recommendation unchanged')
  t.equal(typeof shown.hrDecision.agreesWithRecommendation, 'boolean', 'GET says whether HR agreed')
  const listed = (await app.inject({ method: 'GET', url: '/candidates?limit=50', headers: AUTH })).json()
  t.same(listed.items.find((item: { id: string }) => item.id === id)?.hrDecision, shown.hrDecision, 'the list shows it too')
  const entry = shown.history.find((h: { by: string }) => h.by === 'hr:Ada from HR')
  t.ok(entry, 'the history says who decided')
  t.match(entry?.why, /HR decided hold: Strong profile/, 'and why')

  const again = await post({ outcome: 'hold', reason: 'Strong profile; waiting for the\nsecond interview', decidedBy: 'Ada from HR' })
  t.equal(again.statusCode, 200, 'the same decision again: 200')
  t.equal(again.json().hrDecision.id, recorded.hrDecision.id, 'the same decision is kept')

  // A notify job retried for a decision already mailed sends nothing: run the real processor twice more.
  const extractor = new ExtractionPool({ threads: 1 })
  t.teardown(() => extractor.close())
  const processor = notifyProcessor({
    config: hireflow.config,
    services: hireflow.services,
    queues: hireflow.queues,
    log: pino({ level: 'silent' }),
    ...quietMonitoring(),
    extractor,
    sources: new Map(),
  })
  const [job] = (await hireflow.queues.notify.getJobs(['completed'])).filter((j) => j.data.hrDecisionId === recorded.hrDecision.id)
  t.ok(job, 'the final-decision job ran')
  await processor(job!)
  await processor(job!)
  t.equal((await finalDecisionMails(dir)).length, 1, 'still one email after the repeated request and the retried job')

  const changed = await post({ outcome: 'hired', reason: 'Offer accepted', decidedBy: 'Ada from HR' })
  t.equal(changed.statusCode, 201, changed.body)
  t.not(changed.json().hrDecision.id, recorded.hrDecision.id, 'a changed decision is a new decision')
  t.equal(changed.json().hrDecision.agreesWithRecommendation, recommendation.outcome === 'advance', 'hired agrees with advance only')
  const both = await until('the second email', async () => {
    const found = await finalDecisionMails(dir)
    return found.length >= 2 ? found : undefined
  })
  t.equal(both.length, 2, 'one more email for the changed decision')
  t.ok(
    both.some((m) => /^HR decision: Hired/.test(m.subject ?? '') && (m.text ?? '').includes('Offer accepted')),
    'the second email has the new outcome and reason',
  )
  t.not(both[0]!.messageId, both[1]!.messageId, 'each decision is an email of its own')
})

t.test('the request is checked', async (t) => {
  const { app, id } = await recommendedCandidate(t, 'Alan Turing')
  const post = (payload: object, candidateId = id) => decide(app, candidateId, payload)

  const unknown = await post({ outcome: 'advance', reason: 'Good', decidedBy: 'Ada' }, 'no-such-candidate')
  t.equal(unknown.statusCode, 404)
  t.match(unknown.json().message, 'no candidate no-such-candidate')

  for (const [problem, payload, named] of [
    ['an unknown outcome', { outcome: 'maybe', reason: 'Good', decidedBy: 'Ada' }, /outcome/],
    ['no reason', { outcome: 'advance', decidedBy: 'Ada' }, /reason/],
    ['a blank reason', { outcome: 'advance', reason: '   ', decidedBy: 'Ada' }, /reason/],
    ['no decidedBy', { outcome: 'advance', reason: 'Good' }, /decidedBy/],
  ] as const) {
    const refused = await post(payload)
    t.equal(refused.statusCode, 400, `${problem}: 400`)
    t.match(refused.json().message, named, `${problem}: the message names the field`)
  }

  const unauthenticated = await app.inject({
    method: 'POST',
    url: `/candidates/${id}/decision`,
    payload: { outcome: 'advance', reason: 'Good', decidedBy: 'Ada' },
  })
  t.equal(unauthenticated.statusCode, 401)

  const candidate = (await app.inject({ method: 'GET', url: `/candidates/${id}`, headers: AUTH })).json()
  t.equal(candidate.hrDecision, null, 'nothing was recorded')
})

t.test('a candidate the pipeline has not finished: 409', async (t) => {
  // The API alone: no worker takes the upload on, so it stays stored.
  const { hireflow, app, id } = await startWithUpload(
    t,
    'Katherine Johnson.pdf',
    await makePdfResume(sampleResumeLines('Katherine Johnson')),
    'api',
  )
  const early = await decide(app, id, { outcome: 'reject', reason: 'Too early', decidedBy: 'Ada' })
  t.equal(early.statusCode, 409, early.body)
  t.match(early.json().message, `candidate ${id} is stored`)
  t.equal((await hireflow.services.candidates.getCandidate(id))?.hrDecision ?? null, null, 'nothing was recorded')
})

t.test('a candidate from a task: the decision is also commented on the task, once', async (t) => {
  const fake = await startFakeClickUp()
  t.teardown(() => fake.close())
  const hireflow = await startAgainst(t, fake.env)
  const task = await fake.addTask({
    title: 'Mary Jackson – Backend Engineer',
    labels: ['candidate'],
    creator: 'Alex Recruiter',
    attachments: [
      { filename: 'Mary Jackson.pdf', bytes: await makePdfResume(sampleResumeLines('Mary Jackson')), mediaType: 'application/pdf' },
    ],
  })
  await hireflow.queues.enqueueReconcile(fake.provider)
  const [candidate] = await until('the candidate from the task', async () => {
    const found = await hireflow.services.candidates.findBySourceItem('task-manager', sourceItemId(fake.provider, task.id))
    return found.length === 1 && found[0]!.status === 'acknowledged' ? found : undefined
  })

  const decided = await decide(hireflow.app!, candidate!.id, {
    outcome: 'reject',
    reason: 'Position filled internally',
    decidedBy: 'Ada from HR',
  })
  t.equal(decided.statusCode, 201, decided.body)
  t.equal(decided.json().status, 'acknowledged', 'the status is unchanged')

  const decisionComments = () => fake.task(task.id).comments.filter((comment) => comment.includes('HR decided'))
  const commented = await until('the comment on the task', async () => {
    const stored = await hireflow.services.candidates.getCandidate(candidate!.id)
    return stored?.hrDecisionNotification?.commentedAt ? stored : undefined
  })
  t.equal(commented.hrDecisionNotification?.decisionId, decided.json().hrDecision.id, 'recorded for this decision')
  t.equal(decisionComments().length, 1, 'one comment')
  t.match(decisionComments()[0], /"reject".*Position filled internally.*Ada from HR/, 'the comment has the outcome, reason and who decided')
  t.equal((await finalDecisionMails(hireflow.config.outboxDir)).length, 1, 'and one email to HR')
})

t.test('an unreadable resume: HR can decide once it was emailed the file', async (t) => {
  const { hireflow, app, id } = await startWithUpload(t, 'Broken.pdf', makeCorruptPdf())
  await until('HR emailed the unreadable resume', async () => {
    const candidate = await hireflow.services.candidates.getCandidate(id)
    return candidate?.notification ? candidate : undefined
  })
  const decided = await decide(app, id, { outcome: 'advance', reason: 'Read it by hand; strong', decidedBy: 'Ada from HR' })
  t.equal(decided.statusCode, 201, decided.body)
  t.match(decided.json(), { status: 'failed', failure: { reason: 'unreadable_resume' } }, 'still failed as unreadable')
  t.equal(decided.json().hrDecision.agreesWithRecommendation, null, 'no recommendation to agree with')
  const mails = await until('the final-decision email', async () => {
    const found = await finalDecisionMails(hireflow.config.outboxDir)
    return found.length > 0 ? found : undefined
  })
  t.match(mails[0]!.text, /hireflow's recommendation: none/, 'the email says there was no recommendation')
})
