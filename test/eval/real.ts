// The real-resume set: openly licensed resumes that people outside the team
// wrote and typeset (test/fixtures/resumes/real), each labelled by hand in
// <id>.json from the source it was typeset from and from reading the document.
// The labels say what the resume says, not what the profile reader makes of it,
// so the set measures the reader rather than echoing it. ATTRIBUTION.md in the
// folder names the origin and licence of every document.
//
//   node test/eval/real.ts --check
//
// loads and validates the whole set and prints one line per fixture.
import { readdir, readFile } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** A date at the precision the resume prints it: a year, or a year and month. */
export type LabelDate = `${number}` | `${number}-${number}`

export interface RealTruth {
  id: string
  source: { repository: string; path: string; commit: string; licence: string }
  /** How the page is laid out, e.g. 'one-column LaTeX', 'two-column', 'moderncv'. */
  layout: string
  basics: {
    name: string
    email: string | null
    /** As printed. */
    phone: string | null
    /** Profile and website addresses, as fully as the resume gives them (a link target where it has one). */
    links: string[]
    location: string | null
  }
  /** Paid jobs and internships only. */
  work: Array<{ employer: string; title: string; start: LabelDate | null; end: LabelDate | null; current: boolean }>
  volunteer: Array<{ organization: string; title: string }>
  education: Array<{ institution: string; degree: string | null; start: LabelDate | null; end: LabelDate | null }>
  /** Each skill named in a skills section, one skill an entry. */
  skills: string[]
  /** Human languages only. */
  languages: string[]
  certificates: string[]
}

export interface RealFixture {
  id: string
  /** The document's path on disk. */
  file: string
  bytes: Buffer
  truth: RealTruth
}

export const REAL_SET_DIR = fileURLToPath(new URL('../fixtures/resumes/real/', import.meta.url))

// Files in the folder that are neither a document nor its label.
const NOT_FIXTURES = new Set(['ATTRIBUTION.md', 'README.md'])
const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/
const DATE = /^\d{4}(?:-(?:0[1-9]|1[0-2]))?$/
const COMMIT = /^[0-9a-f]{40}$/

/**
 * Every labelled document in the folder, in id order. Throws on the first
 * label that does not fit RealTruth. The documents are not kept in the
 * repository (ATTRIBUTION.md says where each comes from): with `onMissing`, a
 * label whose document is absent is reported to it and skipped; without, it
 * is an error.
 */
export async function loadRealSet(
  dir: string = REAL_SET_DIR,
  onMissing?: (id: string, source: RealTruth['source']) => void,
): Promise<RealFixture[]> {
  const names = (await readdir(dir)).filter((name) => !NOT_FIXTURES.has(name) && !name.startsWith('.'))
  const labels = names.filter((name) => extname(name) === '.json')
  const documents = new Map<string, string[]>()
  for (const name of names) {
    if (extname(name) === '.json') continue
    const id = name.slice(0, name.length - extname(name).length)
    documents.set(id, [...(documents.get(id) ?? []), name])
  }

  const fixtures: RealFixture[] = []
  for (const label of labels.sort()) {
    const id = label.slice(0, -'.json'.length)
    const where = join(dir, label)
    let raw: unknown
    try {
      raw = JSON.parse(await readFile(where, 'utf8'))
    } catch (error) {
      throw new Error(`${where}: not valid JSON (${(error as Error).message})`, { cause: error })
    }
    const truth = validateTruth(raw, where)
    if (truth.id !== id) throw new Error(`${where}: id is "${truth.id}" but the file is named for "${id}"`)
    const found = documents.get(id) ?? []
    if (found.length === 0 && onMissing) {
      onMissing(id, truth.source)
      continue
    }
    if (found.length === 0) {
      throw new Error(
        `${where}: no document ${id}.<ext> beside the label; it comes from ${truth.source.repository} ${truth.source.path} at ${truth.source.commit}`,
      )
    }
    if (found.length > 1) throw new Error(`${where}: more than one document for "${id}": ${found.join(', ')}`)
    const file = join(dir, found[0])
    fixtures.push({ id, file, bytes: await readFile(file), truth })
    documents.delete(id)
  }
  // A document nobody labelled would silently drop out of every figure.
  if (documents.size > 0) {
    throw new Error(`${dir}: documents without a label (<id>.json): ${[...documents.values()].flat().sort().join(', ')}`)
  }
  return fixtures
}

type Shape = Record<string, (value: unknown, path: string) => void>

/** Checks a parsed label against RealTruth, naming the file and field of the first thing wrong. */
export function validateTruth(raw: unknown, where: string): RealTruth {
  const fail = (path: string, expected: string, value: unknown): never => {
    throw new Error(`${where}: ${path} must be ${expected}, got ${JSON.stringify(value)}`)
  }
  const text = (value: unknown, path: string) => {
    if (typeof value !== 'string' || value.trim() === '') fail(path, 'a non-empty string', value)
  }
  const textOrNull = (value: unknown, path: string) => {
    if (value !== null) text(value, path)
  }
  const dateOrNull = (value: unknown, path: string) => {
    if (value !== null && (typeof value !== 'string' || !DATE.test(value))) fail(path, "'YYYY', 'YYYY-MM' or null", value)
  }
  const bool = (value: unknown, path: string) => {
    if (typeof value !== 'boolean') fail(path, 'true or false', value)
  }
  const pattern = (re: RegExp, expected: string) => (value: unknown, path: string) => {
    if (typeof value !== 'string' || !re.test(value)) fail(path, expected, value)
  }
  const object = (shape: Shape) => (value: unknown, path: string) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(path, 'an object', value)
    const record = value as Record<string, unknown>
    for (const key of Object.keys(record)) {
      if (!(key in shape)) throw new Error(`${where}: ${path}.${key} is not a field of the label`)
    }
    for (const [key, check] of Object.entries(shape)) {
      if (!(key in record)) throw new Error(`${where}: ${path}.${key} is missing (use null or [] when the resume has none)`)
      check(record[key], `${path}.${key}`)
    }
  }
  const list = (item: (value: unknown, path: string) => void) => (value: unknown, path: string) => {
    if (!Array.isArray(value)) return fail(path, 'an array', value)
    value.forEach((entry, index) => item(entry, `${path}[${index}]`))
  }

  object({
    id: pattern(ID, 'a kebab-case id'),
    source: object({
      repository: pattern(/^[\w.-]+\/[\w.-]+$/, 'owner/name'),
      path: text,
      commit: pattern(COMMIT, 'a 40-digit commit'),
      licence: text,
    }),
    layout: text,
    basics: object({ name: text, email: textOrNull, phone: textOrNull, links: list(text), location: textOrNull }),
    work: list(object({ employer: text, title: text, start: dateOrNull, end: dateOrNull, current: bool })),
    volunteer: list(object({ organization: text, title: text })),
    education: list(object({ institution: text, degree: textOrNull, start: dateOrNull, end: dateOrNull })),
    skills: list(text),
    languages: list(text),
    certificates: list(text),
  })(raw, 'label')

  const truth = raw as RealTruth
  // Dates of different precision compare on what both print: 2012 does not end before 2012-05.
  const before = (end: string, start: string) => {
    const length = Math.min(end.length, start.length)
    return end.slice(0, length) < start.slice(0, length)
  }
  // A current job has no end; an end before the start is a slip in the label.
  truth.work.forEach((job, index) => {
    if (job.current && job.end !== null) fail(`label.work[${index}].end`, 'null for a current job', job.end)
    if (job.start !== null && job.end !== null && before(job.end, job.start))
      fail(`label.work[${index}].end`, `no earlier than ${job.start}`, job.end)
  })
  truth.education.forEach((school, index) => {
    if (school.start !== null && school.end !== null && before(school.end, school.start)) {
      fail(`label.education[${index}].end`, `no earlier than ${school.start}`, school.end)
    }
  })
  return truth
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!process.argv.includes('--check')) {
    console.error('usage: node test/eval/real.ts --check')
    process.exit(2)
  }
  try {
    const fixtures = await loadRealSet()
    for (const { id, truth, bytes } of fixtures) {
      console.log(
        `${id}  ${truth.layout}  ${bytes.length} bytes  work ${truth.work.length}  education ${truth.education.length}  skills ${truth.skills.length}`,
      )
    }
    console.log(`${fixtures.length} fixtures`)
  } catch (error) {
    console.error((error as Error).message)
    process.exit(1)
  }
}
