// s3rver ignores server-side encryption, so what hireflow asks S3 for is
// checked on the request itself: every resume is written encrypted, under a
// key made of the prefix and the sha256 only.
import t from 'tap'
import { createHash } from 'node:crypto'
import { S3Client } from '@aws-sdk/client-s3'
import { awsClientConfig } from '../src/aws/client-config.ts'
import { S3ResumeStore } from '../src/storage/s3-resume-store.ts'
import { resumeKey } from '../src/ports/resume-store.ts'
import { emulatorCredentials, startS3rver } from './support/emulators.ts'

t.test('PutObject requests SSE (AES256, or aws:kms with the key)', async (t) => {
  const s3 = await startS3rver(['enc'])
  t.teardown(() => s3.close())
  const client = new S3Client({
    ...awsClientConfig({ region: 'us-east-1', endpoint: s3.endpoint, requestTimeoutMs: 5_000, maxAttempts: 1, credentials: emulatorCredentials }),
    forcePathStyle: true,
  })
  t.teardown(() => client.destroy())
  const puts: Record<string, unknown>[] = []
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'PutObjectCommand') puts.push(args.input as Record<string, unknown>)
      return next(args)
    },
    { step: 'initialize', name: 'recordPuts' },
  )

  for (const [sse, kmsKeyId] of [['AES256', undefined], ['aws:kms', 'alias/hireflow-resumes']] as const) {
    const body = Buffer.from(`resume encrypted with ${sse}`)
    const sha256 = createHash('sha256').update(body).digest('hex')
    const store = new S3ResumeStore({ client, bucket: 'enc', serverSideEncryption: sse, ...(kmsKeyId ? { kmsKeyId } : {}) })
    await store.put(resumeKey('resumes/', sha256), body, { mediaType: 'text/plain', sha256 })
    const input = puts.at(-1)!
    t.equal(input.ServerSideEncryption, sse)
    t.equal(input.SSEKMSKeyId, kmsKeyId)
    t.equal(input.Key, `resumes/${sha256}`)
  }
})
