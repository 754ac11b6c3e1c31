// What both resume benches share: the generated files and the statistics.
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
