// One contract for every mailbox source (Graph, IMAP), run by each provider's
// test against its stand-in. The source is built exactly as the service
// builds it (createSources from the environment).
import type tap from 'tap'
import pino from 'pino'
import { loadConfig } from '../../src/config.ts'
import type { IntakeSource, SourceItem } from '../../src/ports/intake-source.ts'
import { createSources } from '../../src/sources/registry.ts'
import { SqliteCandidateStore } from '../../src/storage/sqlite-candidate-store.ts'
import type { FakeMailbox } from './fake-mailbox.ts'
import { makeDocxResume, makePdfResume, sampleResumeLines } from './resumes.ts'

type Tap = Parameters<Parameters<typeof tap.test>[0]>[0]

export interface OpenedMailbox {
  source: IntakeSource
  fake: FakeMailbox
  candidates: SqliteCandidateStore
}

/** Builds the configured mailbox source against `fake`, with an in-memory candidate store for its state. */
export function openMailbox(t: Tap, fake: FakeMailbox, env: Record<string, string> = {}): OpenedMailbox {
  const config = loadConfig({ ...fake.env, ...env })
  const candidates = new SqliteCandidateStore(':memory:')
  t.teardown(() => candidates.close())
  const source = createSources(config, candidates, pino({ level: 'silent' })).get(fake.provider)
  if (!source) throw new Error(`no source was built for ${fake.provider}`)
  return { source, fake, candidates }
}

/** Every change the source lists from `cursor` on, page by page, and the cursor it ends with. */
export async function syncAll(source: IntakeSource, cursor: string | null, lookback = new Date(Date.now() - 3_600_000)) {
  if (!source.syncChanges) throw new Error(`${source.provider} has no syncChanges`)
  const ids: string[] = []
  let page: string | null = null
  let next: string | null
  let resynced = false
  do {
    const result = await source.syncChanges(cursor, lookback, page)
    ids.push(...result.changes.map((change) => change.id))
    resynced ||= result.resynced
    page = result.nextPage
    next = result.cursor
  } while (page)
  if (!next) throw new Error('the last page gave no cursor')
  return { ids: [...new Set(ids)], cursor: next, resynced }
}

/** The listed item whose title is `subject`. */
export async function itemWithSubject(source: IntakeSource, ids: readonly string[], subject: string): Promise<SourceItem> {
  for (const id of ids) {
    const item = await source.getItem(id)
    if (item?.title === subject) return item
  }
  throw new Error(`no listed mail has the subject "${subject}"`)
}

export function mailboxSourceContract(t: Tap, startFake: (t: Tap) => Promise<FakeMailbox>): void {
  const open = async (t: Tap) => openMailbox(t, await startFake(t))

  t.test(
    'syncChanges: the first run finds mail from the look-back window; the next run from its cursor only what came since',
    async (t) => {
      const { source, fake } = await open(t)
      await fake.deliver({ subject: 'First application', attachments: [] })
      const first = await syncAll(source, null)
      t.equal(first.ids.length, 1, 'the mail already there is listed')
      const again = await syncAll(source, first.cursor)
      t.same(again.ids, [], 'nothing new: nothing listed')
      t.notOk(again.resynced)
      await fake.deliver({ subject: 'Second application', attachments: [] })
      const second = await syncAll(source, again.cursor)
      t.equal(second.ids.length, 1, 'only the new mail')
      t.equal((await source.getItem(second.ids[0]!))?.title, 'Second application')
    },
  )

  t.test('getItem: subject, sender, every resume-like attachment, a forwarded mail opened one level; bytes intact', async (t) => {
    const { source, fake } = await open(t)
    const pdf = await makePdfResume(sampleResumeLines('Jane Doe'))
    const docx = await makeDocxResume(sampleResumeLines('John Roe'))
    const forwardedPdf = await makePdfResume(sampleResumeLines('Ann Forward'))
    await fake.deliver({
      subject: 'Application: Jane Doe',
      from: 'Jane Doe <jane@example.com>',
      attachments: [
        { filename: 'jane.pdf', bytes: pdf, mediaType: 'application/pdf' },
        { filename: 'john.docx', bytes: docx, mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
      ],
      forwarded: { subject: 'Fwd: my CV', from: 'ann@example.com', attachments: [{ filename: 'ann.pdf', bytes: forwardedPdf }] },
    })
    const { ids } = await syncAll(source, null)
    const item = await itemWithSubject(source, ids, 'Application: Jane Doe')
    t.match(item.sender, /jane@example\.com/)
    t.ok(item.inScope)
    t.notOk(item.processed)
    const names = item.attachments.map((attachment) => attachment.filename).sort()
    t.same(names, ['ann.pdf', 'jane.pdf', 'john.docx'])
    const bytes = async (name: string) =>
      source.downloadAttachment(
        item,
        item.attachments.find((attachment) => attachment.filename === name)!,
        { maxBytes: 10_000_000 },
      )
    t.equal((await bytes('jane.pdf')).toString('hex'), pdf.toString('hex'))
    t.equal((await bytes('john.docx')).toString('hex'), docx.toString('hex'))
    t.equal((await bytes('ann.pdf')).toString('hex'), forwardedPdf.toString('hex'), 'from inside the forwarded mail')
  })

  t.test('an 8 MB attachment arrives intact; more than maxBytes is refused while reading', async (t) => {
    const { source, fake } = await open(t)
    const big = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(8 * 1024 * 1024, 0x41)])
    await fake.deliver({ subject: 'Big resume', attachments: [{ filename: 'big.pdf', bytes: big, mediaType: 'application/pdf' }] })
    const { ids } = await syncAll(source, null)
    const item = await itemWithSubject(source, ids, 'Big resume')
    const attachment = item.attachments[0]!
    const bytes = await source.downloadAttachment(item, attachment, { maxBytes: 10 * 1024 * 1024 })
    t.equal(bytes.length, big.length)
    t.ok(bytes.equals(big), 'byte for byte')
    await t.rejects(source.downloadAttachment(item, attachment, { maxBytes: 1024 * 1024 }), { name: 'DownloadRefusedError' })
  })

  t.test('markProcessed puts the processed mark once (the no-resume mark on a mail without a resume)', async (t) => {
    const { source, fake } = await open(t)
    await fake.deliver({ subject: 'With resume', attachments: [{ filename: 'a.pdf', bytes: await makePdfResume(['A B']) }] })
    await fake.deliver({ subject: 'Without resume', body: 'See you soon' })
    const { ids } = await syncAll(source, null)
    const withResume = await itemWithSubject(source, ids, 'With resume')
    await source.markProcessed(withResume, { candidateIds: ['candidate-1'], noResume: false })
    await source.markProcessed((await source.getItem(withResume.id))!, { candidateIds: ['candidate-1'], noResume: false })
    const marked = await fake.mail('With resume')
    t.equal(marked.marks.filter((mark) => mark === fake.processedMark).length, 1)
    t.equal((await source.getItem(withResume.id))?.processed, true)

    const without = await itemWithSubject(source, ids, 'Without resume')
    await source.markProcessed(without, { candidateIds: [], noResume: true })
    t.ok((await fake.mail('Without resume')).marks.includes(fake.noResumeMark))
    t.equal((await source.getItem(without.id))?.processed, true)
  })

  t.test('a requisition named by plus-address or subject tag', async (t) => {
    const { source, fake } = await open(t)
    await fake.deliver({ subject: 'Application [req:backend-2]', attachments: [] })
    // A plus-address of the hiring mailbox itself (Graph: HIRING_MAILBOX; IMAP: the login when it is an address).
    const mailbox = [fake.env.HIRING_MAILBOX, fake.env.IMAP_USER].find((value) => value?.includes('@')) ?? 'hiring@example.com'
    const [local, domain] = mailbox.split('@')
    await fake.deliver({ subject: 'Plus-addressed', to: `${local}+frontend-1@${domain}`, attachments: [] })
    await fake.deliver({ subject: 'No requisition', attachments: [] })
    const { ids } = await syncAll(source, null)
    t.equal((await itemWithSubject(source, ids, 'Application [req:backend-2]')).requisitionId, 'backend-2')
    t.equal((await itemWithSubject(source, ids, 'Plus-addressed')).requisitionId, 'frontend-1')
    t.equal((await itemWithSubject(source, ids, 'No requisition')).requisitionId, null)
  })

  t.test('probe passes while the mailbox answers and fails while it is down', async (t) => {
    const { source, fake } = await open(t)
    await t.resolves(source.probe())
    await fake.setDown(true)
    await t.rejects(source.probe())
    await fake.setDown(false)
    await t.resolves(source.probe())
  })

  t.test('getItem of a mail that does not exist is undefined', async (t) => {
    const { source } = await open(t)
    const { ids } = await syncAll(source, null)
    t.same(ids, [])
    t.equal(await source.getItem(source.provider === 'graph' ? 'AAMkAGI2TG93AAA=' : '<missing@example.com>'), undefined)
  })
}
