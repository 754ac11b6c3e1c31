// The extraction pool: same answers as extractText, and a file that overruns
// its time is stopped by ending its thread, after which the pool goes on.
import t from 'tap'
import { once } from 'node:events'
import { Worker } from 'node:worker_threads'
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

t.test("a pool thread's heap starts large; threads started after it get V8's own sizing", async (t) => {
  const churn = new URL('./support/heap-churn-thread.ts', import.meta.url)
  const fullCollections = async (worker: Worker) => {
    const [report] = (await once(worker, 'message')) as [{ fullCollections: number }]
    await worker.terminate()
    return report.fullCollections
  }
  const pooled = await fullCollections(startThread(churn, 512, 128))
  const plain = await fullCollections(new Worker(churn, { resourceLimits: { maxOldGenerationSizeMb: 512 } }))
  t.ok(plain > 0, `a thread of V8's own sizing started ${plain} full collections to hold 48 MB`)
  t.equal(pooled, 0, "the pool's thread, starting at 128 MB, started none")
})
