// Just enough of the PDF object syntax to find every stream in a file and
// read its dictionary, tokenised the way pdf.js (the reader behind unpdf)
// tokenises it: when the two disagree on where a stream starts or which
// filters it has, a bomb can slip past the check in pdf-streams.ts.

export class PdfName {
  readonly name: string
  constructor(name: string) {
    this.name = name
  }
}

export class PdfRef {
  readonly num: number
  readonly gen: number
  constructor(num: number, gen: number) {
    this.num = num
    this.gen = gen
  }
}

export class PdfString {
  readonly bytes: Uint8Array
  constructor(bytes: Uint8Array) {
    this.bytes = bytes
  }
}

/** A dictionary followed by the `stream` keyword; its data starts at `dataStart` in the bytes it was read from. */
export class PdfStream {
  readonly dict: PdfDict
  readonly dataStart: number
  constructor(dict: PdfDict, dataStart: number) {
    this.dict = dict
    this.dataStart = dataStart
  }
}

/** A bare word such as `obj`, `stream` or `R`. */
export class PdfKeyword {
  readonly word: string
  constructor(word: string) {
    this.word = word
  }
}

export type PdfDict = Map<string, PdfValue>
export type PdfValue = number | boolean | null | PdfName | PdfRef | PdfString | PdfKeyword | PdfStream | PdfDict | PdfValue[]

/** The file is too convoluted to check within its work budget. */
export class PdfSyntaxLimitError extends Error {
  override name = 'PdfSyntaxLimitError'
}

const PUNCT = { dictStart: 1, dictEnd: 2, arrayStart: 3, arrayEnd: 4, eof: 5 } as const
type Punctuation = (typeof PUNCT)[keyof typeof PUNCT]
type Token = PdfValue | { punctuation: Punctuation }

// pdf.js's table: 1 = white space, 2 = delimiter, 0 = regular character.
const WHITE = 1
const DELIMITER = 2
const CHAR_CLASS = new Uint8Array(256)
for (const c of [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]) CHAR_CLASS[c] = WHITE
for (const c of '%()/<>[]{}') CHAR_CLASS[c.charCodeAt(0)] = DELIMITER

export function isRegular(byte: number): boolean {
  return byte >= 0 && CHAR_CLASS[byte] === 0
}

/** Bytes of a string token, in a buffer that grows by doubling (an array of numbers is ten times slower). */
class ByteCollector {
  #buffer = new Uint8Array(64)
  #length = 0

  push(byte: number): void {
    if (this.#length === this.#buffer.length) {
      const bigger = new Uint8Array(this.#buffer.length * 2)
      bigger.set(this.#buffer)
      this.#buffer = bigger
    }
    this.#buffer[this.#length++] = byte
  }

  bytes(): Uint8Array {
    return this.#buffer.slice(0, this.#length)
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c & 15
  if ((c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)) return (c & 15) + 9
  return -1
}

const MAX_DEPTH = 64
const MAX_KEYWORD = 128

/**
 * Reads PDF objects from `bytes` starting at any offset. Every token costs one
 * unit of the shared `budget`, so a file crafted to make the check slow runs
 * out of budget instead.
 */
export class PdfReader {
  readonly bytes: Uint8Array
  pos: number
  /** Every stream met while reading, nested ones included. */
  readonly streams: PdfStream[] = []
  readonly #budget: { tokens: number }

  constructor(bytes: Uint8Array, pos: number, budget: { tokens: number }) {
    this.bytes = bytes
    this.pos = pos
    this.#budget = budget
  }

  #byte(at = this.pos): number {
    return at < this.bytes.length ? this.bytes[at]! : -1
  }

  /** White space and comments, as pdf.js's lexer skips them between tokens. */
  skipSpace(): void {
    let comment = false
    for (;;) {
      const c = this.#byte()
      if (c < 0) return
      if (comment) {
        if (c === 0x0a || c === 0x0d) comment = false
      } else if (c === 0x25) {
        comment = true
      } else if (CHAR_CLASS[c] !== WHITE) {
        return
      }
      this.pos++
    }
  }

  token(): Token {
    const start = this.pos
    const token = this.#token()
    // Long runs (white space, strings) cost too: read from many places they would add up to quadratic time.
    this.#budget.tokens -= 1 + ((this.pos - start) >> 3)
    if (this.#budget.tokens < 0) throw new PdfSyntaxLimitError('the PDF has too many tokens to check')
    return token
  }

  #token(): Token {
    this.skipSpace()
    const c = this.#byte()
    if (c < 0) return { punctuation: PUNCT.eof }
    if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e) return this.#number()
    switch (c) {
      case 0x28:
        return this.#string()
      case 0x2f:
        return this.#name()
      case 0x5b:
        this.pos++
        return { punctuation: PUNCT.arrayStart }
      case 0x5d:
        this.pos++
        return { punctuation: PUNCT.arrayEnd }
      case 0x3c:
        if (this.#byte(this.pos + 1) === 0x3c) {
          this.pos += 2
          return { punctuation: PUNCT.dictStart }
        }
        this.pos++
        return this.#hexString()
      case 0x3e:
        if (this.#byte(this.pos + 1) === 0x3e) {
          this.pos += 2
          return { punctuation: PUNCT.dictEnd }
        }
        this.pos++
        return new PdfKeyword('>')
      case 0x7b:
      case 0x7d:
        this.pos++
        return new PdfKeyword(String.fromCharCode(c))
      case 0x29:
        // pdf.js throws on a stray ')': whatever object it was in is unreadable.
        this.pos++
        return new PdfKeyword(')')
    }
    let word = String.fromCharCode(c)
    this.pos++
    if (c < 32 || c > 127) {
      const next = this.#byte()
      if (next >= 32 && next <= 127) return new PdfKeyword(word)
    }
    for (let n = this.#byte(); isRegular(n); n = this.#byte()) {
      if (word.length === MAX_KEYWORD) return new PdfKeyword(')')
      word += String.fromCharCode(n)
      this.pos++
    }
    if (word === 'true') return true
    if (word === 'false') return false
    if (word === 'null') return null
    return new PdfKeyword(word)
  }

  #number(): number {
    let c = this.#byte()
    let sign = 1
    let divisor = 0
    if (c === 0x2d) {
      sign = -1
      c = this.#byte(++this.pos)
      if (c === 0x2d) c = this.#byte(++this.pos)
    } else if (c === 0x2b) {
      c = this.#byte(++this.pos)
    }
    while (c === 0x0a || c === 0x0d) c = this.#byte(++this.pos)
    if (c === 0x2e) {
      divisor = 10
      c = this.#byte(++this.pos)
    }
    if (c < 0x30 || c > 0x39) return 0
    let value = c - 0x30
    for (c = this.#byte(++this.pos); c >= 0; c = this.#byte(++this.pos)) {
      if (c >= 0x30 && c <= 0x39) {
        if (divisor !== 0) divisor *= 10
        value = value * 10 + (c - 0x30)
      } else if (c === 0x2e) {
        if (divisor === 0) divisor = 1
        else break
      } else if (c !== 0x2d) {
        // pdf.js ignores a minus sign in the middle of a number.
        break
      }
    }
    if (divisor !== 0) value /= divisor
    return sign * value
  }

  #string(): PdfString {
    const out = new ByteCollector()
    let depth = 1
    this.pos++
    for (let c = this.#byte(); ;) {
      let lookedAhead = false
      if (c < 0) break
      if (c === 0x28) {
        depth++
        out.push(c)
      } else if (c === 0x29) {
        if (--depth === 0) {
          this.pos++
          break
        }
        out.push(c)
      } else if (c === 0x5c) {
        c = this.#byte(++this.pos)
        if (c < 0) break
        switch (c) {
          case 0x6e:
            out.push(0x0a)
            break
          case 0x72:
            out.push(0x0d)
            break
          case 0x74:
            out.push(0x09)
            break
          case 0x62:
            out.push(0x08)
            break
          case 0x66:
            out.push(0x0c)
            break
          case 0x0d:
            if (this.#byte(this.pos + 1) === 0x0a) this.pos++
            break
          case 0x0a:
            break
          default:
            if (c >= 0x30 && c <= 0x37) {
              let code = c & 15
              c = this.#byte(++this.pos)
              lookedAhead = true
              if (c >= 0x30 && c <= 0x37) {
                code = (code << 3) + (c & 15)
                c = this.#byte(++this.pos)
                if (c >= 0x30 && c <= 0x37) {
                  lookedAhead = false
                  code = (code << 3) + (c & 15)
                }
              }
              out.push(code & 0xff)
            } else {
              out.push(c)
            }
        }
      } else {
        out.push(c)
      }
      if (!lookedAhead) c = this.#byte(++this.pos)
    }
    return new PdfString(out.bytes())
  }

  #hexString(): PdfString {
    const out = new ByteCollector()
    let high = -1
    for (let c = this.#byte(); ; c = this.#byte(++this.pos)) {
      if (c < 0) break
      if (c === 0x3e) {
        this.pos++
        break
      }
      if (CHAR_CLASS[c] === WHITE) continue
      const digit = hexValue(c)
      if (digit === -1) continue
      if (high === -1) high = digit
      else {
        out.push((high << 4) | digit)
        high = -1
      }
    }
    if (high !== -1) out.push(high << 4)
    return new PdfString(out.bytes())
  }

  #name(): PdfName {
    let name = ''
    this.pos++
    for (let c = this.#byte(); isRegular(c); c = this.#byte()) {
      this.pos++
      if (c !== 0x23) {
        name += String.fromCharCode(c)
        continue
      }
      const first = this.#byte()
      if (!isRegular(first)) {
        name += '#'
        break
      }
      const high = hexValue(first)
      if (high === -1) {
        name += '#' + String.fromCharCode(first)
        this.pos++
        continue
      }
      this.pos++
      const second = this.#byte()
      const low = hexValue(second)
      if (low === -1) {
        name += '#' + String.fromCharCode(first)
        if (!isRegular(second)) break
        name += String.fromCharCode(second)
        this.pos++
        continue
      }
      this.pos++
      name += String.fromCharCode((high << 4) | low)
    }
    return new PdfName(name)
  }

  /**
   * One object, as pdf.js's Parser.getObj reads it: `int int R` is a
   * reference, and a dictionary directly followed by `stream` starts a stream.
   */
  object(depth = 0): PdfValue | undefined {
    if (depth > MAX_DEPTH) throw new PdfSyntaxLimitError('the PDF nests objects too deeply to check')
    const token = this.token()
    if (typeof token === 'number') {
      if (!Number.isInteger(token)) return token
      const save = this.pos
      const gen = this.token()
      if (typeof gen === 'number' && Number.isInteger(gen)) {
        const r = this.token()
        if (r instanceof PdfKeyword && r.word === 'R') return new PdfRef(token, gen)
      }
      this.pos = save
      return token
    }
    if (token === null || typeof token !== 'object' || !('punctuation' in token)) return token
    switch (token.punctuation) {
      case PUNCT.arrayStart: {
        const array: PdfValue[] = []
        for (;;) {
          const save = this.pos
          const next = this.token()
          if (isPunctuation(next, PUNCT.arrayEnd) || isPunctuation(next, PUNCT.eof)) return array
          this.pos = save
          const item = this.object(depth + 1)
          if (item === undefined) return array
          array.push(item)
        }
      }
      case PUNCT.dictStart: {
        const dict: PdfDict = new Map()
        for (;;) {
          const key = this.token()
          if (isPunctuation(key, PUNCT.dictEnd)) break
          if (isPunctuation(key, PUNCT.eof)) return dict
          // pdf.js skips one token that is not a name where a key should be.
          if (!(key instanceof PdfName)) continue
          const value = this.object(depth + 1)
          if (value === undefined) return dict
          dict.set(key.name, value)
        }
        const afterDict = this.pos
        const next = this.token()
        if (next instanceof PdfKeyword && next.word === 'stream') {
          // pdf.js makes a stream of any dictionary followed by `stream`, even
          // one nested in an array, and reads on after its `endstream`.
          const stream = new PdfStream(dict, this.#lineAfter(this.pos))
          this.streams.push(stream)
          this.pos = this.#afterStream(stream)
          return stream
        }
        this.pos = afterDict
        return dict
      }
      case PUNCT.dictEnd:
        return new PdfKeyword('>>')
      case PUNCT.arrayEnd:
        return new PdfKeyword(']')
      default:
        return undefined
    }
  }

  /**
   * Where reading goes on after a stream: past the `endstream` that its direct
   * /Length points at, else past the first `endstream` after its data. (The
   * stream check itself works out each stream's extent more carefully.)
   */
  #afterStream(stream: PdfStream): number {
    const length = stream.dict.get('Length')
    if (typeof length === 'number' && Number.isInteger(length) && length >= 0) {
      const end = this.#keywordAt(stream.dataStart + length, 'endstream')
      if (end >= 0) return end
    }
    const found = nextOccurrence(this.bytes, ENDSTREAM, stream.dataStart)
    return found < 0 ? this.bytes.length : found + ENDSTREAM.length
  }

  /** Where the token at `at` ends, if that token is `word`; -1 otherwise. */
  #keywordAt(at: number, word: string): number {
    if (at > this.bytes.length) return -1
    const save = this.pos
    this.pos = at
    const token = this.token()
    const end = this.pos
    this.pos = save
    return token instanceof PdfKeyword && token.word === word ? end : -1
  }

  /** Where pdf.js's skipToNextLine lands: just past the next end of line. */
  #lineAfter(at: number): number {
    const lf = nextOccurrence(this.bytes, LF, at)
    const cr = nextOccurrence(this.bytes, CR, at)
    if (cr >= 0 && (lf < 0 || cr < lf)) return this.bytes[cr + 1] === 0x0a ? cr + 2 : cr + 1
    return lf >= 0 ? lf + 1 : this.bytes.length
  }
}

function isPunctuation(token: Token, kind: Punctuation): boolean {
  return token !== null && typeof token === 'object' && 'punctuation' in token && token.punctuation === kind
}

export const ENDSTREAM = Buffer.from('endstream', 'latin1')
const LF = Buffer.from([0x0a])
const CR = Buffer.from([0x0d])

export function indexOfBytes(bytes: Uint8Array, needle: Uint8Array, from: number): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(needle, from)
}

const occurrences = new WeakMap<Uint8Array, Map<string, Int32Array>>()

/**
 * The first occurrence of `needle` at or after `from`. Every occurrence is
 * found once per byte array and then looked up by binary search: searching
 * afresh for each of a hundred thousand streams with no `endstream` after
 * them would take quadratic time.
 */
export function nextOccurrence(bytes: Uint8Array, needle: Uint8Array, from: number): number {
  let byNeedle = occurrences.get(bytes)
  if (!byNeedle) occurrences.set(bytes, (byNeedle = new Map()))
  const key = Buffer.from(needle).toString('latin1')
  let positions = byNeedle.get(key)
  if (!positions) {
    const found: number[] = []
    for (let at = indexOfBytes(bytes, needle, 0); at >= 0; at = indexOfBytes(bytes, needle, at + 1)) found.push(at)
    positions = Int32Array.from(found)
    byNeedle.set(key, positions)
  }
  let low = 0
  let high = positions.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (positions[middle]! < from) low = middle + 1
    else high = middle
  }
  return low < positions.length ? positions[low]! : -1
}

export function isDict(value: unknown): value is PdfDict {
  return value instanceof Map
}
