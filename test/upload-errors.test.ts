// Bad input gets a clear error and loses nothing that was already accepted.
import t from 'tap'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { simpleParser } from 'mailparser'
import { AUTH, createRequisition, multipartBody, startHireflow, injectUpload } from './support/harness.ts'
import { makeElfBinary, makeCorruptPdf, makeEncryptedPdf, makePdfResume, sampleResumeLines } from './support/resumes.ts'
import { makeCompoundFile, makeWord97 } from './support/word97.ts'

const hireflow = await startHireflow({ env: { MAX_RESUME_BYTES: String(64 * 1024) } })
t.teardown(() => hireflow.stop())
const app = hireflow.app!

async function upload(file: { filename: string; content: Buffer; field?: string } | undefined, fields: Record<string, string> = {}) {
  return injectUpload(app, file, fields)
}
async function storedFiles() {
  return readdir(hireflow.config.resumeDir).catch(() => [])
}
async function candidateCount() {
  return (await hireflow.services.candidates.listCandidates({ limit: 100 })).items.length
}
async function emails() {
  const dir = hireflow.config.outboxDir
  const files = (await readdir(dir)).filter((f) => f.endsWith('.eml'))
  return Promise.all(files.map(async (f) => simpleParser(await readFile(join(dir, f)))))
}

const requisition = await createRequisition(app, {
  title: 'Data Engineer',
  mustHaveSkills: ['Python'],
  niceToHaveSkills: ['Spark'],
  minYearsExperience: 0,
  advanceAtOrAbove: 60,
  rejectBelow: 20,
})

t.test('no file: 400', async (t) => {
  const response = await upload(undefined, { requisitionId: requisition.id })
  t.equal(response.statusCode, 400)
  t.match(response.json().message, /no file/)
})

t.test('a file in another field: 400 naming the field', async (t) => {
  const response = await upload({ field: 'cv', filename: 'a.txt', content: Buffer.from('hello') })
  t.equal(response.statusCode, 400)
  t.match(response.json().message, /"cv"/)
})

t.test('two files: 413, one resume per upload', async (t) => {
  const first = multipartBody({}, { filename: 'a.txt', content: Buffer.from('Jane Doe\nPython') })
  const second = multipartBody({}, { filename: 'b.txt', content: Buffer.from('John Roe\nPython') })
  const boundary = first.headers['content-type']!.split('boundary=')[1]!
  const secondBoundary = second.headers['content-type']!.split('boundary=')[1]!
  const payload = Buffer.concat([
    first.payload.subarray(0, first.payload.length - `--${boundary}--\r\n`.length),
    Buffer.from(second.payload.toString('latin1').replaceAll(secondBoundary, boundary), 'latin1'),
  ])
  const response = await app.inject({ method: 'POST', url: '/candidates', headers: { ...AUTH, ...first.headers }, payload })
  t.equal(response.statusCode, 413)
  t.match(response.json().message, /one resume per upload/)
})

t.test('not multipart: 415', async (t) => {
  const response = await app.inject({ method: 'POST', url: '/candidates', headers: AUTH, payload: { resume: 'x' } })
  t.equal(response.statusCode, 415)
})

t.test('over MAX_RESUME_BYTES: 413 and nothing stored', async (t) => {
  const before = { files: (await storedFiles()).length, candidates: await candidateCount() }
  const response = await upload({ filename: 'big.txt', content: Buffer.alloc(65 * 1024, 'a') })
  t.equal(response.statusCode, 413)
  t.match(response.json().message, /larger than the limit of 65536 bytes \(MAX_RESUME_BYTES\)/)
  t.equal((await storedFiles()).length, before.files)
  t.equal(await candidateCount(), before.candidates)
})

t.test('malformed multipart: 400 naming the problem, nothing stored', async (t) => {
  const body = multipartBody({}, { filename: 'cv.txt', content: Buffer.from('Mal Formed\nPython developer\n'.repeat(50)) })
  const boundary = body.headers['content-type']!.split('boundary=')[1]!
  const cases = [
    { label: 'no boundary', contentType: 'multipart/form-data', payload: body.payload, message: /boundary/ },
    { label: 'an empty boundary', contentType: 'multipart/form-data; boundary=', payload: body.payload, message: /boundary/ },
    {
      label: 'a boundary the body does not use',
      contentType: `multipart/form-data; boundary=${boundary}x`,
      payload: body.payload,
      message: /boundary/,
    },
    {
      label: 'a body cut off inside the file',
      contentType: body.headers['content-type']!,
      payload: body.payload.subarray(0, 300),
      message: /ended early|incomplete|truncated/,
    },
    {
      label: 'a body without its closing boundary',
      contentType: body.headers['content-type']!,
      payload: body.payload.subarray(0, body.payload.length - `--${boundary}--\r\n`.length),
      message: /ended early|incomplete|truncated/,
    },
  ]
  for (const { label, contentType, payload, message } of cases) {
    const before = { files: (await storedFiles()).length, candidates: await candidateCount() }
    const response = await app.inject({ method: 'POST', url: '/candidates', headers: { ...AUTH, 'content-type': contentType }, payload })
    t.equal(response.statusCode, 400, `${label}: ${response.body}`)
    t.match(response.json().message, message, `${label}: the message names the problem`)
    t.equal((await storedFiles()).length, before.files, `${label}: no file stored`)
    t.equal(await candidateCount(), before.candidates, `${label}: no candidate`)
  }
})

t.test('the MAX_RESUME_BYTES boundary: exactly the limit is accepted, one byte more is 413', async (t) => {
  const limit = hireflow.config.maxResumeBytes
  const resumeOf = (size: number, name: string) => {
    const head = Buffer.from(`${name}\nPython developer\n`)
    return Buffer.concat([head, Buffer.alloc(size - head.length, 'x')])
  }
  const atLimit = resumeOf(limit, 'Exactly Atlimit')
  t.equal(atLimit.length, 65536)
  const accepted = await upload({ filename: 'at-limit.txt', content: atLimit })
  t.equal(accepted.statusCode, 202, accepted.body)
  const stored = await hireflow.services.candidates.getCandidate(accepted.json().id)
  t.equal(stored?.resume.size, limit, 'stored whole')

  const before = { files: (await storedFiles()).length, candidates: await candidateCount() }
  const over = await upload({ filename: 'over-limit.txt', content: resumeOf(limit + 1, 'One Byteover') })
  t.equal(over.statusCode, 413)
  t.match(over.json().message, /larger than the limit of 65536 bytes/)
  t.equal((await storedFiles()).length, before.files)
  t.equal(await candidateCount(), before.candidates)
})

t.test('the download is named with the extension of the detected type, not the one sent', async (t) => {
  for (const [sent, offered] of [
    ['Resume.bat', 'Resume.txt'],
    ['cv.docx', 'cv.txt'],
    ['Jane Doe CV', 'Jane Doe CV.txt'],
    ['notes.TXT', 'notes.TXT'],
  ] as const) {
    const response = await upload({ filename: sent, content: Buffer.from(`Named Right ${sent}\nPython developer\n`) })
    t.equal(response.statusCode, 202, response.body)
    const download = await app.inject({ method: 'GET', url: `/candidates/${response.json().id}/resume`, headers: AUTH })
    t.equal(download.statusCode, 200)
    t.equal(download.headers['content-disposition'], `attachment; filename="${offered}"`, `${sent} is offered as ${offered}`)
    t.equal(download.headers['content-type'], 'text/plain; charset=utf-8')
  }
})

t.test('an executable renamed .pdf: 415 naming the detected type', async (t) => {
  const response = await upload({ filename: 'resume.pdf', content: makeElfBinary() })
  t.equal(response.statusCode, 415)
  t.match(response.json().message, /application\/x-elf/)
})

t.test('other Office files and images OCR does not read: 415 naming what they are and listing the formats read', async (t) => {
  for (const [filename, content, detected] of [
    ['resume.doc', makeCompoundFile([{ name: 'Workbook', data: Buffer.alloc(5000) }]), 'application/vnd.ms-excel'],
    ['resume.doc', makeCompoundFile([{ name: '__substg1.0_0037001F', data: Buffer.from('CV', 'utf16le') }]), 'application/vnd.ms-outlook'],
    ['scan.pdf', Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(32)]), 'image/gif'],
  ] as const) {
    const response = await upload({ filename, content })
    t.equal(response.statusCode, 415, detected)
    t.match(response.json().message, `the file is ${detected}, not a resume format`)
    t.match(response.json().message, /application\/msword, application\/rtf, text\/html, text\/plain, image\/png, image\/jpeg, image\/tiff/)
  }
})

t.test('DOC, RTF and HTML resumes are read through to the HR email', async (t) => {
  for (const [filename, content, name, offered, mediaType] of [
    [
      'Doc Person.docx',
      makeWord97([{ text: 'Doc Person\rPython developer\rdoc.person@example.com\r', compressed: true }]),
      'Doc Person',
      'Doc Person.doc',
      'application/msword',
    ],
    [
      'rtf-person.rtf',
      Buffer.from(String.raw`{\rtf1\ansi{\fonttbl{\f0 Arial;}}\f0 Rtf Person\par Python developer\par rtf.person@example.com\par}`),
      'Rtf Person',
      'rtf-person.rtf',
      'application/rtf',
    ],
    [
      'html-person.htm',
      Buffer.from(
        '<!doctype html><html><head><title>x</title></head><body><h1>Html Person</h1><p>Python developer</p><p>html.person@example.com</p></body></html>',
      ),
      'Html Person',
      'html-person.htm',
      'text/html',
    ],
  ] as const) {
    const response = await upload({ filename, content }, { requisitionId: requisition.id })
    t.equal(response.statusCode, 202, response.body)
    const candidate = await hireflow.waitFor(response.json().id, 'notified')
    t.equal(candidate.resume.mediaType, mediaType)
    t.equal(candidate.profile?.name, name, `${mediaType}: the name read from the text`)
    const download = await app.inject({ method: 'GET', url: `/candidates/${candidate.id}/resume`, headers: AUTH })
    t.match(download.headers['content-disposition'], `attachment; filename="${offered}"`)
    t.equal(download.headers['x-content-type-options'], 'nosniff')
    t.equal(download.headers['content-security-policy'], "sandbox; default-src 'none'", 'opened anyway, it is an inert page')
    t.same(download.rawPayload, content, 'the file as uploaded')
  }
})

t.test('unknown requisition: 400', async (t) => {
  const response = await upload({ filename: 'cv.txt', content: Buffer.from('Jane Doe\nPython developer') }, { requisitionId: 'nope' })
  t.equal(response.statusCode, 400)
  t.match(response.json().message, /no requisition nope/)
})

t.test('the same file twice for the same requisition: the first id, one email', async (t) => {
  const content = await makePdfResume(sampleResumeLines('Dup Licate'))
  const first = await upload({ filename: 'dup.pdf', content }, { requisitionId: requisition.id })
  const second = await upload({ filename: 'dup-again.pdf', content }, { requisitionId: requisition.id })
  t.equal(first.statusCode, 202)
  t.equal(second.statusCode, 200)
  t.equal(second.json().id, first.json().id)
  t.equal(second.json().duplicate, true)
  await hireflow.waitFor(first.json().id, 'notified')
  const third = await upload({ filename: 'dup.pdf', content }, { requisitionId: requisition.id })
  t.equal(third.json().id, first.json().id)
  t.equal(third.json().status, 'notified')
  // Let any stray second job finish before counting.
  await new Promise((resolve) => setTimeout(resolve, 300))
  const about = (await emails()).filter((m) => m.subject?.includes('Dup Licate'))
  t.equal(about.length, 1)
})

for (const [label, content] of [
  ['a corrupt PDF', makeCorruptPdf()],
  ['an encrypted PDF', makeEncryptedPdf()],
] as const) {
  t.test(`${label}: failed unreadable_resume, HR gets it attached`, async (t) => {
    const filename = `${label.replace(/\W+/g, '-')}.pdf`
    const response = await upload({ filename, content }, { requisitionId: requisition.id })
    t.equal(response.statusCode, 202)
    const id = response.json().id
    const failed = await hireflow.waitFor(id, 'failed')
    t.equal(failed.failure?.reason, 'unreadable_resume')
    t.equal(failed.failure?.step, 'parse')
    const deadline = Date.now() + 10_000
    let notified = failed
    while (!notified.notification && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25))
      notified = (await hireflow.services.candidates.getCandidate(id)) ?? notified
    }
    t.equal(notified.notification?.kind, 'unreadable', 'the unreadable email is recorded on the candidate')
    t.equal(notified.status, 'failed', 'and the candidate stays failed')
    const mail = (await emails()).find((m) => m.attachments.some((a) => a.filename === filename))
    t.ok(mail, 'HR got the unreadable resume')
    t.match(mail?.subject, /read/i)
    t.ok(mail?.attachments[0]?.content.equals(content), 'the file is attached byte for byte')
    const stored = await app.inject({ method: 'GET', url: `/candidates/${id}/resume`, headers: AUTH })
    t.equal(stored.statusCode, 200)
    t.ok(stored.rawPayload.equals(content), 'nothing lost: the file is still served')
  })
}

t.test('requisitions: malformed JSON, unknown fields, bad thresholds', async (t) => {
  const bad = await app.inject({
    method: 'POST',
    url: '/requisitions',
    headers: { ...AUTH, 'content-type': 'application/json' },
    payload: '{"title": ',
  })
  t.equal(bad.statusCode, 400)
  const valid = { title: 'X', mustHaveSkills: [], niceToHaveSkills: [], minYearsExperience: 1, advanceAtOrAbove: 70, rejectBelow: 30 }
  const unknown = await app.inject({ method: 'POST', url: '/requisitions', headers: AUTH, payload: { ...valid, salary: 1 } })
  t.equal(unknown.statusCode, 400)
  t.match(unknown.json().message, /additional properties|salary/i)
  const missing = await app.inject({ method: 'POST', url: '/requisitions', headers: AUTH, payload: { title: 'X' } })
  t.equal(missing.statusCode, 400)
  t.match(missing.json().message, /advanceAtOrAbove|required/)
  const inverted = await app.inject({
    method: 'POST',
    url: '/requisitions',
    headers: AUTH,
    payload: { ...valid, advanceAtOrAbove: 20, rejectBelow: 50 },
  })
  t.equal(inverted.statusCode, 400)
  t.match(inverted.json().message, /rejectBelow/)
  const notFound = await app.inject({ method: 'GET', url: '/requisitions/does-not-exist', headers: AUTH })
  t.equal(notFound.statusCode, 404)
  const badCursor = await app.inject({ method: 'GET', url: '/candidates?cursor=zzz', headers: AUTH })
  t.equal(badCursor.statusCode, 400)
  const badStatus = await app.inject({ method: 'GET', url: '/candidates?status=hired', headers: AUTH })
  t.equal(badStatus.statusCode, 400)
})

t.test('every candidate route requires the API key', async (t) => {
  for (const [method, url] of [
    ['GET', '/candidates'],
    ['GET', '/candidates/abc'],
    ['GET', '/requisitions'],
    ['POST', '/candidates'],
  ] as const) {
    const none = await app.inject({ method, url })
    t.equal(none.statusCode, 401, `${method} ${url} without a key`)
    t.equal(none.headers['www-authenticate'], 'Bearer realm="hireflow"')
    const wrong = await app.inject({ method, url, headers: { authorization: 'Bearer not-the-key-at-all' } })
    t.equal(wrong.statusCode, 401, `${method} ${url} with a wrong key`)
  }
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/docs/json' })).statusCode, 200)
})
