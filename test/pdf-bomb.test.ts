// PDF decompression bombs: refused before pdf.js decodes them, at the first
// attempt, without the process's memory following the bomb's decoded size.
import t from 'tap'
import { ExtractionPool } from '../src/pipeline/extraction-pool.ts'
import { extractText, UnreadableResumeError } from '../src/pipeline/extract.ts'
import { checkPdfStreams, PdfBombError } from '../src/pipeline/pdf-streams.ts'
import { AUTH, multipartBody, startHireflow } from './support/harness.ts'
import { makeEncryptedPdf, makePdfBomb, makePdfResume, sampleResumeLines, type PdfBombPacking } from './support/resumes.ts'

const MiB = 1024 * 1024

async function unreadable(work: Promise<unknown>): Promise<UnreadableResumeError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (error instanceof UnreadableResumeError) return error
  throw new Error(`expected an UnreadableResumeError, got ${error === undefined ? 'a result' : String(error)}`)
}

/** Peak resident memory of the process (all threads) while `work` runs, above where it started. */
async function rssRise<T>(work: () => Promise<T>): Promise<{ result: T; sampledMb: number; maxRssMb: number }> {
  const startRss = process.memoryUsage().rss
  const startMaxRss = process.resourceUsage().maxRSS
  let peak = startRss
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 5)
  try {
    const result = await work()
    return {
      result,
      sampledMb: (Math.max(peak, process.memoryUsage().rss) - startRss) / MiB,
      maxRssMb: (process.resourceUsage().maxRSS - startMaxRss) / 1024,
    }
  } finally {
    clearInterval(sampler)
  }
}

// First in the file: the process's high-water mark (maxRSS) means something
// only while nothing before has raised it.
t.test('the reported bomb, three at once through the pool: refused at once, memory flat', async (t) => {
  const bomb = await makePdfBomb('flate', 600 * MiB)
  t.ok(bomb.length < 700 * 1024, `a ${Math.round(bomb.length / 1024)} KB file that inflates to 600 MiB`)
  const pool = new ExtractionPool({ threads: 3 })
  t.teardown(() => pool.close())
  // Threads up and pdf.js loaded before measuring.
  await Promise.all([1, 2, 3].map(async () => t.match(await pool.extract(await makePdfResume(['Warm Up']), 'pdf'), /Warm Up/)))

  const started = Date.now()
  const {
    result: errors,
    sampledMb,
    maxRssMb,
  } = await rssRise(() => Promise.all([1, 2, 3].map(() => unreadable(pool.extract(bomb, 'pdf')))))
  const elapsed = Date.now() - started
  for (const error of errors) {
    t.equal(error.problem, 'too_large', 'too_large is not retried (only too_slow is)')
    t.match(error.message, /decodes to more than 64 MiB \(decompression bomb\?\)/)
  }
  t.ok(elapsed < 5_000, `refused in ${elapsed} ms, not after a parse`)
  t.ok(sampledMb < 300, `resident memory rose ${sampledMb.toFixed(0)} MB (sampled)`)
  t.ok(maxRssMb < 300, `peak resident memory rose ${maxRssMb.toFixed(0)} MB (maxRSS)`)
})

t.test('every packing pdf.js decodes is measured: the small one reads, the bomb is refused', async (t) => {
  const packings: PdfBombPacking[] = [
    'flate',
    'lenient-flate',
    'double-flate',
    'lzw',
    'brotli',
    'predictor',
    'object-stream',
    'rc4',
    'aes128',
    'aes256',
  ]
  for (const packing of packings) {
    // The same construction, small, proves pdf.js really decodes it this way.
    t.equal(await extractText(await makePdfBomb(packing, 4096), 'pdf'), 'Jane Doe', `${packing}: a small one is read`)
    const bomb = await makePdfBomb(packing, 200 * MiB)
    const started = Date.now()
    const error = await unreadable(extractText(bomb, 'pdf'))
    t.equal(error.problem, 'too_large', `${packing}: a 200 MiB one is refused`)
    t.ok(Date.now() - started < 2_000, `${packing}: refused before pdf.js parses it`)
  }
})

t.test('budgets: one stream, all streams, and one stream named many times in a page', async (t) => {
  const within = await makePdfBomb('flate', 40 * MiB)
  t.equal(await extractText(within, 'pdf'), 'Jane Doe', 'a 40 MiB stream is within budget')
  const tight = await unreadable(extractText(within, 'pdf', { maxPdfStreamBytes: 32 * MiB }))
  t.match(tight.message, /a stream in the PDF decodes to more than 32 MiB/, 'the per-stream budget is a setting')

  const several = await unreadable(extractText(await makePdfBomb('flate', 50 * MiB, { copies: 3 }), 'pdf'))
  t.equal(several.problem, 'too_large')
  t.match(several.message, /the PDF's streams decode to more than 128 MiB/, 'three streams within the per-stream budget, over the total')

  const repeated = await unreadable(extractText(await makePdfBomb('flate', 40 * MiB, { references: 10 }), 'pdf'))
  t.equal(repeated.problem, 'too_large')
  t.match(
    repeated.message,
    /a page's content streams together decode to more than 64 MiB/,
    'pdf.js joins the page content: ten times 40 MiB',
  )
})

t.test('ordinary PDFs pass the check: several pages, object streams, a cross-reference stream', async (t) => {
  // pdf-lib writes object streams and a cross-reference stream by default.
  const lines = Array.from({ length: 300 }, (_, i) => `Line ${i + 1} of ${sampleResumeLines('Olga Ordinary')[i % 20]}`)
  const text = await extractText(await makePdfResume(lines), 'pdf')
  t.match(text, /^Line 1 of Olga Ordinary/)
  t.match(text, /Line 300 of/)
})

t.test('what the stream check does not foresee, the memory watch of the pool stops', async (t) => {
  // The stream check switched off stands for a bomb it does not know.
  const pool = new ExtractionPool({ threads: 1, maxBufferMb: 128, limits: { maxPdfStreamBytes: 2 ** 40, maxPdfDecodedBytes: 2 ** 40 } })
  t.teardown(() => pool.close())
  const { result: error, sampledMb } = await rssRise(async () => unreadable(pool.extract(await makePdfBomb('flate', 600 * MiB), 'pdf')))
  t.equal(error.problem, 'too_large')
  t.match(error.message, /needed more than 128 MB of buffer memory/)
  t.ok(sampledMb < 600, `stopped with memory ${sampledMb.toFixed(0)} MB up, not 1.3 GB`)
  t.equal(await pool.extract(await makePdfBomb('flate', 4096), 'pdf'), 'Jane Doe', 'the pool goes on with a new thread')
})

t.test('an uploaded bomb fails its candidate at the first attempt', async (t) => {
  // A retry would wait a minute: failing within the wait proves there was none.
  const hireflow = await startHireflow({ env: { JOB_ATTEMPTS: '8', JOB_BACKOFF_MS: '60000' } })
  t.teardown(() => hireflow.stop())
  const body = multipartBody({}, { filename: 'bomb.pdf', content: await makePdfBomb('flate', 600 * MiB), contentType: 'application/pdf' })
  const response = await hireflow.app!.inject({
    method: 'POST',
    url: '/candidates',
    headers: { ...AUTH, ...body.headers },
    payload: body.payload,
  })
  t.equal(response.statusCode, 202)
  const failed = await hireflow.waitFor(response.json().id, 'failed', 15_000)
  t.match(failed.failure, { reason: 'unreadable_resume', step: 'parse', message: /decompression bomb/ })
})

t.test('hostile syntax: the check answers quickly and only with a verdict', async (t) => {
  const limits = { maxStreamBytes: 64 * MiB, maxDecodedBytes: 128 * MiB }
  const verdict = (bytes: Buffer): string => {
    try {
      checkPdfStreams(bytes, limits)
      return 'passed'
    } catch (error) {
      if (error instanceof PdfBombError) return error.problem
      throw error
    }
  }
  // Each object opening an array that never closes: parsing them all would take quadratic time.
  const started = Date.now()
  t.equal(verdict(Buffer.from('1 0 obj <</A '.repeat(800_000), 'latin1')), 'too_large', 'a token budget ends the parse')
  // Bounds far above a healthy run and far below a quadratic one: the machine may be shared with the other tests.
  t.ok(Date.now() - started < 10_000, `in ${Date.now() - started} ms`)
  t.equal(verdict(Buffer.from('1 0 obj ' + '['.repeat(100_000), 'latin1')), 'too_large', 'nesting is bounded')
  // Shapes that once took quadratic time: streams with no `endstream` after them, one object redefined over and over.
  // and long runs of white space or string read again from every object that points into them.
  const shapes: Array<[string, Buffer]> = [
    ['no endstream', Buffer.from('1 0 obj<<>>stream\n'.repeat(30_000), 'latin1')],
    ['one object redefined', Buffer.from('1 0 obj<</Length 1 0 R>>stream\nx\nendstream '.repeat(30_000), 'latin1')],
    ['lengths into 9 MB of spaces', Buffer.from('1 0 obj<</Length 9000000>>stream\n'.repeat(30_000) + ' '.repeat(9_000_000), 'latin1')],
    ['unterminated strings', Buffer.from('1 0 obj<</A ('.repeat(300_000), 'latin1')],
  ]
  for (const [shape, bytes] of shapes) {
    const one = Date.now()
    verdict(bytes)
    t.ok(Date.now() - one < 10_000, `${shape}: checked in ${Date.now() - one} ms`)
  }
  const shortKey = (await makePdfBomb('aes256', 4096)).toString('latin1').replace(/\/UE <[0-9a-f]+>/, '/UE <00ff>')
  t.equal(verdict(Buffer.from(shortKey, 'latin1')), 'passed', 'an encryption dictionary pdf.js cannot use is no error')

  // Seeded mutations of real and hostile files: bytes flipped, ranges copied, PDF keywords planted.
  const seeds = [await makePdfResume(sampleResumeLines('Mutant')), makeEncryptedPdf()]
  for (const packing of ['lenient-flate', 'lzw', 'predictor', 'object-stream', 'rc4', 'aes256'] as const)
    seeds.push(await makePdfBomb(packing, 8192))
  const planted = [
    '1 0 obj<<',
    '<<<<',
    ' 5 0 R ',
    '/Length 4 0 R',
    '/Filter/LZWDecode',
    '/Filter[/Fl/Fl]',
    '/First 0/N 3',
    'stream\n',
    '/Encrypt 9 0 R',
  ]
  let state = 20240601
  const random = (n: number) => {
    state = (state * 1103515245 + 12345) & 0x7fffffff
    return state % n
  }
  let slowest = 0
  const verdicts = new Set<string>()
  for (let i = 0; i < 3000; i++) {
    const bytes = Buffer.from(seeds[i % seeds.length]!)
    for (let k = 1 + random(20); k > 0; k--) {
      const at = random(bytes.length)
      const how = random(3)
      if (how === 0) bytes[at] = random(256)
      else if (how === 1) bytes.copyWithin(at, random(bytes.length), random(bytes.length))
      else bytes.write(planted[random(planted.length)]!, at, 'latin1')
    }
    const one = Date.now()
    verdicts.add(verdict(bytes))
    slowest = Math.max(slowest, Date.now() - one)
  }
  t.ok(slowest < 3_000, `slowest mutant checked in ${slowest} ms`)
  t.ok(verdicts.has('passed'), 'mutants are not all refused: most go on to pdf.js')
})
