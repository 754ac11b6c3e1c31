/** Resume bytes, content-addressed: the key is derived from the sha256 only. */
export interface ResumeStore {
  /** Idempotent: storing the same key twice keeps one object. */
  put(key: string, body: Buffer, meta: { mediaType: string; sha256: string }): Promise<void>
  /** Throws ResumeNotFoundError when absent. */
  get(key: string): Promise<Buffer>
  head(key: string): Promise<{ size: number } | undefined>
  /**
   * A link HR can open to fetch the file, valid for `expiresInSeconds`, or
   * undefined when this store cannot mint one.
   */
  link(key: string, options: { filename: string; mediaType: string; expiresInSeconds: number }): Promise<string | undefined>
  delete(key: string): Promise<void>
  ping(): Promise<void>
}

export class ResumeNotFoundError extends Error {
  override name = 'ResumeNotFoundError'
  constructor(key: string) {
    super(`no resume stored under ${key}`)
  }
}

export function resumeKey(prefix: string, sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('resume keys are built from a sha256 hex digest')
  return `${prefix}${sha256}`
}
