// s3rver ignores server-side encryption, so what hireflow asks S3 for is
// checked on the request itself: every object hireflow writes (each resume,
// and the health probe) is written encrypted, under the store's prefix, and a
// resume's key is the prefix and the sha256 only.
import t from 'tap'
import { createHash } from 'node:crypto'
import { S3Client } from '@aws-sdk/client-s3'
import { awsClientConfig } from '../src/aws/client-config.ts'
import { S3ResumeStore } from '../src/storage/s3-resume-store.ts'
import { emulatorCredentials, startS3rver } from './support/emulators.ts'

t.test('PutObject requests SSE (AES256, or aws:kms with the key)', async (t) => {
  const s3 = await startS3rver(['enc'])
  t.teardown(() => s3.close())
  const client = new S3Client({
    ...awsClientConfig({
      region: 'us-east-1',
      endpoint: s3.endpoint,
      requestTimeoutMs: 5_000,
      maxAttempts: 1,
      credentials: emulatorCredentials,
    }),
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

  for (const [sse, kmsKeyId] of [
    ['AES256', undefined],
    ['aws:kms', 'alias/hireflow-resumes'],
  ] as const) {
    t.test(sse, async (t) => {
      const body = Buffer.from(`resume encrypted with ${sse}`)
      const sha256 = createHash('sha256').update(body).digest('hex')
      const store = new S3ResumeStore({
        client,
        bucket: 'enc',
        prefix: 'resumes/',
        serverSideEncryption: sse,
        ...(kmsKeyId ? { kmsKeyId } : {}),
      })
      puts.length = 0
      const key = store.keyFor(sha256)
      t.equal(key, `resumes/${sha256}`)
      await store.put(key, body, { mediaType: 'text/plain', sha256 })
      await store.ping()
      t.equal(puts.length, 2, 'one PutObject for the resume, one for the health probe')
      t.match(puts[0], { Key: key, ServerSideEncryption: sse, SSEKMSKeyId: kmsKeyId })
      t.match(puts[1], { Key: /^resumes\/\.health\//, ServerSideEncryption: sse, SSEKMSKeyId: kmsKeyId })
      for (const input of puts) t.equal(input.SSEKMSKeyId, kmsKeyId, `${String(input.Key)}: the KMS key is exactly the configured one`)
    })
  }
})
