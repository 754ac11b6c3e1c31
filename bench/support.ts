// What both resume benches share: the generated files and the statistics.
import { readdirSync, readFileSync } from 'node:fs'
import type { ResumeKind } from '../src/pipeline/detect.ts'
import { makeDocxResume, makePdfResume, sampleResumeLines } from '../test/support/resumes.ts'

export interface ResumeFile {
  filename: string
  content: Buffer
  kind: ResumeKind
}

/**
 * `count` distinct resumes (each names its own candidate, so none is a
 * duplicate of another, in this set or in a set with another `tag`), the
 * kinds taken in turn.
 */
export async function makeResumeFiles(count: number, tag: string, kinds: readonly ResumeKind[]): Promise<ResumeFile[]> {
  const files: ResumeFile[] = []
  for (let i = 0; i < count; i++) {
    const lines = sampleResumeLines(`Candidate ${tag} Number${i}`)
    const kind = kinds[i % kinds.length]!
    const name = `${tag}-${i}.${kind === 'text' ? 'txt' : kind}`
    if (kind === 'pdf') files.push({ filename: name, content: await makePdfResume(lines), kind })
    else if (kind === 'docx') files.push({ filename: name, content: await makeDocxResume(lines), kind })
    else if (kind === 'text') files.push({ filename: name, content: Buffer.from(lines.join('\n'), 'utf8'), kind })
    else throw new Error(`the benches generate pdf, docx and text resumes, not ${kind}`)
  }
  return files
}

export const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

export const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN

/** Files per second through `handle`, one file at a time. */
export async function filesPerSecond(files: readonly ResumeFile[], handle: (file: ResumeFile) => Promise<unknown>): Promise<number> {
  const started = performance.now()
  for (const file of files) await handle(file)
  return files.length / ((performance.now() - started) / 1000)
}

/**
 * CPU time each kind of thread in this process has used, in ms, by thread
 * name (Linux: /proc/self/task/<tid>/schedstat and comm; empty elsewhere).
 * Node names its threads: `MainThread`, `WorkerThread` (worker_threads),
 * `V8Worker` (V8's garbage collection and compiler helpers), `libuv-worker`
 * (file system calls, zlib).
 */
export function cpuByThread(): Map<string, number> {
  const used = new Map<string, number>()
  let tasks: string[]
  try {
    tasks = readdirSync('/proc/self/task')
  } catch {
    return used
  }
  for (const task of tasks) {
    try {
      const name = readFileSync(`/proc/self/task/${task}/comm`, 'utf8').trim()
      const onCpuNs = Number(readFileSync(`/proc/self/task/${task}/schedstat`, 'utf8').split(' ')[0])
      used.set(name, (used.get(name) ?? 0) + onCpuNs / 1e6)
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return used
}

/** What each kind of thread used between two `cpuByThread()` readings, largest first. */
export function cpuSince(before: Map<string, number>, after: Map<string, number>): [string, number][] {
  return [...after]
    .map(([name, ms]): [string, number] => [name, ms - (before.get(name) ?? 0)])
    .filter(([, ms]) => ms >= 1)
    .sort((a, b) => b[1] - a[1])
}
