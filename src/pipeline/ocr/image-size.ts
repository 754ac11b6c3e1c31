// An image's size read from its header, before anything decodes it: a small
// file can declare a huge canvas (a "pixel flood"), and the OCR engine would
// allocate the whole of it.
import { UnreadableResumeError } from '../unreadable.ts'
import { tiffPages } from './tiff.ts'

export interface ImageSize {
  width: number
  height: number
}

export type ImageFormat = 'png' | 'jpeg' | 'tiff'

/** The format of an image by its signature: PNG, JPEG or TIFF (either byte order); undefined for any other. */
export function imageFormatOf(bytes: Buffer): ImageFormat | undefined {
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.readUInt32BE(4) === 0x0d0a1a0a) return 'png'
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg'
  if (bytes.length >= 4 && (bytes.readUInt32BE(0) === 0x49492a00 || bytes.readUInt32BE(0) === 0x4d4d002a)) return 'tiff'
  return undefined
}

/** The size an image header declares, or undefined when the header is missing or damaged. */
export function imageSize(bytes: Buffer, format: ImageFormat): ImageSize | undefined {
  try {
    const size = format === 'png' ? pngSize(bytes) : format === 'jpeg' ? jpegSize(bytes) : tiffSize(bytes)
    return size && size.width > 0 && size.height > 0 ? size : undefined
  } catch (error) {
    // A header cut short reads past the end of the buffer.
    if (error instanceof RangeError) return undefined
    throw error
  }
}

function pngSize(bytes: Buffer): ImageSize | undefined {
  // Signature (8 bytes), then the IHDR chunk: length, type, width, height.
  if (bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }
}

// Start-of-frame markers carry the frame's size; C4 (Huffman tables), C8 and CC (arithmetic coding) share the range but do not.
const START_OF_FRAME = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf])

function jpegSize(bytes: Buffer): ImageSize | undefined {
  let offset = 2
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return undefined
    const marker = bytes[offset + 1]!
    // Fill bytes before a marker.
    if (marker === 0xff) {
      offset++
      continue
    }
    // Markers without a segment: restart markers, start of image, TEM.
    if ((marker >= 0xd0 && marker <= 0xd8) || marker === 0x01) {
      offset += 2
      continue
    }
    // Start of scan or end of image before any frame header: not an image we can size.
    if (marker === 0xda || marker === 0xd9) return undefined
    if (START_OF_FRAME.has(marker)) return { height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) }
    offset += 2 + bytes.readUInt16BE(offset + 2)
  }
  return undefined
}

/** The first page of a TIFF; the OCR job sizes every page from the same walk of its directories. */
function tiffSize(bytes: Buffer): ImageSize | undefined {
  try {
    const [first] = tiffPages(bytes, 1)
    return first?.width !== undefined && first.height !== undefined ? { width: first.width, height: first.height } : undefined
  } catch (error) {
    if (error instanceof UnreadableResumeError) return undefined
    throw error
  }
}
