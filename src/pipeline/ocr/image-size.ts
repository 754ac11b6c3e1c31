// An image's size read from its header, before anything decodes it: a small
// file can declare a huge canvas (a "pixel flood"), and the OCR engine would
// allocate the whole of it.

export interface ImageSize {
  width: number
  height: number
}

export type ImageFormat = 'png' | 'jpeg' | 'tiff'

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

const TIFF_WIDTH = 256
const TIFF_HEIGHT = 257
const TIFF_SHORT = 3
const TIFF_LONG = 4

/** The first image of a TIFF (the one OCR reads). */
function tiffSize(bytes: Buffer): ImageSize | undefined {
  const order = bytes.toString('latin1', 0, 2)
  if (order !== 'II' && order !== 'MM') return undefined
  const little = order === 'II'
  const u16 = (at: number) => (little ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at))
  const u32 = (at: number) => (little ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at))
  const directory = u32(4)
  const entries = u16(directory)
  let width: number | undefined
  let height: number | undefined
  for (let i = 0; i < entries; i++) {
    const entry = directory + 2 + i * 12
    const tag = u16(entry)
    if (tag !== TIFF_WIDTH && tag !== TIFF_HEIGHT) continue
    const type = u16(entry + 2)
    const value = type === TIFF_SHORT ? u16(entry + 8) : type === TIFF_LONG ? u32(entry + 8) : undefined
    if (tag === TIFF_WIDTH) width = value
    else height = value
  }
  return width !== undefined && height !== undefined ? { width, height } : undefined
}
