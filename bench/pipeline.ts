// bench/pipeline: resumes per second through the whole candidate pipeline,
// in this process, one resume at a time: type from the bytes, text
// extraction, profile, score against a requisition, recommendation (the
// process job's work, by the functions' exported names, without the store or
// the queues). Baseline, measured in the same run on the same files: text
// extraction alone. The ratio says how much of the extraction speed the rest
// of the pipeline leaves.
//
// These machines are noisy, so the two are measured in alternating rounds,
// extraction first and last; each pipeline round is set against the
// extraction rounds either side of it, and the median of those ratios is the
// result. Both are warmed up first, unrecorded.
//
//   node bench/pipeline.ts     (BENCH_N=90 resumes, a third each PDF, DOCX and text; BENCH_ROUNDS=5)
import type { Requisition } from '../src/domain/requisition.ts'
import { extractText } from '../src/pipeline/extract.ts'
import { detectResumeType } from '../src/pipeline/detect.ts'
import { extractProfile } from '../src/pipeline/profile.ts'
import { scoreResume } from '../src/pipeline/score.ts'
import { decide } from '../src/pipeline/decide.ts'
import { filesPerSecond, makeResumeFiles, median, type ResumeFile } from './support.ts'

const N = Number(process.env.BENCH_N ?? 90)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const WARMUP = 15

const requisition: Requisition = {
  id: 'bench-requisition',
  title: 'Bench Engineer',
  mustHaveSkills: ['TypeScript', 'PostgreSQL', 'SQL'],
  niceToHaveSkills: ['Kubernetes', 'AWS', 'Terraform', 'Rust'],
  minYearsExperience: 5,
  advanceAtOrAbove: 70,
  rejectBelow: 30,
  criteria: ['has led a migration to the cloud', 'built payment systems'],
  createdAt: new Date().toISOString(),
}

async function throughPipeline(file: ResumeFile) {
  const type = await detectResumeType(file.content)
  if (type.kind === 'unsupported') throw new Error(`${file.filename} was detected as ${type.detected}`)
  if (type.kind === 'image') throw new Error(`${file.filename} is an image, read by OCR, which this bench does not measure`)
  const text = await extractText(file.content, type.kind)
  const profile = extractProfile(text)
  const score = scoreResume(text, requisition, profile)
  return decide({ score, profile, requisition })
}

const extraction = (files: ResumeFile[]) => filesPerSecond(files, (file) => extractText(file.content, file.kind))
const pipeline = (files: ResumeFile[]) => filesPerSecond(files, throughPipeline)

const files = await makeResumeFiles(N, 'pipeline', ['pdf', 'docx', 'text'])
const warmup = await makeResumeFiles(WARMUP, 'warmup', ['pdf', 'docx', 'text'])
await extraction(warmup)
await pipeline(warmup)

const line = (name: string, rate: number, ratio?: number) =>
  `  ${name.padEnd(14)} ${rate.toFixed(1).padStart(7)} resumes/s${ratio === undefined ? '' : `   ratio ${ratio.toFixed(2)}`}`
const lines = [`bench/pipeline: ${ROUNDS} rounds of ${N} resumes (PDF, DOCX and text in turn), one at a time, in process`]
const ratios: number[] = []
const pipelines: number[] = []
let before = await extraction(files)
const extractions = [before]
lines.push(line('extraction', before))
for (let round = 1; round <= ROUNDS; round++) {
  const measured = await pipeline(files)
  const after = await extraction(files)
  const ratio = measured / ((before + after) / 2)
  ratios.push(ratio)
  pipelines.push(measured)
  extractions.push(after)
  lines.push(line(`pipeline #${round}`, measured, ratio), line('extraction', after))
  before = after
}
lines.push(
  `pipeline: ${median(pipelines).toFixed(1)} resumes/s (median); extraction alone: ${median(extractions).toFixed(1)} resumes/s (median)`,
  `ratio: ${median(ratios).toFixed(2)} (pipeline throughput / extraction throughput, median of ${ROUNDS} rounds; goal >= 0.5)`,
)
console.log(lines.join('\n'))
