// Resumes in S3, encrypted at rest, handed to HR as short-lived presigned links.
import { createHash, randomUUID } from 'node:crypto'
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { contentKey, ResumeNotFoundError, type ResumeStore } from '../ports/resume-store.ts'
import { DependencyUnavailableError } from '../ports/unavailable.ts'
import { attachmentDisposition } from '../domain/filename.ts'

export interface S3ResumeStoreOptions {
  client: S3Client
  bucket: string
  /** Prepended to every key, e.g. "resumes/", so the bucket can hold other things; none by default. */
  prefix?: string
  serverSideEncryption: 'AES256' | 'aws:kms'
  /** With aws:kms; the bucket's default KMS key when absent. */
  kmsKeyId?: string
}

/** SigV4 presigned URLs cannot outlive seven days. */
const MAX_LINK_SECONDS = 604_800

const PROBE = Buffer.from('hireflow health probe\n')

export class S3ResumeStore implements ResumeStore {
  readonly #client: S3Client
  readonly #bucket: string
  readonly #prefix: string
  readonly #sse: 'AES256' | 'aws:kms'
  readonly #kmsKeyId: string | undefined

  constructor(options: S3ResumeStoreOptions) {
    this.#client = options.client
    this.#bucket = options.bucket
    this.#prefix = options.prefix ?? ''
    this.#sse = options.serverSideEncryption
    this.#kmsKeyId = options.kmsKeyId
  }

  keyFor(sha256: string): string {
    return contentKey(this.#prefix, sha256)
  }

  async put(key: string, body: Buffer, meta: { mediaType: string; sha256: string }): Promise<void> {
    assertKey(key)
    const digest = createHash('sha256').update(body).digest()
    if (digest.toString('hex') !== meta.sha256) {
      throw new Error(`resume bytes do not match their sha256 (${meta.sha256}, got ${digest.toString('hex')})`)
    }
    // Content-addressed: an object of the same size under the same digest key is this object.
    const existing = await this.head(key)
    if (existing?.size === body.length) return
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: key,
        Body: body,
        ContentLength: body.length,
        ContentType: meta.mediaType,
        Metadata: { sha256: meta.sha256 },
        // S3 checks the bytes it received against the digest we computed.
        ChecksumSHA256: digest.toString('base64'),
        ...this.#encryption(),
      }),
    )
  }

  #encryption() {
    return {
      ServerSideEncryption: this.#sse,
      ...(this.#sse === 'aws:kms' && this.#kmsKeyId ? { SSEKMSKeyId: this.#kmsKeyId } : {}),
    }
  }

  async get(key: string): Promise<Buffer> {
    assertKey(key)
    try {
      const result = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }))
      if (!result.Body) throw new Error(`S3 returned no body for ${key}`)
      return Buffer.from(await result.Body.transformToByteArray())
    } catch (error) {
      if (isMissing(error)) throw new ResumeNotFoundError(key)
      throw error
    }
  }

  async head(key: string): Promise<{ size: number } | undefined> {
    assertKey(key)
    try {
      const result = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }))
      return { size: result.ContentLength ?? 0 }
    } catch (error) {
      // Without s3:ListBucket S3 answers 403 instead of 404 for a missing key, which lands in `throw`.
      if (isMissing(error)) return undefined
      throw error
    }
  }

  async link(key: string, options: { filename: string; mediaType: string; expiresInSeconds: number }): Promise<string | undefined> {
    assertKey(key)
    const { expiresInSeconds } = options
    if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1 || expiresInSeconds > MAX_LINK_SECONDS) {
      throw new RangeError(`resume links must be valid for 1..${MAX_LINK_SECONDS} seconds, not ${expiresInSeconds}`)
    }
    return getSignedUrl(
      this.#client,
      new GetObjectCommand({
        Bucket: this.#bucket,
        Key: key,
        ResponseContentDisposition: attachmentDisposition(options.filename),
        ResponseContentType: options.mediaType,
      }),
      { expiresIn: expiresInSeconds },
    )
  }

  async delete(key: string): Promise<void> {
    assertKey(key)
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }))
  }

  /**
   * Writes a small object under the prefix (encrypted like a resume, so an
   * unusable KMS key shows here) and deletes it: a bucket that answers reads
   * but refuses writes fails here, not on the next upload. It needs only
   * what the store needs anyway, s3:PutObject and s3:DeleteObject on the
   * prefix (and kms:GenerateDataKey with aws:kms); no s3:ListBucket.
   */
  async ping(): Promise<void> {
    const key = `${this.#prefix}.health/${randomUUID()}`
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Body: PROBE,
          ContentLength: PROBE.length,
          ContentType: 'text/plain',
          ...this.#encryption(),
        }),
      )
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }))
    } catch (error) {
      throw new DependencyUnavailableError('S3 resume store', error)
    }
  }
}

// Keys come from keyFor(); this keeps a malformed one from addressing
// something else in a bucket that may hold more than resumes.
function assertKey(key: string): void {
  if (key === '' || key.length > 512 || key.startsWith('/') || key.split('/').some((s) => s === '..' || s === '.')) {
    throw new Error(`invalid resume key ${JSON.stringify(key)}`)
  }
  if (/[\u0000-\u001f\u007f\\]/.test(key)) throw new Error(`invalid resume key ${JSON.stringify(key)}`)
}

// HeadObject has no body, so its 404 is "NotFound" whether the key or the
// bucket is missing; GetObject says NoSuchKey or NoSuchBucket.
function isMissing(error: unknown): boolean {
  return error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound')
}
