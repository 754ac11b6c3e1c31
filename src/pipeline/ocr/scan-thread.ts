// Runs in a worker thread of its own: the page images of one scanned PDF.
// pdf.js decodes images synchronously in long stretches; here it cannot stall
// HTTP requests or the renewal of job locks, and a file that overruns its time
// or memory is stopped by ending the thread.
import { parentPort, workerData } from 'node:worker_threads'
import { UnreadableResumeError } from '../extract.ts'
import { scannedPages } from './pdf-scans.ts'
import type { ScanReply, ScanRequest } from './scan-messages.ts'

const port = parentPort
if (!port) throw new Error('scan-thread.ts runs only as a worker thread')

const request = workerData as ScanRequest
let reply: ScanReply
try {
  const pages = await scannedPages(Buffer.from(request.bytes.buffer, request.bytes.byteOffset, request.bytes.byteLength), request.limits)
  reply = { ok: true, pages }
} catch (error) {
  reply =
    error instanceof UnreadableResumeError
      ? { ok: false, unreadable: true, problem: error.problem, message: error.message }
      : { ok: false, unreadable: false, message: (error as Error)?.message ?? String(error) }
}
// Copied, not transferred: the encoded pages may share Node's buffer pool, which cannot be transferred.
port.postMessage(reply)
