/** Resume bytes, content-addressed: the key is derived from the sha256 only. */
export interface ResumeStore {
  /**
   * The key a resume with this sha256 (64 lowercase hex digits) is stored
   * under. The store owns its key layout (a prefix in a shared bucket, a flat
   * folder); callers keep the key it gives them, on the candidate record.
   */
  keyFor(sha256: string): string
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

/** The key of a resume under `prefix`, for adapters implementing keyFor. */
export function contentKey(prefix: string, sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('resume keys are built from a sha256 hex digest (64 lowercase hex digits)')
  return `${prefix}${sha256}`
}
