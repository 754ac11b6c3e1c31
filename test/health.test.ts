// /health is open to anyone who can reach the port: it names the dependency
// that fails and a short reason, and leaves the details (paths, hosts) to the log.
import t from 'tap'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fakeApp } from './support/fake-app.ts'
import { DependencyUnavailableError } from '../src/ports/unavailable.ts'
import { LocalResumeStore } from '../src/storage/local-resume-store.ts'

const healthy = {
  redis: { ping: async () => 'PONG' as const },
  candidates: { ping: async () => {} },
  resumes: { ping: async () => {} },
  mailer: { ping: async () => {} },
}

function withFailure(error: Error, where: 'redis' | 'candidates' | 'resumes' | 'mailer') {
  const fail = async (): Promise<never> => {
    throw error
  }
  const probes = { ...healthy, [where]: { ping: fail } }
  return fakeApp({
    redis: probes.redis,
    services: { candidates: probes.candidates, resumes: probes.resumes, mailer: probes.mailer },
  })
}

const errno = (code: string, message: string) => Object.assign(new Error(message), { code })

t.test('all dependencies answer: 200 ok', async (t) => {
  const { app } = await fakeApp({
    redis: healthy.redis,
    services: { candidates: healthy.candidates, resumes: healthy.resumes, mailer: healthy.mailer },
  })
  t.teardown(() => app.close())
  const response = await app.inject({ method: 'GET', url: '/health' })
  t.equal(response.statusCode, 200)
  t.equal(response.json().status, 'ok')
  t.same(Object.keys(response.json().checks).sort(), ['candidateStore', 'mailer', 'redis', 'resumeStore'])
})

for (const [label, where, check, error, reason] of [
  [
    'a full disk under the resume store',
    'resumes',
    'resumeStore',
    errno('ENOSPC', "ENOSPC: no space left on device, open '/var/lib/hireflow/resumes/.probe-5f3a.tmp'"),
    /^disk full$/,
  ],
  [
    'a read-only resume folder',
    'resumes',
    'resumeStore',
    errno('EACCES', "EACCES: permission denied, open '/srv/hireflow/data/resumes/.probe-1.tmp'"),
    /^permission denied$/,
  ],
  [
    'an S3 bucket that refuses writes',
    'resumes',
    'resumeStore',
    Object.assign(new Error('Access Denied for arn:aws:s3:::acme-resumes/resumes/.probe'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    }),
    /^access denied$/,
  ],
  [
    'an outbox folder that is gone',
    'mailer',
    'mailer',
    errno('ENOENT', "ENOENT: no such file or directory, access '/home/hireflow/data/outbox'"),
    /^folder missing$/,
  ],
  ['Redis refusing connections', 'redis', 'redis', errno('ECONNREFUSED', 'connect ECONNREFUSED 10.0.3.7:6379'), /^connection refused$/],
  [
    'a SQLite database that cannot be read',
    'candidates',
    'candidateStore',
    errno('ERR_SQLITE_ERROR', 'unable to open database file /var/lib/hireflow/hireflow.sqlite'),
    /^unavailable$/,
  ],
] as const) {
  t.test(`${label}: 503 naming ${check}, no internals in the body, the cause in the log`, async (t) => {
    const { app, logs } = await withFailure(error, where)
    t.teardown(() => app.close())
    const response = await app.inject({ method: 'GET', url: '/health' })
    t.equal(response.statusCode, 503)
    const body = response.json()
    t.equal(body.status, 'failing')
    t.equal(body.checks[check].ok, false, `${check} is the failing check`)
    t.match(body.checks[check].error, reason)
    for (const [name, result] of Object.entries(body.checks as Record<string, { ok: boolean }>)) {
      if (name !== check) t.equal(result.ok, true, `${name} is not blamed`)
    }
    t.notMatch(response.body, /\/var|\/srv|\/home|arn:|10\.0\.3\.7|sqlite|probe/, 'no path, host or resource name in the body')
    const logged = logs.map((line) => JSON.parse(line)).find((entry) => entry.dependency === check)
    t.ok(logged, `the failure of ${check} is logged`)
    t.equal(logged?.err?.message, error.message, 'the log has the details')
  })
}

t.test('a probe that hangs: 503 with "timed out"', async (t) => {
  const { app } = await fakeApp({
    redis: healthy.redis,
    services: { candidates: healthy.candidates, resumes: { ping: () => new Promise<void>(() => {}) }, mailer: healthy.mailer },
  })
  t.teardown(() => app.close())
  const response = await app.inject({ method: 'GET', url: '/health' })
  t.equal(response.statusCode, 503)
  t.equal(response.json().checks.resumeStore.error, 'timed out')
})

t.test('a port that wraps its failure (DependencyUnavailableError): the reason of the cause, the path only in the log', async (t) => {
  const cause = errno('ENOSPC', "ENOSPC: no space left on device, write '/var/lib/hireflow/resumes/.health-1'")
  const { app, logs } = await withFailure(new DependencyUnavailableError('local resume store', cause), 'resumes')
  t.teardown(() => app.close())
  const response = await app.inject({ method: 'GET', url: '/health' })
  t.equal(response.statusCode, 503)
  t.equal(response.json().checks.resumeStore.error, 'disk full')
  t.notMatch(response.body, /\/var/)
  t.ok(
    logs.some((line) => line.includes('resumeStore') && line.includes('/var/lib/hireflow/resumes/.health-1')),
    'the log has the path',
  )
})

t.test('a real local resume store on a disk too full for the largest resume: 503, "disk full", no path', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hireflow-health-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const resumes = new LocalResumeStore(dir, { minFreeBytes: Number.MAX_SAFE_INTEGER })
  const { app } = await fakeApp({
    redis: healthy.redis,
    services: { candidates: healthy.candidates, resumes, mailer: healthy.mailer },
  })
  t.teardown(() => app.close())
  const response = await app.inject({ method: 'GET', url: '/health' })
  t.equal(response.statusCode, 503)
  t.equal(response.json().checks.resumeStore.error, 'disk full')
  t.notOk(response.body.includes(dir), 'the folder is not named')
  t.same(await readdir(dir), [], 'no probe left behind')
})
