// End to end on the AWS adapters, against local stand-ins: DynamoDB
// (dynalite), S3 (s3rver), SES (aws-ses-v2-local). Same code paths as in AWS.
import t from 'tap'
import { AUTH, createRequisition, startHireflow, injectUpload, until } from './support/harness.ts'
import { candidateTableOn, startDynalite, startS3rver, startSes } from './support/emulators.ts'
import { startFlakyProxy } from './support/flaky-proxy.ts'
import { makeDocxResume, makePdfResume, sampleResumeLines } from './support/resumes.ts'

t.test('on DynamoDB, S3 and SES: upload, score, email with attachment or link', async (t) => {
  const [dynamo, s3, ses] = await Promise.all([startDynalite(), startS3rver(['resumes-bucket']), startSes()])
  const sesFront = await startFlakyProxy(ses.endpoint)
  t.teardown(() => Promise.all([dynamo.close(), s3.close(), ses.close(), sesFront.close()]))
  const table = await candidateTableOn(dynamo, 'hireflow-e2e')

  const hireflow = await startHireflow({
    env: {
      ...table,
      RESUME_STORE: 's3',
      S3_BUCKET: 'resumes-bucket',
      S3_ENDPOINT: s3.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      MAILER: 'ses',
      SES_ENDPOINT: sesFront.endpoint,
      SES_ATTACHMENT_MAX_BYTES: String(200 * 1024),
      HR_EMAIL: 'people@acme.test',
      SENDER_EMAIL: 'robot@acme.test',
      REPLY_TO_EMAIL: 'jobs@acme.test',
    },
  })
  t.teardown(() => hireflow.stop())
  const app = hireflow.app!

  // aws-ses-v2-local has no GetSendQuota (the mailer's health probe): the
  // proxy in front of it answers that call itself. So this /health shows the
  // probe is wired to the SES endpoint and reads a quota answer; it says
  // nothing about the emulator, let alone SES. The quota parsing against SES's
  // own answers is in mailer.contract.test.ts.
  const quotaBefore = sesFront.quotaAnswered
  const health = await app.inject({ method: 'GET', url: '/health' })
  t.equal(health.statusCode, 200, health.body)
  t.equal(sesFront.quotaAnswered - quotaBefore, 1, 'the mailer probe was answered by the test proxy, not by SES')

  const requisition = await createRequisition(app, {
    title: 'Platform Engineer',
    mustHaveSkills: ['TypeScript'],
    niceToHaveSkills: ['Kubernetes', 'AWS'],
    minYearsExperience: 2,
    advanceAtOrAbove: 60,
    rejectBelow: 20,
  })

  const bigText = Buffer.from(
    [
      ...sampleResumeLines('Linus Large'),
      ...Array.from({ length: 6000 }, (_, i) => `Project note ${i}: shipped things in TypeScript.`),
    ].join('\n'),
  )
  // HR gets each file under the extension of its detected type, whatever it was sent as.
  const uploads = [
    { name: 'Ada Lovelace', filename: 'ada.pdf', sentAs: 'ada.pdf', content: await makePdfResume(sampleResumeLines('Ada Lovelace')) },
    { name: 'Grace Hopper', filename: 'grace.docx', sentAs: 'grace', content: await makeDocxResume(sampleResumeLines('Grace Hopper')) },
    { name: 'Linus Large', filename: 'linus.txt', sentAs: 'linus.bat', content: bigText },
  ]
  t.ok(bigText.length > 200 * 1024, 'the text resume is above the attachment limit')

  const ids: string[] = []
  for (const upload of uploads) {
    const response = await injectUpload(app, { filename: upload.sentAs, content: upload.content }, { requisitionId: requisition.id })
    t.equal(response.statusCode, 202, response.body)
    ids.push(response.json().id)
  }
  for (const id of ids) await hireflow.waitFor(id, 'notified')

  const page = await app.inject({ method: 'GET', url: `/candidates?requisitionId=${requisition.id}&status=notified`, headers: AUTH })
  t.equal(page.json().items.length, 3)

  const emails = await ses.emails()
  t.equal(emails.length, 3)
  for (const upload of uploads) {
    const mail = emails.find((m) => m.subject.includes(upload.name))
    t.ok(mail, `email about ${upload.name}`)
    if (!mail) continue
    t.equal(mail.from, 'robot@acme.test')
    t.same(mail.destination.to, ['people@acme.test'])
    t.same(mail.replyTo, ['jobs@acme.test'])
    t.match(mail.subject, /^(Advance|Review|Reject): .+ for Platform Engineer$/)
    t.match(mail.body.text, /TypeScript/)
    t.match(mail.body.html, /Platform Engineer/)
    if (upload.content.length <= 200 * 1024) {
      t.equal(mail.attachments.length, 1)
      t.equal(mail.attachments[0]!.filename, upload.filename)
      t.ok(Buffer.from(mail.attachments[0]!.content, 'base64').equals(upload.content), 'attached byte for byte')
    } else {
      t.equal(mail.attachments.length, 0, 'too large to attach')
      const link = /https?:\/\/\S+X-Amz-Signature=\S+/.exec(mail.body.text ?? '')?.[0]
      t.ok(link, 'a presigned link instead')
      const fetched = await fetch(link!)
      t.equal(fetched.status, 200)
      t.equal(
        fetched.headers.get('content-disposition'),
        `attachment; filename="${upload.filename}"`,
        'the link downloads under the typed name',
      )
      t.ok(Buffer.from(await fetched.arrayBuffer()).equals(upload.content), 'the link serves the resume')
    }
  }

  // HR decides on Ada: recorded in DynamoDB beside the recommendation, emailed once through SES, however often it is sent.
  const decide = () =>
    app.inject({
      method: 'POST',
      url: `/candidates/${ids[0]}/decision`,
      headers: AUTH,
      payload: { outcome: 'hired', reason: 'Offer accepted', decidedBy: 'Dana from HR' },
    })
  const decided = await decide()
  t.equal(decided.statusCode, 201, decided.body)
  t.equal((await decide()).statusCode, 200, 'the same decision again')
  const finalMail = await until('the final-decision email', async () =>
    (await ses.emails()).find((mail) => mail.subject.startsWith('HR decision: Hired — Ada Lovelace')),
  )
  t.match(finalMail.body.text, /Offer accepted/)
  t.match(finalMail.body.text, /Dana from HR/)
  const stored = await until('the email recorded', async () => {
    const candidate = await hireflow.services.candidates.getCandidate(ids[0]!)
    return candidate?.hrDecisionNotification ? candidate : undefined
  })
  t.equal(stored.hrDecision?.outcome, 'hired')
  t.ok(stored.decision, "hireflow's recommendation is kept")
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal((await ses.emails()).length, 4, 'one final-decision email for two requests')
})
