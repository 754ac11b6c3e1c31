// Email templates (eta): bundled in templates/, each one overridable by an
// object in an S3 bucket under a prefix (seed §3: TEMPLATE_BUCKET,
// TEMPLATE_PREFIX), so HR's wording can change without a deploy.
//
// Templates are code (eta compiles them to JavaScript): whoever can write
// the template bucket can run code in the worker. Grant s3:PutObject on that
// prefix as you would a deploy.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3'
import { headerText, singleLine } from '../domain/display-text.ts'
import { SingleFlight } from '../async/single-flight.ts'
// The core build has no file access: a template cannot include or read a file.
import { Eta, type TemplateFunction } from 'eta/core'

export interface TemplateSource {
  /** The text of the template `name` (e.g. "decision.html.eta"). */
  load(name: string): Promise<string>
  /** Checks the templates can be read now (uncached); throws with the reason when not. */
  ping(): Promise<void>
}

/** A template every email needs: a source that cannot give it cannot send HR anything. */
const PING_TEMPLATE = 'decision.html.eta'

/** The templates/ folder shipped with hireflow. */
export const BUNDLED_TEMPLATE_DIR = fileURLToPath(new URL('../../templates/', import.meta.url))

// Names are ours, never user input, but a name is also a path and an S3 key.
const TEMPLATE_NAME = /^[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.eta$/

function assertName(name: string): void {
  if (!TEMPLATE_NAME.test(name)) throw new Error(`invalid template name ${JSON.stringify(name)}`)
}

/** Templates in a folder, read once: they ship with the code and change with a deploy. */
export class DirectoryTemplateSource implements TemplateSource {
  readonly #dir: string
  readonly #cache = new Map<string, Promise<string>>()

  constructor(dir: string = BUNDLED_TEMPLATE_DIR) {
    this.#dir = dir
  }

  async load(name: string): Promise<string> {
    assertName(name)
    let text = this.#cache.get(name)
    if (!text) {
      text = readFile(join(this.#dir, name), 'utf8')
      // A failed read is not remembered: the next email tries again.
      text.catch(() => this.#cache.delete(name))
      this.#cache.set(name, text)
    }
    return text
  }

  async ping(): Promise<void> {
    await readFile(join(this.#dir, PING_TEMPLATE), 'utf8')
  }
}

export interface S3TemplateSourceOptions {
  client: S3Client
  bucket: string
  /** Key prefix, e.g. "email-templates/"; the key is `<prefix><name>`. */
  prefix: string
  /** Where a template comes from when the bucket has no override for it. */
  fallback?: TemplateSource
  /** How long a loaded template (or the absence of an override) is trusted. */
  ttlSeconds?: number
  /** Clock, for tests. */
  now?: () => number
}

interface CachedTemplate {
  text: string
  expiresAt: number
}

export class S3TemplateSource implements TemplateSource {
  readonly #client: S3Client
  readonly #bucket: string
  readonly #prefix: string
  readonly #fallback: TemplateSource
  readonly #ttlMs: number
  readonly #now: () => number
  readonly #cache = new Map<string, CachedTemplate>()
  // Concurrent emails share one request per template instead of racing.
  readonly #loading = new SingleFlight<string, string>()

  constructor(options: S3TemplateSourceOptions) {
    this.#client = options.client
    this.#bucket = options.bucket
    this.#prefix = options.prefix
    this.#fallback = options.fallback ?? new DirectoryTemplateSource()
    this.#ttlMs = (options.ttlSeconds ?? 300) * 1000
    this.#now = options.now ?? Date.now
  }

  async load(name: string): Promise<string> {
    assertName(name)
    const cached = this.#cache.get(name)
    if (cached && cached.expiresAt > this.#now()) return cached.text
    return this.#loading.run(name, () => this.#fetch(name))
  }

  async #fetch(name: string): Promise<string> {
    let text: string
    try {
      const result = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: `${this.#prefix}${name}` }))
      if (!result.Body) throw new Error(`S3 returned no body for template ${name}`)
      text = await result.Body.transformToString('utf8')
    } catch (error) {
      // Only a missing override falls back; anything else (throttling, a
      // missing bucket, denied access) must surface so the job retries
      // rather than silently mailing the wrong wording.
      if (!(error instanceof Error && error.name === 'NoSuchKey')) throw error
      text = await this.#fallback.load(name)
    }
    this.#cache.set(name, { text, expiresAt: this.#now() + this.#ttlMs })
    return text
  }

  /**
   * Lists the prefix (the permission a missing override needs to read as
   * "no such key" rather than "access denied"), then the fallback.
   */
  async ping(): Promise<void> {
    await this.#client.send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: this.#prefix, MaxKeys: 1 }))
    await this.#fallback.ping()
  }
}

export interface RenderedEmail {
  subject: string
  html: string
  text: string
}

const SUBJECT_MAX = 200
const COMPILED_CACHE_MAX = 64

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Text made safe inside HTML elements and quoted attributes: &, <, >, " and ' escaped. */
export function escapeMarkup(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string)
}

/** `<%= %>` in HTML: one line (no control or bidi characters), then HTML-escaped, quotes included. */
function escapeHtml(value: unknown): string {
  return escapeMarkup(singleLine(String(value)))
}

/** `<%= %>` in text and subject: no markup to escape, but a value cannot break a line or reorder one. */
function escapeText(value: unknown): string {
  return singleLine(String(value))
}

/**
 * Renders `<name>.subject.eta`, `<name>.html.eta` and `<name>.txt.eta`. Every
 * `<%= %>` puts its value on one line, without control or bidi characters
 * (a line break in a resume's name must not start a line that reads as a
 * header, a bidi override must not reorder what HR reads); in HTML it is also
 * escaped. Line breaks belong to the template text. `<%~ %>` is raw: never
 * for data. The subject is forced onto one bounded line whatever the template holds.
 */
export class TemplateRenderer {
  readonly #source: TemplateSource
  // autoTrim off: text mail is whitespace-sensitive, and eta's default would
  // swallow the newline after every `<%= %>`. Control tags end with `-%>`.
  readonly #html = new Eta({ autoEscape: true, escapeFunction: escapeHtml, autoTrim: false, cache: false })
  readonly #plain = new Eta({ autoEscape: true, escapeFunction: escapeText, autoTrim: false, cache: false })
  // Keyed by template text, so an override changed in S3 compiles afresh.
  readonly #compiled = new Map<string, TemplateFunction>()

  constructor(source: TemplateSource) {
    this.#source = source
  }

  /** The template source answers now (the bucket when there is one). */
  ping(): Promise<void> {
    return this.#source.ping()
  }

  async renderEmail(name: string, data: object): Promise<RenderedEmail> {
    const [subject, html, text] = await Promise.all([
      this.render(`${name}.subject.eta`, data),
      this.render(`${name}.html.eta`, data),
      this.render(`${name}.txt.eta`, data),
    ])
    return { subject, html, text }
  }

  /** Escaping follows the name: `.html.eta` escapes markup, `.subject.eta` comes out as one bounded line. */
  async render(templateName: string, data: object): Promise<string> {
    const text = await this.#source.load(templateName)
    const html = templateName.endsWith('.html.eta')
    const eta = html ? this.#html : this.#plain
    const key = `${html ? 'h' : 'p'}:${text}`
    let fn = this.#compiled.get(key)
    if (!fn) {
      try {
        fn = eta.compile(text)
      } catch (error) {
        throw new Error(`template ${templateName} does not compile: ${(error as Error).message}`, { cause: error })
      }
      if (this.#compiled.size >= COMPILED_CACHE_MAX) this.#compiled.clear()
      this.#compiled.set(key, fn)
    }
    const output = eta.render(fn, data)
    return templateName.endsWith('.subject.eta') ? toSubjectLine(output) : output
  }
}

function toSubjectLine(value: string): string {
  const line = headerText(value)
  const chars = Array.from(line)
  return chars.length <= SUBJECT_MAX
    ? line
    : `${chars
        .slice(0, SUBJECT_MAX - 1)
        .join('')
        .trimEnd()}…`
}
