// The IMAP source against a real Dovecot server: the mailbox contract every
// mail source passes, and what only IMAP has (UIDVALIDITY, keywords, moving
// processed mail, a forwarded mail the server does not look into, mail
// without a Message-ID).
import { once } from 'node:events'
import { createServer, type AddressInfo } from 'node:net'
import t from 'tap'
import { mailboxSourceContract, openMailbox, syncAll, itemWithSubject } from './support/mailbox-contract.ts'
import { startDovecotMailbox } from './support/dovecot.ts'
import { makePdfResume, sampleResumeLines } from './support/resumes.ts'

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS

t.test('mailbox contract', async (t) => {
  mailboxSourceContract(t, startDovecotMailbox)
})

t.test('a new UIDVALIDITY: the sync starts again from the look-back time, and mail keeps its id', async (t) => {
  const fake = await startDovecotMailbox(t)
  const { source } = openMailbox(t, fake)
  const lookback = new Date(Date.now() - HOUR_MS)
  await fake.deliver({ subject: 'Three days old' }, { receivedAt: new Date(Date.now() - 3 * DAY_MS) })
  const waitingId = await fake.append({ subject: 'Not yet processed' }, { receivedAt: new Date(Date.now() - 10 * 60_000) })
  await fake.deliver({ subject: 'Already processed' }, { receivedAt: new Date(Date.now() - 5 * 60_000) })

  const first = await syncAll(source, null, lookback)
  t.equal(first.ids.length, 2, 'the first run lists the mail of the look-back window only')
  t.ok(first.ids.includes(waitingId), 'a mail is listed by its Message-ID')
  await source.markProcessed(await itemWithSubject(source, first.ids, 'Already processed'), { candidateIds: ['c-1'], noResume: false })

  const before = await fake.uidValidity()
  const after = await fake.changeUidValidity()
  t.not(after, before)
  await fake.deliver({ subject: 'Arrived after the change' })

  const resync = await syncAll(source, first.cursor, lookback)
  t.ok(resync.resynced, 'the stored cursor no longer fits: reported as a resync')
  t.equal(resync.ids.length, 2, 'not the three-day-old mail, not the processed one')
  t.ok(resync.ids.includes(waitingId), 'the mail seen before has the same id, so it becomes no second candidate')
  t.equal((await itemWithSubject(source, resync.ids, 'Arrived after the change')).processed, false)
  t.match(resync.cursor, new RegExp(`^${after}:\\d+$`), 'the new cursor is of the new UIDVALIDITY')

  const next = await syncAll(source, resync.cursor, lookback)
  t.notOk(next.resynced)
  t.same(next.ids, [], 'from the new cursor on, nothing is listed twice')
})

t.test('syncChanges pages through many mails 200 at a time; the cursor comes with the last page', async (t) => {
  const fake = await startDovecotMailbox(t)
  const { source } = openMailbox(t, fake)
  for (let n = 0; n < 450; n++) await fake.deliver({ subject: `Application ${n}`, body: `number ${n}` })
  const lookback = new Date(Date.now() - HOUR_MS)
  const first = await source.syncChanges!(null, lookback, null)
  t.equal(first.changes.length, 200)
  t.ok(first.nextPage, 'more to come')
  t.equal(first.cursor, null, 'no cursor before the last page')
  const all = await syncAll(source, null, lookback)
  t.equal(all.ids.length, 450, 'every mail exactly once')
  await fake.deliver({ subject: 'One more' })
  const after = await syncAll(source, all.cursor, lookback)
  t.equal(after.ids.length, 1)

  const listed = new Set<string>()
  let page: string | null = null
  do {
    const result = await source.listChanges(new Date(Date.now() - HOUR_MS), page)
    for (const change of result.changes) listed.add(change.id)
    page = result.nextPage
  } while (page)
  t.equal(listed.size, 451, 'listChanges pages the same way')
})

t.test('MAILBOX_MOVE_TO: a processed mail is moved there (the folder is made) and is still found by its id', async (t) => {
  const fake = await startDovecotMailbox(t)
  const { source } = openMailbox(t, fake, { MAILBOX_MOVE_TO: 'Processed' })
  const pdf = await makePdfResume(sampleResumeLines('Mo Ved'))
  await fake.deliver({ subject: 'Move me', attachments: [{ filename: 'mo.pdf', bytes: pdf, mediaType: 'application/pdf' }] })
  const first = await syncAll(source, null)
  const item = await itemWithSubject(source, first.ids, 'Move me')
  await source.markProcessed(item, { candidateIds: ['c-1'], noResume: false })
  const moved = await fake.mail('Move me')
  t.equal(moved.folder, 'Processed')
  t.ok(moved.marks.includes(fake.processedMark), 'marked before it was moved')

  const found = await source.getItem(item.id)
  t.equal(found?.title, 'Move me', 'getItem looks in the folder processed mail goes to')
  t.equal(found?.processed, true)
  const bytes = await source.downloadAttachment(found!, found!.attachments[0]!, { maxBytes: 10_000_000 })
  t.ok(bytes.equals(pdf), 'its attachment can still be read')
  await t.resolves(source.markProcessed(found!, { candidateIds: ['c-1'], noResume: false }), 'marking it again is harmless')
  t.equal((await fake.mail('Move me')).folder, 'Processed')
  t.same((await syncAll(source, first.cursor)).ids, [], 'it left the hiring folder: not listed again')
})

t.test('a forwarded mail wrapped in base64 (which the server does not open) is read and parsed', async (t) => {
  const fake = await startDovecotMailbox(t)
  const { source } = openMailbox(t, fake)
  const pdf = await makePdfResume(sampleResumeLines('Bea Sixtyfour'))
  await fake.deliver(
    {
      subject: 'Forwarded in base64',
      forwarded: { subject: 'Fwd: CV', attachments: [{ filename: 'bea.pdf', bytes: pdf, mediaType: 'application/pdf' }] },
    },
    { forwardedEncoding: 'base64' },
  )
  const { ids } = await syncAll(source, null)
  const item = await itemWithSubject(source, ids, 'Forwarded in base64')
  t.same(
    item.attachments.map((attachment) => attachment.filename),
    ['bea.pdf'],
  )
  const bytes = await source.downloadAttachment(item, item.attachments[0]!, { maxBytes: 10_000_000 })
  t.ok(bytes.equals(pdf))
  await t.rejects(source.downloadAttachment(item, item.attachments[0]!, { maxBytes: 100 }), {
    name: 'DownloadRefusedError',
    reason: 'too_large',
  })
})

t.test('a file over maxBytes that its declared size does not give away is refused while it is read', async (t) => {
  const fake = await startDovecotMailbox(t)
  const { source } = openMailbox(t, fake)
  const big = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(8 * 1024 * 1024, 0x42)])
  await fake.deliver({ subject: 'Nearly too big', attachments: [{ filename: 'big.pdf', bytes: big, mediaType: 'application/pdf' }] })
  const { ids } = await syncAll(source, null)
  const item = await itemWithSubject(source, ids, 'Nearly too big')
  // Base64 of 8 MB is about 11.1 MB stored, which could decode to as little as 7.2 MB: 7.9 MB passes that check.
  await t.rejects(source.downloadAttachment(item, item.attachments[0]!, { maxBytes: 7.9 * 1024 * 1024 }), {
    name: 'DownloadRefusedError',
    reason: 'too_large',
    retryable: false,
  })
  t.ok((await source.downloadAttachment(item, item.attachments[0]!, { maxBytes: big.length })).equals(big), 'exactly maxBytes is fine')
})

t.test('a mail without a Message-ID is listed and handled by UIDVALIDITY and UID', async (t) => {
  const fake = await startDovecotMailbox(t)
  const { source } = openMailbox(t, fake)
  const raw = Buffer.from(
    [
      'From: Old Client <old@example.com>',
      'To: hiring@example.com',
      'Subject: No Message-ID here',
      `Date: ${new Date().toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'My resume follows by post.',
      '',
    ].join('\r\n'),
  )
  await fake.appendRaw(raw)
  const { ids } = await syncAll(source, null)
  t.equal(ids.length, 1)
  t.match(ids[0], new RegExp(`^uid:${await fake.uidValidity()}:\\d+$`))
  const item = await source.getItem(ids[0]!)
  t.equal(item?.title, 'No Message-ID here')
  t.equal(item?.sender, 'Old Client <old@example.com>')
  t.same(item?.attachments, [])
  await source.markProcessed(item!, { candidateIds: [], noResume: true })
  t.same((await fake.mail('No Message-ID here')).marks.sort(), [fake.noResumeMark, fake.processedMark].sort())
  t.equal(await source.getItem('uid:1:999'), undefined, 'a UID of another UIDVALIDITY names nothing')
})

t.test('a dropped connection is retried; a refused connection and a missing folder are named by probe', async (t) => {
  const fake = await startDovecotMailbox(t)
  const { source } = openMailbox(t, fake)
  await fake.deliver({ subject: 'Retried' })
  const { ids } = await syncAll(source, null)

  await fake.setDown(true)
  const pending = source.getItem(ids[0]!)
  setTimeout(() => void fake.setDown(false), 300)
  t.equal((await pending)?.title, 'Retried', 'the next attempt, after a pause, finds the server back')

  const closed = createServer().listen(0, '127.0.0.1')
  await once(closed, 'listening')
  const closedPort = (closed.address() as AddressInfo).port
  await new Promise((resolve) => closed.close(resolve))
  const nowhere = openMailbox(t, fake, { IMAP_PORT: String(closedPort) }).source
  await t.rejects(nowhere.probe(), { message: `imap: connection refused by 127.0.0.1:${closedPort}` })

  const missing = openMailbox(t, fake, { IMAP_FOLDER: 'Applications' }).source
  await t.rejects(missing.probe(), { message: 'imap: folder Applications not found' })
  const accepted = fake.acceptedConnections
  await t.rejects(missing.syncChanges!(null, new Date(), null), { message: /^imap: sync failed: / })
  t.equal(fake.acceptedConnections - accepted, 1, 'a missing folder is not tried again')
})

// Dovecot makes each further failed login from an address wait longer: one failure per server keeps these quick.
t.test('a wrong password: probe names the login', async (t) => {
  const fake = await startDovecotMailbox(t)
  const { source } = openMailbox(t, fake, { IMAP_PASSWORD: 'not the password' })
  await t.rejects(source.probe(), { message: /^imap: IMAP login failed for hiring@example\.com/ })
})

t.test('a wrong password: a job fails at once, saying so, without trying again', async (t) => {
  const fake = await startDovecotMailbox(t)
  const { source } = openMailbox(t, fake, { IMAP_PASSWORD: 'not the password' })
  const failure = await source.getItem('<anything@example.com>').then(
    () => null,
    (error: unknown) => error as Error & { authenticationFailed?: boolean },
  )
  t.match(failure?.message, /^imap: get mail failed: IMAP login failed for hiring@example\.com/)
  t.equal(failure?.authenticationFailed, true, 'still recognisable as a refused login')
  t.equal(fake.acceptedConnections, 1, 'one connection: a refused login is not tried again')
})

t.test('no webhooks, no comments: IMAP is watched with IDLE and hireflow never writes to the sender', async (t) => {
  const fake = await startDovecotMailbox(t)
  const { source } = openMailbox(t, fake)
  t.same(await source.listWebhooks(), [])
  await t.rejects(
    source.registerWebhook('https://hireflow.example.com/webhooks/imap', async () => null),
    /IDLE/,
  )
  await t.resolves(source.deleteWebhook('anything'))
  const verdict = source.verifyWebhook({ headers: {}, query: {}, rawBody: Buffer.from('{}'), receivedAt: new Date() }, [])
  t.same(verdict, { kind: 'rejected', reason: 'IMAP has no webhooks; it is watched with IDLE' })
  const accepted = fake.acceptedConnections
  await source.comment('<someone@example.com>', 'hireflow found no resume attached (PDF, DOCX or text).')
  t.equal(fake.acceptedConnections, accepted, 'a comment goes to the log, not to the mailbox')
})
