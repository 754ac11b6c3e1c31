// A real IMAP server for the IMAP source's tests: Dovecot (Debian's
// dovecot-imapd), started with a configuration of its own in a temporary
// folder, on a free loopback port, with one passwd-file user whose mail is a
// Maildir in that folder. hireflow reaches it through a small TCP proxy
// that can refuse connections or cut every open one, which is how tests make
// the server go away. Seeding and inspecting the mailbox goes straight to
// Dovecot, so it works while hireflow's way in is down.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { access, chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { constants } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { delimiter, join } from 'node:path'
import { promisify } from 'node:util'
import type tap from 'tap'
import { ImapFlow } from 'imapflow'
import MailComposer from 'nodemailer/lib/mail-composer'
import type { FakeAttachment } from './fake-provider.ts'
import type { FakeMailbox, FakeMailInput, FakeMailView } from './fake-mailbox.ts'
import { freePort } from './harness.ts'

type Tap = Parameters<Parameters<typeof tap.test>[0]>[0]

const run = promisify(execFile)

export const DOVECOT_USER = 'hiring@example.com'
export const DOVECOT_PASSWORD = 'correct horse battery staple'
const START_TIMEOUT_MS = 15_000

export interface DeliverOptions {
  /** The INTERNALDATE the mail gets (default: now). */
  receivedAt?: Date
  /** The folder it is appended to (default: INBOX). */
  folder?: string
  /** Keywords or flags it arrives with. */
  flags?: string[]
  /** How the forwarded mail is wrapped: plain MIME (default) or base64, which servers do not look into. */
  forwardedEncoding?: '7bit' | 'base64'
}

export interface DovecotMailbox extends FakeMailbox {
  deliver(mail: FakeMailInput, options?: DeliverOptions): Promise<void>
  /** Like deliver(); resolves with the mail's Message-ID. */
  append(mail: FakeMailInput, options?: DeliverOptions): Promise<string>
  /** Appends a message exactly as given (for mail no client library would write, e.g. without a Message-ID). */
  appendRaw(raw: Buffer, options?: DeliverOptions): Promise<void>
  /** Cuts every connection open through the proxy (hireflow's), as a network failure or a server restart would. */
  dropConnections(): void
  /** Connections open through the proxy now. */
  readonly openConnections: number
  /** Connections the proxy has accepted so far, refused ones included. */
  readonly acceptedConnections: number
  /** The folder's UIDVALIDITY now. */
  uidValidity(folder?: string): Promise<bigint>
  /** Gives the folder a new UIDVALIDITY (doveadm), as a rebuilt or restored mailbox has. */
  changeUidValidity(folder?: string): Promise<bigint>
  /** The Dovecot server itself, bypassing the proxy (for a second, independent client). */
  readonly directPort: number
}

function findProgram(name: string): Promise<string> {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin']
  return (async () => {
    for (const dir of dirs) {
      const path = join(dir, name)
      try {
        await access(path, constants.X_OK)
        return path
      } catch {
        // not here
      }
    }
    throw new Error(`${name} not found: install Dovecot (apt-get install dovecot-imapd)`)
  })()
}

/** uid and gid of a system user from /etc/passwd, or undefined when there is none. */
async function systemUser(name: string): Promise<{ name: string; uid: number; gid: number } | undefined> {
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '')
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid] = line.split(':')
    if (user === name && uid && gid) return { name, uid: Number(uid), gid: Number(gid) }
  }
  return undefined
}

/** The name of group `gid` from /etc/group. */
async function groupName(gid: number): Promise<string | undefined> {
  const groups = await readFile('/etc/group', 'utf8').catch(() => '')
  return groups
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[2] === String(gid))?.[0]
}

/**
 * Who Dovecot's processes run as. Dovecot refuses to run its login process
 * or to access mail as root, so as root it uses Debian's own users (or
 * nobody); as anyone else, everything runs as that user.
 */
async function processUsers() {
  const me = userInfo()
  if (me.uid !== 0) {
    const self = { name: me.username, uid: me.uid, gid: me.gid }
    return { internal: self, login: self, mail: self }
  }
  const nobody = (await systemUser('nobody')) ?? { name: 'nobody', uid: 65534, gid: 65534 }
  return {
    internal: { name: 'root', uid: 0, gid: 0 },
    login: (await systemUser('dovenull')) ?? nobody,
    mail: (await systemUser('dovecot')) ?? nobody,
  }
}

/** Whether the server on `port` greets with `text`. */
function greeting(port: number, text: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1_000, () => done(false))
    socket.once('error', () => done(false))
    socket.once('data', (data) => done(data.toString('latin1').startsWith('* OK') && data.toString('latin1').includes(text)))
  })
}

/** Servers still running: killed if the test process exits without its teardown (an uncaught error, a failed assertion). */
const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

interface DovecotServer {
  port: number
  config: string
  close(): Promise<void>
}

async function startDovecotServer(): Promise<DovecotServer> {
  const [dovecot, users] = await Promise.all([findProgram('dovecot'), processUsers()])
  const dir = await mkdtemp(join(tmpdir(), 'hireflow-dovecot-'))
  // The login process runs as another user and must reach its sockets under this folder.
  await chmod(dir, 0o755)
  const mail = join(dir, 'mail')
  await mkdir(mail)
  await chown(mail, users.mail.uid, users.mail.gid)
  await writeFile(join(dir, 'passwd'), `${DOVECOT_USER}:{PLAIN}${DOVECOT_PASSWORD}::::::\n`, { mode: 0o644 })
  const config = join(dir, 'dovecot.conf')
  const log = join(dir, 'dovecot.log')
  let lastError = ''
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort()
    const greetingText = `hireflow-test-${randomBytes(6).toString('hex')}`
    await writeFile(
      config,
      `# A throw-away server for one test: plain-text login on loopback, no TLS.
base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = hireflow-test-${port}
log_path = ${log}
protocols = imap
listen = 127.0.0.1
# Unique, so the harness knows it is this server that answers on the port (another test's may have taken it).
login_greeting = ${greetingText}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# Tests try wrong passwords on purpose: no fixed delay (Dovecot still slows further failures from one address).
auth_failure_delay = 0
default_internal_user = ${users.internal.name}
default_internal_group = ${(await groupName(users.internal.gid)) ?? users.internal.name}
default_login_user = ${users.login.name}
first_valid_uid = ${Math.min(users.mail.uid, users.login.uid) || 1}
first_valid_gid = ${Math.min(users.mail.gid, users.login.gid) || 1}
mail_location = maildir:${mail}/%u
# New mail is seen by IDLE within a second (inotify usually makes it immediate).
mailbox_idle_check_interval = 1 secs
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${users.mail.uid} gid=${users.mail.gid} home=${mail}/%u
}
# chroot needs root; a throw-away server does without it.
service anvil {
  chroot =
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`,
    )
    const child = spawn(dovecot, ['-F', '-c', config], { stdio: ['ignore', 'ignore', 'pipe'] })
    running.add(child)
    child.once('exit', () => running.delete(child))
    let stderr = ''
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = once(child, 'exit').then(() => true)
    const deadline = Date.now() + START_TIMEOUT_MS
    let up = false
    while (!up && Date.now() < deadline) {
      if (await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve(false), 50))])) break
      up = await greeting(port, greetingText)
    }
    if (up) return { port, config, close: () => stopDovecot(child, dir) }
    lastError = `${stderr}${await readFile(log, 'utf8').catch(() => '')}`.trim().split('\n').slice(-5).join('\n')
    await stopDovecot(child, null)
  }
  await rm(dir, { recursive: true, force: true })
  throw new Error(`Dovecot did not start: ${lastError}`)
}

async function stopDovecot(child: ChildProcess, dir: string | null): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    // Dovecot stops in about a second; a login caught half-way can hold it up for five.
    const timer = setTimeout(() => child.kill('SIGKILL'), 2_000)
    await exited
    clearTimeout(timer)
  }
  if (dir) await rm(dir, { recursive: true, force: true })
}

interface ImapProxy {
  port: number
  down: boolean
  readonly open: number
  accepted: number
  dropAll(): void
  close(): Promise<void>
}

/** Forwards loopback TCP connections to `targetPort`; while `down`, destroys each one as it arrives. */
async function startProxy(targetPort: number): Promise<ImapProxy> {
  const pairs = new Set<{ client: Socket; upstream: Socket }>()
  const server: Server = createServer((client) => {
    proxy.accepted++
    if (proxy.down) {
      client.destroy()
      return
    }
    const upstream = connect(targetPort, '127.0.0.1')
    const pair = { client, upstream }
    pairs.add(pair)
    const end = () => {
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
    client.pipe(upstream)
    upstream.pipe(client)
  })
  const proxy: ImapProxy = {
    port: 0,
    down: false,
    accepted: 0,
    get open() {
      return pairs.size
    },
    dropAll() {
      for (const { client, upstream } of [...pairs]) {
        client.destroy()
        upstream.destroy()
      }
      pairs.clear()
    },
    async close() {
      proxy.dropAll()
      await new Promise((resolve) => server.close(resolve))
    },
  }
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  proxy.port = (server.address() as AddressInfo).port
  return proxy
}

function composeMail(options: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    new MailComposer(options).compile().build((error, message) => (error ? reject(error) : resolve(message))),
  )
}

const mimeAttachments = (attachments: FakeAttachment[] = []) =>
  attachments.map((attachment) => ({
    filename: attachment.filename,
    content: attachment.bytes,
    contentType: attachment.mediaType ?? 'application/octet-stream',
  }))

/**
 * A Dovecot mailbox for one test (stopped and removed at its teardown),
 * with the environment that points hireflow at it through the proxy.
 */
export async function startDovecotMailbox(t: Tap): Promise<DovecotMailbox> {
  const server = await startDovecotServer()
  const proxy = await startProxy(server.port).catch(async (error: unknown) => {
    await server.close()
    throw error
  })
  let admin: ImapFlow | undefined
  /** The test's own connection, straight to Dovecot: seeding and looking work while hireflow's way in is down. */
  const direct = async (): Promise<ImapFlow> => {
    if (admin?.usable) return admin
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: server.port,
      secure: false,
      auth: { user: DOVECOT_USER, pass: DOVECOT_PASSWORD },
      logger: false,
      disableAutoIdle: true,
    })
    client.on('error', () => {})
    await client.connect()
    admin = client
    return client
  }
  let closed: Promise<void> | undefined
  const close = () =>
    (closed ??= (async () => {
      admin?.close()
      await proxy.close()
      await server.close()
    })())
  t.teardown(close)

  const uidValidity = async (folder = 'INBOX') => {
    const status = await (await direct()).status(folder, { uidValidity: true })
    if (!status || status.uidValidity === undefined) throw new Error(`Dovecot gave no UIDVALIDITY for ${folder}`)
    return status.uidValidity
  }

  const mailbox: DovecotMailbox = {
    provider: 'imap',
    env: {
      MAILBOX: 'imap',
      IMAP_HOST: '127.0.0.1',
      IMAP_PORT: String(proxy.port),
      IMAP_SECURE: 'false',
      IMAP_USER: DOVECOT_USER,
      IMAP_PASSWORD: DOVECOT_PASSWORD,
      IMAP_FOLDER: 'INBOX',
    },
    processedMark: '$HireflowProcessed',
    noResumeMark: '$HireflowNoResume',
    directPort: server.port,
    get openConnections() {
      return proxy.open
    },
    get acceptedConnections() {
      return proxy.accepted
    },

    async deliver(mail, options) {
      await mailbox.append(mail, options)
    },

    async append(mail, options = {}) {
      const attachments: Array<Record<string, unknown>> = mimeAttachments(mail.attachments)
      if (mail.forwarded) {
        const forwarded = await composeMail({
          from: mail.forwarded.from ?? 'Someone Else <someone@example.com>',
          to: 'a-friend@example.com',
          subject: mail.forwarded.subject ?? 'My application',
          text: 'My resume is attached.',
          attachments: mimeAttachments(mail.forwarded.attachments),
        })
        attachments.push({
          filename: 'forwarded.eml',
          content: forwarded,
          contentType: 'message/rfc822',
          ...(options.forwardedEncoding === 'base64' ? { contentTransferEncoding: 'base64' } : {}),
        })
      }
      const raw = await composeMail({
        from: mail.from ?? 'Alex Applicant <alex@example.com>',
        to: mail.to ?? DOVECOT_USER,
        subject: mail.subject ?? 'Application',
        text: mail.body ?? 'Hello, please find my resume attached.',
        attachments,
        disableFileAccess: true,
        disableUrlAccess: true,
      })
      await mailbox.appendRaw(raw, options)
      return /^Message-ID:\s*(<[^>]+>)/im.exec(raw.toString('latin1').split('\r\n\r\n')[0]!)![1]!
    },

    async appendRaw(raw, options = {}) {
      const appended = await (await direct()).append(options.folder ?? 'INBOX', raw, options.flags ?? [], options.receivedAt ?? new Date())
      if (!appended) throw new Error('Dovecot refused the APPEND')
    },

    async mail(subject): Promise<FakeMailView> {
      const client = await direct()
      for (const folder of await client.list()) {
        if (folder.flags.has('\\Noselect')) continue
        const lock = await client.getMailboxLock(folder.path, { readOnly: true })
        try {
          const uids = await client.search({ subject }, { uid: true })
          if (!uids || uids.length === 0) continue
          for await (const message of client.fetch(uids.join(','), { uid: true, envelope: true, flags: true }, { uid: true })) {
            if (message.envelope?.subject !== subject) continue
            return { marks: [...(message.flags ?? [])].filter((flag) => !flag.startsWith('\\')), folder: folder.path }
          }
        } finally {
          lock.release()
        }
      }
      throw new Error(`no mail has the subject "${subject}"`)
    },

    async setDown(down) {
      proxy.down = down
      if (down) proxy.dropAll()
    },

    dropConnections() {
      proxy.dropAll()
    },

    uidValidity,

    async changeUidValidity(folder = 'INBOX') {
      const next = (await uidValidity(folder)) + 1000n
      const doveadm = await findProgram('doveadm')
      await run(doveadm, ['-c', server.config, 'mailbox', 'update', '-u', DOVECOT_USER, '--uid-validity', String(next), folder])
      return next
    },

    close,
  }
  return mailbox
}
