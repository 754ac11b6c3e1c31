// npm run eval: every record of the labelled set rendered in every format,
// read by the pipeline, and compared field by field with the record. Prints
// precision and recall per field group and format, and the score shift each
// poison causes (a poisoned resume must never score higher than the clean one).
import { detectResumeType } from '../../src/pipeline/detect.ts'
import { extractText } from '../../src/pipeline/extract.ts'
import { extractProfile } from '../../src/pipeline/profile.ts'
import { scoreResume } from '../../src/pipeline/score.ts'
import { screenForInstructions } from '../../src/pipeline/integrity.ts'
import type { Profile } from '../../src/domain/candidate.ts'
import { EVAL_RECORDS, type EvalRecord } from './records.ts'
import { docx, html, onePdf, POISONS, rtf, textLines, twoColumnPdf } from './render.ts'

const FORMATS: Array<{ name: string; render: (record: EvalRecord) => Promise<Buffer> | Buffer }> = [
  { name: 'text', render: (record) => Buffer.from(textLines(record).join('\n')) },
  { name: 'pdf', render: (record) => onePdf(record) },
  { name: 'pdf 2-col', render: (record) => twoColumnPdf(record) },
  { name: 'docx', render: docx },
  { name: 'html', render: html },
  { name: 'rtf', render: rtf },
]

/** Found right / found at all / should have been found. */
class Tally {
  right = 0
  found = 0
  expected = 0
  add(right: number, found: number, expected: number) {
    this.right += right
    this.found += found
    this.expected += expected
  }
  get precision() {
    return this.found === 0 ? null : this.right / this.found
  }
  get recall() {
    return this.expected === 0 ? null : this.right / this.expected
  }
}

const norm = (text: string | null | undefined) =>
  (text ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9+#.]+/g, ' ')
    .trim()
const digits = (text: string | null | undefined) => (text ?? '').replace(/\D/g, '')
const url = (text: string) =>
  text
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/^www\./, '')
    .replace(/\/+$/, '')
const alike = (a: string | null | undefined, b: string) => {
  const x = norm(a)
  const y = norm(b)
  return x.length > 0 && (x === y || x.includes(y) || y.includes(x))
}
/** A date as the style can express it: `yyyy` styles only give the year. */
const sameDate = (found: string | null | undefined, truth: string | null, style: EvalRecord['style']['dates']) => {
  if (truth === null) return found === null || found === undefined
  if (!found) return false
  return style === 'yyyy' ? found.slice(0, 4) === truth.slice(0, 4) : found.slice(0, 7) === truth.slice(0, 7)
}

function setScore(tally: Tally, found: string[], truth: string[], key: (value: string) => string = norm) {
  const want = new Set(truth.map(key))
  const got = new Set(found.map(key).filter(Boolean))
  let right = 0
  for (const value of got) if (want.has(value)) right++
  tally.add(right, got.size, want.size)
}

interface Tallies {
  contact: Tally
  work: Tally
  education: Tally
  skills: Tally
  languages: Tally
  certificates: Tally
}

const newTallies = (): Tallies => ({
  contact: new Tally(),
  work: new Tally(),
  education: new Tally(),
  skills: new Tally(),
  languages: new Tally(),
  certificates: new Tally(),
})

function compare(profile: Profile, record: EvalRecord, tallies: Tallies, misses: string[]) {
  const { basics } = record
  const contact = [
    ['name', norm(profile.name) === norm(basics.name), profile.name],
    ['email', (profile.email ?? '').toLowerCase() === basics.email, profile.email],
    ['phone', digits(profile.phone) === digits(basics.phone), profile.phone],
  ] as const
  for (const [field, right, found] of contact) {
    tallies.contact.add(right ? 1 : 0, found ? 1 : 0, 1)
    if (!right) misses.push(`${field}: ${JSON.stringify(found)}`)
  }
  setScore(
    tallies.contact,
    profile.links.map((link) => link.url),
    basics.profiles,
    url,
  )

  const work = (profile.work ?? []).filter((entry) => entry.kind === 'work')
  let rightWork = 0
  for (const truth of record.work) {
    const found = work.find((entry) => alike(entry.employer, truth.name) && alike(entry.title, truth.position))
    const ok =
      !!found &&
      sameDate(found.start, truth.startDate, record.style.dates) &&
      (truth.endDate === null ? found.current : sameDate(found.end, truth.endDate, record.style.dates))
    if (ok) rightWork++
    else misses.push(`work: ${truth.position} at ${truth.name} ${found ? `read as ${JSON.stringify(found)}` : 'not found'}`)
  }
  tallies.work.add(rightWork, work.length, record.work.length)

  const education = profile.education ?? []
  let rightEducation = 0
  for (const truth of record.education) {
    if (education.some((entry) => alike(entry.institution, truth.institution))) rightEducation++
    else misses.push(`education: ${truth.institution} not found`)
  }
  tallies.education.add(rightEducation, education.length, record.education.length)
  setScore(tallies.skills, profile.skills ?? [], record.skills)
  setScore(tallies.languages, profile.languages ?? [], record.languages)
  setScore(tallies.certificates, profile.certificates ?? [], record.certificates)
}

async function read(bytes: Buffer): Promise<string | { unread: string }> {
  const type = await detectResumeType(bytes)
  if (type.kind === 'unsupported') return { unread: `not read (${type.detected})` }
  if (type.kind === 'image') return { unread: 'an image (read by OCR in the service, not by this evaluation)' }
  try {
    return await extractText(bytes, type.kind)
  } catch (error) {
    return { unread: (error as Error).message }
  }
}

const percent = (value: number | null) => (value === null ? '   -  ' : `${(value * 100).toFixed(1).padStart(5)}%`)

async function main() {
  const verbose = process.argv.includes('--verbose')
  const byFormat = new Map<string, Tallies>()
  const all = newTallies()
  for (const format of FORMATS) {
    const tallies = newTallies()
    byFormat.set(format.name, tallies)
    for (const record of EVAL_RECORDS) {
      const text = await read(await format.render(record))
      if (typeof text !== 'string') {
        console.log(`${format.name} ${record.id}: ${text.unread}`)
        continue
      }
      const misses: string[] = []
      const profile = extractProfile(text)
      compare(profile, record, tallies, misses)
      compare(profile, record, all, [])
      if (verbose && misses.length > 0) console.log(`${format.name} ${record.id}:\n  ${misses.join('\n  ')}`)
    }
  }

  const groups = Object.keys(all) as Array<keyof Tallies>
  console.log(`\nfield-level precision / recall over ${EVAL_RECORDS.length} resumes`)
  console.log(`${'format'.padEnd(10)} ${groups.map((group) => group.padEnd(16)).join(' ')}`)
  for (const [name, tallies] of [...byFormat, ['all', all] as const]) {
    const cells = groups.map((group) => `${percent(tallies[group].precision)} ${percent(tallies[group].recall)}`.padEnd(16))
    console.log(`${name.padEnd(10)} ${cells.join(' ')}`)
  }

  // Poison: the same resume with and without it, scored against a requisition it half meets.
  console.log('\nscore shift caused by each poison (poisoned minus clean; must be <= 0)')
  for (const poison of POISONS) {
    let worst = Number.NEGATIVE_INFINITY
    for (const record of EVAL_RECORDS) {
      const missing = ['Rust', 'Elixir']
      const requisition = { mustHaveSkills: record.skills.slice(0, 2), niceToHaveSkills: [...record.skills.slice(2, 4), ...missing] }
      const score = async (bytes: Buffer) => {
        const text = await read(bytes)
        if (typeof text !== 'string') throw new Error(text.unread)
        return scoreResume(screenForInstructions(text).text, requisition).value
      }
      const clean = await score(await onePdf(record))
      const poisoned = await score(await onePdf(record, poison.make(missing)))
      worst = Math.max(worst, poisoned - clean)
      if (verbose && poisoned > clean) console.log(`  ${poison.name} ${record.id}: ${clean} -> ${poisoned}`)
    }
    console.log(`${poison.name.padEnd(12)} worst shift ${worst > 0 ? '+' : ''}${worst} points`)
  }
}

await main()
