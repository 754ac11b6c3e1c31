// The labelled set of `npm run eval`: resumes written as JSON Resume records
// (https://jsonresume.org/schema), one file each in test/fixtures/json-resume/,
// the ground truth each rendered file is scored against. Every person,
// employer and address in them is invented.
//
// A record keeps to the JSON Resume sections the evaluation renders and
// scores (basics, work, volunteer, education, skills, languages,
// certificates); a current job or role has no endDate, as in JSON Resume.
// `basics.location.region` is what the resume prints after the city. The
// non-standard "x-style" object varies what real resumes vary: date formats,
// headings, the name line glued to the title, letter-spaced names (phone
// formats vary with the records themselves).
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export interface EvalRecord {
  /** The file's name without `.json`. */
  id: string
  basics: {
    name: string
    label: string
    email: string
    phone: string
    /** As printed: "City, Region". */
    location: string
    /** Profile URLs, then the personal site (`basics.url`) if there is one. */
    profiles: string[]
  }
  work: Array<{ name: string; position: string; startDate: string; endDate: string | null; summary: string }>
  /** Volunteer roles and memberships: read, but not work experience. */
  volunteer: Array<{ organization: string; position: string; startDate: string; endDate: string | null }>
  education: Array<{ institution: string; studyType: string; area: string; startDate: string; endDate: string }>
  skills: string[]
  languages: string[]
  certificates: string[]
  style: EvalStyle
}

const DATE_STYLES = ['mon-yyyy', 'mm/yyyy', 'yyyy', 'mm/yy-now', 'dotted'] as const
const HEADING_STYLES = ['title', 'upper', 'spaced'] as const

export interface EvalStyle {
  dates: (typeof DATE_STYLES)[number]
  headings: (typeof HEADING_STYLES)[number]
  /** The name and the title on one line, as some PDF extractions glue them. */
  glued?: boolean
  letterSpacedName?: boolean
}

export const RECORDS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'json-resume')

export class RecordError extends Error {
  override name = 'RecordError'
}

type Json = unknown

/**
 * Reads one field after another of a parsed record; the first field that is
 * missing or of the wrong shape throws, naming the file and the field's path.
 */
class Reader {
  readonly file: string
  readonly at: string
  readonly value: Json

  constructor(file: string, at: string, value: Json) {
    this.file = file
    this.at = at
    this.value = value
  }

  fail(problem: string): never {
    throw new RecordError(`${this.file}: ${this.at || 'the record'} ${problem}`)
  }

  #child(key: string | number): Reader {
    const at = typeof key === 'number' ? `${this.at}[${key}]` : this.at ? `${this.at}.${key}` : key
    const object = this.value as Record<string | number, Json>
    return new Reader(this.file, at, object[key])
  }

  object(allowed: readonly string[]): Reader {
    if (typeof this.value !== 'object' || this.value === null || Array.isArray(this.value)) this.fail('must be an object')
    for (const key of Object.keys(this.value)) {
      if (!allowed.includes(key)) this.#child(key).fail(`is not a field the evaluation knows (expected one of: ${allowed.join(', ')})`)
    }
    return this
  }

  field(key: string): Reader {
    return this.#child(key)
  }

  array<T>(key: string, each: (item: Reader) => T): T[] {
    const list = this.#child(key)
    if (!Array.isArray(list.value)) list.fail('must be an array')
    return (list.value as Json[]).map((_, index) => each(list.#child(index)))
  }

  string(key: string): string {
    const value = this.#child(key)
    if (typeof value.value !== 'string' || value.value.trim() === '') value.fail('must be a non-empty string')
    return value.value as string
  }

  optionalString(key: string): string | null {
    return (this.value as Record<string, Json>)[key] === undefined ? null : this.string(key)
  }

  /** JSON Resume's dates: yyyy-mm or yyyy-mm-dd here (a year alone cannot be scored by month). */
  date(key: string): string {
    const value = this.string(key)
    if (!/^\d{4}-(0[1-9]|1[0-2])(-\d{2})?$/.test(value)) this.#child(key).fail(`must be a date as yyyy-mm or yyyy-mm-dd (got "${value}")`)
    return value
  }

  optionalDate(key: string): string | null {
    return (this.value as Record<string, Json>)[key] === undefined ? null : this.date(key)
  }

  optionalBoolean(key: string): boolean | undefined {
    const value = this.#child(key)
    if (value.value === undefined) return undefined
    if (typeof value.value !== 'boolean') value.fail('must be true or false')
    return value.value as boolean
  }

  oneOf<T extends string>(key: string, choices: readonly T[]): T {
    const value = this.string(key)
    if (!(choices as readonly string[]).includes(value)) this.#child(key).fail(`must be one of ${choices.join(', ')} (got "${value}")`)
    return value as T
  }
}

/** One JSON Resume file as the evaluation's record; a RecordError names the file and field that are wrong. */
export function parseRecord(file: string, text: string): EvalRecord {
  let json: Json
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new RecordError(`${file}: not valid JSON (${(error as Error).message})`)
  }
  const record = new Reader(file, '', json).object([
    'basics',
    'work',
    'volunteer',
    'education',
    'skills',
    'languages',
    'certificates',
    'x-style',
  ])
  const basics = record.field('basics').object(['name', 'label', 'email', 'phone', 'url', 'location', 'profiles'])
  const location = basics.field('location').object(['city', 'region', 'countryCode'])
  const countryCode = location.string('countryCode')
  if (!/^[A-Z]{2}$/.test(countryCode)) location.field('countryCode').fail(`must be an ISO 3166-1 alpha-2 code (got "${countryCode}")`)
  const email = basics.string('email')
  if (!/^[^\s@]+@[^\s@]+\.[a-z]+$/.test(email) || email !== email.toLowerCase())
    basics.field('email').fail(`must be a lower-case email address (got "${email}")`)
  const url = (item: Reader, key: string) => {
    const value = item.string(key)
    if (!/^https?:\/\/\S+$/.test(value)) item.field(key).fail(`must be an http(s) URL (got "${value}")`)
    return value
  }
  const profiles = basics.array('profiles', (profile) => {
    profile.object(['network', 'username', 'url'])
    profile.string('network')
    profile.optionalString('username')
    return url(profile, 'url')
  })
  const site = basics.optionalString('url') === null ? [] : [url(basics, 'url')]

  const style = record.field('x-style').object(['dates', 'headings', 'glued', 'letterSpacedName'])
  const glued = style.optionalBoolean('glued')
  const letterSpacedName = style.optionalBoolean('letterSpacedName')

  const work = record.array('work', (job) => {
    job.object(['name', 'position', 'startDate', 'endDate', 'summary'])
    return {
      name: job.string('name'),
      position: job.string('position'),
      startDate: job.date('startDate'),
      endDate: job.optionalDate('endDate'),
      summary: job.string('summary'),
    }
  })
  if (work.length === 0) record.field('work').fail('must list at least one job: work entries are what the evaluation scores most')

  return {
    id: path.basename(file, '.json'),
    basics: {
      name: basics.string('name'),
      label: basics.string('label'),
      email,
      phone: basics.string('phone'),
      location: `${location.string('city')}, ${location.string('region')}`,
      profiles: [...profiles, ...site],
    },
    work,
    volunteer: record.array('volunteer', (role) => {
      role.object(['organization', 'position', 'startDate', 'endDate'])
      return {
        organization: role.string('organization'),
        position: role.string('position'),
        startDate: role.date('startDate'),
        endDate: role.optionalDate('endDate'),
      }
    }),
    education: record.array('education', (school) => {
      school.object(['institution', 'studyType', 'area', 'startDate', 'endDate'])
      return {
        institution: school.string('institution'),
        studyType: school.string('studyType'),
        area: school.string('area'),
        startDate: school.date('startDate'),
        endDate: school.date('endDate'),
      }
    }),
    skills: record.array('skills', (skill) => skill.object(['name']).string('name')),
    languages: record.array('languages', (language) => language.object(['language']).string('language')),
    certificates: record.array('certificates', (certificate) => certificate.object(['name']).string('name')),
    style: {
      dates: style.oneOf('dates', DATE_STYLES),
      headings: style.oneOf('headings', HEADING_STYLES),
      ...(glued === undefined ? {} : { glued }),
      ...(letterSpacedName === undefined ? {} : { letterSpacedName }),
    },
  }
}

/** Every `*.json` in the folder, in file-name order. */
export function loadRecords(dir = RECORDS_DIR): EvalRecord[] {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
  if (files.length === 0) throw new RecordError(`${dir}: no JSON Resume records`)
  return files.map((name) =>
    parseRecord(path.join(path.relative(process.cwd(), dir) || '.', name), readFileSync(path.join(dir, name), 'utf8')),
  )
}

export const EVAL_RECORDS: EvalRecord[] = loadRecords()
