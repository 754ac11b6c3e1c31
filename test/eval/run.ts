// npm run eval: every record of the labelled set (test/fixtures/json-resume)
// rendered in every format, read by the pipeline as the service reads it, and
// compared field by field with the record. Prints precision and recall per
// field group and format, each work entry's employer, title and dates apart,
// the score shift each poison causes (a poisoned resume must never score
// higher than the clean one), and whether the targets are met: the exit code
// is 1 when one is not.
//
//   npm run eval -- [--verbose] [--no-ocr] [--json <file>] [--real-targets]
//
// --verbose lists every miss; --no-ocr leaves out the scan (headless Chromium
// and tesseract, about a minute); --json writes every figure to a file;
// --real-targets makes the real resumes' targets decide the exit code too
// (their documents are not in the repository, see test/fixtures/resumes/real).
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { detectResumeType } from '../../src/pipeline/detect.ts'
import { DEFAULT_EXTRACTION_LIMITS, extractText, UnreadableResumeError } from '../../src/pipeline/extract.ts'
import { hasText, normaliseText, PAGE_BREAK } from '../../src/pipeline/formats/normalise.ts'
import { OcrReader } from '../../src/pipeline/ocr/reader.ts'
import { repairOcrText } from '../../src/pipeline/ocr/repair.ts'
import { extractProfile } from '../../src/pipeline/profile.ts'
import { scoreResume } from '../../src/pipeline/score.ts'
import { screenForInstructions } from '../../src/pipeline/integrity.ts'
import { canonicalSkill } from '../../src/pipeline/taxonomy/index.ts'
import type { Profile, WorkEntry } from '../../src/domain/candidate.ts'
import { EVAL_RECORDS, type EvalRecord } from './records.ts'
import { loadRealSet, REAL_SET_DIR, type RealTruth } from './real.ts'
import { doc, docx, html, onePdf, POISONS, rtf, Scanner, textLines, twoColumnPdf } from './render.ts'

interface Format {
  name: string
  render: (record: EvalRecord) => Promise<Buffer> | Buffer
}

function formats(scanner: Scanner | null): Format[] {
  const list: Format[] = [
    { name: 'text', render: (record) => Buffer.from(textLines(record).join('\n')) },
    { name: 'pdf', render: (record) => onePdf(record) },
    { name: 'pdf 2-col', render: (record) => twoColumnPdf(record) },
    { name: 'docx', render: docx },
    { name: 'doc', render: doc },
    { name: 'html', render: html },
    { name: 'rtf', render: rtf },
  ]
  if (scanner) list.push({ name: 'scan', render: (record) => scanner.scan(record) })
  return list
}

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
  toJSON() {
    return { right: this.right, found: this.found, expected: this.expected, precision: this.precision, recall: this.recall }
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
/** An address as an identity: scheme, www, a query ("?lang=en"), a fragment and a trailing slash say nothing about whose it is. */
const url = (text: string) =>
  text
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/^www\./, '')
    .replace(/[?#].*$/, '')
    .replace(/\/+$/, '')
const alike = (a: string | null | undefined, b: string) => {
  const x = norm(a)
  const y = norm(b)
  return x.length > 0 && (x === y || x.includes(y) || y.includes(x))
}
/** A date at the precision the resume prints it: a year alone compares the year. */
const sameDate = (found: string | null | undefined, truth: string | null) => {
  if (truth === null) return !found
  if (!found) return false
  return truth.length === 4 ? found.slice(0, 4) === truth : found.slice(0, 7) === truth.slice(0, 7)
}

/**
 * A list read against the record's list, each value matched at most once:
 * right when `same` says the value read names the one recorded.
 */
function listScore(tally: Tally, found: readonly string[], truth: readonly string[], same: (found: string, truth: string) => boolean) {
  const got = [...new Map(found.map((value) => [norm(value), value])).values()].filter((value) => norm(value) !== '')
  const want = [...new Map(truth.map((value) => [norm(value), value])).values()]
  const used = new Set<string>()
  const missed: string[] = []
  for (const value of want) {
    const match = got.find((candidate) => !used.has(candidate) && same(candidate, value))
    if (match === undefined) missed.push(value)
    else used.add(match)
  }
  tally.add(used.size, got.length, want.length)
  return { missed, extra: got.filter((value) => !used.has(value)) }
}

/** Profiles name skills as the taxonomy does: "Airflow" read as Apache Airflow is right. */
const sameSkill = (found: string, truth: string) => norm(found) === norm(truth) || norm(found) === norm(canonicalSkill(truth))

/** A language is right by its name; its level ("German (C1)") is not scored. */
const sameLanguage = (found: string, truth: string) => norm(found.split(' (')[0]) === norm(truth.split(' (')[0])

const GROUPS = ['contact', 'work', 'education', 'skills', 'languages', 'certificates'] as const
const GROUP_TITLES: Record<(typeof GROUPS)[number], string> = {
  contact: 'contact',
  work: 'work entries',
  education: 'education',
  skills: 'skills',
  languages: 'languages',
  certificates: 'certificates',
}
const WORK_FIELDS = ['employer', 'title', 'start', 'end'] as const
type WorkField = (typeof WORK_FIELDS)[number]
const WORK_FIELD_TITLES: Record<WorkField, string> = { employer: 'employer', title: 'title', start: 'start date', end: 'end / current' }

type Tallies = Record<(typeof GROUPS)[number], Tally> & { workFields: Record<WorkField, Tally> }

const newTallies = (): Tallies => ({
  ...(Object.fromEntries(GROUPS.map((group) => [group, new Tally()])) as Record<(typeof GROUPS)[number], Tally>),
  workFields: Object.fromEntries(WORK_FIELDS.map((field) => [field, new Tally()])) as Record<WorkField, Tally>,
})

/** What an unread file yields: nothing found, everything missed. */
const NOTHING_READ: Profile = { name: null, email: null, phone: null, links: [], yearsOfExperience: null }

interface Job {
  employer: string
  title: string
  start: string | null
  end: string | null
  current: boolean
}

/** What a resume says, from a generated record or a hand label: the ground truth a profile is compared with. */
interface Truth {
  name: string
  email: string | null
  phone: string | null
  links: string[]
  work: Job[]
  institutions: string[]
  skills: string[]
  languages: string[]
  certificates: string[]
}

/** A generated record's truth; its dates as its style prints them (a `yyyy` style prints only the year). */
function recordTruth(record: EvalRecord): Truth {
  const printed = (date: string) => (record.style.dates === 'yyyy' ? date.slice(0, 4) : date.slice(0, 7))
  return {
    name: record.basics.name,
    email: record.basics.email,
    phone: record.basics.phone,
    links: record.basics.profiles,
    work: record.work.map((job) => ({
      employer: job.name,
      title: job.position,
      start: printed(job.startDate),
      end: job.endDate === null ? null : printed(job.endDate),
      current: job.endDate === null,
    })),
    institutions: record.education.map((school) => school.institution),
    skills: record.skills,
    languages: record.languages,
    certificates: record.certificates,
  }
}

function realTruth(label: RealTruth): Truth {
  return {
    name: label.basics.name,
    email: label.basics.email,
    phone: label.basics.phone,
    links: label.basics.links,
    work: label.work,
    institutions: label.education.map((school) => school.institution),
    skills: label.skills,
    languages: label.languages,
    certificates: label.certificates,
  }
}

function workFieldsRight(found: WorkEntry, truth: Job): Record<WorkField, boolean> {
  return {
    employer: alike(found.employer, truth.employer),
    title: alike(found.title, truth.title),
    start: sameDate(found.start, truth.start),
    end: truth.current ? found.current : !found.current && sameDate(found.end, truth.end),
  }
}

const workFieldsPresent = (entry: WorkEntry): Record<WorkField, boolean> => ({
  employer: !!entry.employer,
  title: !!entry.title,
  start: !!entry.start,
  end: !!entry.end || entry.current,
})

/**
 * Each job of the record paired with at most one work entry read, and each
 * entry with at most one job: the pairs with the most fields right first. An
 * entry pairs with a job only when its employer or its title is right; an
 * entry paired with nothing counts as found and wrong in every field it has.
 */
function pairWork(found: WorkEntry[], truth: Truth): Map<number, { entry: WorkEntry; right: Record<WorkField, boolean> }> {
  const candidates: Array<{ job: number; entry: number; right: Record<WorkField, boolean>; score: number }> = []
  truth.work.forEach((job, jobIndex) =>
    found.forEach((entry, index) => {
      const right = workFieldsRight(entry, job)
      if (right.employer || right.title)
        candidates.push({ job: jobIndex, entry: index, right, score: WORK_FIELDS.filter((f) => right[f]).length })
    }),
  )
  candidates.sort((a, b) => b.score - a.score || a.job - b.job || a.entry - b.entry)
  const pairs = new Map<number, { entry: WorkEntry; right: Record<WorkField, boolean> }>()
  const used = new Set<number>()
  for (const candidate of candidates) {
    if (pairs.has(candidate.job) || used.has(candidate.entry)) continue
    pairs.set(candidate.job, { entry: found[candidate.entry]!, right: candidate.right })
    used.add(candidate.entry)
  }
  return pairs
}

function compare(profile: Profile, truth: Truth, tallies: Tallies, misses: string[]) {
  const contact = [
    ['name', truth.name, profile.name, norm(profile.name) === norm(truth.name)],
    ['email', truth.email, profile.email, (profile.email ?? '').toLowerCase() === truth.email?.toLowerCase()],
    ['phone', truth.phone, profile.phone, digits(profile.phone) === digits(truth.phone)],
  ] as const
  for (const [field, wanted, found, same] of contact) {
    // A resume without a phone: reading none is right, reading one is a wrong find.
    if (wanted === null) {
      tallies.contact.add(0, found ? 1 : 0, 0)
      if (found) misses.push(`${field}: ${JSON.stringify(found)} read, the resume has none`)
      continue
    }
    tallies.contact.add(same ? 1 : 0, found ? 1 : 0, 1)
    if (!same) misses.push(`${field}: ${JSON.stringify(found)}`)
  }
  const links = profile.links.map((link) => link.url)
  listScore(tallies.contact, links, truth.links, (found, wanted) => url(found) === url(wanted))
  for (const missing of truth.links.filter((wanted) => !links.some((link) => url(link) === url(wanted)))) {
    misses.push(`link: ${missing} not found`)
  }
  for (const extra of links.filter((link) => !truth.links.some((wanted) => url(link) === url(wanted)))) {
    misses.push(`link: ${extra} read, not in the resume's links`)
  }

  // Student jobs are paid work the labels list as jobs; the profile keeps them apart only so they do not count as experience.
  const work = (profile.work ?? []).filter((entry) => entry.kind === 'work' || entry.kind === 'student')
  const pairs = pairWork(work, truth)
  let rightWork = 0
  truth.work.forEach((job, jobIndex) => {
    const pair = pairs.get(jobIndex)
    // "No end written", read as none, is a right reading of a field that has no value to count as found below.
    const present = pair ? workFieldsPresent(pair.entry) : null
    for (const field of WORK_FIELDS)
      tallies.workFields[field].add(pair?.right[field] ? 1 : 0, pair?.right[field] && !present![field] ? 1 : 0, 1)
    if (pair && WORK_FIELDS.every((field) => pair.right[field])) {
      rightWork++
      return
    }
    const wrong = pair ? WORK_FIELDS.filter((field) => !pair.right[field]).join(', ') : ''
    misses.push(`work: ${job.title} at ${job.employer} ${pair ? `read with ${wrong} wrong as ${JSON.stringify(pair.entry)}` : 'not found'}`)
  })
  for (const entry of work) {
    const present = workFieldsPresent(entry)
    for (const field of WORK_FIELDS) tallies.workFields[field].add(0, present[field] ? 1 : 0, 0)
  }
  const paired = new Set([...pairs.values()].map((pair) => pair.entry))
  for (const entry of work.filter((e) => !paired.has(e)))
    misses.push(`work: read an entry that is no job of the record: ${JSON.stringify(entry)}`)
  tallies.work.add(rightWork, work.length, truth.work.length)

  const education = profile.education ?? []
  let rightEducation = 0
  for (const institution of truth.institutions) {
    if (education.some((entry) => alike(entry.institution, institution))) rightEducation++
    else misses.push(`education: ${institution} not found`)
  }
  tallies.education.add(rightEducation, education.length, truth.institutions.length)
  const lists = [
    ['skills', profile.skills ?? [], truth.skills, sameSkill],
    ['languages', profile.languages ?? [], truth.languages, sameLanguage],
    ['certificates', profile.certificates ?? [], truth.certificates, alike],
  ] as const
  for (const [group, found, truth, same] of lists) {
    const { missed, extra } = listScore(tallies[group], found, truth, same)
    if (missed.length > 0) misses.push(`${group}: missed ${missed.join(', ')}`)
    if (extra.length > 0) misses.push(`${group}: read but not in the record: ${extra.join(', ')}`)
  }
}

/**
 * The text the service would profile, read the way it reads the file: an
 * image goes to OCR, whose text is normalised as the OCR job normalises it;
 * everything else to text extraction.
 */
async function read(bytes: Buffer, ocr: OcrReader | null): Promise<string | { unread: string }> {
  const type = await detectResumeType(bytes)
  if (type.kind === 'unsupported') return { unread: `not read (${type.detected})` }
  try {
    if (type.kind !== 'image') return await extractText(bytes, type.kind)
    if (!ocr) return { unread: 'an image, and OCR is off (--no-ocr)' }
    const text = normaliseText(repairOcrText((await ocr.recognize(bytes)).replaceAll(PAGE_BREAK, '\n')), DEFAULT_EXTRACTION_LIMITS.maxChars)
    return hasText(text) ? text : { unread: 'OCR found no text in the image' }
  } catch (error) {
    if (error instanceof UnreadableResumeError) return { unread: error.message }
    throw error
  }
}

const percent = (value: number | null) => (value === null ? '     -' : `${(value * 100).toFixed(1).padStart(5)}%`)
const cell = (tally: Tally) => `${percent(tally.precision)} ${percent(tally.recall)}`

function table(title: string, columns: Array<[string, (tallies: Tallies) => Tally]>, rows: Array<[string, Tallies]>) {
  const width = 15
  console.log(`\n${title}`)
  console.log(`${''.padEnd(10)} ${columns.map(([name]) => name.padEnd(width)).join(' ')}`)
  console.log(`${'format'.padEnd(10)} ${columns.map(() => '     P      R'.padEnd(width)).join(' ')}`)
  for (const [name, tallies] of rows)
    console.log(`${name.padEnd(10)} ${columns.map(([, get]) => cell(get(tallies)).padEnd(width)).join(' ')}`)
}

/** The field groups, then each work entry's fields, for the same rows. */
function tables(groupsTitle: string, workTitle: string, rows: Array<[string, Tallies]>) {
  table(
    groupsTitle,
    GROUPS.map((group) => [GROUP_TITLES[group], (tallies) => tallies[group]]),
    rows,
  )
  table(
    workTitle,
    WORK_FIELDS.map((field) => [WORK_FIELD_TITLES[field], (tallies) => tallies.workFields[field]]),
    rows,
  )
}

interface Target {
  name: string
  threshold: string
  pass: boolean
  shown: string
}

/** Both precision and recall at or above `at`. */
function tallyTarget(name: string, tally: Tally, at: number): Target {
  const pass = tally.precision !== null && tally.recall !== null && tally.precision >= at && tally.recall >= at
  return { name, threshold: `>= ${at * 100}%`, pass, shown: `P ${percent(tally.precision).trim()} R ${percent(tally.recall).trim()}` }
}

async function main() {
  const { values: options } = parseArgs({
    options: { verbose: { type: 'boolean' }, 'no-ocr': { type: 'boolean' }, json: { type: 'string' }, 'real-targets': { type: 'boolean' } },
  })
  const verbose = options.verbose ?? false
  const withOcr = !options['no-ocr']
  const scanner = withOcr ? await Scanner.open() : null
  const ocr = withOcr ? new OcrReader({ engines: 1, pageTimeoutMs: 60_000 }) : null
  const byFormat = new Map<string, Tallies>()
  const all = newTallies()
  const unread: Array<{ format: string; record: string; reason: string }> = []
  const poisons: Array<{ name: string; worstShift: number }> = []
  try {
    for (const format of formats(scanner)) {
      const tallies = newTallies()
      byFormat.set(format.name, tallies)
      for (const record of EVAL_RECORDS) {
        const text = await read(await format.render(record), ocr)
        if (typeof text !== 'string') {
          console.log(`${format.name} ${record.id}: ${text.unread}`)
          unread.push({ format: format.name, record: record.id, reason: text.unread })
        }
        const misses: string[] = []
        const profile = typeof text === 'string' ? extractProfile(text) : NOTHING_READ
        compare(profile, recordTruth(record), tallies, misses)
        compare(profile, recordTruth(record), all, [])
        if (verbose && misses.length > 0) console.log(`${format.name} ${record.id}:\n  ${misses.join('\n  ')}`)
      }
    }

    // Poison: the same resume with and without it, scored against a requisition it half meets.
    for (const poison of POISONS) {
      let worst = Number.NEGATIVE_INFINITY
      for (const record of EVAL_RECORDS) {
        const missing = ['Rust', 'Elixir']
        const requisition = { mustHaveSkills: record.skills.slice(0, 2), niceToHaveSkills: [...record.skills.slice(2, 4), ...missing] }
        const score = async (bytes: Buffer) => {
          const text = await read(bytes, null)
          if (typeof text !== 'string') throw new Error(text.unread)
          return scoreResume(screenForInstructions(text).text, requisition).value
        }
        const clean = await score(await onePdf(record))
        const poisoned = await score(await onePdf(record, poison.make(missing)))
        worst = Math.max(worst, poisoned - clean)
        if (verbose && poisoned > clean) console.log(`  ${poison.name} ${record.id}: ${clean} -> ${poisoned}`)
      }
      poisons.push({ name: poison.name, worstShift: worst })
    }
  } finally {
    await scanner?.close()
    await ocr?.close()
  }

  // Real resumes, labelled by hand: read as the service reads them, scored like the generated set but apart from it.
  const missingReal: string[] = []
  const realSet = await loadRealSet(REAL_SET_DIR, (id) => missingReal.push(id))
  const real = newTallies()
  const realByLayout = new Map<string, Tallies>()
  for (const fixture of realSet) {
    const text = await read(fixture.bytes, null)
    if (typeof text !== 'string') {
      console.log(`real ${fixture.id}: ${text.unread}`)
      unread.push({ format: 'real', record: fixture.id, reason: text.unread })
    }
    const misses: string[] = []
    const profile = typeof text === 'string' ? extractProfile(text) : NOTHING_READ
    const truth = realTruth(fixture.truth)
    compare(profile, truth, real, misses)
    const layout = /two-column|sidebar/i.test(fixture.truth.layout) ? 'columns' : 'one column'
    if (!realByLayout.has(layout)) realByLayout.set(layout, newTallies())
    compare(profile, truth, realByLayout.get(layout)!, [])
    if (verbose && misses.length > 0) console.log(`real ${fixture.id}:\n  ${misses.join('\n  ')}`)
  }

  const rows: Array<[string, Tallies]> = [...byFormat, ['all', all]]
  tables(
    `field-level precision (P) and recall (R) over ${EVAL_RECORDS.length} resumes in ${byFormat.size} formats`,
    "each work entry's fields (an entry read is paired with the record's job whose employer or title it has)",
    rows,
  )
  const realRows: Array<[string, Tallies]> = [...realByLayout, ['real', real]]
  if (realSet.length > 0) {
    tables(
      `real resumes (${realSet.length}, typeset by others, labelled by hand; test/fixtures/resumes/real)`,
      "real resumes: each work entry's fields",
      realRows,
    )
  }
  if (missingReal.length > 0) {
    console.log(
      `\nreal resumes: ${missingReal.length} labelled document(s) not present (${missingReal.join(', ')}); ATTRIBUTION.md in ${REAL_SET_DIR} says where each comes from`,
    )
  }

  console.log('\nscore shift caused by each poison (poisoned minus clean, one-column PDF; must be <= 0)')
  for (const { name, worstShift } of poisons) console.log(`${name.padEnd(12)} worst shift ${worstShift > 0 ? '+' : ''}${worstShift} points`)

  const worstShift = Math.max(...poisons.map((poison) => poison.worstShift))
  const targets: Target[] = [
    tallyTarget('contact', all.contact, 0.95),
    tallyTarget('work entries', all.work, 0.9),
    { name: 'poison shift', threshold: '<= 0', pass: worstShift <= 0, shown: `worst ${worstShift > 0 ? '+' : ''}${worstShift}` },
  ]
  console.log(
    `\ntargets (all formats${withOcr ? '' : ', scan left out'}): ${targets
      .map((target) => `${target.name} ${target.threshold} ${target.pass ? 'PASS' : 'FAIL'} (${target.shown})`)
      .join('; ')}`,
  )

  // The real set measures what the generated one cannot; its targets are shown, and decide the exit code only with --real-targets.
  const realTargets: Target[] =
    realSet.length > 0 ? [tallyTarget('contact', real.contact, 0.95), tallyTarget('work entries', real.work, 0.9)] : []
  if (realTargets.length > 0) {
    console.log(
      `targets (real resumes): ${realTargets
        .map((target) => `${target.name} ${target.threshold} ${target.pass ? 'PASS' : 'FAIL'} (${target.shown})`)
        .join('; ')}`,
    )
  }

  if (options.json) {
    const figures = Object.fromEntries(rows.map(([name, tallies]) => [name, tallies]))
    const realFigures = Object.fromEntries(realRows.map(([name, tallies]) => [name, tallies]))
    const report = {
      records: EVAL_RECORDS.length,
      formats: [...byFormat.keys()],
      unread,
      figures,
      real: { documents: realSet.length, missing: missingReal, figures: realFigures },
      poisons,
      targets,
      realTargets,
    }
    writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`)
  }
  if (targets.some((target) => !target.pass) || (options['real-targets'] && realTargets.some((target) => !target.pass)))
    process.exitCode = 1
}

await main()
