// The PDF stream filters that can make data larger, re-implemented to measure
// how large pdf.js would make it. Each one follows pdf.js's own decoder rather
// than the standard: where zlib stops at a corrupt deflate stream, pdf.js's
// fallback decoder carries on, and a bomb hidden behind such an error would
// pass a check that used zlib. Every decoder stops at `limit` output bytes;
// only when a later filter needs the bytes (`keep`) are they kept.
import { brotliDecompressSync } from 'node:zlib'

/** A filter would produce more than the limit it was given. */
export class DecodeLimitError extends Error {
  override name = 'DecodeLimitError'
}

export interface Decoded {
  /** Output length, as pdf.js would count it. */
  length: number
  /** The output itself, when asked to keep it. */
  bytes?: Uint8Array
}

/** Output that grows by doubling, or only counts, and refuses to pass `limit`. */
class Sink {
  length = 0
  #buffer: Uint8Array | undefined
  readonly #limit: number

  constructor(limit: number, keep: boolean) {
    this.#limit = limit
    if (keep) this.#buffer = new Uint8Array(256)
  }

  get keeping(): boolean {
    return this.#buffer !== undefined
  }

  /** Makes room for `n` more bytes (zeros unless written) and returns where they start. */
  grow(n: number): number {
    const start = this.length
    if (n <= 0) return start
    if (start + n > this.#limit) throw new DecodeLimitError()
    this.length = start + n
    if (this.#buffer && this.length > this.#buffer.length) {
      let size = this.#buffer.length
      while (size < this.length) size *= 2
      const bigger = new Uint8Array(Math.min(size, this.#limit))
      bigger.set(this.#buffer.subarray(0, start))
      this.#buffer = bigger
    }
    return start
  }

  push(byte: number): void {
    const at = this.grow(1)
    if (this.#buffer) this.#buffer[at] = byte
  }

  set(at: number, byte: number): void {
    if (this.#buffer) this.#buffer[at] = byte
  }

  get(at: number): number {
    return this.#buffer && at >= 0 ? (this.#buffer[at] ?? 0) : 0
  }

  result(): Decoded {
    return this.#buffer ? { length: this.length, bytes: this.#buffer.subarray(0, this.length) } : { length: this.length }
  }
}

// ---------------------------------------------------------------- FlateDecode

const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
// (extra bits << 16) | base, as in pdf.js: its two extra length codes (286, 287)
// mean 258, and distance codes 30 and 31 mean distance 0, where zlib refuses them.
const LENGTH_DECODE = [
  0x00003, 0x00004, 0x00005, 0x00006, 0x00007, 0x00008, 0x00009, 0x0000a, 0x1000b, 0x1000d, 0x1000f, 0x10011, 0x20013, 0x20017, 0x2001b,
  0x2001f, 0x30023, 0x3002b, 0x30033, 0x3003b, 0x40043, 0x40053, 0x40063, 0x40073, 0x50083, 0x500a3, 0x500c3, 0x500e3, 0x00102, 0x00102,
  0x00102,
]
const DIST_DECODE = [
  0x00001, 0x00002, 0x00003, 0x00004, 0x10005, 0x10007, 0x20009, 0x2000d, 0x30011, 0x30019, 0x40021, 0x40031, 0x50041, 0x50061, 0x60081,
  0x600c1, 0x70101, 0x70181, 0x80201, 0x80301, 0x90401, 0x90601, 0xa0801, 0xa0c01, 0xb1001, 0xb1801, 0xc2001, 0xc3001, 0xd4001, 0xd6001,
]

type HuffmanTable = [codes: Int32Array, maxLength: number]

/** pdf.js's table builder, incomplete and over-full code sets included. */
function huffmanTable(lengths: Uint8Array): HuffmanTable {
  let maxLength = 0
  for (const length of lengths) if (length > maxLength) maxLength = length
  const size = 1 << maxLength
  const codes = new Int32Array(size)
  for (let length = 1, code = 0, skip = 2; length <= maxLength; ++length, code <<= 1, skip <<= 1) {
    for (let value = 0; value < lengths.length; ++value) {
      if (lengths[value] !== length) continue
      let reversed = 0
      let rest = code
      for (let i = 0; i < length; ++i) {
        reversed = (reversed << 1) | (rest & 1)
        rest >>= 1
      }
      for (let i = reversed; i < size; i += skip) codes[i] = (length << 16) | value
      ++code
    }
  }
  return [codes, maxLength]
}

const FIXED_LITERALS = huffmanTable(Uint8Array.from({ length: 288 }, (_, i) => (i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8)))
const FIXED_DISTANCES = huffmanTable(new Uint8Array(32).fill(5))

class BadFlate extends Error {}

/** FlateDecode as pdf.js's FlateStream decodes it (its fallback when the native decoder fails). */
export function inflate(input: Uint8Array, limit: number, keep: boolean): Decoded {
  const out = new Sink(limit, keep)
  let pos = 0
  const nextByte = () => (pos < input.length ? input[pos++]! : -1)
  const cmf = nextByte()
  const flg = nextByte()
  // pdf.js refuses these headers outright, so such a stream decodes to nothing.
  if (cmf === -1 || flg === -1 || (cmf & 15) !== 8 || ((cmf << 8) + flg) % 31 !== 0 || flg & 32) return out.result()

  let codeBuf = 0
  let codeSize = 0
  const bits = (n: number): number => {
    while (codeSize < n) {
      const b = nextByte()
      if (b === -1) throw new BadFlate()
      codeBuf |= b << codeSize
      codeSize += 8
    }
    const value = codeBuf & ((1 << n) - 1)
    codeBuf >>= n
    codeSize -= n
    return value
  }
  const code = ([codes, maxLength]: HuffmanTable): number => {
    let b: number
    while (codeSize < maxLength && (b = nextByte()) !== -1) {
      codeBuf |= b << codeSize
      codeSize += 8
    }
    const entry = codes[codeBuf & ((1 << maxLength) - 1)]!
    const length = entry >> 16
    if (length < 1 || codeSize < length) throw new BadFlate()
    codeBuf >>= length
    codeSize -= length
    return entry & 0xffff
  }

  try {
    for (let last = false; !last;) {
      let header: number
      try {
        header = bits(3)
      } catch {
        break
      }
      last = (header & 1) === 1
      header >>= 1
      if (header === 0) {
        const b0 = nextByte()
        const b1 = nextByte()
        const b2 = nextByte()
        const b3 = nextByte()
        if (b0 === -1 || b1 === -1 || b2 === -1 || b3 === -1) break
        const length = b0 | (b1 << 8)
        const check = b2 | (b3 << 8)
        if (check !== (~length & 0xffff) && (length !== 0 || check !== 0)) break
        codeBuf = 0
        codeSize = 0
        // pdf.js counts the whole declared block even when the input runs short.
        const at = out.grow(length)
        const available = Math.min(length, input.length - pos)
        if (out.keeping) for (let i = 0; i < available; i++) out.set(at + i, input[pos + i]!)
        pos += available
        if (available < length) break
        continue
      }
      let literals: HuffmanTable
      let distances: HuffmanTable
      if (header === 1) {
        literals = FIXED_LITERALS
        distances = FIXED_DISTANCES
      } else if (header === 2) {
        const literalCount = bits(5) + 257
        const distanceCount = bits(5) + 1
        const codeLengthCount = bits(4) + 4
        const codeLengthLengths = new Uint8Array(CODE_LENGTH_ORDER.length)
        for (let i = 0; i < codeLengthCount; ++i) codeLengthLengths[CODE_LENGTH_ORDER[i]!] = bits(3)
        const codeLengthTable = huffmanTable(codeLengthLengths)
        const total = literalCount + distanceCount
        const lengths = new Uint8Array(total)
        let previous = 0
        for (let i = 0; i < total;) {
          const symbol = code(codeLengthTable)
          let extraBits: number
          let base: number
          let what: number
          if (symbol === 16) {
            extraBits = 2
            base = 3
            what = previous
          } else if (symbol === 17) {
            extraBits = 3
            base = 3
            what = previous = 0
          } else if (symbol === 18) {
            extraBits = 7
            base = 11
            what = previous = 0
          } else {
            lengths[i++] = previous = symbol
            continue
          }
          for (let repeat = bits(extraBits) + base; repeat-- > 0;) lengths[i++] = what
        }
        literals = huffmanTable(lengths.subarray(0, literalCount))
        distances = huffmanTable(lengths.subarray(literalCount, total))
      } else {
        break
      }
      for (;;) {
        let symbol = code(literals)
        if (symbol < 256) {
          out.push(symbol)
          continue
        }
        if (symbol === 256) break
        symbol = LENGTH_DECODE[symbol - 257] ?? 0
        let extra = symbol >> 16
        if (extra > 0) extra = bits(extra)
        const length = (symbol & 0xffff) + extra
        symbol = DIST_DECODE[code(distances)] ?? 0
        extra = symbol >> 16
        if (extra > 0) extra = bits(extra)
        const distance = (symbol & 0xffff) + extra
        const at = out.grow(length)
        if (out.keeping) for (let i = 0; i < length; i++) out.set(at + i, out.get(at + i - distance))
      }
    }
  } catch (error) {
    // pdf.js stops at the same point with what it had decoded so far.
    if (!(error instanceof BadFlate)) throw error
  }
  return out.result()
}

// ---------------------------------------------------------------- LZWDecode

/** LZWDecode as pdf.js's LZWStream decodes it, quirks included (it reads on a little past the end). */
export function lzwDecode(input: Uint8Array, earlyChange: number, limit: number, keep: boolean): Decoded {
  const out = new Sink(limit, keep)
  const size = 4096
  const values = new Uint8Array(size)
  const lengths = new Uint16Array(size)
  const previousCodes = new Uint16Array(size)
  const sequence = new Uint8Array(size)
  for (let i = 0; i < 256; ++i) {
    values[i] = i
    lengths[i] = 1
  }
  let pos = 0
  let cached = 0
  let bitsCached = 0
  let eof = false
  const readBits = (n: number): number | null => {
    while (bitsCached < n) {
      if (pos >= input.length) {
        eof = true
        return null
      }
      cached = (cached << 8) | input[pos++]!
      bitsCached += 8
    }
    bitsCached -= n
    return (cached >>> bitsCached) & ((1 << n) - 1)
  }

  let nextCode = 258
  let codeLength = 9
  let previousCode = 0
  let sequenceLength = 0
  while (!eof) {
    for (let i = 0; i < 512; i++) {
      const code = readBits(codeLength)
      const hasPrevious = sequenceLength > 0
      if (code === null || code < 256) {
        sequence[0] = code ?? 0
        sequenceLength = 1
      } else if (code >= 258) {
        if (code < nextCode) {
          sequenceLength = lengths[code]!
          for (let j = sequenceLength - 1, c = code; j >= 0; j--) {
            sequence[j] = values[c]!
            c = previousCodes[c]!
          }
        } else {
          sequence[sequenceLength++] = sequence[0]!
        }
      } else if (code === 256) {
        codeLength = 9
        nextCode = 258
        sequenceLength = 0
        continue
      } else {
        return out.result()
      }
      if (hasPrevious) {
        previousCodes[nextCode] = previousCode
        lengths[nextCode] = lengths[previousCode]! + 1
        values[nextCode] = sequence[0]!
        nextCode++
        codeLength =
          (nextCode + earlyChange) & (nextCode + earlyChange - 1)
            ? codeLength
            : Math.min(Math.log(nextCode + earlyChange) / 0.6931471805599453 + 1, 12) | 0
      }
      previousCode = code ?? 0
      const at = out.grow(sequenceLength)
      if (out.keeping) for (let j = 0; j < sequenceLength; j++) out.set(at + j, sequence[j] ?? 0)
    }
  }
  return out.result()
}

// ---------------------------------------------------------------- RunLengthDecode, ASCII85Decode, ASCIIHexDecode

export function runLengthDecode(input: Uint8Array, limit: number, keep: boolean): Decoded {
  const out = new Sink(limit, keep)
  for (let pos = 0; pos + 2 <= input.length && input[pos] !== 128;) {
    const n = input[pos]!
    const value = input[pos + 1]!
    pos += 2
    if (n < 128) {
      // pdf.js counts n + 1 bytes even when fewer are left to copy.
      const at = out.grow(n + 1)
      const available = Math.min(n, input.length - pos)
      if (out.keeping) {
        out.set(at, value)
        for (let i = 0; i < available; i++) out.set(at + 1 + i, input[pos + i]!)
      }
      pos += available
    } else {
      const at = out.grow(257 - n)
      if (out.keeping) for (let i = 0; i < 257 - n; i++) out.set(at + i, value)
    }
  }
  return out.result()
}

function isPdfJsWhiteSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a
}

export function ascii85Decode(input: Uint8Array, limit: number, keep: boolean): Decoded {
  const out = new Sink(limit, keep)
  let pos = 0
  const next = () => {
    let c = pos < input.length ? input[pos++]! : -1
    while (isPdfJsWhiteSpace(c)) c = pos < input.length ? input[pos++]! : -1
    return c
  }
  for (;;) {
    const first = next()
    if (first === -1 || first === 0x7e) break
    if (first === 0x7a) {
      out.grow(4)
      continue
    }
    const group = [first, 0, 0, 0, 0]
    let n = 1
    for (; n < 5; ++n) {
      const c = next()
      group[n] = c
      if (c === -1 || c === 0x7e) break
    }
    const at = out.grow(n - 1)
    const ended = n < 5
    for (; n < 5; ++n) group[n] = 0x75
    let value = 0
    for (const c of group) value = value * 85 + (c - 33)
    if (out.keeping) for (let i = 3; i >= 0; --i, value >>= 8) if (i < out.length - at) out.set(at + i, value & 0xff)
    if (ended) break
  }
  return out.result()
}

export function asciiHexDecode(input: Uint8Array, limit: number, keep: boolean): Decoded {
  const out = new Sink(limit, keep)
  let high = -1
  let ended = false
  for (const c of input) {
    let digit: number
    if (c >= 0x30 && c <= 0x39) digit = c & 15
    else if ((c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)) digit = (c & 15) + 9
    else if (c === 0x3e) {
      ended = true
      break
    } else continue
    if (high < 0) high = digit
    else {
      out.push((high << 4) | digit)
      high = -1
    }
  }
  if (high >= 0 && ended) out.push(high << 4)
  return out.result()
}

// ---------------------------------------------------------------- predictors

export interface PredictorParams {
  predictor: number
  colors: number
  bitsPerComponent: number
  columns: number
}

/**
 * PNG and TIFF predictors, as pdf.js's PredictorStream applies them: every
 * row it starts yields a whole row of output, so a huge /Columns turns two
 * bytes into as many as it says.
 */
export function unpredict(input: Uint8Array, params: PredictorParams, limit: number, keep: boolean): Decoded {
  const out = new Sink(limit, keep)
  const { predictor, colors, bitsPerComponent: bits, columns } = params
  const rowBytes = (columns * colors * bits + 7) >> 3
  const pixelBytes = (colors * bits + 7) >> 3
  // pdf.js reserves a whole row in both streams before it reads any of it.
  if (rowBytes > 0) {
    if (rowBytes > limit) throw new DecodeLimitError()
  } else {
    return out.result()
  }
  let pos = 0
  if (predictor === 2) {
    while (pos < input.length) {
      const row = input.subarray(pos, pos + rowBytes)
      pos += row.length
      const at = out.grow(rowBytes)
      if (out.keeping) tiffRow(out, at, row, rowBytes, colors, bits, columns)
    }
    return out.result()
  }
  for (;;) {
    const tag = pos < input.length ? input[pos++]! : -1
    const row = input.subarray(pos, pos + rowBytes)
    pos += row.length
    if (row.length === 0) break
    if (tag < 0 || tag > 4) break
    const at = out.grow(rowBytes)
    if (out.keeping) pngRow(out, at, row, rowBytes, pixelBytes, tag)
  }
  return out.result()
}

function pngRow(out: Sink, at: number, row: Uint8Array, rowBytes: number, pixelBytes: number, tag: number): void {
  const up = (i: number) => (at >= rowBytes ? out.get(at - rowBytes + i) : 0)
  const left = (i: number) => (i >= pixelBytes ? out.get(at + i - pixelBytes) : 0)
  for (let i = 0; i < rowBytes; i++) {
    const raw = row[i] ?? 0
    let value: number
    switch (tag) {
      case 0:
        value = raw
        break
      case 1:
        value = raw + left(i)
        break
      case 2:
        value = raw + up(i)
        break
      case 3:
        value = raw + ((up(i) + left(i)) >> 1)
        break
      default: {
        const a = left(i)
        const b = up(i)
        const c = i >= pixelBytes && at >= rowBytes ? out.get(at - rowBytes + i - pixelBytes) : 0
        const p = a + b - c
        const pa = Math.abs(p - a)
        const pb = Math.abs(p - b)
        const pc = Math.abs(p - c)
        value = raw + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)
      }
    }
    out.set(at + i, value & 0xff)
  }
}

function tiffRow(out: Sink, at: number, row: Uint8Array, rowBytes: number, colors: number, bits: number, columns: number): void {
  if (bits === 8) {
    for (let i = 0; i < rowBytes; i++) out.set(at + i, ((row[i] ?? 0) + (i >= colors ? out.get(at + i - colors) : 0)) & 0xff)
    return
  }
  if (bits === 1 && colors === 1) {
    let carry = 0
    for (let i = 0; i < rowBytes; i++) {
      let c = (row[i] ?? 0) ^ carry
      c ^= c >> 1
      c ^= c >> 2
      c ^= c >> 4
      carry = (c & 1) << 7
      out.set(at + i, c)
    }
    return
  }
  if (bits === 16) {
    const pixel = colors * 2
    for (let i = 0; i < rowBytes; i += 2) {
      const previous = i >= pixel ? (out.get(at + i - pixel) << 8) + out.get(at + i - pixel + 1) : 0
      const sum = (((row[i] ?? 0) & 0xff) << 8) + ((row[i + 1] ?? 0) & 0xff) + previous
      out.set(at + i, (sum >> 8) & 0xff)
      out.set(at + i + 1, sum & 0xff)
    }
    return
  }
  // Other bit depths: pdf.js works component by component; the byte count is what matters here.
  const sums = new Uint8Array(colors + 1)
  const mask = (1 << bits) - 1
  let inBits = 0
  let inBuf = 0
  let outBits = 0
  let outBuf = 0
  let k = 0
  let j = at
  for (let i = 0; i < columns; ++i) {
    for (let c = 0; c < colors; ++c) {
      if (inBits < bits) {
        inBuf = (inBuf << 8) | ((row[k++] ?? 0) & 0xff)
        inBits += 8
      }
      sums[c] = (sums[c]! + (inBuf >> (inBits - bits))) & mask
      inBits -= bits
      outBuf = (outBuf << bits) | sums[c]!
      outBits += bits
      if (outBits >= 8) {
        out.set(j++, (outBuf >> (outBits - 8)) & 0xff)
        outBits -= 8
      }
    }
  }
  if (outBits > 0) out.set(j, ((outBuf << (8 - outBits)) + (inBuf & ((1 << (8 - outBits)) - 1))) & 0xff)
}

// ---------------------------------------------------------------- BrotliDecode

/** BrotliDecode (PDF 2.0, read by pdf.js 5): zlib's decoder, stopped at the limit. */
export function brotliDecode(input: Uint8Array, limit: number, keep: boolean): Decoded {
  let bytes: Buffer
  try {
    bytes = brotliDecompressSync(input, { maxOutputLength: Math.max(1, limit) })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new DecodeLimitError()
    // pdf.js decodes a Brotli stream whole or not at all.
    return { length: 0 }
  }
  if (bytes.length > limit) throw new DecodeLimitError()
  return keep ? { length: bytes.length, bytes } : { length: bytes.length }
}
