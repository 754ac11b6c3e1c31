// One contract for every ResumeStore adapter: the local folder and S3 (s3rver).
import t from 'tap'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createServer } from 'node:net'
import { mkdtemp, readdir, rm, stat, statfs, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import { awsClientConfig } from '../src/aws/client-config.ts'
import { ResumeNotFoundError, type ResumeStore } from '../src/ports/resume-store.ts'
import { LocalResumeStore } from '../src/storage/local-resume-store.ts'
import { S3ResumeStore } from '../src/storage/s3-resume-store.ts'
import { emulatorCredentials, startS3PolicyProxy, startS3rver } from './support/emulators.ts'

const BUCKET = 'resumes'
const PREFIX = 'resumes/'

function resume(store: ResumeStore, text: string) {
  // Binary-looking content: a PDF header followed by every byte value.
  const body = Buffer.concat([Buffer.from(`%PDF-1.7\n${text}\n`), Buffer.from(Array.from({ length: 256 }, (_, i) => i))])
  const sha256 = createHash('sha256').update(body).digest('hex')
  return { body, sha256, key: store.keyFor(sha256), meta: { mediaType: 'application/pdf', sha256 } }
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

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(root, join(entry.parentPath, entry.name)))
}

async function keysIn(client: S3Client, bucket: string): Promise<string[]> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }))
  return (listed.Contents ?? []).map((object) => object.Key!).sort()
}

interface Opened {
  store: ResumeStore
  /** Every object or file the store holds, whatever its name. */
  contents(): Promise<string[]>
  teardown(): Promise<void>
}

interface Adapter {
  name: string
  /** What the store's error messages start with. */
  label: RegExp
  setup(): Promise<Opened>
  /** A store that can read but not write, and the details its error messages must not show. */
  unwritable(): Promise<{ store: ResumeStore; internals: string[]; teardown(): Promise<void> }>
}

const adapters: Adapter[] = [
  {
    name: 'LocalResumeStore',
    label: /^local resume store is unavailable: /,
    async setup() {
      const parent = await mkdtemp(join(tmpdir(), 'hireflow-resumes-'))
      // A folder that does not exist yet: the store creates it.
      const root = join(parent, 'nested', 'resumes')
      const store = new LocalResumeStore(root)
      return {
        store,
        contents: async () => filesUnder(root).catch(() => []),
        teardown: () => rm(parent, { recursive: true, force: true }),
      }
    },
    async unwritable() {
      const parent = await mkdtemp(join(tmpdir(), 'hireflow-resumes-'))
      // A regular file where the folder should be: no mode bit is involved,
      // so this fails for root as well as for an ordinary user.
      const root = join(parent, 'resumes')
      await writeFile(root, 'not a folder')
      return { store: new LocalResumeStore(root), internals: [parent], teardown: () => rm(parent, { recursive: true, force: true }) }
    },
  },
  {
    name: 'S3ResumeStore',
    label: /^S3 resume store is unavailable: /,
    async setup() {
      const s3 = await startS3rver([BUCKET])
      const client = s3Client(s3.endpoint)
      const store = new S3ResumeStore({ client, bucket: BUCKET, prefix: PREFIX, serverSideEncryption: 'AES256' })
      return {
        store,
        contents: () => keysIn(client, BUCKET),
        async teardown() {
          client.destroy()
          await s3.close()
        },
      }
    },
    async unwritable() {
      // Reads pass, writes are refused: a bucket policy (or an IAM role) that grants read only.
      const s3 = await startS3rver([BUCKET])
      const gate = await startS3PolicyProxy(s3.endpoint, ({ method }) => method === 'PUT' || method === 'POST' || method === 'DELETE')
      const client = s3Client(gate.endpoint, { maxAttempts: 1 })
      return {
        store: new S3ResumeStore({ client, bucket: BUCKET, prefix: PREFIX, serverSideEncryption: 'AES256' }),
        internals: [BUCKET, gate.endpoint, '127.0.0.1'],
        async teardown() {
          client.destroy()
          await gate.close()
          await s3.close()
        },
      }
    },
  },
]

for (const adapter of adapters) {
  t.test(adapter.name, async (t) => {
    const { store, contents, teardown } = await adapter.setup()
    t.teardown(teardown)

    t.test('ping succeeds and leaves nothing behind', async (t) => {
      const before = await contents()
      await t.resolves(store.ping())
      t.same(await contents(), before)
    })

    t.test('ping fails when the store can be read but not written, naming the store without internals', async (t) => {
      const unwritable = await adapter.unwritable()
      t.teardown(unwritable.teardown)
      const error = await unwritable.store.ping().then(
        () => undefined,
        (error: unknown) => error as Error,
      )
      t.ok(error instanceof Error, 'ping rejects')
      t.match(error?.message, adapter.label)
      t.ok((error?.message.length ?? 0) <= 80, `a short reason: ${error?.message}`)
      for (const detail of unwritable.internals) t.notOk(error?.message.includes(detail), `the message does not show ${detail}`)
      t.ok(error?.cause instanceof Error, 'the details are in the cause, for the log')
    })

    t.test('keyFor: one key per digest, refused for anything but a sha256 hex digest', async (t) => {
      const r = resume(store, 'keyed')
      t.equal(store.keyFor(r.sha256), r.key, 'the same digest gives the same key')
      t.not(store.keyFor(resume(store, 'other').sha256), r.key)
      t.ok(r.key.endsWith(r.sha256), 'the key ends with the digest')
      for (const digest of ['', 'abc', r.sha256.toUpperCase(), `${r.sha256}0`, `../${r.sha256.slice(3)}`, `${r.sha256.slice(1)}/`]) {
        t.throws(() => store.keyFor(digest), { message: /sha256/ }, JSON.stringify(digest))
      }
    })

    t.test('round trip', async (t) => {
      const r = resume(store, 'round trip')
      await store.put(r.key, r.body, r.meta)
      t.same(await store.head(r.key), { size: r.body.length })
      const back = await store.get(r.key)
      t.ok(Buffer.isBuffer(back), 'get returns a Buffer')
      t.ok(back.equals(r.body), 'bytes survive')
    })

    t.test('put is idempotent', async (t) => {
      const r = resume(store, 'twice')
      await store.put(r.key, r.body, r.meta)
      await store.put(r.key, r.body, r.meta)
      t.ok((await store.get(r.key)).equals(r.body))
      t.same(await store.head(r.key), { size: r.body.length })
    })

    t.test('put refuses bytes that do not match their digest', async (t) => {
      const r = resume(store, 'mismatch')
      await t.rejects(store.put(r.key, Buffer.from('something else'), r.meta), { message: /do not match their sha256/ })
      t.equal(await store.head(r.key), undefined)
    })

    t.test('head of a missing key is undefined', async (t) => {
      t.equal(await store.head(resume(store, 'never stored').key), undefined)
    })

    t.test('get of a missing key throws ResumeNotFoundError', async (t) => {
      await t.rejects(store.get(resume(store, 'never stored').key), ResumeNotFoundError)
    })

    t.test('delete removes, and deleting again is fine', async (t) => {
      const r = resume(store, 'to delete')
      await store.put(r.key, r.body, r.meta)
      await store.delete(r.key)
      t.equal(await store.head(r.key), undefined)
      await t.rejects(store.get(r.key), ResumeNotFoundError)
      await t.resolves(store.delete(r.key))
    })

    t.test('keys that try to leave the store are rejected', async (t) => {
      // Bytes that match their digest, so the key is the only thing a put can be refused for.
      const { body, meta } = resume(store, 'evil')
      const before = await contents()
      for (const key of ['../escape', 'resumes/../../escape', '/etc/passwd']) {
        await t.rejects(store.get(key), { message: /invalid resume key/ }, `get ${key}`)
        await t.rejects(store.put(key, body, meta), { message: /invalid resume key/ }, `put ${key}`)
      }
      t.same(await contents(), before, 'nothing was written')
    })
  })
}

t.test('LocalResumeStore specifics', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hireflow-resumes-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const store = new LocalResumeStore(dir)
  const r = resume(store, 'local')
  await store.put(r.key, r.body, r.meta)

  t.test('a key is the digest itself, in the store folder', async (t) => {
    t.equal(r.key, r.sha256)
  })

  t.test('files are private to the service user and no temp file is left', async (t) => {
    const info = await stat(join(dir, r.key))
    t.equal(info.mode & 0o777, 0o600)
    t.same(await readdir(dir), [r.sha256])
  })

  t.test('a folder cannot mint a link', async (t) => {
    t.equal(await store.link(r.key, { filename: 'cv.pdf', mediaType: 'application/pdf', expiresInSeconds: 60 }), undefined)
  })

  t.test('keys with backslashes, dots or empty segments are rejected', async (t) => {
    for (const key of ['resumes\\..\\x', 'resumes/./x', 'resumes//x', '.hidden', '']) {
      await t.rejects(store.head(key), { message: /invalid resume key/ }, JSON.stringify(key))
    }
  })

  t.test('ping fails when the folder sits under a file', async (t) => {
    const file = join(dir, r.key)
    await t.rejects(new LocalResumeStore(join(file, 'under-a-file')).ping(), { message: /^local resume store is unavailable: / })
  })

  t.test('ping fails when the disk has less room than one resume needs', async (t) => {
    const { bavail, bsize } = await statfs(dir)
    const free = bavail * bsize
    t.ok(free > 0, 'the test folder has room')
    await t.resolves(new LocalResumeStore(dir, { minFreeBytes: 1 }).ping())
    await t.rejects(new LocalResumeStore(dir, { minFreeBytes: free * 2 }).ping(), {
      message: 'local resume store is unavailable: disk full',
    })
  })

  t.test('ping fails when no byte can be written, though files can still be created', async (t) => {
    // A full disk still creates empty files (an inode is free) and fails the
    // first data block. RLIMIT_FSIZE 0 gives that same shape to a child
    // process, for root too and with no mount: writes fail with EFBIG.
    const script = `
      import { LocalResumeStore } from ${JSON.stringify(new URL('../src/storage/local-resume-store.ts', import.meta.url).href)}
      import { writeFileSync } from 'node:fs'
      const dir = ${JSON.stringify(dir)}
      writeFileSync(dir + '/.empty-file-probe', '')
      try {
        await new LocalResumeStore(dir).ping()
        process.stdout.write(JSON.stringify({ ok: true }))
      } catch (error) {
        process.stdout.write(JSON.stringify({ ok: false, message: error.message, cause: error.cause?.code }))
      }
    `
    // NODE_OPTIONS goes: the test runner adds hooks to every child through it,
    // and they write files of their own at exit, which this limit forbids.
    const limited = 'ulimit -f 0 && unset NODE_OPTIONS && exec "$0" "$@"'
    const child = spawn('/bin/sh', ['-c', limited, process.execPath, '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk))
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('close', (...exit) => resolve(exit)))
    t.same({ code, signal }, { code: 0, signal: null }, stderr)
    t.ok((await stat(join(dir, '.empty-file-probe'))).isFile(), 'the child could still create an empty file')
    await rm(join(dir, '.empty-file-probe'))
    t.same(JSON.parse(stdout), { ok: false, message: 'local resume store is unavailable: file size limit reached', cause: 'EFBIG' })
    t.same(await readdir(dir), [r.sha256], 'the failed probe left nothing behind')
  })
})

t.test('S3ResumeStore specifics', async (t) => {
  const s3 = await startS3rver([BUCKET])
  const client = s3Client(s3.endpoint)
  t.teardown(async () => {
    client.destroy()
    await s3.close()
  })
  const store = new S3ResumeStore({ client, bucket: BUCKET, prefix: PREFIX, serverSideEncryption: 'AES256' })
  const r = resume(store, 'linked')
  await store.put(r.key, r.body, r.meta)

  const record = (t: { teardown(fn: () => void): void }) => {
    const sent: { command: string; input: Record<string, unknown> }[] = []
    const name = `record-${Math.random()}`
    client.middlewareStack.add(
      (next, context) => (args) => {
        sent.push({ command: String(context.commandName), input: args.input as Record<string, unknown> })
        return next(args)
      },
      { step: 'initialize', name },
    )
    t.teardown(() => client.middlewareStack.remove(name))
    return sent
  }

  t.test('a key is the prefix and the digest', async (t) => {
    t.equal(r.key, `${PREFIX}${r.sha256}`)
    t.equal(
      new S3ResumeStore({ client, bucket: BUCKET, serverSideEncryption: 'AES256' }).keyFor(r.sha256),
      r.sha256,
      'no prefix: the bucket root',
    )
  })

  t.test('the object carries its media type and digest, and a second put uploads nothing', async (t) => {
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: r.key }))
    t.equal(head.ContentType, 'application/pdf')
    t.equal(head.Metadata?.sha256, r.sha256)

    const sent = record(t)
    await store.put(r.key, r.body, r.meta)
    t.same(
      sent.map((s) => s.command),
      ['HeadObjectCommand'],
    )
  })

  t.test('ping writes an encrypted probe under the prefix and deletes it', async (t) => {
    const sent = record(t)
    await store.ping()
    t.same(
      sent.map((s) => s.command),
      ['PutObjectCommand', 'DeleteObjectCommand'],
    )
    const [put, removed] = sent
    t.match(put?.input, { Bucket: BUCKET, Key: /^resumes\/\.health\/[0-9a-f-]{36}$/, ServerSideEncryption: 'AES256' })
    t.equal(removed?.input.Key, put?.input.Key, 'the probe it wrote is the one it deletes')
    t.same(await keysIn(client, BUCKET), [r.key], 'only the resume is left')
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
    await t.rejects(store.link(r.key, { filename: 'cv.pdf', mediaType: 'application/pdf', expiresInSeconds: 604_801 }), RangeError)
  })

  t.test('a missing bucket fails ping, without naming it', async (t) => {
    await t.rejects(new S3ResumeStore({ client, bucket: 'no-such-bucket', prefix: PREFIX, serverSideEncryption: 'AES256' }).ping(), {
      message: 'S3 resume store is unavailable: bucket not found',
      cause: { name: 'NoSuchBucket' },
    })
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
  const store = new S3ResumeStore({ client, bucket: BUCKET, prefix: PREFIX, serverSideEncryption: 'aws:kms', kmsKeyId: 'alias/hireflow' })
  const r = resume(store, 'dead')
  await t.rejects(store.put(r.key, r.body, r.meta), { code: 'ECONNREFUSED' })
  await t.rejects(store.get(r.key), { code: 'ECONNREFUSED' })
  await t.rejects(store.ping(), { message: 'S3 resume store is unavailable: connection refused', cause: { code: 'ECONNREFUSED' } })
})
