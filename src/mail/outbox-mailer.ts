// The embedded default mailer: each HR email becomes an .eml file that any
// mail client opens, so a fresh install shows its output without SES.
import { randomUUID } from 'node:crypto'
import { mkdir, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { Mailer, OutgoingMail } from '../ports/mailer.ts'
import { buildRawMessage } from './mime.ts'
import { writeFileAtomically } from '../fs/atomic-file.ts'

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
    await writeFileAtomically(join(this.#dir, `${stamp}-${id}.eml`), raw)
    return { messageId: mail.messageId }
  }

  async ping(): Promise<void> {
    await this.#ensureDir()
    const probe = join(this.#dir, `.ping-${randomUUID()}`)
    await writeFileAtomically(probe, Buffer.alloc(0))
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
