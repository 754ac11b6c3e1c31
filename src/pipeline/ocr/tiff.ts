// The pages of a TIFF. A fax or a scanner's multi-page output is one TIFF
// holding an image per page, and tesseract reads only the first image of a
// file. So each page goes to OCR as a TIFF of its own: a copy of the file
// whose header points at that page's directory and whose directory is the
// last one. No byte moves, so every strip and tile offset in the directory
// still points at the page's pixels, and nothing is decoded here.
//
// The directories (IFDs) form a chain that the file itself describes, so a
// damaged or hostile file can point anywhere: past its end, into its header,
// or back at a directory already read (an endless loop). Each link is checked
// before it is followed.
import { UnreadableResumeError } from '../unreadable.ts'

export interface TiffPage {
  /** Where the page's directory starts. */
  directory: number
  /** Where the directory's link to the next one is: zero in a page on its own. */
  nextLink: number
  /** undefined when the directory does not say. */
  width: number | undefined
  height: number | undefined
}

const HEADER_BYTES = 8
const ENTRY_BYTES = 12
const CLASSIC_TIFF = 42
const BIG_TIFF = 43
// Scanners write 10 to 30 entries a directory; thousands only make each step of the walk slow.
const MAX_ENTRIES = 1000
// Thumbnails and masks are skipped, not counted as pages, so the walk is bounded on its own.
const MAX_DIRECTORIES = 1000

const NEW_SUBFILE_TYPE = 254
const IMAGE_WIDTH = 256
const IMAGE_LENGTH = 257
const SHORT = 3
const LONG = 4
// NewSubfileType bits for an image that is not a page: a reduced-resolution copy (a thumbnail) and a transparency mask.
const NOT_A_PAGE = 0b101

const damaged = (detail: string) => new UnreadableResumeError(`the TIFF image is damaged (${detail})`, { problem: 'damaged' })

/** The first maxPages pages, in file order; UnreadableResumeError when the chain up to them is damaged. */
export function tiffPages(bytes: Buffer, maxPages = Infinity): TiffPage[] {
  if (bytes.length < HEADER_BYTES) throw damaged('the file is shorter than a TIFF header')
  const order = bytes.toString('latin1', 0, 2)
  if (order !== 'II' && order !== 'MM') throw damaged('no byte order mark')
  const little = order === 'II'
  const u16 = (at: number) => (little ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at))
  const u32 = (at: number) => (little ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at))
  const version = u16(2)
  if (version === BIG_TIFF) {
    // BigTIFF (8-byte offsets) is for images over 4 GB; no scanner writes a resume page that way.
    throw new UnreadableResumeError('the image is a BigTIFF, which is not supported (save the scan as a classic TIFF, PNG or PDF)', {
      problem: 'other',
    })
  }
  if (version !== CLASSIC_TIFF) throw damaged(`version ${version} in its header`)

  const pages: TiffPage[] = []
  const seen = new Set<number>()
  let directory = u32(4)
  while (directory !== 0 && pages.length < maxPages) {
    if (seen.has(directory)) throw damaged(`its directories loop back to byte ${directory}`)
    if (seen.size >= MAX_DIRECTORIES) throw damaged(`more than ${MAX_DIRECTORIES} directories`)
    seen.add(directory)
    if (directory < HEADER_BYTES || directory + 2 > bytes.length) {
      throw damaged(`a directory at byte ${directory}, outside the file's ${bytes.length} bytes`)
    }
    const entries = u16(directory)
    if (entries > MAX_ENTRIES) throw damaged(`a directory of ${entries} entries`)
    const nextLink = directory + 2 + entries * ENTRY_BYTES
    if (nextLink + 4 > bytes.length) throw damaged(`the directory at byte ${directory} is cut short`)
    let width: number | undefined
    let height: number | undefined
    let subfileType = 0
    for (let i = 0; i < entries; i++) {
      const entry = directory + 2 + i * ENTRY_BYTES
      const tag = u16(entry)
      if (tag !== IMAGE_WIDTH && tag !== IMAGE_LENGTH && tag !== NEW_SUBFILE_TYPE) continue
      const type = u16(entry + 2)
      // A single SHORT or LONG sits in the entry itself.
      const value = type === SHORT ? u16(entry + 8) : type === LONG ? u32(entry + 8) : undefined
      if (tag === IMAGE_WIDTH) width = value
      else if (tag === IMAGE_LENGTH) height = value
      else subfileType = value ?? 0
    }
    if (!(subfileType & NOT_A_PAGE)) pages.push({ directory, nextLink, width, height })
    directory = u32(nextLink)
  }
  return pages
}

/** The file as a TIFF of this one page, for a reader that reads only a file's first image. */
export function singlePageTiff(bytes: Buffer, page: TiffPage): Buffer {
  const copy = Buffer.from(bytes)
  const little = copy.toString('latin1', 0, 2) === 'II'
  const write = (value: number, at: number) => (little ? copy.writeUInt32LE(value, at) : copy.writeUInt32BE(value, at))
  write(page.directory, 4)
  write(0, page.nextLink)
  return copy
}
