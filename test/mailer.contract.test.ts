// One contract for every Mailer adapter: the .eml outbox and SES (aws-ses-v2-local).
import t from 'tap'
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createNetServer, type AddressInfo } from 'node:net'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SESClient } from '@aws-sdk/client-ses'
import { simpleParser, type AddressObject } from 'mailparser'
import { awsClientConfig } from '../src/aws/client-config.ts'
import type { Mailer, OutgoingMail } from '../src/ports/mailer.ts'
import { OutboxMailer } from '../src/mail/outbox-mailer.ts'
import { PermanentMailError, SesMailer } from '../src/mail/ses-mailer.ts'
import { emulatorCredentials, startSes } from './support/emulators.ts'
import { startFlakyProxy } from './support/flaky-proxy.ts'

/** What a recipient sees, in a form both read-back paths can produce. */
interface Received {
  from: string
  to: string[]
  replyTo: string[]
  subject: string
  text: string
  html: string
  attachments: { filename: string | undefined; contentType: string; content: Buffer }[]
}

const pdf = Buffer.concat([
  Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n'),
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  Buffer.from('\n%%EOF\n'),
])

function message(overrides: Partial<OutgoingMail> = {}): OutgoingMail {
  return {
    from: 'Hiring Automation <hiring-automation@example.com>',
    to: ['hr@example.com', 'hr-lead@example.com'],
    replyTo: 'hiring@example.com',
    subject: 'Advance: Zoë Łukasz for Senior Backend Engineer',
    text: 'Zoë Łukasz looks like a match.\nScore: 91 / 100',
    html: '<p>Zoë Łukasz looks like a <strong>match</strong>.</p>',
    attachments: [{ filename: 'Zoë Łukasz CV.pdf', content: pdf, contentType: 'application/pdf' }],
    messageId: 'candidate-1.decision@hireflow',
    ...overrides,
  }
}

function addressTexts(value: AddressObject | AddressObject[] | undefined): string[] {
  if (!value) return []
  return (Array.isArray(value) ? value : [value]).flatMap((a) => a.value.map((v) => v.address ?? ''))
}

function sesClient(endpoint: string, maxAttempts = 2) {
  return new SESClient(
    awsClientConfig({ region: 'us-east-1', endpoint, credentials: emulatorCredentials, requestTimeoutMs: 5_000, maxAttempts }),
  )
}

interface Adapter {
  name: string
  setup(): Promise<{ mailer: Mailer; received(): Promise<Received>; teardown(): Promise<void> }>
}

const adapters: Adapter[] = [
  {
    name: 'OutboxMailer',
    async setup() {
      const parent = await mkdtemp(join(tmpdir(), 'hireflow-outbox-'))
      const dir = join(parent, 'outbox')
      return {
        // The folder does not exist yet: the mailer creates it.
        mailer: new OutboxMailer(dir),
        async received() {
          const files = (await readdir(dir)).filter((f) => f.endsWith('.eml')).sort()
          const parsed = await simpleParser(await readFile(join(dir, files.at(-1) as string)))
          return {
            from: parsed.from?.text ?? '',
            to: addressTexts(parsed.to),
            replyTo: addressTexts(parsed.replyTo),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: parsed.html || '',
            attachments: parsed.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
          }
        },
        teardown: () => rm(parent, { recursive: true, force: true }),
      }
    },
  },
  {
    name: 'SesMailer',
    async setup() {
      const ses = await startSes()
      const client = sesClient(ses.endpoint)
      return {
        mailer: new SesMailer({ client }),
        async received() {
          const email = (await ses.emails()).at(-1)
          if (!email) throw new Error('the SES emulator captured nothing')
          return {
            from: email.from,
            // The emulator keeps each header's text; addresses are what matters here.
            to: email.destination.to.flatMap((s) => s.split(',').map((a) => a.trim())),
            replyTo: email.replyTo,
            subject: email.subject,
            text: email.body.text ?? '',
            html: email.body.html ?? '',
            attachments: email.attachments.map((a) => ({
              filename: a.filename,
              contentType: a.contentType,
              content: Buffer.from(a.content, 'base64'),
            })),
          }
        },
        async teardown() {
          client.destroy()
          await ses.close()
        },
      }
    },
  },
]

for (const adapter of adapters) {
  t.test(adapter.name, async (t) => {
    const { mailer, received, teardown } = await adapter.setup()
    t.teardown(teardown)

    t.test('a message arrives as sent', async (t) => {
      const result = await mailer.send(message())
      t.type(result.messageId, 'string')
      t.ok(result.messageId.length > 0)
      const got = await received()
      // Parsers quote the display name; the quotes are not part of it.
      t.equal(got.from.replace(/"/g, ''), 'Hiring Automation <hiring-automation@example.com>')
      t.same(got.to, ['hr@example.com', 'hr-lead@example.com'])
      t.same(got.replyTo, ['hiring@example.com'])
      t.equal(got.subject, 'Advance: Zoë Łukasz for Senior Backend Engineer')
      t.equal(got.text.trim(), 'Zoë Łukasz looks like a match.\nScore: 91 / 100')
      t.equal(got.html.trim(), '<p>Zoë Łukasz looks like a <strong>match</strong>.</p>')
      t.equal(got.attachments.length, 1)
      const [attachment] = got.attachments
      t.equal(attachment?.filename, 'Zoë Łukasz CV.pdf')
      t.equal(attachment?.contentType, 'application/pdf')
      t.ok(attachment?.content.equals(pdf), 'attachment bytes survive')
    })

    t.test('a line break in the subject cannot add a header', async (t) => {
      await mailer.send(message({ subject: 'Review: Jane\r\nBcc: attacker@example.com', attachments: [] }))
      const got = await received()
      t.equal(got.subject, 'Review: Jane Bcc: attacker@example.com')
      t.same(got.to, ['hr@example.com', 'hr-lead@example.com'])
      t.same(got.attachments, [])
    })

    t.test('bidi controls are gone from every header: subject, names, attachment filename', async (t) => {
      const attachment = { filename: 'cv\u202Efdp\u2066.exe', content: pdf, contentType: 'application/pdf' }
      await mailer.send(
        message({
          from: 'Hiring \u202EAutomation <hiring-automation@example.com>',
          subject: 'Review: \u202Eeno\u200F Jane\u2069 for \u061CPlatform',
          attachments: [attachment],
        }),
      )
      const got = await received()
      t.equal(got.subject, 'Review: eno Jane for Platform')
      t.equal(got.from.replace(/"/g, ''), 'Hiring Automation <hiring-automation@example.com>')
      t.equal(got.attachments[0]?.filename, 'cvfdp.exe')
    })
  })
}

t.test('OutboxMailer specifics', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hireflow-outbox-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const mailer = new OutboxMailer(dir)

  t.test('ping succeeds on a writable folder and leaves nothing behind', async (t) => {
    await mailer.ping()
    t.same(await readdir(dir), [])
  })

  t.test('each message is one private .eml named by time and message id, with our Message-ID', async (t) => {
    const { messageId } = await mailer.send(message({ messageId: 'c/1 <x>.decision@hireflow' }))
    t.equal(messageId, 'c/1 <x>.decision@hireflow')
    const files = await readdir(dir)
    t.equal(files.length, 1)
    t.match(files[0], /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z-c_1__x_\.decision@hireflow\.eml$/)
    t.equal((await stat(join(dir, files[0] as string))).mode & 0o777, 0o600)
    const parsed = await simpleParser(await readFile(join(dir, files[0] as string)))
    t.equal(parsed.headers.get('x-hireflow-message-id'), 'c/1 <x>.decision@hireflow')
    t.equal(parsed.headers.get('auto-submitted'), 'auto-generated')
  })

  t.test('ping fails when the folder cannot be created', async (t) => {
    const [file] = await readdir(dir)
    await t.rejects(new OutboxMailer(join(dir, file as string, 'below-a-file')).ping(), { code: 'ENOTDIR' })
  })
})

/** A stand-in SES endpoint that answers each request with the next scripted reply. */
async function scriptedSes(replies: { status: number; body: string }[]) {
  const actions: string[] = []
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => (body += chunk))
    req.on('end', () => {
      actions.push(new URLSearchParams(body).get('Action') ?? '')
      const reply = replies.shift() ?? { status: 500, body: sesError('InternalFailure', 'no scripted reply left', 'Receiver') }
      res.writeHead(reply.status, { 'content-type': 'text/xml' })
      res.end(reply.body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    actions,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

function sesError(code: string, message: string, type: 'Sender' | 'Receiver' = 'Sender'): string {
  return `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`
}

const sendOk = (id: string) =>
  `<SendRawEmailResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><SendRawEmailResult><MessageId>${id}</MessageId></SendRawEmailResult><ResponseMetadata><RequestId>req-2</RequestId></ResponseMetadata></SendRawEmailResponse>`

const quota = (sent: number, max: number) =>
  `<GetSendQuotaResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><GetSendQuotaResult><SentLast24Hours>${sent}</SentLast24Hours><Max24HourSend>${max}</Max24HourSend><MaxSendRate>14.0</MaxSendRate></GetSendQuotaResult><ResponseMetadata><RequestId>req-3</RequestId></ResponseMetadata></GetSendQuotaResponse>`

async function withSes(t: { teardown(fn: () => Promise<void>): void }, replies: { status: number; body: string }[], maxAttempts = 3) {
  const server = await scriptedSes(replies)
  const client = sesClient(server.endpoint, maxAttempts)
  t.teardown(async () => {
    client.destroy()
    await server.close()
  })
  return { server, client }
}

t.test('SesMailer failures', async (t) => {
  t.test('a dead endpoint rejects', async (t) => {
    const probe = createNetServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const { port } = probe.address() as AddressInfo
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    const client = new SESClient(
      awsClientConfig({
        region: 'us-east-1',
        endpoint: `http://127.0.0.1:${port}`,
        credentials: emulatorCredentials,
        requestTimeoutMs: 500,
        maxAttempts: 2,
      }),
    )
    t.teardown(() => client.destroy())
    const mailer = new SesMailer({ client })
    const error = await mailer.send(message()).catch((e: unknown) => e)
    t.match(error, { message: /ECONNREFUSED/ }, 'send rejects: nothing listens there')
    t.notOk(error instanceof PermanentMailError, 'an unreachable SES is worth retrying')
    await t.rejects(mailer.ping(), { message: /ECONNREFUSED/ })
  })

  t.test('MessageRejected is permanent', async (t) => {
    const { server, client } = await withSes(t, [{ status: 400, body: sesError('MessageRejected', 'Email address is not verified.') }])
    const error = await new SesMailer({ client }).send(message()).catch((e: unknown) => e)
    t.ok(error instanceof PermanentMailError)
    t.equal((error as PermanentMailError).code, 'MessageRejected')
    t.match((error as Error).message, /not verified/)
    t.same(server.actions, ['SendRawEmail'], 'not retried by the SDK either')
  })

  t.test('an invalid address is permanent', async (t) => {
    const { client } = await withSes(t, [{ status: 400, body: sesError('InvalidParameterValue', 'Illegal address') }])
    await t.rejects(new SesMailer({ client }).send(message()), PermanentMailError)
  })

  t.test('no recipients is permanent and sends nothing', async (t) => {
    const { server, client } = await withSes(t, [])
    await t.rejects(new SesMailer({ client }).send(message({ to: [] })), PermanentMailError)
    t.same(server.actions, [])
  })

  t.test('a message too large for SES is permanent and sends nothing', async (t) => {
    const { server, client } = await withSes(t, [])
    const big = { filename: 'huge.pdf', content: Buffer.alloc(8 * 1024 * 1024, 1), contentType: 'application/pdf' }
    await t.rejects(new SesMailer({ client }).send(message({ attachments: [big] })), PermanentMailError)
    t.same(server.actions, [])
  })

  t.test('throttling: not retried inside the send, left to the job as a transient error', async (t) => {
    const { server, client } = await withSes(t, [
      { status: 503, body: sesError('ThrottlingException', 'Maximum sending rate exceeded.', 'Receiver') },
      { status: 200, body: sendOk('ses-message-1') },
    ])
    const mailer = new SesMailer({ client, configurationSet: 'hireflow' })
    const error = await mailer.send(message()).catch((e: unknown) => e)
    t.ok(error instanceof Error, 'the throttled send rejects')
    t.notOk(error instanceof PermanentMailError, 'throttling is worth a retry by the job')
    t.same(server.actions, ['SendRawEmail'], 'one request: SDK retries are off for sending')
    // The job's retry is a new call, and goes through.
    t.same(await mailer.send(message()), { messageId: 'ses-message-1' })
    t.same(server.actions, ['SendRawEmail', 'SendRawEmail'])
  })

  t.test('ping (GetSendQuota is idempotent) keeps the SDK retries', async (t) => {
    const { server, client } = await withSes(t, [
      { status: 503, body: sesError('ServiceUnavailable', 'Service is unavailable', 'Receiver') },
      { status: 200, body: quota(10, 200) },
    ])
    await t.resolves(new SesMailer({ client }).ping())
    t.same(server.actions, ['GetSendQuota', 'GetSendQuota'])
  })

  t.test('ping reads the send quota', async (t) => {
    const { server, client } = await withSes(t, [{ status: 200, body: quota(10, 200) }])
    await t.resolves(new SesMailer({ client }).ping())
    t.same(server.actions, ['GetSendQuota'])
  })

  t.test('ping fails when the daily quota is used up', async (t) => {
    const { client } = await withSes(t, [{ status: 200, body: quota(200, 200) }])
    await t.rejects(new SesMailer({ client }).ping(), { message: /quota used up/ })
  })

  t.test('an unlimited quota (-1) is healthy', async (t) => {
    const { client } = await withSes(t, [{ status: 200, body: quota(5000, -1) }])
    await t.resolves(new SesMailer({ client }).ping())
  })
})

t.test('SesMailer: one SendRawEmail per send, whatever the SDK would retry', async (t) => {
  // A slow SES: the proxy holds the request, the client gives up, and SES
  // accepts it afterwards. An SDK retry here is a second copy for HR.
  const ses = await startSes()
  const proxy = await startFlakyProxy(ses.endpoint)
  // Ordinary calls get 300 ms and 3 attempts; the send has its own, longer, timeout.
  const client = new SESClient(
    awsClientConfig({
      region: 'us-east-1',
      endpoint: proxy.endpoint,
      credentials: emulatorCredentials,
      requestTimeoutMs: 300,
      maxAttempts: 3,
    }),
  )
  t.teardown(async () => {
    client.destroy()
    await proxy.close()
    await ses.close()
  })
  const sendRawEmails = () => proxy.actions.filter((a) => a === 'SendRawEmail').length

  t.test('an answer later than the send timeout: the send fails, SES got exactly one request', async (t) => {
    const mailer = new SesMailer({ client, sendTimeoutMs: 800 })
    const held = proxy.holdNext()
    const sending = mailer.send(message({ subject: 'Slow SES', attachments: [] })).then(
      () => undefined,
      (error: unknown) => error,
    )
    await held.arrived
    const error = await sending
    t.ok(error instanceof Error, 'the send reports the timeout')
    t.notOk(error instanceof PermanentMailError, 'a timeout is left to the job, which checks the candidate first')
    t.equal(sendRawEmails(), 1, 'one request reached SES')
    // SES accepts the held request after the client gave up.
    held.release()
    // The emulator keeps mail from earlier tests: count this subject only.
    const delivered = async () => (await ses.emails()).filter((m) => m.subject === 'Slow SES').length
    const deadline = Date.now() + 5_000
    while ((await delivered()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    t.equal(await delivered(), 1, 'one copy delivered')
    t.equal(sendRawEmails(), 1, 'still one request once SES answered')
  })

  t.test('a send slower than the ordinary request timeout but within the send timeout succeeds', async (t) => {
    const before = sendRawEmails()
    const mailer = new SesMailer({ client, sendTimeoutMs: 5_000 })
    const held = proxy.holdNext()
    const sending = mailer.send(message({ subject: 'Large message', attachments: [] }))
    await held.arrived
    await new Promise((r) => setTimeout(r, 700))
    held.release()
    const result = await sending
    t.type(result.messageId, 'string')
    t.equal(sendRawEmails() - before, 1, 'one request, answered after 700 ms')
  })
})
