// Optical character recognition with tesseract.js, entirely offline: the
// engine (wasm) and the English model come from node_modules, and nothing is
// read from or written to a cache folder. Each engine runs in a worker thread
// of its own, so a page that takes seconds never blocks the event loop (nor
// the renewal of job locks). Engines start on first use (about a second each)
// and are kept for the next page.
import { createRequire } from 'node:module'
import path from 'node:path'
import { createWorker, OEM, type Worker } from 'tesseract.js'
import { UnreadableResumeError } from '../extract.ts'

const require = createRequire(import.meta.url)
// The "best_int" English model: tesseract.js's default for its LSTM engine, shipped in the package.
const LANGUAGE_DIR = path.join(path.dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int')

export interface OcrReaderOptions {
  /** Engines kept at most: pages recognised at the same time. */
  engines: number
  /** Longest one page may take; the engine reading it is ended then. */
  pageTimeoutMs: number
}

export class OcrReader {
  readonly #idle: Worker[] = []
  readonly #waiting: { resolve(engine: Worker): void; reject(error: unknown): void }[] = []
  readonly #options: OcrReaderOptions
  #started = 0
  #closed = false

  constructor(options: OcrReaderOptions) {
    if (!Number.isInteger(options.engines) || options.engines < 1) throw new RangeError('an OCR reader needs at least one engine')
    this.#options = options
  }

  /** The text tesseract reads in an encoded image (PNG, JPEG, TIFF); UnreadableResumeError when it cannot. */
  async recognize(image: Buffer): Promise<string> {
    const engine = await this.#acquire()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new UnreadableResumeError(`OCR of a page took longer than ${this.#options.pageTimeoutMs / 1000} s`, { problem: 'too_slow' }),
          ),
        this.#options.pageTimeoutMs,
      )
    })
    const reading = engine.recognize(image)
    reading.catch(() => {})
    try {
      const result = await Promise.race([reading, timeout])
      this.#release(engine)
      return result.data.text
    } catch (error) {
      // An engine that timed out is still busy with the page, and one that failed may be left in any state: neither is reused.
      this.#discard(engine)
      if (error instanceof UnreadableResumeError) throw error
      // tesseract throws plain strings and Errors alike for an image it cannot decode.
      throw new UnreadableResumeError('the image could not be decoded for OCR', { problem: 'damaged', cause: error })
    } finally {
      clearTimeout(timer)
    }
  }

  async #acquire(): Promise<Worker> {
    if (this.#closed) throw new Error('the OCR reader is closed')
    const idle = this.#idle.pop()
    if (idle) return idle
    if (this.#started >= this.#options.engines) return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }))
    this.#started++
    try {
      return await createWorker('eng', OEM.LSTM_ONLY, {
        langPath: LANGUAGE_DIR,
        gzip: true,
        cacheMethod: 'none',
        // Without a handler tesseract.js throws a failed page (an image it cannot decode) as an uncaught exception;
        // with one, the failure reaches only the page's own promise.
        errorHandler: () => {},
      })
    } catch (error) {
      this.#started--
      throw error
    }
  }

  #release(engine: Worker): void {
    if (this.#closed) {
      void engine.terminate().catch(() => {})
      return
    }
    const next = this.#waiting.shift()
    if (next) next.resolve(engine)
    else this.#idle.push(engine)
  }

  #discard(engine: Worker): void {
    this.#started--
    void engine.terminate().catch(() => {})
    // A job waiting for an engine gets a fresh one.
    const next = this.#waiting.shift()
    if (next) this.#acquire().then(next.resolve, next.reject)
  }

  async close(): Promise<void> {
    this.#closed = true
    const idle = this.#idle.splice(0)
    await Promise.all(idle.map((engine) => engine.terminate().catch(() => {})))
  }
}
