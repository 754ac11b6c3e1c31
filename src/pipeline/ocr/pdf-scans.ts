// The page images of a scanned PDF, for OCR. A scanner or a phone app writes
// each page as one large image; the largest image painted on a page is taken
// as its scan (a logo or a signature beside it is smaller). Rendering the page
// instead would need a canvas, and a scan's own pixels are what OCR wants.
import { Worker } from 'node:worker_threads'
import { DEFAULT_EXTRACTION_LIMITS, openPdf, readPdfWithin, UnreadableResumeError, type UnreadableProblem } from '../extract.ts'
import type { ScanLimits, ScanReply, ScanRequest } from './scan-messages.ts'
import { encodePng } from './png.ts'

/** pdf.js's decoded image as page.objs holds it (isOffscreenCanvasSupported off, so pixels rather than a bitmap). */
interface DecodedImage {
  width: number
  height: number
  kind: number
  data: Uint8Array | Uint8ClampedArray
}

// pdf.js ImageKind: one bit per pixel (a set bit is white), RGB, RGBA.
const GRAYSCALE_1BPP = 1
const RGB_24BPP = 2
const RGBA_32BPP = 3

/** One PNG per page (up to maxPages) that has an image; pages without one are skipped. */
export async function scannedPages(bytes: Buffer, limits: ScanLimits): Promise<Buffer[]> {
  const opened = await openPdf(bytes, DEFAULT_EXTRACTION_LIMITS)
  const { pdfjs } = opened
  return readPdfWithin(opened, limits.timeoutMs, 'the scanned PDF', async (doc, checkTime) => {
    const pages: Buffer[] = []
    for (let pageNumber = 1; pageNumber <= Math.min(doc.numPages, limits.maxPages); pageNumber++) {
      checkTime()
      const page = await doc.getPage(pageNumber)
      const operators = await page.getOperatorList()
      let largest: DecodedImage | undefined
      for (let i = 0; i < operators.fnArray.length; i++) {
        const op = operators.fnArray[i]
        const args = operators.argsArray[i] as unknown[]
        let image: unknown
        if (op === pdfjs.OPS.paintImageXObject) {
          const id = String(args[0])
          // Images shared across pages live in the document's common objects.
          const objects = id.startsWith('g_') ? page.commonObjs : page.objs
          // pdf.js sends a decoded image after the operator list that paints it; the callback form waits for it.
          image = await new Promise((resolve) => objects.get(id, resolve))
        } else if (op === pdfjs.OPS.paintInlineImageXObject) image = args[0]
        if (isDecodedImage(image) && (!largest || image.width * image.height > largest.width * largest.height)) largest = image
      }
      if (largest) {
        if (largest.width * largest.height > limits.maxPixels) {
          throw new UnreadableResumeError(`page ${pageNumber} of the scan is larger than ${megapixels(limits.maxPixels)} megapixels`, {
            problem: 'too_large',
          })
        }
        pages.push(toPng(largest))
      }
      page.cleanup()
    }
    return pages
  })
}

export function megapixels(pixels: number): string {
  return String(Math.round(pixels / 100_000) / 10)
}

function isDecodedImage(value: unknown): value is DecodedImage {
  if (typeof value !== 'object' || value === null) return false
  const image = value as Partial<DecodedImage>
  return (
    typeof image.width === 'number' &&
    typeof image.height === 'number' &&
    image.width > 0 &&
    image.height > 0 &&
    typeof image.kind === 'number' &&
    (image.data instanceof Uint8Array || image.data instanceof Uint8ClampedArray)
  )
}

function toPng(image: DecodedImage): Buffer {
  const { width, height, data } = image
  if (image.kind === RGB_24BPP) return encodePng(width, height, 3, data)
  if (image.kind === RGBA_32BPP) return encodePng(width, height, 4, data)
  if (image.kind !== GRAYSCALE_1BPP)
    throw new UnreadableResumeError('a page image of the scan is in an unknown pixel format', { problem: 'other' })
  // Rows of packed bits, each padded to a whole byte.
  const rowBytes = (width + 7) >> 3
  const grey = new Uint8Array(width * height)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = (data[y * rowBytes + (x >> 3)] ?? 0xff) & (0x80 >> (x & 7))
      grey[y * width + x] = bit ? 0xff : 0
    }
  }
  return encodePng(width, height, 1, grey)
}

/** Past the scan's own time cap, how long before its thread is ended. */
const THREAD_GRACE_MS = 5_000
const THREAD_HEAP_MB = 512

/** scannedPages in a worker thread of its own, ended when it overruns its time or heap. */
export function scannedPagesOffThread(bytes: Buffer, limits: ScanLimits): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const request: ScanRequest = { bytes: new Uint8Array(bytes), limits }
    const worker = new Worker(new URL('./scan-thread.ts', import.meta.url), {
      workerData: request,
      transferList: [request.bytes.buffer as ArrayBuffer],
      resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB },
    })
    let settled = false
    const settle = (outcome: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      outcome()
      void worker.terminate()
    }
    const timer = setTimeout(
      () =>
        settle(() =>
          reject(
            new UnreadableResumeError(`the scanned PDF took longer than ${limits.timeoutMs / 1000} s to read`, { problem: 'too_slow' }),
          ),
        ),
      limits.timeoutMs + THREAD_GRACE_MS,
    )
    worker.on('message', (reply: ScanReply) =>
      settle(() => {
        if (reply.ok) resolve(reply.pages.map((page) => Buffer.from(page.buffer, page.byteOffset, page.byteLength)))
        else if (reply.unreadable) reject(new UnreadableResumeError(reply.message, { problem: reply.problem as UnreadableProblem }))
        else reject(new Error(reply.message))
      }),
    )
    worker.on('error', (error: Error & { code?: string }) =>
      settle(() =>
        reject(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new UnreadableResumeError(`reading the scanned PDF needed more than ${THREAD_HEAP_MB} MB of memory`, { problem: 'too_large' })
            : error,
        ),
      ),
    )
    worker.on('exit', (code) => settle(() => reject(new Error(`the scan thread ended (exit code ${code}) without an answer`))))
  })
}
