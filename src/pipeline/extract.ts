// Plain text out of a resume file. Every input here is attacker-controlled, so
// each format runs under caps: decoded stream sizes, pages and wall time for
// PDF, inflated size and entry count for DOCX, characters for all (DOC, RTF
// and HTML are read in one bounded pass over bytes already capped in size).
// A PDF's pages are separated by a form feed at the start of each new page's
// first line (formats/normalise.ts); every other format is one page.
import { crc32, inflateRaw } from 'node:zlib'
import { promisify } from 'node:util'
import mammoth from 'mammoth'
import { getResolvedPDFJS } from 'unpdf'
import type { ResumeKind } from './detect.ts'
import { decodeText, textEncodingOf } from './text-encoding.ts'
import { checkPdfStreams, PdfBombError } from './pdf-streams.ts'
import { hasText, normaliseText, PAGE_BREAK } from './formats/normalise.ts'
import { pageText } from './formats/pdf-layout.ts'
import { hiddenRuns, judgeGlyphs, withoutHidden, type HiddenText } from './formats/hidden-text.ts'
import { removeHiddenRuns } from './formats/docx-hidden.ts'
import { headerText, hyperlinkTargets, pictureParts, visibleHeaderParts } from './formats/docx-headers.ts'
import { readRtf, RtfError } from './formats/rtf.ts'
import { declaredCharset, HtmlError, readHtml } from './formats/html.ts'
import { DocError, readDoc } from './formats/doc.ts'
import { CfbError } from './formats/cfb.ts'
import { UnreadableResumeError } from './unreadable.ts'
import { imageFormatOf, imageSize } from './ocr/image-size.ts'

export { normaliseText, PAGE_BREAK } from './formats/normalise.ts'
export type { HiddenText } from './formats/hidden-text.ts'

/** A resume's readable text, and what the file hid from a reader (already left out of the text). */
export interface ExtractedResume {
  text: string
  hidden: HiddenText[]
}

/** Findings kept per resume: enough for HR to see what was done. */
const MAX_HIDDEN = 20

export interface ExtractionLimits {
  /** PDF pages read; the rest of a longer document is ignored. */
  maxPages: number
  /** Wall-clock budget for reading one PDF. */
  timeoutMs: number
  /** Total inflated size a DOCX may have, as declared and as actually inflated. */
  maxInflatedBytes: number
  /** Inflated-to-compressed ratio above which a large zip entry is taken for a bomb. */
  maxCompressionRatio: number
  maxZipEntries: number
  /** Characters returned; the text beyond is dropped. */
  maxChars: number
  /** Largest any one PDF stream may decode to (pdf-streams.ts), at any of its filters. */
  maxPdfStreamBytes: number
  /** All of a PDF's streams together, decoded. */
  maxPdfDecodedBytes: number
}

export const DEFAULT_EXTRACTION_LIMITS: Readonly<ExtractionLimits> = Object.freeze({
  maxPages: 50,
  timeoutMs: 20_000,
  maxInflatedBytes: 50 * 1024 * 1024,
  maxCompressionRatio: 100,
  maxZipEntries: 1000,
  maxChars: 200_000,
  // A resume's text, fonts and a photo decode to a few MiB; a full-page
  // lossless scan to about 25 MiB a page.
  maxPdfStreamBytes: 64 * 1024 * 1024,
  maxPdfDecodedBytes: 128 * 1024 * 1024,
})

export { UnreadableResumeError, type UnreadableProblem } from './unreadable.ts'

export async function extractText(bytes: Buffer, kind: ResumeKind, limits: Partial<ExtractionLimits> = {}): Promise<string> {
  return (await extractResume(bytes, kind, limits)).text
}

/** The text with hidden text (PDF, DOCX, DOC, RTF, HTML) taken out, and what was taken out. */
export async function extractResume(bytes: Buffer, kind: ResumeKind, limits: Partial<ExtractionLimits> = {}): Promise<ExtractedResume> {
  const caps: ExtractionLimits = { ...DEFAULT_EXTRACTION_LIMITS, ...limits }
  let raw: string
  let hidden: HiddenText[] = []
  switch (kind) {
    case 'pdf':
      ;({ text: raw, hidden } = await extractPdf(bytes, caps))
      break
    case 'docx':
      ;({ text: raw, hidden } = await extractDocx(bytes, caps))
      break
    case 'doc':
      ;({ text: raw, hidden } = extractDoc(bytes, caps))
      break
    case 'rtf':
      ;({ text: raw, hidden } = extractRtf(bytes, caps))
      break
    case 'html':
      ;({ text: raw, hidden } = extractHtml(bytes, caps))
      break
    case 'text':
      raw = decodeTextResume(bytes)
      break
  }
  if (kind !== 'pdf') raw = raw.replaceAll(PAGE_BREAK, '\n')
  const text = normaliseText(raw, caps.maxChars)
  if (!hasText(text)) throw new UnreadableResumeError(emptyMessage(kind), { problem: 'no_text' })
  if (kind === 'docx') await refuseResumeInPictures(bytes, text, caps)
  return { text, hidden: hidden.slice(0, MAX_HIDDEN) }
}

/** Below this many characters (white space aside), a Word document's text is a caption or a name, not a resume. */
const DOCX_LITTLE_TEXT = 200
/** A picture this large beside little text is the resume itself, pasted in as an image (a page: 0.3 to 1.5 megapixels). */
const DOCX_PAGE_PICTURE_PIXELS = 200_000

/**
 * A Word document whose text is only a caption ("CV – Jane Doe") beside a picture of a page holds its
 * resume in the picture. It is refused as `no_text` with a message saying so, which sends it to OCR
 * (jobs/ocr.ts), where the pictures are read and the caption kept.
 */
async function refuseResumeInPictures(bytes: Buffer, text: string, caps: ExtractionLimits): Promise<void> {
  const characters = text.replace(/\s+/g, '').length
  if (characters >= DOCX_LITTLE_TEXT) return
  const pictures = await docxPictures(bytes, MAX_DOCX_PICTURES, caps)
  const page = pictures.some((picture) => {
    const format = imageFormatOf(picture)
    const size = format && imageSize(picture, format)
    return size !== undefined && size.width * size.height >= DOCX_PAGE_PICTURE_PIXELS
  })
  if (page) {
    throw new UnreadableResumeError(`the DOCX has only ${characters} characters of text, beside a picture the size of a page`, {
      problem: 'no_text',
    })
  }
}

/**
 * A Word document's own text, normalised, and its hidden runs (empty when it has none; no check of its
 * pictures), with the pictures its body shows, up to `maxPictures`: what OCR reads, from one check of the zip.
 */
export async function docxTextAndPictures(
  bytes: Buffer,
  maxPictures: number,
  limits: Partial<ExtractionLimits> = {},
): Promise<ExtractedResume & { pictures: Buffer[] }> {
  const caps: ExtractionLimits = { ...DEFAULT_EXTRACTION_LIMITS, ...limits }
  const zip = await checkZip(bytes, caps, XML_PART_OR_MEDIA)
  const { text, hidden } = await readDocx(bytes, zip)
  return {
    text: normaliseText(text.replaceAll(PAGE_BREAK, '\n'), caps.maxChars),
    hidden: hidden.slice(0, MAX_HIDDEN),
    pictures: picturesOf(zip.parts, maxPictures),
  }
}

function emptyMessage(kind: ResumeKind): string {
  switch (kind) {
    case 'pdf':
      return 'no text could be extracted (scanned image?)'
    case 'docx':
      return 'the DOCX contains no text'
    case 'doc':
      return 'the Word document contains no text'
    case 'rtf':
      return 'the RTF document contains no text'
    case 'html':
      return 'the HTML page shows no text'
    case 'text':
      return 'the text file is empty'
  }
}

// ---------------------------------------------------------------- text

function decodeTextResume(bytes: Buffer, what = 'text file'): string {
  const encoding = textEncodingOf(bytes)
  const text = decodeText(bytes, encoding)
  if (text === undefined) {
    const name = encoding === 'utf-16le' ? 'UTF-16LE' : encoding === 'utf-16be' ? 'UTF-16BE' : 'UTF-8'
    throw new UnreadableResumeError(`the ${what} is not valid ${name}`, { problem: 'damaged' })
  }
  return text
}

// ---------------------------------------------------------------- HTML, RTF, DOC

/**
 * An HTML page as text: Unicode when its bytes are (a byte order mark, UTF-16
 * or valid UTF-8), else the charset its meta tag declares, else Windows-1252.
 */
function decodeHtml(bytes: Buffer): string {
  const encoding = textEncodingOf(bytes)
  if (encoding === 'windows-1252') {
    const declared = declaredCharset(bytes)
    if (declared) {
      try {
        return new TextDecoder(declared).decode(bytes)
      } catch {
        // An unknown label: Windows-1252, as a browser would.
      }
    }
  }
  return decodeTextResume(bytes, 'HTML page')
}

function extractHtml(bytes: Buffer, caps: ExtractionLimits): ExtractedResume {
  const html = decodeHtml(bytes)
  try {
    return readHtml(html, caps.maxChars * 2, MAX_HIDDEN)
  } catch (cause) {
    if (cause instanceof HtmlError)
      throw new UnreadableResumeError(`the HTML page is damaged (${cause.message})`, { problem: 'damaged', cause })
    throw cause
  }
}

function extractRtf(bytes: Buffer, caps: ExtractionLimits): ExtractedResume {
  try {
    return readRtf(bytes, caps.maxChars * 2, MAX_HIDDEN)
  } catch (cause) {
    if (cause instanceof RtfError)
      throw new UnreadableResumeError(`the RTF document is damaged (${cause.message})`, { problem: 'damaged', cause })
    throw cause
  }
}

function extractDoc(bytes: Buffer, caps: ExtractionLimits): ExtractedResume {
  try {
    return readDoc(bytes, caps.maxChars * 2, MAX_HIDDEN)
  } catch (cause) {
    if (cause instanceof DocError && cause.encrypted)
      throw new UnreadableResumeError('the Word document is encrypted', { problem: 'encrypted', cause })
    if (cause instanceof DocError || cause instanceof CfbError || cause instanceof RangeError) {
      throw new UnreadableResumeError(`the Word document is damaged (${cause.message})`, { problem: 'damaged', cause })
    }
    throw cause
  }
}

// ---------------------------------------------------------------- PDF

/**
 * A PDF opened for reading (text here, page images for OCR): its streams checked for bombs first, then pdf.js
 * with eval off and nothing fetched. The caller destroys the loading task.
 */
export type OpenedPdf = Awaited<ReturnType<typeof openPdf>>

export async function openPdf(bytes: Buffer, caps: Pick<ExtractionLimits, 'maxPdfStreamBytes' | 'maxPdfDecodedBytes'>) {
  // Before pdf.js: it would decode a bomb whole, outside the thread's heap limit.
  try {
    checkPdfStreams(bytes, { maxStreamBytes: caps.maxPdfStreamBytes, maxDecodedBytes: caps.maxPdfDecodedBytes })
  } catch (error) {
    if (error instanceof PdfBombError) throw new UnreadableResumeError(error.message, { problem: error.problem, cause: error })
    // Not a verdict but a failure of the check on these bytes: the same bytes
    // would fail it again, so retrying cannot help, and pdf.js must not get them unchecked.
    throw new UnreadableResumeError('the PDF is damaged (its streams could not be checked)', { problem: 'damaged', cause: error })
  }
  const pdfjs = await getResolvedPDFJS()
  const loadingTask = pdfjs.getDocument({
    // pdf.js refuses a Buffer and may take ownership of (detach) what it is
    // given, so it gets its own copy.
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    useSystemFonts: true,
    disableFontFace: true,
    // No URLs for fonts, CMaps, ICC profiles or wasm: nothing is fetched.
    useWorkerFetch: false,
    useWasm: false,
    enableXfa: false,
    isOffscreenCanvasSupported: false,
    isImageDecoderSupported: false,
    stopAtErrors: false,
    verbosity: 0,
  })
  return { pdfjs, loadingTask }
}

async function extractPdf(bytes: Buffer, caps: ExtractionLimits): Promise<ExtractedResume> {
  const opened = await openPdf(bytes, caps)
  const { pdfjs } = opened
  return readPdfWithin(opened, caps.timeoutMs, 'the PDF', async (doc, checkTime) => {
    const pageCount = Math.min(doc.numPages, caps.maxPages)
    const parts: string[] = []
    const hidden: HiddenText[] = []
    let length = 0
    let shown = false
    for (let pageNumber = 1; pageNumber <= pageCount && length <= caps.maxChars; pageNumber++) {
      checkTime()
      const page = await doc.getPage(pageNumber)
      const content = await page.getTextContent()
      let items = content.items.filter((item) => 'str' in item)
      // The text content has no colours: the operators say what a reader actually sees. A page
      // without text (a scan) is not replayed, which would decode its images for nothing; nor are
      // annotations, which the text content leaves out too.
      if (items.some((item) => item.str.trim() !== '')) {
        const glyphs = judgeGlyphs(
          await page.getOperatorList({ annotationMode: pdfjs.AnnotationMode.DISABLE }),
          pdfjs.OPS,
          page.view,
          (name) => type3Font(page.commonObjs, name),
          (name) => fontWidthScale(page.commonObjs, name),
        )
        if (hidden.length < MAX_HIDDEN) hidden.push(...hiddenRuns(glyphs, pageNumber))
        items = withoutHidden(items, glyphs)
      }
      // Form feeds inside a page's own text would count as page breaks.
      const visible = pageText(items).replaceAll(PAGE_BREAK, '\n')
      // A link behind an icon or a handle ("in", a GitHub logo) lives only in the page's link annotations:
      // its address is added after the page's text, so the profile can read it like a written one.
      shown ||= hasText(visible)
      const links = linkTargets(await page.getAnnotations({ intent: 'display' }), visible)
      const text = links.length > 0 ? `${visible}\n${links.join('\n')}` : visible
      page.cleanup()
      parts.push(text)
      length += text.length
    }
    // A scan with link annotations over it (a designer's export of a picture of the page) shows no text of its own:
    // it is read as a scan, not as its links alone.
    if (!shown) return { text: '', hidden }
    return { text: parts.join(PAGE_BREAK), hidden }
  })
}

/**
 * Reads an opened PDF within `timeoutMs`. pdf.js's own timer only fires when
 * it yields, so `read` also calls `checkTime` between pages, which bounds a
 * document that yields often but never finishes. pdf.js is destroyed
 * afterwards whatever happened (aborting a parse still running after a
 * timeout), and what it threw becomes an UnreadableResumeError.
 */
export async function readPdfWithin<T>(
  { loadingTask }: OpenedPdf,
  timeoutMs: number,
  what: string,
  read: (doc: Awaited<OpenedPdf['loadingTask']['promise']>, checkTime: () => void) => Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = Date.now() + timeoutMs
  const tooSlow = () => new UnreadableResumeError(`${what} took longer than ${formatDuration(timeoutMs)} to read`, { problem: 'too_slow' })
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(tooSlow()), timeoutMs)
  })
  const checkTime = () => {
    if (Date.now() > deadline) throw tooSlow()
  }
  const reading = loadingTask.promise.then((doc) => read(doc, checkTime))
  // Whichever loses the race must not surface later as an unhandled rejection.
  reading.catch(() => {})
  try {
    return await Promise.race([reading, timeout])
  } catch (error) {
    throw pdfFailure(error)
  } finally {
    clearTimeout(timer)
    await loadingTask.destroy()
  }
}

/** Link annotations a page carries at most that are read. */
const MAX_LINKS_PER_PAGE = 20

/**
 * The web and mail addresses of a page's link annotations that its text does
 * not already show, once each. Only http(s) and mailto: a javascript: or
 * file: target is nobody's profile.
 */
export function linkTargets(annotations: ReadonlyArray<{ subtype?: unknown; url?: unknown }>, pageText: string): string[] {
  const shown = pageText.toLowerCase()
  const found = new Set<string>()
  for (const annotation of annotations) {
    if (found.size >= MAX_LINKS_PER_PAGE) break
    if (annotation.subtype !== 'Link' || typeof annotation.url !== 'string') continue
    const url = annotation.url.trim()
    if (url.length > 500 || !/^(?:https?:\/\/|mailto:)\S+$/i.test(url)) continue
    const address = url.replace(/^mailto:/i, '')
    const bare = address
      .toLowerCase()
      .replace(/^https?:\/\/(?:www\.)?/, '')
      .replace(/\/+$/, '')
    if (shown.includes(bare)) continue
    found.add(address)
  }
  return [...found]
}

/** Whether the operator list's font is a Type 3 font (pdf.js has loaded every font the list names). */
function type3Font(fonts: { has(name: string): boolean; get(name: string): unknown }, name: string): boolean {
  try {
    return fonts.has(name) && (fonts.get(name) as { isType3Font?: unknown }).isType3Font === true
  } catch {
    // A font pdf.js could not load draws nothing readable: its size is not judged either.
    return true
  }
}

/** How pdf.js scales the font's glyph widths to text space (its FontMatrix's first entry); 1/1000 when unknown. */
function fontWidthScale(fonts: { has(name: string): boolean; get(name: string): unknown }, name: string): number {
  try {
    const matrix = fonts.has(name) ? (fonts.get(name) as { fontMatrix?: unknown }).fontMatrix : undefined
    const scale = Array.isArray(matrix) ? matrix[0] : undefined
    return typeof scale === 'number' && Number.isFinite(scale) && scale > 0 && scale < 1 ? scale : 0.001
  } catch {
    return 0.001
  }
}

export function pdfFailure(error: unknown): UnreadableResumeError {
  if (error instanceof UnreadableResumeError) return error
  const name = error instanceof Error ? error.name : ''
  if (name === 'PasswordException') return new UnreadableResumeError('the PDF is encrypted', { problem: 'encrypted', cause: error })
  // Anything else pdf.js throws while parsing hostile bytes (InvalidPDFException,
  // FormatError, and plain TypeErrors from deep inside the parser) means the
  // same thing to us: this file cannot be read.
  return new UnreadableResumeError('the PDF is damaged', { problem: 'damaged', cause: error })
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`
}

// ---------------------------------------------------------------- DOCX

async function extractDocx(bytes: Buffer, caps: ExtractionLimits): Promise<ExtractedResume> {
  return readDocx(bytes, await checkZip(bytes, caps))
}

/** The text of a DOCX whose zip `checkZip` has checked, and its parts inflated. */
async function readDocx(bytes: Buffer, { entries, parts }: { entries: ZipEntryInfo[]; parts: DocxParts }): Promise<ExtractedResume> {
  try {
    // Runs a reader never sees are cut out of the document before mammoth reads it.
    const { docx, hidden, documentXml } = withoutHiddenRuns(bytes, entries, parts)
    const result = await mammoth.extractRawText({ buffer: docx })
    // mammoth ends every paragraph with a blank line; one newline per
    // paragraph keeps line numbers (skill evidence) close to the document's.
    const body = result.value.replace(/\n\n/g, '\n')
    // mammoth reads no page headers, where Word users often put their name and contact line.
    const headers = documentXml === undefined ? { text: '', hidden: [] } : pageHeaders(parts, documentXml)
    const text = headers.text === '' ? body : `${headers.text}\n${body}`
    // Nor the addresses behind hyperlinks ("LinkedIn", "Portfolio"): they follow the text, as a PDF's link annotations do.
    const links =
      documentXml === undefined
        ? []
        : linkTargets(
            hyperlinkTargets(documentXml, parts.get(DOCUMENT_RELATIONSHIPS)?.toString('utf8')).map((url) => ({ subtype: 'Link', url })),
            text,
          )
    return { text: links.length > 0 ? `${text}\n${links.join('\n')}` : text, hidden: [...headers.hidden, ...hidden] }
  } catch (cause) {
    throw new UnreadableResumeError('the DOCX is damaged', { problem: 'damaged', cause })
  }
}

/** The text of the page headers a reader sees (formats/docx-headers.ts), hidden runs taken out. */
function pageHeaders(parts: DocxParts, documentXml: string): ExtractedResume {
  const xmlOf = (name: string) => parts.get(name)?.toString('utf8')
  const names = visibleHeaderParts(documentXml, xmlOf(DOCUMENT_RELATIONSHIPS), xmlOf(SETTINGS))
  const texts: string[] = []
  const hidden: HiddenText[] = []
  for (const name of names) {
    const xml = xmlOf(name)
    if (xml === undefined) continue
    const { xml: visible, hidden: found } = removeHiddenRuns(xml)
    hidden.push(...found)
    const text = headerText(visible)
    if (text !== '' && !texts.includes(text)) texts.push(text)
  }
  return { text: texts.join('\n'), hidden }
}

const inflateRawAsync = promisify(inflateRaw)

const EOCD_SIGNATURE = 0x06054b50
const EOCD_SIZE = 22
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50
const ZIP64_LOCATOR_SIZE = 20
const ZIP64_EOCD_SIGNATURE = 0x06064b50
const CENTRAL_SIGNATURE = 0x02014b50
const CENTRAL_SIZE = 46
const LOCAL_SIGNATURE = 0x04034b50
const LOCAL_SIZE = 30
const ZIP64_EXTRA_ID = 0x0001
const MAX_COMMENT = 0xffff
// Below this an entry's ratio is not judged: small XML parts of repeated
// markup legitimately compress far beyond any sane large-file ratio.
const RATIO_FLOOR_BYTES = 1024 * 1024

interface ZipEntryInfo {
  name: string
  method: number
  flags: number
  crc: number
  compressedSize: number
  uncompressedSize: number
  localOffset: number
}

const damagedDocx = (detail: string) => new UnreadableResumeError(`the DOCX is damaged (${detail})`, { problem: 'damaged' })

/**
 * Walks the zip's central directory (the same records JSZip, under mammoth,
 * trusts) and refuses the archive when its declared sizes, ratio or entry
 * count are out of bounds. Declared sizes can lie low, and JSZip checks them
 * only after inflating everything, so each entry is then inflated here with
 * its declared size as a hard output limit: the total work stays under
 * `maxInflatedBytes` whatever the headers say.
 */
export async function checkZip(
  bytes: Buffer,
  caps: Pick<ExtractionLimits, 'maxInflatedBytes' | 'maxCompressionRatio' | 'maxZipEntries'>,
  keep: RegExp = XML_PART,
): Promise<{ entries: ZipEntryInfo[]; parts: DocxParts }> {
  const entries = readCentralDirectory(bytes, caps.maxZipEntries)
  let declaredTotal = 0
  for (const entry of entries) {
    declaredTotal += entry.uncompressedSize
    if (declaredTotal > caps.maxInflatedBytes) {
      throw new UnreadableResumeError(`the DOCX would inflate to more than ${formatBytes(caps.maxInflatedBytes)} (zip bomb?)`, {
        problem: 'too_large',
      })
    }
    if (entry.uncompressedSize > RATIO_FLOOR_BYTES && entry.uncompressedSize > entry.compressedSize * caps.maxCompressionRatio) {
      throw new UnreadableResumeError(`the DOCX entry ${entry.name} is compressed more than ${caps.maxCompressionRatio} to 1 (zip bomb?)`, {
        problem: 'too_large',
      })
    }
    if (entry.flags & 0x1) throw new UnreadableResumeError('the DOCX is encrypted', { problem: 'encrypted' })
    if (entry.method !== 0 && entry.method !== 8) throw damagedDocx(`unsupported compression method ${entry.method}`)
  }
  // The document's XML parts, inflated once here, are what the reader reads next; media is kept only when asked for.
  const parts: DocxParts = new Map()
  for (const entry of entries) {
    const data = await verifyInflatedSize(bytes, entry)
    if (keep.test(entry.name)) parts.set(entry.name, data)
  }
  return { entries, parts }
}

/** The XML parts of a DOCX by zip entry name, inflated (the document, its relationships, settings, headers). */
type DocxParts = Map<string, Buffer>
const XML_PART = /^word\/(?:[^/]+\.xml|_rels\/[^/]+\.rels)$/
const XML_PART_OR_MEDIA = /^word\/(?:[^/]+\.xml|_rels\/[^/]+\.rels|media\/.+)$/

/** Pictures of a Word document looked at; a resume has a few. */
export const MAX_DOCX_PICTURES = 50

/**
 * The pictures a DOCX's body shows, in order, up to `max` (formats/docx-headers.ts): the resume when it
 * was pasted into Word as images, for OCR. The archive is checked as for reading its text.
 */
export async function docxPictures(bytes: Buffer, max: number, limits: Partial<ExtractionLimits> = {}): Promise<Buffer[]> {
  return picturesOf((await checkZip(bytes, { ...DEFAULT_EXTRACTION_LIMITS, ...limits }, XML_PART_OR_MEDIA)).parts, max)
}

/** The pictures of a DOCX's body, from its parts with the media kept. */
function picturesOf(parts: DocxParts, max: number): Buffer[] {
  const documentXml = parts.get(MAIN_DOCUMENT)?.toString('utf8')
  if (documentXml === undefined) throw damagedDocx('no main document')
  const names = pictureParts(documentXml, parts.get(DOCUMENT_RELATIONSHIPS)?.toString('utf8'), max)
  return names.flatMap((name) => parts.get(name) ?? [])
}

function readCentralDirectory(bytes: Buffer, maxEntries: number): ZipEntryInfo[] {
  const eocd = findEndOfCentralDirectory(bytes)
  if (eocd < 0) throw damagedDocx('no end of central directory')
  if (bytes.readUInt16LE(eocd + 4) !== 0 || bytes.readUInt16LE(eocd + 6) !== 0) throw damagedDocx('spans several disks')

  let count = bytes.readUInt16LE(eocd + 10)
  let directorySize = bytes.readUInt32LE(eocd + 12)
  let directoryOffset = bytes.readUInt32LE(eocd + 16)
  let directoryEnd = eocd
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const locator = eocd - ZIP64_LOCATOR_SIZE
    if (locator < 0 || bytes.readUInt32LE(locator) !== ZIP64_LOCATOR_SIGNATURE) throw damagedDocx('ZIP64 locator missing')
    const zip64 = readUInt64(bytes, locator + 8)
    if (zip64 + 56 > locator || bytes.readUInt32LE(zip64) !== ZIP64_EOCD_SIGNATURE) throw damagedDocx('ZIP64 record missing')
    count = readUInt64(bytes, zip64 + 32)
    directorySize = readUInt64(bytes, zip64 + 40)
    directoryOffset = readUInt64(bytes, zip64 + 48)
    directoryEnd = zip64
  }
  if (count > maxEntries) {
    throw new UnreadableResumeError(`the DOCX has ${count} entries, more than the ${maxEntries} allowed`, { problem: 'too_large' })
  }
  // JSZip re-bases offsets when the directory does not end where the end
  // record begins; refusing such archives keeps its reading and ours the same.
  if (directoryOffset + directorySize !== directoryEnd) throw damagedDocx('central directory out of place')

  // Walked to the end of the directory rather than trusting the count,
  // because JSZip reads every record it finds there.
  const entries: ZipEntryInfo[] = []
  for (let at = directoryOffset; at < directoryEnd;) {
    if (entries.length >= maxEntries) {
      throw new UnreadableResumeError(`the DOCX has more than the ${maxEntries} entries allowed`, { problem: 'too_large' })
    }
    if (at + CENTRAL_SIZE > directoryEnd || bytes.readUInt32LE(at) !== CENTRAL_SIGNATURE) throw damagedDocx('bad central directory entry')
    const nameLength = bytes.readUInt16LE(at + 28)
    const extraLength = bytes.readUInt16LE(at + 30)
    const commentLength = bytes.readUInt16LE(at + 32)
    const next = at + CENTRAL_SIZE + nameLength + extraLength + commentLength
    if (next > directoryEnd) throw damagedDocx('bad central directory entry')
    const entry: ZipEntryInfo = {
      name: bytes.toString('utf8', at + CENTRAL_SIZE, at + CENTRAL_SIZE + Math.min(nameLength, 200)),
      flags: bytes.readUInt16LE(at + 8),
      method: bytes.readUInt16LE(at + 10),
      crc: bytes.readUInt32LE(at + 16),
      compressedSize: bytes.readUInt32LE(at + 20),
      uncompressedSize: bytes.readUInt32LE(at + 24),
      localOffset: bytes.readUInt32LE(at + 42),
    }
    applyZip64Extra(bytes, at + CENTRAL_SIZE + nameLength, extraLength, entry)
    entries.push(entry)
    at = next
  }
  if (entries.length !== count) throw damagedDocx(`${entries.length} entries where ${count} are declared`)
  return entries
}

/** Searches backwards, as JSZip does, so both settle on the same record when a comment contains a decoy. */
function findEndOfCentralDirectory(bytes: Buffer): number {
  const lowest = Math.max(0, bytes.length - EOCD_SIZE - MAX_COMMENT)
  for (let at = bytes.length - EOCD_SIZE; at >= lowest; at--) {
    if (bytes.readUInt32LE(at) === EOCD_SIGNATURE) return at
  }
  return -1
}

/** Sizes and offsets saturated at 0xFFFFFFFF live in the ZIP64 extra field, in this order. */
function applyZip64Extra(bytes: Buffer, start: number, length: number, entry: ZipEntryInfo): void {
  const needs = {
    uncompressed: entry.uncompressedSize === 0xffffffff,
    compressed: entry.compressedSize === 0xffffffff,
    offset: entry.localOffset === 0xffffffff,
  }
  if (!needs.uncompressed && !needs.compressed && !needs.offset) return
  const end = start + length
  for (let at = start; at + 4 <= end;) {
    const id = bytes.readUInt16LE(at)
    const size = bytes.readUInt16LE(at + 2)
    if (id === ZIP64_EXTRA_ID) {
      let field = at + 4
      const fieldEnd = Math.min(field + size, end)
      const take = (): number => {
        if (field + 8 > fieldEnd) throw damagedDocx('short ZIP64 field')
        const value = readUInt64(bytes, field)
        field += 8
        return value
      }
      if (needs.uncompressed) entry.uncompressedSize = take()
      if (needs.compressed) entry.compressedSize = take()
      if (needs.offset) entry.localOffset = take()
      return
    }
    at += 4 + size
  }
  throw damagedDocx('ZIP64 field missing')
}

function entryData(bytes: Buffer, entry: ZipEntryInfo): Buffer {
  const local = entry.localOffset
  if (local + LOCAL_SIZE > bytes.length || bytes.readUInt32LE(local) !== LOCAL_SIGNATURE)
    throw damagedDocx(`bad local header for ${entry.name}`)
  const dataStart = local + LOCAL_SIZE + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28)
  const dataEnd = dataStart + entry.compressedSize
  if (dataEnd > bytes.length) throw damagedDocx(`${entry.name} runs past the end of the file`)
  return bytes.subarray(dataStart, dataEnd)
}

const MAIN_DOCUMENT = 'word/document.xml'
const DOCUMENT_RELATIONSHIPS = 'word/_rels/document.xml.rels'
const SETTINGS = 'word/settings.xml'

// A line break inside a paragraph (Shift+Enter: a name over an address), a page or column break, a carriage
// return; mammoth's raw text drops them all, joining the lines around them ("A. Aishwarya5A/453, …").
const BREAK = /<w:(?:br|cr)(?:\s[^<>]{0,200})?\/>/g
// A hyphen Word keeps from breaking a line: mammoth drops it ("teamwork‑oriented" read as "teamworkoriented").
const NON_BREAKING_HYPHEN = /<w:noBreakHyphen\s{0,20}\/>/g

/** Breaks, non-breaking hyphens and list items' bullets as the text they stand for, so mammoth keeps them. */
function breaksAsText(xml: string): string {
  return listBullets(xml.replace(BREAK, '<w:t xml:space="preserve">&#10;</w:t>').replace(NON_BREAKING_HYPHEN, '<w:t>-</w:t>'))
}

const PARAGRAPH_PROPERTIES = '<w:pPr>'
const PARAGRAPH_PROPERTIES_CLOSE = '</w:pPr>'
const LIST_ITEM = /<w:numPr>|<w:pStyle w:val="(?:List ?Bullet|List ?Number|ListParagraph)[^"]{0,10}"/
const BULLET_RUN = '<w:r><w:t xml:space="preserve">• </w:t></w:r>'
/** A paragraph's properties are short; looking further would cost more than it finds. */
const PROPERTIES_WINDOW = 4_096

/**
 * A list item's bullet or number is drawn by Word from the paragraph's numbering, not written in its text, and
 * mammoth's raw text drops it: "• " is written before each list item, so a role's bullets read as bullets, as
 * they do in a PDF, and not as more header lines. Index searches: linear whatever the XML.
 */
function listBullets(xml: string): string {
  const parts: string[] = []
  let copied = 0
  let close = -1
  for (
    let open = xml.indexOf(PARAGRAPH_PROPERTIES);
    open >= 0;
    open = xml.indexOf(PARAGRAPH_PROPERTIES, open + PARAGRAPH_PROPERTIES.length)
  ) {
    if (close < open) close = xml.indexOf(PARAGRAPH_PROPERTIES_CLOSE, open)
    if (close < 0) break
    if (close - open > PROPERTIES_WINDOW || !LIST_ITEM.test(xml.slice(open, close))) continue
    const after = close + PARAGRAPH_PROPERTIES_CLOSE.length
    parts.push(xml.slice(copied, after), BULLET_RUN)
    copied = after
  }
  if (copied === 0) return xml
  parts.push(xml.slice(copied))
  return parts.join('')
}

/**
 * The DOCX with the hidden runs of its main document removed and its breaks
 * written as text (see BREAK), and that document's XML as it was. When
 * anything changed, the archive is written anew: the other entries as they
 * were, the main document stored uncompressed.
 */
function withoutHiddenRuns(
  bytes: Buffer,
  entries: ZipEntryInfo[],
  xmlParts: DocxParts,
): { docx: Buffer; hidden: HiddenText[]; documentXml?: string } {
  const main = entries.find((entry) => entry.name === MAIN_DOCUMENT)
  const data = xmlParts.get(MAIN_DOCUMENT)
  if (!main || !data) return { docx: bytes, hidden: [] }
  const xml = data.toString('utf8')
  const { xml: visible, hidden } = removeHiddenRuns(xml)
  const cleaned = breaksAsText(visible)
  if (cleaned === xml) return { docx: bytes, hidden, documentXml: xml }
  const parts: Buffer[] = []
  const directory: Buffer[] = []
  let offset = 0
  for (const entry of entries) {
    const replaced = entry === main ? Buffer.from(cleaned, 'utf8') : undefined
    const body = replaced ?? entryData(bytes, entry)
    const name = Buffer.from(entry.name, 'utf8')
    const method = replaced ? 0 : entry.method
    const crc = replaced ? crc32(replaced) : entry.crc
    const size = replaced ? replaced.length : entry.uncompressedSize
    const local = Buffer.alloc(LOCAL_SIZE)
    local.writeUInt32LE(LOCAL_SIGNATURE, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(0x0800, 6)
    local.writeUInt16LE(method, 8)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(body.length, 18)
    local.writeUInt32LE(size, 22)
    local.writeUInt16LE(name.length, 26)
    const central = Buffer.alloc(CENTRAL_SIZE)
    central.writeUInt32LE(CENTRAL_SIGNATURE, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(0x0800, 8)
    central.writeUInt16LE(method, 10)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(body.length, 20)
    central.writeUInt32LE(size, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE(offset, 42)
    parts.push(local, name, body)
    directory.push(central, name)
    offset += LOCAL_SIZE + name.length + body.length
  }
  const directorySize = directory.reduce((total, part) => total + part.length, 0)
  const end = Buffer.alloc(EOCD_SIZE)
  end.writeUInt32LE(EOCD_SIGNATURE, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(directorySize, 12)
  end.writeUInt32LE(offset, 16)
  return { docx: Buffer.concat([...parts, ...directory, end]), hidden, documentXml: xml }
}

/** The entry's bytes, inflated within its declared size. */
async function verifyInflatedSize(bytes: Buffer, entry: ZipEntryInfo): Promise<Buffer> {
  const data = entryData(bytes, entry)

  if (entry.method === 0) {
    if (entry.compressedSize !== entry.uncompressedSize) throw damagedDocx(`stored entry ${entry.name} has inconsistent sizes`)
    return data
  }
  let inflated: Buffer
  try {
    // zlib refuses a limit of 0; an empty entry still inflates to nothing.
    inflated = await inflateRawAsync(data, { maxOutputLength: Math.max(1, entry.uncompressedSize) })
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new UnreadableResumeError(
        `the DOCX entry ${entry.name} inflates beyond its declared ${formatBytes(entry.uncompressedSize)} (zip bomb?)`,
        { problem: 'too_large', cause },
      )
    }
    throw new UnreadableResumeError(`the DOCX is damaged (${entry.name} does not inflate)`, { problem: 'damaged', cause })
  }
  if (inflated.length !== entry.uncompressedSize) throw damagedDocx(`${entry.name} inflates to a size other than declared`)
  return inflated
}

/** Exact up to 2^53; beyond that any value is far over every cap anyway. */
function readUInt64(bytes: Buffer, at: number): number {
  if (at + 8 > bytes.length) throw damagedDocx('truncated ZIP64 record')
  return bytes.readUInt32LE(at) + bytes.readUInt32LE(at + 4) * 0x1_0000_0000
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MiB`
  if (n >= 1024) return `${Math.round((n / 1024) * 10) / 10} KiB`
  return `${n} bytes`
}
