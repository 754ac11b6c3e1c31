// The embedded default resume store: one file per resume under a folder only
// the service's user can read (resumes are personal data).
import { createHash, randomUUID } from 'node:crypto'
import { mkdir, readFile, rm, stat, unlink } from 'node:fs/promises'
import { dirname, join, resolve, sep } from 'node:path'
import { ResumeNotFoundError, type ResumeStore } from '../ports/resume-store.ts'
import { writeFileAtomically } from '../fs/atomic-file.ts'

// Segments may not start with a dot: that rules out "." and "..", hidden
// files, and a collision with the ".tmp" names written beside each file.
const KEY = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}(?:\/[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}){0,7}$/

export class LocalResumeStore implements ResumeStore {
  readonly #root: string
  #ready: Promise<unknown> | undefined

  constructor(dir: string) {
    this.#root = resolve(dir)
  }

  async put(key: string, body: Buffer, meta: { mediaType: string; sha256: string }): Promise<void> {
    const path = this.#path(key)
    assertDigest(body, meta.sha256)
    // Content-addressed: a file of the same size under the same digest key is this file.
    const existing = await this.head(key)
    if (existing?.size === body.length) return
    await this.#ensureRoot()
    await mkdir(dirname(path), { recursive: true, mode: 0o700 })
    await writeFileAtomically(path, body)
  }

  async get(key: string): Promise<Buffer> {
    const path = this.#path(key)
    try {
      return await readFile(path)
    } catch (error) {
      if (isMissing(error)) throw new ResumeNotFoundError(key)
      throw error
    }
  }

  async head(key: string): Promise<{ size: number } | undefined> {
    const path = this.#path(key)
    try {
      const info = await stat(path)
      return info.isFile() ? { size: info.size } : undefined
    } catch (error) {
      if (isMissing(error)) return undefined
      throw error
    }
  }

  async link(
    key: string,
    _options?: { filename: string; mediaType: string; expiresInSeconds: number },
  ): Promise<string | undefined> {
    this.#path(key)
    return undefined
  }

  async delete(key: string): Promise<void> {
    await rm(this.#path(key), { force: true })
  }

  async ping(): Promise<void> {
    await this.#ensureRoot()
    const probe = join(this.#root, `.ping-${randomUUID()}`)
    await writeFileAtomically(probe, Buffer.alloc(0))
    await unlink(probe)
  }

  #path(key: string): string {
    if (!KEY.test(key)) throw new Error(`invalid resume key ${JSON.stringify(key)}`)
    const path = resolve(this.#root, key)
    // The pattern already excludes traversal; this states the invariant that matters.
    if (!path.startsWith(this.#root + sep)) throw new Error(`resume key ${JSON.stringify(key)} leaves the store`)
    return path
  }

  #ensureRoot(): Promise<unknown> {
    this.#ready ??= mkdir(this.#root, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
      this.#ready = undefined
      throw error
    })
    return this.#ready
  }
}

function assertDigest(body: Buffer, sha256: string): void {
  const actual = createHash('sha256').update(body).digest('hex')
  if (actual !== sha256) throw new Error(`resume bytes do not match their sha256 (${sha256}, got ${actual})`)
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return code === 'ENOENT' || code === 'ENOTDIR'
}
