// A minimal PNG encoder: the OCR engine reads encoded images only, and a
// scanned PDF page's image reaches us as decoded pixels from pdf.js.
import { crc32, deflateSync } from 'node:zlib'

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
/** PNG colour types by channels per pixel. */
const COLOUR_TYPE: Readonly<Record<number, number>> = { 1: 0, 3: 2, 4: 6 }

/** 8-bit pixels, row after row, `channels` per pixel (1 grey, 3 RGB, 4 RGBA). */
export function encodePng(width: number, height: number, channels: 1 | 3 | 4, pixels: Uint8Array | Uint8ClampedArray): Buffer {
  const stride = width * channels
  if (pixels.length < stride * height) throw new RangeError(`${pixels.length} bytes cannot hold a ${width}x${height} image`)
  // Each row is preceded by its filter type; 0 (none) is enough for OCR.
  const raw = Buffer.alloc((stride + 1) * height)
  for (let row = 0; row < height; row++) raw.set(pixels.subarray(row * stride, (row + 1) * stride), row * (stride + 1) + 1)
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8
  header[9] = COLOUR_TYPE[channels]!
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 1 })), chunk('IEND', Buffer.alloc(0))])
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'latin1')
  const tail = Buffer.alloc(4)
  tail.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, tail])
}
