// One contract for every ResumeStore adapter: the local folder and S3 (s3rver).
import t from 'tap'
import { createHash } from 'node:crypto'
import { createServer } from 'node:net'
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { awsClientConfig } from '../src/aws/client-config.ts'
import { ResumeNotFoundError, resumeKey, type ResumeStore } from '../src/ports/resume-store.ts'
import { LocalResumeStore } from '../src/storage/local-resume-store.ts'
import { S3ResumeStore } from '../src/storage/s3-resume-store.ts'
import { emulatorCredentials, startS3rver } from './support/emulators.ts'

const BUCKET = 'resumes'

function resume(text: string) {
  // Binary-looking content: a PDF header followed by every byte value.
  const body = Buffer.concat([Buffer.from(`%PDF-1.7\n${text}\n`), Buffer.from(Array.from({ length: 256 }, (_, i) => i))])
  const sha256 = createHash('sha256').update(body).digest('hex')
  return { body, sha256, key: resumeKey('resumes/', sha256), meta: { mediaType: 'application/pdf', sha256 } }
}

function s3Client(endpoint: string, overrides: { requestTimeoutMs?: number; maxAttempts?: number } = {}) {
  return new S3Client({
    ...awsClientConfig({
      region: 'us-east-1',
      endpoint,
      credentials: emulatorCredentials,
      requestTimeoutMs: overrides.requestTimeoutMs ?? 5_000,
      maxAttempts: overrides.maxAttempts ?? 2,
    }),
    forcePathStyle: true,
  })
}

interface Adapter {
  name: string
  setup(): Promise<{ store: ResumeStore; teardown(): Promise<void> }>
}

const adapters: Adapter[] = [
  {
    name: 'LocalResumeStore',
    async setup() {
      const parent = await mkdtemp(join(tmpdir(), 'hireflow-resumes-'))
      // A folder that does not exist yet: the store creates it.
      const store = new LocalResumeStore(join(parent, 'nested', 'resumes'))
      return { store, teardown: () => rm(parent, { recursive: true, force: true }) }
    },
  },
  {
    name: 'S3ResumeStore',
    async setup() {
      const s3 = await startS3rver([BUCKET])
      const client = s3Client(s3.endpoint)
      const store = new S3ResumeStore({ client, bucket: BUCKET, serverSideEncryption: 'AES256' })
      return {
        store,
        async teardown() {
          client.destroy()
          await s3.close()
        },
      }
    },
  },
]

for (const adapter of adapters) {
  t.test(adapter.name, async (t) => {
    const { store, teardown } = await adapter.setup()
    t.teardown(teardown)

    t.test('ping succeeds', async (t) => {
      await t.resolves(store.ping())
    })

    t.test('round trip', async (t) => {
      const r = resume('round trip')
      await store.put(r.key, r.body, r.meta)
      t.same(await store.head(r.key), { size: r.body.length })
      const back = await store.get(r.key)
      t.ok(Buffer.isBuffer(back), 'get returns a Buffer')
      t.ok(back.equals(r.body), 'bytes survive')
    })

    t.test('put is idempotent', async (t) => {
      const r = resume('twice')
      await store.put(r.key, r.body, r.meta)
      await store.put(r.key, r.body, r.meta)
      t.ok((await store.get(r.key)).equals(r.body))
      t.same(await store.head(r.key), { size: r.body.length })
    })

    t.test('put refuses bytes that do not match their digest', async (t) => {
      const r = resume('mismatch')
      await t.rejects(store.put(r.key, Buffer.from('something else'), r.meta))
      t.equal(await store.head(r.key), undefined)
    })

    t.test('head of a missing key is undefined', async (t) => {
      t.equal(await store.head(resume('never stored').key), undefined)
    })

    t.test('get of a missing key throws ResumeNotFoundError', async (t) => {
      await t.rejects(store.get(resume('never stored').key), ResumeNotFoundError)
    })

    t.test('delete removes, and deleting again is fine', async (t) => {
      const r = resume('to delete')
      await store.put(r.key, r.body, r.meta)
      await store.delete(r.key)
      t.equal(await store.head(r.key), undefined)
      await t.rejects(store.get(r.key), ResumeNotFoundError)
      await t.resolves(store.delete(r.key))
    })

    t.test('keys that try to leave the store are rejected', async (t) => {
      const { body } = resume('evil')
      for (const key of ['../escape', 'resumes/../../escape', '/etc/passwd']) {
        await t.rejects(store.get(key), { message: /invalid resume key/ }, key)
        await t.rejects(store.put(key, body, { mediaType: 'application/pdf', sha256: 'x' }), key)
      }
    })
  })
}

t.test('LocalResumeStore specifics', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hireflow-resumes-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const store = new LocalResumeStore(dir)
  const r = resume('local')
  await store.put(r.key, r.body, r.meta)

  t.test('files are private to the service user and no temp file is left', async (t) => {
    const info = await stat(join(dir, r.key))
    t.equal(info.mode & 0o777, 0o600)
    t.same(await readdir(join(dir, 'resumes')), [r.sha256])
  })

  t.test('a folder cannot mint a link', async (t) => {
    t.equal(await store.link(r.key, { filename: 'cv.pdf', mediaType: 'application/pdf', expiresInSeconds: 60 }), undefined)
  })

  t.test('keys with backslashes, dots or empty segments are rejected', async (t) => {
    for (const key of ['resumes\\..\\x', 'resumes/./x', 'resumes//x', '.hidden', '']) {
      await t.rejects(store.head(key), { message: /invalid resume key/ }, JSON.stringify(key))
    }
  })

  t.test('ping fails when the folder cannot be written', async (t) => {
    const file = join(dir, 'resumes', r.sha256)
    await t.rejects(new LocalResumeStore(join(file, 'under-a-file')).ping())
  })
})

t.test('S3ResumeStore specifics', async (t) => {
  const s3 = await startS3rver([BUCKET])
  const client = s3Client(s3.endpoint)
  t.teardown(async () => {
    client.destroy()
    await s3.close()
  })
  const store = new S3ResumeStore({ client, bucket: BUCKET, serverSideEncryption: 'AES256' })
  const r = resume('linked')
  await store.put(r.key, r.body, r.meta)

  t.test('the object carries its media type and digest, and a second put uploads nothing', async (t) => {
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: r.key }))
    t.equal(head.ContentType, 'application/pdf')
    t.equal(head.Metadata?.sha256, r.sha256)

    const sent: string[] = []
    client.middlewareStack.add(
      (next, context) => (args) => {
        sent.push(String(context.commandName))
        return next(args)
      },
      { step: 'initialize', name: 'recordCommands' },
    )
    t.teardown(() => client.middlewareStack.remove('recordCommands'))
    await store.put(r.key, r.body, r.meta)
    t.same(sent, ['HeadObjectCommand'])
  })

  t.test('a presigned link fetches the bytes as a download', async (t) => {
    const url = await store.link(r.key, { filename: 'Zoë Łukasz CV.pdf', mediaType: 'application/pdf', expiresInSeconds: 300 })
    t.ok(url, 'a link is minted')
    const response = await fetch(url as string)
    t.equal(response.status, 200)
    t.ok(Buffer.from(await response.arrayBuffer()).equals(r.body), 'the link serves the stored bytes')
    t.equal(response.headers.get('content-type'), 'application/pdf')
    const disposition = response.headers.get('content-disposition') ?? ''
    t.match(disposition, /^attachment; filename="Zoe _ukasz CV\.pdf"; filename\*=UTF-8''Zo%C3%AB%20%C5%81ukasz%20CV\.pdf$/)
  })

  t.test('the link filename is sanitised', async (t) => {
    const url = await store.link(r.key, { filename: '../../"evil"\r\n.pdf', mediaType: 'application/pdf', expiresInSeconds: 60 })
    const response = await fetch(url as string)
    await response.arrayBuffer()
    t.equal(response.headers.get('content-disposition'), 'attachment; filename="_evil_.pdf"')
  })

  t.test('link lifetimes beyond what SigV4 allows are refused', async (t) => {
    await t.rejects(
      store.link(r.key, { filename: 'cv.pdf', mediaType: 'application/pdf', expiresInSeconds: 604_801 }),
      RangeError,
    )
  })

  t.test('a missing bucket fails ping', async (t) => {
    await t.rejects(new S3ResumeStore({ client, bucket: 'no-such-bucket', serverSideEncryption: 'AES256' }).ping())
  })
})

t.test('S3ResumeStore against a dead endpoint rejects', async (t) => {
  // Bind then release a port so nothing listens on it.
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))

  const client = s3Client(`http://127.0.0.1:${port}`, { requestTimeoutMs: 500, maxAttempts: 2 })
  t.teardown(() => client.destroy())
  const store = new S3ResumeStore({ client, bucket: BUCKET, serverSideEncryption: 'aws:kms', kmsKeyId: 'alias/hireflow' })
  const r = resume('dead')
  await t.rejects(store.put(r.key, r.body, r.meta))
  await t.rejects(store.get(r.key))
  await t.rejects(store.ping())
})
