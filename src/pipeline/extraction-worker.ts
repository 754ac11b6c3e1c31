// Runs in a worker thread of the extraction pool: text out of one resume at a
// time and, when asked, the lexical assessment of that text, so the main
// thread only records the outcome.
import { parentPort } from 'node:worker_threads'
import { extractResume, UnreadableResumeError } from './extract.ts'
import type { ExtractionReply, ExtractionRequest } from './extraction-messages.ts'
import { assessResume } from './assessment.ts'
import { lexicalScreener } from './lexical-screener.ts'

const port = parentPort
if (!port) throw new Error('extraction-worker.ts runs only as a worker thread')

port.on('message', async (request: ExtractionRequest) => {
  let reply: ExtractionReply
  try {
    // A view, not a copy: the bytes were transferred to this thread.
    const bytes = Buffer.from(request.bytes.buffer, request.bytes.byteOffset, request.bytes.byteLength)
    const { text, hidden } = await extractResume(bytes, request.kind, request.limits)
    reply = { id: request.id, ok: true, text, hidden }
    if (request.assess) reply.assessment = await assessResume({ text, hidden, requisition: request.assess.requisition }, lexicalScreener)
  } catch (error) {
    reply =
      error instanceof UnreadableResumeError
        ? { id: request.id, ok: false, unreadable: true, problem: error.problem, message: error.message }
        : { id: request.id, ok: false, unreadable: false, message: (error as Error)?.message ?? String(error) }
  }
  port.postMessage(reply)
})
