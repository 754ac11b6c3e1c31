// Progress of a long operator command on stderr: a bar redrawn in place on a
// terminal, a plain line now and then otherwise (a log file or a CI job gets
// no carriage returns). A run shorter than one interval prints no plain line
// at all, so a failing script's stderr is its one error line.

export interface ProgressOutput {
  write(text: string): unknown
  isTTY?: boolean
  columns?: number
}

export interface ProgressOptions {
  /** Between two plain lines when the output is not a terminal. */
  plainEveryMs?: number
  /** Between two redraws on a terminal. */
  redrawEveryMs?: number
  clock?: () => number
}

const BAR_WIDTH = 24

export class Progress {
  readonly #output: ProgressOutput
  readonly #plainEveryMs: number
  readonly #redrawEveryMs: number
  readonly #clock: () => number
  #lastWrite: number
  #drawn = false
  #pending: string | undefined

  constructor(output: ProgressOutput, options: ProgressOptions = {}) {
    this.#output = output
    this.#plainEveryMs = options.plainEveryMs ?? 5_000
    this.#redrawEveryMs = options.redrawEveryMs ?? 100
    this.#clock = options.clock ?? Date.now
    this.#lastWrite = this.#output.isTTY ? -Infinity : this.#clock()
  }

  /** `label` with a count, and a bar when the total is known (providers rarely say how many items a listing holds). */
  update(label: string, done: number, total?: number): void {
    const count = total === undefined ? `${done}` : `${done}/${total}`
    const now = this.#clock()
    if (!this.#output.isTTY) {
      this.#pending = `${label}: ${count}`
      if (now - this.#lastWrite < this.#plainEveryMs) return
      this.#output.write(`${this.#pending}\n`)
      this.#pending = undefined
      this.#lastWrite = now
      return
    }
    if (now - this.#lastWrite < this.#redrawEveryMs && !(total !== undefined && done >= total)) return
    const bar = total === undefined || total === 0 ? '' : ` [${fill(done / total)}]`
    const line = `${label}${bar} ${count}`.slice(0, Math.max(20, (this.#output.columns ?? 80) - 1))
    // \r back to the start, the line, then erase whatever a longer previous line left.
    this.#output.write(`\r${line}\x1b[K`)
    this.#drawn = true
    this.#lastWrite = now
  }

  /** Clears the bar, so the summary or the error line that follows starts on a clean line. */
  end(): void {
    if (this.#drawn) this.#output.write('\r\x1b[K')
    this.#drawn = false
    this.#pending = undefined
  }
}

function fill(fraction: number): string {
  const full = Math.round(Math.min(1, Math.max(0, fraction)) * BAR_WIDTH)
  return '#'.repeat(full) + '-'.repeat(BAR_WIDTH - full)
}
