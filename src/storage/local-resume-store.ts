// The embedded default resume store: one file per resume under a folder only
// the service's user can read (resumes are personal data).
import { createHash, randomUUID } from 'node:crypto'
import { readFile, rm, stat, statfs, unlink } from 'node:fs/promises'
import { dirname, join, resolve, sep } from 'node:path'
import { contentKey, ResumeNotFoundError, type ResumeStore } from '../ports/resume-store.ts'
import { DependencyUnavailableError } from '../ports/unavailable.ts'
import { writeFileAtomically } from '../fs/atomic-file.ts'
import { makePrivateFolder } from '../fs/private-files.ts'

// A full disk still creates empty files (a free inode is enough), so the
// health probe carries bytes: writing it needs a data block, as a resume does.
const PROBE = Buffer.from('hireflow health probe\n')

export interface LocalResumeStoreOptions {
  /**
   * ping() fails when the folder's file system has less free space than this
   * (typically the largest resume accepted), so /health turns unhealthy
   * before uploads start failing. 0 checks only that a small file can be written.
   */
  minFreeBytes?: number
}

// Segments may not start with a dot: that rules out "." and "..", hidden
// files, and a collision with the ".tmp" names written beside each file.
const KEY = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}(?:\/[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}){0,7}$/

export class LocalResumeStore implements ResumeStore {
  readonly #root: string
  readonly #minFreeBytes: number
  #ready: Promise<unknown> | undefined

  constructor(dir: string, options: LocalResumeStoreOptions = {}) {
    this.#root = resolve(dir)
    this.#minFreeBytes = options.minFreeBytes ?? 0
  }

  /** The folder is the store's own, so a key is the digest alone. */
  keyFor(sha256: string): string {
    return contentKey('', sha256)
  }

  async put(key: string, body: Buffer, meta: { mediaType: string; sha256: string }): Promise<void> {
    const path = this.#path(key)
    assertDigest(body, meta.sha256)
    // Content-addressed: a file of the same size under the same digest key is this file.
    const existing = await this.head(key)
    if (existing?.size === body.length) return
    await this.#ensureRoot()
    await makePrivateFolder(dirname(path))
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

  async link(key: string, _options?: { filename: string; mediaType: string; expiresInSeconds: number }): Promise<string | undefined> {
    this.#path(key)
    return undefined
  }

  async delete(key: string): Promise<void> {
    await rm(this.#path(key), { force: true })
  }

  /** Writes and removes a small file the way put() does; fails on a folder that reads but cannot take a resume. */
  async ping(): Promise<void> {
    try {
      await this.#ensureRoot()
      if (this.#minFreeBytes > 0) {
        const { bavail, bsize } = await statfs(this.#root)
        if (bavail * bsize < this.#minFreeBytes) {
          throw Object.assign(new Error(`${bavail * bsize} bytes free under ${this.#root}, ${this.#minFreeBytes} needed`), {
            code: 'ENOSPC',
          })
        }
      }
      // Dot-prefixed, so no resume key can name it.
      const probe = join(this.#root, `.health-${randomUUID()}`)
      await writeFileAtomically(probe, PROBE)
      await unlink(probe)
    } catch (error) {
      throw new DependencyUnavailableError('local resume store', error)
    }
  }

  #path(key: string): string {
    if (!KEY.test(key)) throw new Error(`invalid resume key ${JSON.stringify(key)}`)
    const path = resolve(this.#root, key)
    // The pattern already excludes traversal; this states the invariant that matters.
    if (!path.startsWith(this.#root + sep)) throw new Error(`resume key ${JSON.stringify(key)} leaves the store`)
    return path
  }

  #ensureRoot(): Promise<unknown> {
    this.#ready ??= makePrivateFolder(this.#root).catch((error: unknown) => {
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
