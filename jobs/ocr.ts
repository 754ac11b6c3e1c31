// OCR: a scanned resume (an image, a PDF without a text layer, or a Word
// document of pasted pictures) read by tesseract, then the same steps as the
// process job. It runs on its own queue with its own concurrency: a page
// takes seconds, and a text resume must never wait behind one.
import type { Job } from 'bullmq'
import { resumeKindForMediaType } from '../src/pipeline/detect.ts'
import { docxTextAndPictures, MAX_DOCX_PICTURES, UnreadableResumeError, type ExtractedResume } from '../src/pipeline/extract.ts'
import { hasText, normaliseText, PAGE_BREAK } from '../src/pipeline/formats/normalise.ts'
import { repairOcrText } from '../src/pipeline/ocr/repair.ts'
import { imageFormatOf, imageSize, type ImageFormat } from '../src/pipeline/ocr/image-size.ts'
import { megapixels, scannedPagesOffThread } from '../src/pipeline/ocr/pdf-scans.ts'
import type { OcrReader } from '../src/pipeline/ocr/reader.ts'
import { singlePageTiff, tiffPages } from '../src/pipeline/ocr/tiff.ts'
import { DEFAULT_EXTRACTION_LIMITS } from '../src/pipeline/extract.ts'
import { processingSteps, worthAnotherTry } from './process.ts'
import type { CandidateJobData } from './queues.ts'
import type { JobContext } from './context.ts'

const BY = 'worker:ocr'

/** A phone photo is 12 to 50 megapixels and an A4 page scanned at 300 dpi is 8.7; OCR needs far fewer. */
export const MAX_OCR_PIXELS = 40_000_000
/** One page of tesseract is 1 to 6 seconds; one that takes longer than this is not a resume page. */
export const OCR_PAGE_TIMEOUT_MS = 30_000
/** Reading a scanned PDF's page images (not their OCR). */
const SCAN_READ_TIMEOUT_MS = 20_000

const IMAGE_FORMATS: Readonly<Record<string, ImageFormat>> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/tiff': 'tiff' }
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'
/**
 * A picture in a Word document smaller than this is an icon, a logo or a photo of the candidate, not a
 * page of text: a resume pasted into Word as images is a picture a page or a section wide.
 */
const MIN_DOCX_PICTURE_PIXELS = 150_000

/**
 * The text OCR reads in a scan: an image, each page of a multi-page TIFF, a
 * scanned PDF's page images, or the pictures of a Word document whose resume
 * is in them, up to maxPages pages or pictures (the rest are ignored), joined
 * by page breaks as a text PDF's pages are. A Word document has no pages: its
 * own text (a caption, a name), then what OCR read in each picture, a line
 * apart; its hidden runs are reported as when it is read as text.
 */
export async function readScanned(
  bytes: Buffer,
  mediaType: string,
  reader: Pick<OcrReader, 'recognize'>,
  maxPages: number,
): Promise<ExtractedResume> {
  const format = IMAGE_FORMATS[mediaType]
  const docx = mediaType === DOCX
  let pages: (() => Buffer)[]
  let own: ExtractedResume = { text: '', hidden: [] }
  if (format) pages = imagePages(bytes, format, maxPages)
  else if (docx) {
    const { pictures, ...text } = await docxTextAndPictures(bytes, MAX_DOCX_PICTURES)
    own = text
    pages = docxPicturePages(pictures, maxPages)
  } else {
    const scans = await scannedPagesOffThread(bytes, { maxPages, maxPixels: MAX_OCR_PIXELS, timeoutMs: SCAN_READ_TIMEOUT_MS })
    pages = scans.map((page) => () => page)
  }
  const texts: string[] = []
  // Pages one after another: OCR_CONCURRENCY bounds the engines, and one resume takes one of them.
  for (const page of pages) texts.push((await reader.recognize(page())).replaceAll(PAGE_BREAK, '\n'))
  const read = normaliseText(repairOcrText(texts.join(docx ? '\n' : PAGE_BREAK)), DEFAULT_EXTRACTION_LIMITS.maxChars)
  const text = docx && hasText(own.text) ? normaliseText(`${own.text}\n${read}`, DEFAULT_EXTRACTION_LIMITS.maxChars) : read
  if (!hasText(text)) {
    const message = format
      ? 'OCR found no text in the image'
      : docx
        ? pages.length === 0
          ? 'the DOCX contains no text, and no picture large enough to hold any'
          : 'the DOCX contains no text, and OCR found none in its pictures'
        : 'no text could be extracted, and OCR found none in the scanned pages'
    throw new UnreadableResumeError(message, { problem: 'no_text' })
  }
  // OCR reads what a person sees: only a Word document's own text can have hidden runs.
  return { text, hidden: own.hidden }
}

/** readScanned's text. */
export async function readScan(bytes: Buffer, mediaType: string, reader: Pick<OcrReader, 'recognize'>, maxPages: number): Promise<string> {
  return (await readScanned(bytes, mediaType, reader, maxPages)).text
}

/** An image's pages (one, or each page of a TIFF), each sized before any is read. */
function imagePages(bytes: Buffer, format: ImageFormat, maxPages: number): (() => Buffer)[] {
  if (format !== 'tiff') {
    checkSize(imageSize(bytes, format), format)
    return [() => bytes]
  }
  const tiff = tiffPages(bytes, maxPages)
  if (tiff.length === 0) throw new UnreadableResumeError('the TIFF image is damaged (it holds no page)', { problem: 'damaged' })
  // Every page is sized before any is read: a pixel flood on page 3 should not cost the OCR of pages 1 and 2.
  tiff.forEach((page, i) => checkSize(page, format, tiff.length > 1 ? i + 1 : undefined))
  // Each page is a copy of the whole file, made only when its turn comes.
  return tiff.map((page) => () => singlePageTiff(bytes, page))
}

/**
 * The pictures of a Word document OCR reads: PNG, JPEG and TIFF ones at least MIN_DOCX_PICTURE_PIXELS
 * large, in the order the document shows them; each sized before any is read, as an uploaded image is.
 * Other pictures (EMF, WMF, GIF) and damaged ones are passed over: the document was readable as a DOCX.
 */
function docxPicturePages(pictures: Buffer[], maxPages: number): (() => Buffer)[] {
  const pages: (() => Buffer)[] = []
  // A document may hold many small pictures (icons beside each contact line) before its large ones.
  for (const picture of pictures) {
    const format = imageFormatOf(picture)
    const size = format && imageSize(picture, format)
    if (!format || !size || size.width * size.height < MIN_DOCX_PICTURE_PIXELS) continue
    pages.push(...imagePages(picture, format, maxPages - pages.length))
    if (pages.length >= maxPages) break
  }
  return pages
}

/** Refuses an image (or one page of a TIFF) whose header gives no size or too large a one, before anything decodes it. */
function checkSize(size: { width?: number; height?: number } | undefined, format: ImageFormat, pageNumber?: number): void {
  const { width, height } = size ?? {}
  if (!width || !height) {
    const where = pageNumber ? `page ${pageNumber} has no readable size` : 'no readable size in its header'
    throw new UnreadableResumeError(`the ${format.toUpperCase()} image is damaged (${where})`, { problem: 'damaged' })
  }
  if (width * height > MAX_OCR_PIXELS) {
    const what = pageNumber ? `page ${pageNumber} of the image` : 'the image'
    throw new UnreadableResumeError(`${what} is ${width}x${height}, more than ${megapixels(MAX_OCR_PIXELS)} megapixels`, {
      problem: 'too_large',
    })
  }
}

export function ocrProcessor(context: JobContext, reader: OcrReader) {
  const { services, queues, config } = context
  const { resumes } = services
  const steps = processingSteps(context, BY)

  return async (job: Job<CandidateJobData>): Promise<void> => {
    const { candidateId } = job.data
    const candidate = await steps.pending(candidateId)
    if (!candidate) return
    const kind = resumeKindForMediaType(candidate.resume.mediaType)
    if (kind !== 'image' && kind !== 'pdf' && kind !== 'docx') {
      // Only the process job hands work here; anything else is read there.
      return queues.enqueueProcess(candidateId)
    }
    let read: ExtractedResume
    try {
      read = await readScanned(await resumes.get(candidate.resume.key), candidate.resume.mediaType, reader, config.ocrMaxPages)
    } catch (error) {
      if (!(error instanceof UnreadableResumeError)) throw error
      if (worthAnotherTry(job, error)) throw error
      return steps.unreadable(candidateId, error)
    }
    return steps.complete(candidate, read.text, read.hidden)
  }
}
