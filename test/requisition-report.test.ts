// GET /requisitions/:id/report: recommendations, HR's decisions and their
// agreement, failure reasons; 404 for an unknown requisition.
import t from 'tap'
import { AUTH, createRequisition, injectUpload, startHireflow } from './support/harness.ts'
import { makeCorruptPdf, sampleResumeLines } from './support/resumes.ts'
import { requisitionReport } from '../routes/requisition-report.ts'

t.test('one requisition: what hireflow recommended, what HR decided, how often they agree, why candidates failed', async (t) => {
  const hireflow = await startHireflow()
  t.teardown(() => hireflow.stop())
  const app = hireflow.app!
  const requisition = await createRequisition(app, {
    title: 'Platform Engineer',
    mustHaveSkills: ['TypeScript', 'Kubernetes'],
    minYearsExperience: 2,
    advanceAtOrAbove: 60,
    rejectBelow: 30,
  })
  const other = await createRequisition(app, { title: 'Designer', mustHaveSkills: ['Figma'] })

  const files = [
    { filename: 'strong.txt', content: Buffer.from(sampleResumeLines('Ada Strong').join('\n')) },
    {
      filename: 'weak.txt',
      content: Buffer.from('Bo Weak\nbo@example.com\nExperience\nCashier, 2022 - Present\nSkills\nCustomer service'),
    },
    { filename: 'broken.pdf', content: makeCorruptPdf() },
  ]
  const ids: string[] = []
  for (const file of files) ids.push((await injectUpload(app, file, { requisitionId: requisition.id })).json().id)
  await injectUpload(
    app,
    { filename: 'elsewhere.txt', content: Buffer.from(sampleResumeLines('Cy Other').join('\n')) },
    { requisitionId: other.id },
  )
  const [strong, weak, broken] = [
    await hireflow.waitFor(ids[0]!, 'notified'),
    await hireflow.waitFor(ids[1]!, 'notified'),
    await hireflow.waitFor(ids[2]!, 'failed'),
  ]

  // HR agrees with one recommendation and goes against the other.
  const against = { advance: 'reject', review: 'advance', reject: 'advance' } as const
  const decide = (id: string, outcome: string) =>
    app.inject({
      method: 'POST',
      url: `/candidates/${id}/decision`,
      headers: AUTH,
      payload: { outcome, reason: 'interviewed', decidedBy: 'HR' },
    })
  const agreeing = strong.decision!.outcome === 'review' ? 'hold' : strong.decision!.outcome
  t.equal((await decide(strong.id, agreeing)).statusCode, 201)
  t.equal((await decide(weak.id, against[weak.decision!.outcome])).statusCode, 201)

  const response = await app.inject({ method: 'GET', url: `/requisitions/${requisition.id}/report`, headers: AUTH })
  t.equal(response.statusCode, 200, response.body)
  const report = response.json()
  t.match(report, {
    requisitionId: requisition.id,
    title: 'Platform Engineer',
    candidates: 3,
    partial: false,
    byStatus: { notified: 2, failed: 1, received: 0 },
    recommendations: { total: 2 },
    hrDecisions: { total: 2, agreement: { compared: 2, agreed: 1, disagreed: 1, rate: 0.5 } },
    failures: { total: 1, byReason: { [broken.failure!.reason]: 1 } },
  })
  for (const outcome of ['advance', 'review', 'reject'] as const) {
    const expected = [strong, weak].filter((candidate) => candidate.decision!.outcome === outcome).length
    t.same(report.recommendations.byOutcome[outcome], { count: expected, rate: expected / 2 }, `recommended ${outcome}`)
  }
  for (const outcome of ['advance', 'hold', 'reject', 'hired'] as const) {
    const expected = [agreeing, against[weak.decision!.outcome]].filter((decided) => decided === outcome).length
    t.equal(report.hrDecisions.byOutcome[outcome].count, expected, `HR decided ${outcome}`)
  }
  t.notMatch(JSON.stringify(report), /Ada|Bo Weak|example\.com/, 'no personal data in the report')

  const missing = await app.inject({ method: 'GET', url: '/requisitions/00000000-0000-4000-8000-000000000000/report', headers: AUTH })
  t.equal(missing.statusCode, 404)
  t.match(missing.json().message, /no requisition/)
  t.equal((await app.inject({ method: 'GET', url: `/requisitions/${requisition.id}/report` })).statusCode, 401)
})

t.test('rates are shares of their own base, and null when the base is empty', async (t) => {
  const report = requisitionReport([])
  t.same(report.recommendations.byOutcome.advance, { count: 0, rate: null })
  t.equal(report.hrDecisions.agreement.rate, null)
})
