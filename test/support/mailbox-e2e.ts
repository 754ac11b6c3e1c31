// End to end through a hiring mailbox: hireflow runs for real (HTTP API,
// workers, Redis, the embedded stores) against a mailbox stand-in (the Graph
// stand-in, or a real Dovecot), and the paths the issue names are driven
// through the public routes and queues. Each mailbox's test file calls this
// with its stand-in and how mail reaches hireflow there without a
// reconciliation (Graph: a subscription; IMAP: IDLE).
import type tap from 'tap'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Candidate } from '../../src/domain/candidate.ts'
import type { FakeMailbox } from './fake-mailbox.ts'
import { until, type TestHireflow } from './harness.ts'
import { makePdfResume, resumePair, sampleResumeLines } from './resumes.ts'
import { flushQueuesThenReconcile, startAgainst } from './source-e2e.ts'

type Tap = Parameters<Parameters<typeof tap.test>[0]>[0]

export interface MailboxE2eOptions {
  /** Sets up the push path (Graph: POST /integrations/mailbox/subscription); resolves once mail will be pushed. */
  push: (hireflow: TestHireflow, fake: FakeMailbox) => Promise<void>
  /** The push is set up through the API process (Graph's subscription), not held by a worker (IMAP's IDLE). */
  pushFromApi: boolean
}

export const startWithMailbox = (t: Tap, fake: FakeMailbox, env: Record<string, string> = {}, role?: 'all' | 'api' | 'worker') =>
  startAgainst(t, fake.env, env, role)

async function allCandidates(hireflow: TestHireflow): Promise<Candidate[]> {
  const all: Candidate[] = []
  let cursor: string | undefined
  do {
    const page = await hireflow.services.candidates.listCandidates({ limit: 100, ...(cursor ? { cursor } : {}) })
    all.push(...page.items)
    cursor = page.nextCursor ?? undefined
  } while (cursor)
  return all
}

/** The candidates a mail became (found by its subject). */
export async function candidatesOfMail(hireflow: TestHireflow, subject: string): Promise<Candidate[]> {
  return (await allCandidates(hireflow)).filter((candidate) => candidate.origin?.title === subject)
}

/** Once there are `count` candidates of the mail, all in one of `statuses`. */
export function mailCandidates(hireflow: TestHireflow, subject: string, count: number, statuses: Candidate['status'][]) {
  return until(`${count} candidates of "${subject}" in ${statuses.join('|')}`, async () => {
    const found = await candidatesOfMail(hireflow, subject)
    return found.length === count && found.every((candidate) => statuses.includes(candidate.status)) ? found : undefined
  })
}

export async function outbox(hireflow: TestHireflow): Promise<string[]> {
  const names = (await readdir(hireflow.config.outboxDir).catch(() => [])).filter((name) => name.endsWith('.eml'))
  return Promise.all(names.map((name) => readFile(join(hireflow.config.outboxDir, name), 'utf8')))
}

export async function resumeMail(fake: FakeMailbox, subject: string, name: string): Promise<void> {
  await fake.deliver({
    subject,
    from: `${name} <${name.toLowerCase().replace(/\s+/g, '.')}@example.org>`,
    body: 'Please find my resume attached.',
    attachments: await resumePair(name),
  })
}

export function mailboxEndToEnd(t: Tap, startFake: (t: Tap) => Promise<FakeMailbox>, options: MailboxE2eOptions): void {
  t.test('pushed: a mail with a PDF and a DOCX gives two candidates, HR emailed with the mail named, the mail marked', async (t) => {
    const fake = await startFake(t)
    const hireflow = await startWithMailbox(t, fake)
    await options.push(hireflow, fake)
    await resumeMail(fake, 'Application: Paula Push', 'Paula Push')
    const candidates = await mailCandidates(hireflow, 'Application: Paula Push', 2, ['acknowledged'])
    t.same(candidates.map((candidate) => candidate.resume.mediaType).sort(), [
      'application/pdf',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    ])
    for (const candidate of candidates) {
      t.equal(candidate.source, 'mailbox')
      t.match(candidate.origin, { provider: fake.provider, sender: /paula\.push@example\.org/, title: 'Application: Paula Push' })
      t.ok(candidate.origin?.receivedAt, 'the received time is kept')
    }
    await until('the processed mark', async () =>
      (await fake.mail('Application: Paula Push')).marks.includes(fake.processedMark) ? true : undefined,
    )
    const mails = await outbox(hireflow)
    t.equal(mails.length, 2, 'HR emailed once per resume')
    for (const mail of mails) {
      t.match(mail, /Application: Paula Push/, 'the email names the mail')
      t.match(mail, /Mail received: /)
    }
  })

  t.test('nothing pushed: reconciliation alone finds the mail, and stores its cursor', async (t) => {
    const fake = await startFake(t)
    const hireflow = await startWithMailbox(t, fake)
    await resumeMail(fake, 'Application: Rob Reconcile', 'Rob Reconcile')
    await hireflow.queues.enqueueReconcile(fake.provider)
    await mailCandidates(hireflow, 'Application: Rob Reconcile', 2, ['acknowledged'])
    t.equal((await outbox(hireflow)).length, 2)
    t.ok((await hireflow.services.candidates.getSourceState(fake.provider))?.cursor, 'the cursor is in the candidate store')
    // A second run finds nothing new and takes nothing in twice.
    await hireflow.queues.enqueueReconcile(fake.provider)
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    t.equal((await candidatesOfMail(hireflow, 'Application: Rob Reconcile')).length, 2)
    t.equal((await outbox(hireflow)).length, 2)
  })

  t.test('Redis flushed between the push and processing: the next reconciliation finishes it, once', async (t) => {
    const fake = await startFake(t)
    const api = await startWithMailbox(t, fake, {}, 'api')
    if (options.pushFromApi) await options.push(api, fake)
    await resumeMail(fake, 'Application: Flora Flushed', 'Flora Flushed')
    await new Promise((resolve) => setTimeout(resolve, 300))
    // Whatever the push queued is lost with Redis' data.
    await flushQueuesThenReconcile(t, api, fake.provider)
    await mailCandidates(api, 'Application: Flora Flushed', 2, ['acknowledged'])
    await new Promise((resolve) => setTimeout(resolve, 500))
    t.equal((await outbox(api)).length, 2, 'one email per resume')
  })

  t.test('an 8 MB attachment arrives intact; one over MAX_RESUME_BYTES is refused with the reason on its record', async (t) => {
    const fake = await startFake(t)
    const hireflow = await startWithMailbox(t, fake, { MAX_RESUME_BYTES: String(9 * 1024 * 1024) })
    const big = Buffer.concat([await makePdfResume(sampleResumeLines('Bea Big')), Buffer.alloc(8 * 1024 * 1024, 0x20)])
    const huge = Buffer.concat([await makePdfResume(sampleResumeLines('Hugo Huge')), Buffer.alloc(10 * 1024 * 1024, 0x20)])
    await fake.deliver({ subject: 'Big resume', attachments: [{ filename: 'bea.pdf', bytes: big, mediaType: 'application/pdf' }] })
    await fake.deliver({ subject: 'Huge resume', attachments: [{ filename: 'hugo.pdf', bytes: huge, mediaType: 'application/pdf' }] })
    await hireflow.queues.enqueueReconcile(fake.provider)
    const [stored] = await until('the 8 MB resume stored', async () => {
      const found = (await candidatesOfMail(hireflow, 'Big resume')).filter((candidate) => candidate.resume.size > 0)
      return found.length === 1 ? found : undefined
    })
    t.equal(stored!.resume.size, big.length, 'every byte')
    const { createHash } = await import('node:crypto')
    t.equal(stored!.resume.sha256, createHash('sha256').update(big).digest('hex'), 'intact')
    const [refused] = await mailCandidates(hireflow, 'Huge resume', 1, ['failed'])
    t.match(refused!.failure, { reason: 'attachment_refused', step: 'intake', message: /hugo\.pdf.*(larger than|more than)/ })
  })

  t.test('a mail without a resume is marked so, and takes nothing in', async (t) => {
    const fake = await startFake(t)
    const hireflow = await startWithMailbox(t, fake)
    await fake.deliver({ subject: 'Question about the role', body: 'Is the position remote?' })
    await hireflow.queues.enqueueReconcile(fake.provider)
    await until('the no-resume mark', async () =>
      (await fake.mail('Question about the role')).marks.includes(fake.noResumeMark) ? true : undefined,
    )
    t.same(await candidatesOfMail(hireflow, 'Question about the role'), [])
    t.equal((await outbox(hireflow)).length, 0)
  })
}
