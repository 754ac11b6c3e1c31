// A decompression-bomb check for PDFs, run before pdf.js sees the file.
//
// pdf.js has no limit on how large a stream may decode, and what it decodes
// lives in ArrayBuffers, outside the V8 heap limit of the extraction thread:
// a 600 KB file whose content stream inflates to 600 MiB raised the process's
// memory by 1.2 GB. So every stream pdf.js could decode while reading text is
// decoded here first, the way pdf.js would decode it, counting bytes instead
// of keeping them, and the file is refused when one stream or all of them
// together would pass their budget. That covers streams in object streams,
// nested filters, predictors and streams of files encrypted without a
// password. Image codecs (DCT, JPX, JBIG2, CCITT) are not decoded: pdf.js
// decodes them only to paint images, which text extraction never does, and
// refuses them as page content; the extraction pool's memory watch is the
// backstop for anything this check does not foresee.
import {
  DecodeLimitError,
  ascii85Decode,
  asciiHexDecode,
  brotliDecode,
  inflate,
  lzwDecode,
  runLengthDecode,
  unpredict,
  type Decoded,
} from './pdf-filters.ts'
import { decryptStream, emptyPasswordDecryption, type PdfDecryption } from './pdf-crypt.ts'
import {
  ENDSTREAM,
  PdfKeyword,
  PdfName,
  PdfReader,
  PdfRef,
  PdfStream,
  PdfString,
  PdfSyntaxLimitError,
  indexOfBytes,
  isDict,
  isRegular,
  nextOccurrence,
  type PdfDict,
  type PdfValue,
} from './pdf-syntax.ts'

export interface PdfStreamLimits {
  /** Largest any one stream may decode to, at any of its filters. */
  maxStreamBytes: number
  /** All streams together, every filter's output counted. */
  maxDecodedBytes: number
}

/** The PDF would decode to more than its budget allows, or is too convoluted to tell. */
export class PdfBombError extends Error {
  override name = 'PdfBombError'
  /** `damaged` when the file is malformed in a way that hides its streams from the check. */
  readonly problem: 'too_large' | 'damaged'

  constructor(message: string, problem: 'too_large' | 'damaged' = 'too_large') {
    super(message)
    this.problem = problem
  }
}

interface StreamEntry {
  stream: PdfStream
  /** The bytes `stream.dataStart` points into: the file, or a decoded object stream. */
  container: Uint8Array
  /** The object the stream was read as; streams inside object streams are not encrypted separately. */
  object: { num: number; gen: number } | undefined
  depth: number
  deferred: boolean
}

type Filter = { name: string; params: PdfValue | undefined }

const OBJ = Buffer.from('obj', 'latin1')
const TRAILER = Buffer.from('trailer', 'latin1')
const END_VARIANTS = ['endsteam', 'endstrea'].map((word) => Buffer.from(word, 'latin1'))
// Object streams inside object streams inside ...: pdf.js follows them, and so does this, this far.
const MAX_OBJECT_STREAM_DEPTH = 4
const MAX_CANDIDATES = 4
// Readings that do not count (raw bytes of an encrypted file, other values of a
// filter reference) still cost time: all of them together get this many totals.
const MAX_WORK_FACTOR = 4
const MAX_DECRYPTIONS = 4
const MAX_VERSIONS = 16
// Checking a stream costs far more than reading a token: charged this many from the token budget.
const TOKENS_PER_STREAM = 50
const IMAGE_CODECS = new Set(['DCTDecode', 'DCT', 'JPXDecode', 'JPX', 'JBIG2Decode', 'CCITTFaxDecode', 'CCF'])

/** Throws PdfBombError when the PDF's streams would decode past `limits`. */
export function checkPdfStreams(file: Uint8Array, limits: PdfStreamLimits): void {
  try {
    new StreamCheck(file, limits).run()
  } catch (error) {
    if (error instanceof PdfSyntaxLimitError) throw new PdfBombError(error.message)
    throw error
  }
}

class StreamCheck {
  readonly #file: Uint8Array
  readonly #limits: PdfStreamLimits
  // Parsing a legitimate file costs about a token per five bytes; overlapping
  // objects planted to make the check slow run out of this first.
  readonly #budget: { tokens: number }
  readonly #objects = new Map<number, Array<{ gen: number; value: PdfValue }>>()
  readonly #seen = new Set<string>()
  readonly #checked = new Set<string>()
  readonly #queue: StreamEntry[] = []
  #next = 0
  readonly #containers = new Map<Uint8Array, number>()
  /** Where each stream's data starts, as `container:offset`: one stream may be read as several objects. */
  readonly #locations = new Map<PdfStream, string>()
  /** What pdf.js's content parser would read from each stream location: its last filter's output. */
  readonly #contentLengths = new Map<string, number>()
  #decoded = 0
  /** Bytes decoded for any reading, counted or not: what the check itself costs. */
  #work = 0

  constructor(file: Uint8Array, limits: PdfStreamLimits) {
    this.#file = file
    this.#limits = limits
    this.#budget = { tokens: 4_000_000 + file.length }
    this.#containers.set(file, 0)
  }

  run(): void {
    const trailers = this.#readTopLevel()
    const decryptions = this.#decryptions(trailers)
    let deferred: StreamEntry[] = []
    for (;;) {
      const entry = this.#queue[this.#next++]
      if (!entry) {
        if (deferred.length === 0) return this.#checkContentArrays()
        for (const again of deferred) this.#queue.push(again)
        deferred = []
        continue
      }
      // A filter or length held in an object stream is known only once that object stream is decoded.
      if (!entry.deferred && this.#hasUnresolvedRefs(entry.stream.dict)) {
        entry.deferred = true
        deferred.push(entry)
        continue
      }
      this.#check(entry, decryptions)
    }
  }

  /** Every `N G obj` in the file, wherever it is: pdf.js goes wherever its cross-reference table points. */
  #readTopLevel(): PdfDict[] {
    const file = this.#file
    for (let at = indexOfBytes(file, OBJ, 0); at >= 0; at = indexOfBytes(file, OBJ, at + 1)) {
      if ((at > 0 && isRegular(file[at - 1]!)) || isRegular(file[at + 3] ?? -1)) continue
      const header = objectNumberBefore(file, at)
      const reader = new PdfReader(file, at + 3, this.#budget)
      const value = reader.object()
      if (header && value !== undefined) this.#remember(header.num, header.gen, value)
      for (const stream of reader.streams) this.#enqueue(stream, file, header ?? { num: -1, gen: -1 }, 0)
    }
    const trailers: PdfDict[] = []
    for (let at = indexOfBytes(file, TRAILER, 0); at >= 0; at = indexOfBytes(file, TRAILER, at + 1)) {
      const value = new PdfReader(file, at + TRAILER.length, this.#budget).object()
      if (isDict(value)) trailers.push(value)
    }
    // Cross-reference streams carry the trailer entries in their own dictionary.
    for (const entry of this.#queue) if (entry.stream.dict.has('Encrypt')) trailers.push(entry.stream.dict)
    return trailers
  }

  #remember(num: number, gen: number, value: PdfValue): void {
    const versions = this.#objects.get(num) ?? []
    versions.push({ gen, value })
    // Incremental updates redefine an object a few times; the latest few are what a reader uses.
    if (versions.length > MAX_VERSIONS) versions.shift()
    this.#objects.set(num, versions)
  }

  #enqueue(stream: PdfStream, container: Uint8Array, object: StreamEntry['object'], depth: number): void {
    if (!this.#containers.has(container)) this.#containers.set(container, this.#containers.size)
    const location = `${this.#containers.get(container)}:${stream.dataStart}`
    this.#locations.set(stream, location)
    const key = `${location}:${object?.num}:${object?.gen}`
    if (this.#seen.has(key)) return
    this.#seen.add(key)
    this.#queue.push({ stream, container, object, depth, deferred: false })
  }

  /** The values a reference may stand for, latest definition first; a direct value stands for itself. */
  #resolve(value: PdfValue | undefined, depth = 0): PdfValue[] {
    if (!(value instanceof PdfRef)) return value === undefined ? [] : [value]
    if (depth > 8) return []
    const versions = this.#objects.get(value.num) ?? []
    const sameGen = versions.filter((version) => version.gen === value.gen)
    const chosen = (sameGen.length > 0 ? sameGen : versions).slice(-MAX_CANDIDATES).reverse()
    return chosen.flatMap((version) => this.#resolve(version.value, depth + 1)).slice(0, MAX_CANDIDATES)
  }

  #first(value: PdfValue | undefined): PdfValue | undefined {
    return this.#resolve(value)[0]
  }

  #hasUnresolvedRefs(dict: PdfDict): boolean {
    const unresolved = (value: PdfValue | undefined) => value instanceof PdfRef && this.#resolve(value).length === 0
    for (const key of ['F', 'Filter', 'DP', 'DecodeParms', 'Length', 'First', 'N']) {
      const value = dict.get(key)
      if (unresolved(value)) return true
      if (Array.isArray(value) && value.some(unresolved)) return true
    }
    return false
  }

  /** The keys for every encryption dictionary the empty password opens. */
  #decryptions(trailers: PdfDict[]): PdfDecryption[] {
    const found = new Map<string, PdfDecryption>()
    const resolve = (value: PdfValue | undefined) => this.#first(value)
    for (const trailer of trailers) {
      const ids = this.#first(trailer.get('ID'))
      const id = Array.isArray(ids) && ids[0] instanceof PdfString ? ids[0].bytes : new Uint8Array(0)
      for (const encrypt of this.#resolve(trailer.get('Encrypt'))) {
        if (!isDict(encrypt)) continue
        const decryption = emptyPasswordDecryption(encrypt, id, resolve)
        if (decryption) found.set(`${decryption.cipher}:${Buffer.from(decryption.key).toString('hex')}`, decryption)
      }
    }
    if (found.size > MAX_DECRYPTIONS) throw new PdfBombError('the PDF has more encryption dictionaries than a file needs', 'damaged')
    return [...found.values()]
  }

  #check(entry: StreamEntry, decryptions: PdfDecryption[]): void {
    const { stream, container } = entry
    const location = this.#locations.get(stream)!
    // Read as several objects, the same data decodes differently only through their keys.
    const checkKey = decryptions.length > 0 ? `${location}:${entry.object?.num}:${entry.object?.gen}` : location
    if (this.#checked.has(checkKey)) return
    this.#checked.add(checkKey)
    this.#budget.tokens -= TOKENS_PER_STREAM
    if (this.#budget.tokens < 0) throw new PdfBombError('the PDF has too many streams to check')
    const end = this.#streamEnd(entry)
    if (end === undefined) return
    const raw = container.subarray(stream.dataStart, end)
    // Which bytes pdf.js decodes depends on which trailer it trusts: the data
    // as it is, or decrypted with any key the empty password opens.
    const inputs = [raw]
    if (entry.object && decryptions.length > 0) {
      // Each object's key comes from its number, which pdf.js reads in ways this check does not follow.
      if (entry.object.num < 0) throw new PdfBombError('the PDF is encrypted and has a stream outside any readable object', 'damaged')
      for (const decryption of decryptions) inputs.push(decryptStream(raw, entry.object.num, entry.object.gen, decryption))
    }
    const objectStream = this.#objectStreamLayout(stream.dict)

    let largest = 0
    let longestContent = 0
    const contents: Uint8Array[] = []
    for (const chain of this.#filterChains(stream.dict)) {
      for (const input of inputs) {
        const { total, content, output } = this.#decode(input, chain, objectStream !== undefined)
        // Input costs time even where it decodes to nothing (white space in ASCIIHex, empty deflate blocks).
        this.#work += input.length + total
        if (this.#work > MAX_WORK_FACTOR * this.#limits.maxDecodedBytes) throw new PdfBombError('the PDF takes too much decoding to check')
        largest = Math.max(largest, total)
        longestContent = Math.max(longestContent, content)
        if (output) contents.push(output)
      }
    }
    this.#contentLengths.set(location, Math.max(longestContent, this.#contentLengths.get(location) ?? 0))
    this.#decoded += largest
    if (this.#decoded > this.#limits.maxDecodedBytes) throw this.#totalExceeded()

    if (objectStream) {
      if (entry.depth >= MAX_OBJECT_STREAM_DEPTH) throw new PdfBombError('the PDF nests object streams too deeply to check')
      for (const content of contents) this.#readObjectStream(content, objectStream, entry.depth + 1)
    }
  }

  /**
   * Where pdf.js would take the stream to end: at /Length when `endstream`
   * follows there, else at the first `endstream`. When they differ, the later
   * one; when a /Length reference cannot be resolved, the end of the bytes.
   */
  #streamEnd({ stream, container }: StreamEntry): number | undefined {
    const ends: number[] = []
    const declared = stream.dict.get('Length')
    const lengths = this.#resolve(declared)
    if (declared instanceof PdfRef && lengths.length === 0) ends.push(container.length)
    for (const length of lengths) {
      if (typeof length !== 'number' || !Number.isInteger(length) || length < 0) continue
      const end = stream.dataStart + length
      if (end > container.length) continue
      const reader = new PdfReader(container, end, this.#budget)
      const token = reader.token()
      if (token instanceof PdfKeyword && token.word === 'endstream') ends.push(end)
    }
    const searched = [nextOccurrence(container, ENDSTREAM, stream.dataStart)]
    for (const variant of END_VARIANTS) {
      // pdf.js takes these misspellings only when white space follows. Only the first of each is
      // looked at: missing a later one makes the extent longer, never shorter.
      const at = nextOccurrence(container, variant, stream.dataStart)
      if (at >= 0 && [0x20, 0x09, 0x0a, 0x0d].includes(container[at + variant.length] ?? -1)) searched.push(at)
    }
    const found = searched.filter((at) => at >= 0)
    if (found.length > 0) ends.push(Math.min(...found))
    return ends.length === 0 ? undefined : Math.max(...ends)
  }

  /** The filters pdf.js would apply, for each value the filter entry may stand for. */
  #filterChains(dict: PdfDict): Filter[][] {
    const filterEntry = dict.get('F') !== undefined ? dict.get('F') : dict.get('Filter')
    const paramsEntry = this.#first(dict.get('DP') !== undefined ? dict.get('DP') : dict.get('DecodeParms'))
    const candidates = this.#resolve(filterEntry)
    if (candidates.length === 0) return [[]]
    const chains: Filter[][] = []
    for (const filter of candidates) {
      if (filter instanceof PdfName) {
        chains.push([{ name: filter.name, params: paramsEntry }])
      } else if (Array.isArray(filter)) {
        const chain: Filter[] = []
        for (let i = 0; i < filter.length; i++) {
          const name = this.#first(filter[i])
          // pdf.js refuses a stream with a filter that is not a name before decoding anything.
          if (!(name instanceof PdfName)) return chains
          const params = Array.isArray(paramsEntry) && i < paramsEntry.length ? this.#first(paramsEntry[i]) : undefined
          chain.push({ name: name.name, params })
        }
        chains.push(chain)
      } else {
        chains.push([])
      }
    }
    return chains
  }

  /** Decodes one input through one chain, within budget; the final output only when it is an object stream's. */
  #decode(input: Uint8Array, chain: Filter[], keepOutput: boolean): { total: number; content: number; output?: Uint8Array } {
    let data: Uint8Array | undefined = input
    let total = 0
    let content = input.length
    for (let i = 0; i < chain.length && data; i++) {
      const { name, params } = chain[i]!
      // pdf.js leaves image-coded streams out of page content altogether.
      if (IMAGE_CODECS.has(name)) return { total, content: 0 }
      const keep = i < chain.length - 1 || keepOutput
      const source: Uint8Array = data
      let decode: ((limit: number, keepIt: boolean) => Decoded) | undefined
      let predicted = false
      switch (name) {
        case 'FlateDecode':
        case 'Fl':
          decode = (limit, keepIt) => inflate(source, limit, keepIt)
          predicted = true
          break
        case 'LZWDecode':
        case 'LZW': {
          const early = isDict(params) && params.has('EarlyChange') ? this.#first(params.get('EarlyChange')) : 1
          decode = (limit, keepIt) => lzwDecode(source, typeof early === 'number' ? early : 1, limit, keepIt)
          predicted = true
          break
        }
        case 'ASCII85Decode':
        case 'A85':
          decode = (limit, keepIt) => ascii85Decode(source, limit, keepIt)
          break
        case 'ASCIIHexDecode':
        case 'AHx':
          decode = (limit, keepIt) => asciiHexDecode(source, limit, keepIt)
          break
        case 'RunLengthDecode':
        case 'RL':
          decode = (limit, keepIt) => runLengthDecode(source, limit, keepIt)
          break
        case 'BrotliDecode':
          decode = (limit, keepIt) => brotliDecode(source, limit, keepIt)
          break
      }
      // pdf.js passes data through a filter it does not know (Crypt among them).
      if (!decode) continue
      // pdf.js applies a predictor after FlateDecode and LZWDecode only.
      const predictor = predicted && isDict(params) ? this.#predictor(params) : undefined
      const decoded = this.#withinBudget(total, 0, (limit) => decode(limit, keep || predictor !== undefined))
      total += decoded.length
      content = decoded.length
      data = decoded.bytes
      if (predictor === 'unsupported') {
        // pdf.js gives up on the filter and reads nothing from it.
        data = new Uint8Array(0)
        content = 0
      } else if (predictor) {
        const rows = decoded.bytes ?? new Uint8Array(0)
        // A predictor reshapes rows; only what it adds beyond its input is new.
        const reshaped = this.#withinBudget(total, decoded.length, (limit) => unpredict(rows, predictor, limit, keep))
        total += Math.max(0, reshaped.length - decoded.length)
        content = reshaped.length
        data = reshaped.bytes
      }
    }
    return { total, content, output: keepOutput ? data : undefined }
  }

  /**
   * pdf.js joins the streams of a page's /Contents array into one buffer, and
   * the array may name the same stream many times: ten references to a 40 MiB
   * stream make 400 MiB that no single stream shows.
   */
  #checkContentArrays(): void {
    const seen = new Set<PdfValue>()
    const visit = (value: PdfValue | undefined): void => {
      if (value === null || typeof value !== 'object' || seen.has(value)) return
      seen.add(value)
      if (Array.isArray(value)) return value.forEach(visit)
      const dict = value instanceof PdfStream ? value.dict : isDict(value) ? value : undefined
      if (!dict) return
      for (const contents of this.#resolve(dict.get('Contents'))) {
        if (!Array.isArray(contents)) continue
        let joined = 0
        for (const part of contents) {
          for (const stream of this.#resolve(part).slice(0, 1)) {
            if (stream instanceof PdfStream) joined += this.#contentLengths.get(this.#locations.get(stream) ?? '') ?? 0
          }
        }
        if (joined > this.#limits.maxStreamBytes) {
          throw new PdfBombError(
            `a page's content streams together decode to more than ${formatBytes(this.#limits.maxStreamBytes)} (decompression bomb?)`,
          )
        }
      }
      for (const child of dict.values()) visit(child)
    }
    for (const versions of this.#objects.values()) for (const { value } of versions) visit(value)
  }

  /**
   * Runs one decoding step with what is left of both budgets, and says which
   * one it broke. `uncounted` bytes of its output do not count towards the total.
   */
  #withinBudget(spentOnStream: number, uncounted: number, decode: (limit: number) => Decoded): Decoded {
    const leftInTotal = this.#limits.maxDecodedBytes - this.#decoded - spentOnStream + uncounted
    const limit = Math.max(0, Math.min(this.#limits.maxStreamBytes, leftInTotal))
    try {
      return decode(limit)
    } catch (error) {
      if (!(error instanceof DecodeLimitError)) throw error
      if (limit === this.#limits.maxStreamBytes) {
        throw new PdfBombError(`a stream in the PDF decodes to more than ${formatBytes(this.#limits.maxStreamBytes)} (decompression bomb?)`)
      }
      throw this.#totalExceeded()
    }
  }

  #totalExceeded(): PdfBombError {
    return new PdfBombError(`the PDF's streams decode to more than ${formatBytes(this.#limits.maxDecodedBytes)} (decompression bomb?)`)
  }

  /** Predictor parameters as pdf.js reads them (it ignores them unless /Predictor is above 1). */
  #predictor(params: PdfDict): Parameters<typeof unpredict>[1] | 'unsupported' | undefined {
    const number = (key: string, alternative?: string): number => {
      const value = this.#first(params.get(key) ?? (alternative ? params.get(alternative) : undefined))
      if (typeof value === 'number') return value
      if (typeof value === 'boolean') return Number(value)
      return value === undefined || value === null ? 0 : Number.NaN
    }
    const predictor = number('Predictor') || 1
    if (predictor <= 1) return undefined
    if (predictor !== 2 && (predictor < 10 || predictor > 15)) return 'unsupported'
    return {
      predictor,
      colors: number('Colors') || 1,
      bitsPerComponent: number('BPC', 'BitsPerComponent') || 8,
      columns: number('Columns') || 1,
    }
  }

  /** /First and /N when the stream could serve as an object stream (pdf.js does not look at /Type). */
  #objectStreamLayout(dict: PdfDict): { first: number; count: number } | undefined {
    const first = this.#first(dict.get('First'))
    const count = this.#first(dict.get('N'))
    if (typeof first !== 'number' || typeof count !== 'number' || !Number.isInteger(first) || !Number.isInteger(count)) return undefined
    return { first, count }
  }

  /** The objects of a decoded object stream; pdf.js reads streams among them too. */
  #readObjectStream(content: Uint8Array, layout: { first: number; count: number }, depth: number): void {
    const header = new PdfReader(content, 0, this.#budget)
    const entries: Array<{ num: number; offset: number }> = []
    for (let i = 0; i < layout.count; i++) {
      const num = header.object()
      const offset = header.object()
      if (typeof num !== 'number' || typeof offset !== 'number' || !Number.isInteger(num) || !Number.isInteger(offset)) return
      entries.push({ num, offset })
    }
    for (const { num, offset } of entries) {
      const reader = new PdfReader(content, layout.first + offset, this.#budget)
      const value = reader.object()
      // Objects in object streams have generation 0, whatever their index.
      if (value !== undefined) this.#remember(num, 0, value)
      for (const stream of reader.streams) this.#enqueue(stream, content, undefined, depth)
    }
  }
}

/** The `N G` before an `obj` keyword, when nothing but white space separates them. */
function objectNumberBefore(file: Uint8Array, at: number): { num: number; gen: number } | undefined {
  let i = at
  const skipSpace = () => {
    while (i > 0 && [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20].includes(file[i - 1]!)) i--
  }
  const digitsBack = (): number | undefined => {
    const end = i
    while (i > 0 && file[i - 1]! >= 0x30 && file[i - 1]! <= 0x39) i--
    if (i === end || end - i > 10) return undefined
    return Number(Buffer.from(file.subarray(i, end)).toString('latin1'))
  }
  skipSpace()
  const gen = digitsBack()
  if (gen === undefined) return undefined
  skipSpace()
  const num = digitsBack()
  if (num === undefined) return undefined
  return { num, gen }
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round((n / (1024 * 1024)) * 10) / 10} MiB` : `${Math.round(n / 1024)} KiB`
}
