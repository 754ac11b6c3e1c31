// The extraction pool: same answers as extractText, and a file that overruns
// its time is stopped by ending its thread, after which the pool goes on.
import t from 'tap'
import { once } from 'node:events'
import { ExtractionPool, startThread } from '../src/pipeline/extraction-pool.ts'
import { extractText, UnreadableResumeError } from '../src/pipeline/extract.ts'
import { makeDocxResume, makeEncryptedPdf, makePdfResume, sampleResumeLines } from './support/resumes.ts'

t.test('extracts like extractText, in a thread', async (t) => {
  const pool = new ExtractionPool({ threads: 2 })
  t.teardown(() => pool.close())
  const pdf = await makePdfResume(sampleResumeLines('Pool Pdf'))
  const docx = await makeDocxResume(sampleResumeLines('Pool Docx'))
  const [fromPdf, fromDocx] = await Promise.all([pool.extract(pdf, 'pdf'), pool.extract(docx, 'docx')])
  t.equal(fromPdf, await extractText(pdf, 'pdf'))
  t.equal(fromDocx, await extractText(docx, 'docx'))
  t.equal(pdf.length > 0 && pdf[0], 0x25, "the caller's buffer is not detached by the transfer")
  const error = await pool.extract(makeEncryptedPdf(), 'pdf').catch((e: unknown) => e)
  t.ok(error instanceof UnreadableResumeError)
  t.equal((error as UnreadableResumeError).problem, 'encrypted')
})

t.test('a file over its time is stopped; the pool recovers', async (t) => {
  // A hard limit far below what any PDF takes, so the thread is always ended.
  const pool = new ExtractionPool({ threads: 1, limits: { timeoutMs: 1 }, graceMs: 0 })
  t.teardown(() => pool.close())
  const lines = Array.from({ length: 400 }, (_, i) => `Line ${i} of a long resume about TypeScript and PostgreSQL`)
  const error = await pool.extract(await makePdfResume(lines), 'pdf').catch((e: unknown) => e)
  t.ok(error instanceof UnreadableResumeError, 'unreadable')
  t.equal((error as UnreadableResumeError).problem, 'too_slow')

  // The stopped pool replaced its thread: a second slow file is again cut off, not hung.
  const again = await pool.extract(await makePdfResume(lines), 'pdf').catch((e: unknown) => e)
  t.equal((again as UnreadableResumeError).problem, 'too_slow')
})

t.test('a closed pool refuses work', async (t) => {
  const pool = new ExtractionPool({ threads: 1 })
  await pool.close()
  await t.rejects(pool.extract(Buffer.from('x'), 'text'), /closed/)
})

t.test("a pool thread's heap starts large: V8 holds 48 MB in it without a full collection", async (t) => {
  const churn = new URL('./support/heap-churn-thread.ts', import.meta.url)
  const worker = startThread(churn, 512, 128)
  const [report] = (await once(worker, 'message')) as [{ fullCollections: number; kept: number }]
  await worker.terminate()
  t.equal(report.kept, 150)
  // V8's own sizing starts far smaller and marks the heap once or twice on the way (not asserted: when it does
  // depends on V8's heuristics and the machine's load).
  t.equal(report.fullCollections, 0, "the pool's thread, starting at 128 MB, started none")
})

t.test('the initial heap size is set while pool threads start and cleared once none is starting', async (t) => {
  const idle = new URL('data:text/javascript,')
  const flags: string[] = []
  const setFlags = (value: string) => void flags.push(value)
  const first = startThread(idle, 512, 128, setFlags)
  const second = startThread(idle, 512, 64, setFlags)
  t.same(flags, ['--initial-heap-size=128'], 'set once, by the first thread to start')
  await Promise.all([once(first, 'online'), once(second, 'online')])
  t.same(flags, ['--initial-heap-size=128', '--initial-heap-size=0'], "cleared when both are up: threads started later get V8's sizing")
  // A thread ended before it is up clears it too.
  flags.length = 0
  const ended = startThread(idle, 512, 128, setFlags)
  await ended.terminate()
  await new Promise((resolve) => setImmediate(resolve))
  t.same(flags, ['--initial-heap-size=128', '--initial-heap-size=0'])
  await Promise.all([first.terminate(), second.terminate()])
})
