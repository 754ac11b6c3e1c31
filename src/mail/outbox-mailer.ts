// The embedded default mailer: each HR email becomes an .eml file that any
// mail client opens, so a fresh install shows its output without SES.
import { randomUUID } from 'node:crypto'
import { mkdir, open, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { Mailer, OutgoingMail } from '../ports/mailer.ts'
import { buildRawMessage } from './mime.ts'

export class OutboxMailer implements Mailer {
  readonly #dir: string
  #ready: Promise<unknown> | undefined

  constructor(dir: string) {
    this.#dir = dir
  }

  async send(mail: OutgoingMail): Promise<{ messageId: string }> {
    const raw = await buildRawMessage(mail)
    await this.#ensureDir()
    // Colons are legal on Linux but not on every file system the folder may be synced to.
    const stamp = new Date().toISOString().replace(/:/g, '-')
    const id = mail.messageId.replace(/[^A-Za-z0-9@._+-]/g, '_').slice(0, 150)
    await writeAtomically(join(this.#dir, `${stamp}-${id}.eml`), raw)
    return { messageId: mail.messageId }
  }

  async ping(): Promise<void> {
    await this.#ensureDir()
    const probe = join(this.#dir, `.ping-${randomUUID()}`)
    await writeAtomically(probe, Buffer.alloc(0))
    await unlink(probe)
  }

  #ensureDir(): Promise<unknown> {
    // A failed mkdir is not remembered, so a folder fixed later is picked up.
    this.#ready ??= mkdir(this.#dir, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
      this.#ready = undefined
      throw error
    })
    return this.#ready
  }
}

/** Readers never see a half-written message: the name appears only once the bytes are on disk. */
async function writeAtomically(path: string, bytes: Buffer): Promise<void> {
  const temp = `${path}.${randomUUID()}.tmp`
  const handle = await open(temp, 'wx', 0o600)
  try {
    await handle.writeFile(bytes)
    await handle.sync()
  } catch (error) {
    await handle.close()
    await unlink(temp).catch(() => {})
    throw error
  }
  await handle.close()
  try {
    await rename(temp, path)
  } catch (error) {
    await unlink(temp).catch(() => {})
    throw error
  }
}
