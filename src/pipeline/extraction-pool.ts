// Text extraction off the main thread. pdf.js and mammoth are CPU-bound and
// synchronous in long stretches: on the main thread a large or hostile file
// would stall HTTP requests and the renewal of job locks (a stalled lock hands
// the job to a second worker). In a worker thread it cannot, and a file that
// overruns its time or memory is stopped by ending the thread, which a
// promise race on the main thread could never do.
import { setFlagsFromString } from 'node:v8'
import { Worker } from 'node:worker_threads'
import type { ResumeKind } from './detect.ts'
import { DEFAULT_EXTRACTION_LIMITS, UnreadableResumeError, type ExtractedResume, type ExtractionLimits } from './extract.ts'
import type { ExtractionReply, ExtractionRequest } from './extraction-messages.ts'
import type { Requisition } from '../domain/requisition.ts'
import type { Assessment } from './assessment.ts'

export interface ExtractionPoolOptions {
  threads: number
  limits?: Partial<ExtractionLimits>
  /** Heap of each thread; a file that needs more is unreadable, not a crash. */
  maxHeapMb?: number
  /** The heap each thread starts with (default 128 MB, at most a quarter of `maxHeapMb`): see `startThread`. */
  initialHeapMb?: number
  /**
   * ArrayBuffer memory of each thread, which the heap limit does not cover
   * (decoded PDF streams live there). Checked while a file is read; the PDF
   * stream check keeps honest files far below it, so this only catches what
   * that check does not foresee.
   */
  maxBufferMb?: number
  /** Beyond the extractor's own time cap, how long before the thread is ended. */
  graceMs?: number
}

interface Task {
  request: ExtractionRequest
  resolve(resume: ExtractedResume & { assessment?: Assessment }): void
  reject(error: Error): void
}

interface Thread {
  worker: Worker
  task: Task | undefined
  timer: NodeJS.Timeout | undefined
  /** Samples the thread's buffer memory while it works. */
  watch: NodeJS.Timeout | undefined
  /** Ending (error or stopped): gets no more tasks until its replacement is up. */
  dead: boolean
  startedAt: number
}

/**
 * Starts a pool thread whose heap begins at `initialHeapMb`. Reading a resume leaves garbage in the old
 * generation while what stays alive is small (about 22 MB), so V8 sized a thread's heap tightly and ran a
 * full collection (marking the whole heap on its helper threads) every twenty or so resumes: 19 in the 400
 * of the intake bench. Started at 128 MB, the thread ran one or two, and V8's helper threads used about a
 * quarter less CPU per candidate. Node's `resourceLimits` set only maximums, and V8 reads the initial size
 * from its flags when a thread's isolate is made, so the flag is set while a pool thread is starting and
 * cleared (0: V8's own sizing) once none is: threads started later (OCR) are sized as before.
 */
let threadsStarting = 0
export function startThread(
  url: URL,
  maxHeapMb: number,
  initialHeapMb: number,
  setFlags: (flags: string) => void = setFlagsFromString,
): Worker {
  if (threadsStarting++ === 0) setFlags(`--initial-heap-size=${initialHeapMb}`)
  let started = false
  const done = () => {
    if (started) return
    started = true
    if (--threadsStarting === 0) setFlags('--initial-heap-size=0')
  }
  try {
    const worker = new Worker(url, { resourceLimits: { maxOldGenerationSizeMb: maxHeapMb } })
    worker.once('online', done)
    worker.once('exit', done)
    return worker
  } catch (error) {
    done()
    throw error
  }
}

/** A thread that dies this soon after starting is replaced only after a pause, not in a tight loop. */
const RESPAWN_PAUSE_MS = 1_000
// Decoders fill memory at hundreds of MB a second: sampled this often, a thread
// overshoots its buffer limit by tens of MB before it is stopped.
const MEMORY_CHECK_MS = 50

const WORKER_URL = new URL('./extraction-worker.ts', import.meta.url)

export class ExtractionPool {
  readonly #threads: Thread[] = []
  readonly #waiting: Task[] = []
  readonly #limits: Partial<ExtractionLimits>
  readonly #maxHeapMb: number
  readonly #initialHeapMb: number
  readonly #maxBufferMb: number
  readonly #hardTimeoutMs: number
  readonly #respawns = new Set<NodeJS.Timeout>()
  #nextId = 1
  #closed = false

  constructor(options: ExtractionPoolOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 1) throw new RangeError('an extraction pool needs at least one thread')
    this.#limits = options.limits ?? {}
    this.#maxHeapMb = options.maxHeapMb ?? 512
    this.#initialHeapMb = Math.max(1, Math.min(options.initialHeapMb ?? 128, Math.floor(this.#maxHeapMb / 4)))
    this.#maxBufferMb = options.maxBufferMb ?? 512
    this.#hardTimeoutMs = (this.#limits.timeoutMs ?? DEFAULT_EXTRACTION_LIMITS.timeoutMs) + (options.graceMs ?? 5_000)
    for (let i = 0; i < options.threads; i++) this.#threads.push(this.#spawn())
  }

  /** Same contract as extractText: UnreadableResumeError when the file cannot be read. */
  async extract(bytes: Buffer, kind: ResumeKind): Promise<string> {
    return (await this.extractResume(bytes, kind)).text
  }

  /** Same contract as extractResume: the text, and the hidden text taken out of it. */
  extractResume(bytes: Buffer, kind: ResumeKind): Promise<ExtractedResume> {
    return this.#submit(bytes, kind)
  }

  /**
   * The text, and the lexical scorer's assessment of it against `requisition`,
   * worked out in the same thread: the main thread only records them. The
   * thread's time limit covers both.
   */
  async readAndAssess(
    bytes: Buffer,
    kind: ResumeKind,
    requisition: Requisition | null,
  ): Promise<ExtractedResume & { assessment: Assessment }> {
    const { text, hidden, assessment } = await this.#submit(bytes, kind, { requisition })
    if (!assessment) throw new Error('the extraction thread answered without the assessment it was asked for')
    return { text, hidden, assessment }
  }

  #submit(bytes: Buffer, kind: ResumeKind, assess?: ExtractionRequest['assess']): Promise<ExtractedResume & { assessment?: Assessment }> {
    if (this.#closed) return Promise.reject(new Error('the extraction pool is closed'))
    return new Promise((resolve, reject) => {
      // A copy, so the caller's buffer is not detached by the transfer.
      const copy = new Uint8Array(bytes)
      const request: ExtractionRequest = { id: this.#nextId++, bytes: copy, kind, limits: this.#limits, ...(assess ? { assess } : {}) }
      this.#waiting.push({ request, resolve, reject })
      this.#dispatch()
    })
  }

  async close(): Promise<void> {
    this.#closed = true
    for (const timer of this.#respawns) clearTimeout(timer)
    for (const task of this.#waiting.splice(0)) task.reject(new Error('the extraction pool closed'))
    await Promise.all(
      this.#threads.map(async (thread) => {
        clearTimeout(thread.timer)
        clearInterval(thread.watch)
        thread.task?.reject(new Error('the extraction pool closed'))
        thread.task = undefined
        await thread.worker.terminate()
      }),
    )
  }

  #spawn(): Thread {
    const worker = startThread(WORKER_URL, this.#maxHeapMb, this.#initialHeapMb)
    const thread: Thread = { worker, task: undefined, timer: undefined, watch: undefined, dead: false, startedAt: Date.now() }
    // An idle pool does not keep the process alive; a thread at work does (see #dispatch).
    worker.unref()
    worker.on('message', (reply: ExtractionReply) => {
      const task = thread.task
      if (!task || task.request.id !== reply.id) return
      this.#finish(thread)
      if (reply.ok) task.resolve({ text: reply.text, hidden: reply.hidden, ...(reply.assessment ? { assessment: reply.assessment } : {}) })
      else if (reply.unreadable) task.reject(new UnreadableResumeError(reply.message, { problem: reply.problem }))
      else task.reject(new Error(reply.message))
    })
    worker.on('error', (error: Error & { code?: string }) => {
      const task = thread.task
      thread.dead = true
      this.#finish(thread)
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        task?.reject(
          new UnreadableResumeError(`reading the file needed more than ${this.#maxHeapMb} MB of memory`, { problem: 'too_large' }),
        )
      } else {
        task?.reject(error)
      }
    })
    worker.on('exit', () => this.#replace(thread))
    return thread
  }

  #finish(thread: Thread): void {
    thread.worker.unref()
    clearTimeout(thread.timer)
    clearInterval(thread.watch)
    thread.timer = undefined
    thread.watch = undefined
    thread.task = undefined
    queueMicrotask(() => this.#dispatch())
  }

  /** A thread that ended (crashed, ran out of memory, or was stopped) is replaced. */
  #replace(thread: Thread): void {
    if (this.#closed || !this.#threads.includes(thread)) return
    thread.dead = true
    thread.task?.reject(new Error('the extraction thread ended'))
    thread.task = undefined
    clearTimeout(thread.timer)
    clearInterval(thread.watch)
    const respawn = () => {
      const index = this.#threads.indexOf(thread)
      if (index === -1 || this.#closed) return
      this.#threads[index] = this.#spawn()
      this.#dispatch()
    }
    if (Date.now() - thread.startedAt < RESPAWN_PAUSE_MS) {
      const timer = setTimeout(() => {
        this.#respawns.delete(timer)
        respawn()
      }, RESPAWN_PAUSE_MS)
      this.#respawns.add(timer)
    } else {
      respawn()
    }
  }

  #dispatch(): void {
    for (const thread of this.#threads) {
      if (thread.task || thread.dead || this.#waiting.length === 0) continue
      const task = this.#waiting.shift()!
      thread.task = task
      thread.worker.ref()
      thread.timer = setTimeout(() => {
        this.#stop(
          thread,
          task,
          new UnreadableResumeError(`reading the file took longer than ${this.#hardTimeoutMs} ms`, { problem: 'too_slow' }),
        )
      }, this.#hardTimeoutMs)
      thread.watch = setInterval(() => void this.#watchMemory(thread, task), MEMORY_CHECK_MS)
      thread.worker.postMessage(task.request, [task.request.bytes.buffer as ArrayBuffer])
    }
  }

  /** Ends a thread that overran a limit; its replacement comes from the exit handler. */
  #stop(thread: Thread, task: Task, error: UnreadableResumeError): void {
    if (thread.task !== task) return
    thread.task = undefined
    thread.dead = true
    clearTimeout(thread.timer)
    clearInterval(thread.watch)
    task.reject(error)
    void thread.worker.terminate()
  }

  async #watchMemory(thread: Thread, task: Task): Promise<void> {
    let external: number
    try {
      // Answered even while the thread is busy in synchronous code.
      external = (await thread.worker.getHeapStatistics()).external_memory
    } catch {
      return
    }
    if (external > this.#maxBufferMb * 1024 * 1024) {
      this.#stop(
        thread,
        task,
        new UnreadableResumeError(`reading the file needed more than ${this.#maxBufferMb} MB of buffer memory`, { problem: 'too_large' }),
      )
    }
  }
}
