// Resume files for tests and benchmarks: real documents built with the same
// libraries a candidate's tools would use, and hostile ones built by hand so
// each defence in the pipeline has something concrete to stop.
import { createCipheriv, createHash } from 'node:crypto'
import {
  constants as zlibConstants,
  crc32,
  createBrotliCompress,
  createDeflate,
  deflateRawSync,
  deflateSync,
  type BrotliCompress,
  type Deflate,
} from 'node:zlib'
import { Document, Packer, Paragraph, TextRun } from 'docx'
import { PDFDocument, StandardFonts } from 'pdf-lib'

export function sampleResumeLines(name = 'Jane Doe'): string[] {
  const handle = name
    .toLowerCase()
    .replace(/[^a-z]+/g, '-')
    .replace(/^-|-$/g, '')
  return [
    name,
    'Senior Software Engineer',
    `${handle}@example.com | +44 20 7946 0958`,
    `linkedin.com/in/${handle} | https://github.com/${handle} | ${handle}.dev`,
    '',
    'Summary',
    'Backend engineer with 8+ years of experience building payment and logistics platforms.',
    '',
    'Experience',
    'Staff Engineer, Acme Payments, Jan 2020 - Present',
    'Led the migration of the ledger service from a monolith to Kubernetes on AWS.',
    'Built event pipelines in TypeScript and Node.js with PostgreSQL and Redis.',
    'Software Engineer, Globex Logistics, 2016 - 2019',
    'Wrote routing services in Go and Python; owned the CI/CD pipeline on GitHub Actions.',
    'Junior Developer, Initech, 03/2014 - 06/2016',
    'Maintained internal tools written in C# and .NET.',
    '',
    'Skills',
    'TypeScript, JavaScript, Node.js, Go, Python, PostgreSQL, Redis, Kubernetes, AWS, Terraform, CI/CD',
    '',
    'Education',
    'BSc Computer Science, University of Leeds',
  ]
}

const PAGE_WIDTH = 595.28
const PAGE_HEIGHT = 841.89
const MARGIN = 56
const FONT_SIZE = 11
const LEADING = 15

/** A text PDF written with a standard font, flowing onto as many pages as the lines need. */
export async function makePdfResume(lines: string[]): Promise<Buffer> {
  const pdf = await PDFDocument.create()
  const font = await pdf.embedFont(StandardFonts.Helvetica)
  const linesPerPage = Math.floor((PAGE_HEIGHT - 2 * MARGIN) / LEADING)
  for (let start = 0; start === 0 || start < lines.length; start += linesPerPage) {
    const page = pdf.addPage([PAGE_WIDTH, PAGE_HEIGHT])
    lines.slice(start, start + linesPerPage).forEach((line, i) => {
      if (line.length > 0) {
        page.drawText(line, { x: MARGIN, y: PAGE_HEIGHT - MARGIN - i * LEADING, size: FONT_SIZE, font })
      }
    })
  }
  return Buffer.from(await pdf.save())
}

/** A PDF whose pages carry no text at all, as a scanner without OCR produces. */
export async function makeBlankPdf(pages = 1): Promise<Buffer> {
  const pdf = await PDFDocument.create()
  for (let i = 0; i < pages; i++) pdf.addPage([PAGE_WIDTH, PAGE_HEIGHT])
  return Buffer.from(await pdf.save())
}

export async function makeDocxResume(lines: string[]): Promise<Buffer> {
  const doc = new Document({
    sections: [{ children: lines.map((line) => new Paragraph({ children: [new TextRun(line)] })) }],
  })
  return Packer.toBuffer(doc)
}

/**
 * A minimal PDF encrypted with the standard security handler. The /U entry
 * does not match the empty user password, so pdf.js cannot open it without
 * asking for one.
 */
export function makeEncryptedPdf(): Buffer {
  const hex32 = (byte: string) => byte.repeat(32)
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>',
    '<< /Length 0 >>\nstream\n\nendstream',
    `<< /Filter /Standard /V 1 /R 2 /O <${hex32('a5')}> /U <${hex32('5a')}> /P -44 >>`,
  ]
  return assemblePdf(objects, '/Root 1 0 R /Encrypt 5 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>]')
}

function assemblePdf(objects: string[], trailerEntries: string): Buffer {
  let body = '%PDF-1.4\n'
  const offsets: number[] = []
  objects.forEach((object, i) => {
    offsets.push(Buffer.byteLength(body, 'latin1'))
    body += `${i + 1} 0 obj\n${object}\nendobj\n`
  })
  const xrefAt = Buffer.byteLength(body, 'latin1')
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`
  body += `trailer\n<< /Size ${objects.length + 1} ${trailerEntries} >>\nstartxref\n${xrefAt}\n%%EOF\n`
  return Buffer.from(body, 'latin1')
}

/** Starts like a PDF, and nothing after the header makes sense. */
export function makeCorruptPdf(): Buffer {
  const garbage = Buffer.alloc(4096)
  // A fixed pattern rather than random bytes keeps failures reproducible.
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 131 + 17) % 251
  return Buffer.concat([Buffer.from('%PDF-1.7\n', 'latin1'), garbage])
}

/** The start of a 64-bit little-endian ELF executable. */
export function makeElfBinary(): Buffer {
  const bytes = Buffer.alloc(512)
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]).copy(bytes, 0)
  bytes.writeUInt16LE(2, 16) // e_type: executable
  bytes.writeUInt16LE(0x3e, 18) // e_machine: x86-64
  bytes.writeUInt32LE(1, 20) // e_version
  return bytes
}

/** A 1x1 PNG. */
export function makePng(): Buffer {
  return Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64')
}

export interface ZipEntry {
  name: string
  data: Buffer
  /** Deflate the data (method 8) instead of storing it (method 0). */
  deflate?: boolean
  /** Written into both headers instead of the real size, to lie about the entry. */
  declaredSize?: number
  /** Declared through a ZIP64 extra field (the 32-bit fields saturated), as archives over 4 GiB must. */
  zip64DeclaredSize?: number
}

/** A plain zip archive (no ZIP64, no data descriptors), written record by record. */
export function makeZip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8')
    const payload = entry.deflate ? deflateRawSync(entry.data) : entry.data
    const method = entry.deflate ? 8 : 0
    const size = entry.declaredSize ?? entry.data.length
    const crc = crc32(entry.data)

    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(0x0800, 6) // UTF-8 names
    local.writeUInt16LE(method, 8)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(payload.length, 18)
    local.writeUInt32LE(size, 22)
    local.writeUInt16LE(name.length, 26)
    locals.push(local, name, payload)

    let extra = Buffer.alloc(0)
    if (entry.zip64DeclaredSize !== undefined) {
      extra = Buffer.alloc(20)
      extra.writeUInt16LE(0x0001, 0)
      extra.writeUInt16LE(16, 2)
      extra.writeBigUInt64LE(BigInt(entry.zip64DeclaredSize), 4)
      extra.writeBigUInt64LE(BigInt(payload.length), 12)
    }
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(0x0800, 8)
    central.writeUInt16LE(method, 10)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(extra.length > 0 ? 0xffffffff : payload.length, 20)
    central.writeUInt32LE(extra.length > 0 ? 0xffffffff : size, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt16LE(extra.length, 30)
    central.writeUInt32LE(offset, 42)
    centrals.push(central, name, extra)

    offset += local.length + name.length + payload.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}

const CONTENT_TYPES = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
    '</Types>',
)

const ROOT_RELS = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>' +
    '</Relationships>',
)

function documentXml(body: string): Buffer {
  return Buffer.from(
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
      '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>' +
      body +
      '</w:body></w:document>',
  )
}

/**
 * A DOCX-shaped zip whose document part inflates to `inflatedBytes` of
 * whitespace: a real bomb, small on the wire (about 1 KiB per MiB).
 */
export function makeZipBombDocx(inflatedBytes = 128 * 1024 * 1024): Buffer {
  const head = documentXml('<w:p><w:r><w:t>Jane Doe</w:t></w:r></w:p>')
  const padding = Buffer.alloc(Math.max(0, inflatedBytes - head.length), 0x20)
  return makeZip([
    { name: '[Content_Types].xml', data: CONTENT_TYPES, deflate: true },
    { name: '_rels/.rels', data: ROOT_RELS, deflate: true },
    { name: 'word/document.xml', data: Buffer.concat([head, padding]), deflate: true },
  ])
}

/**
 * A small DOCX-shaped zip whose directory declares an uncompressed size far
 * beyond what any resume needs; a parser trusting the headers would allocate it.
 */
export function makeZipBombDeclaredDocx(declaredSize = 0xfffffff0): Buffer {
  return makeZip([
    { name: '[Content_Types].xml', data: CONTENT_TYPES, deflate: true },
    { name: '_rels/.rels', data: ROOT_RELS, deflate: true },
    { name: 'word/document.xml', data: documentXml('<w:p><w:r><w:t>Jane Doe</w:t></w:r></w:p>'), deflate: true, declaredSize },
  ])
}

/** Like makeZipBombDeclaredDocx, with the size beyond 4 GiB declared the ZIP64 way. */
export function makeZip64BombDeclaredDocx(declaredSize = 8 * 1024 ** 3): Buffer {
  return makeZip([
    { name: '[Content_Types].xml', data: CONTENT_TYPES, deflate: true },
    { name: '_rels/.rels', data: ROOT_RELS, deflate: true },
    {
      name: 'word/document.xml',
      data: documentXml('<w:p><w:r><w:t>Jane Doe</w:t></w:r></w:p>'),
      deflate: true,
      zip64DeclaredSize: declaredSize,
    },
  ])
}

/** A DOCX-shaped zip whose directory declares sizes smaller than what the entry really inflates to. */
export function makeZipUnderstatedDocx(realSize = 8 * 1024 * 1024): Buffer {
  const head = documentXml('<w:p><w:r><w:t>Jane Doe</w:t></w:r></w:p>')
  const padding = Buffer.alloc(Math.max(0, realSize - head.length), 0x20)
  return makeZip([
    { name: '[Content_Types].xml', data: CONTENT_TYPES, deflate: true },
    { name: '_rels/.rels', data: ROOT_RELS, deflate: true },
    { name: 'word/document.xml', data: Buffer.concat([head, padding]), deflate: true, declaredSize: 4096 },
  ])
}

/** A DOCX-shaped zip with more entries than any resume carries. */
export function makeManyEntryDocx(count: number): Buffer {
  const entries: ZipEntry[] = [
    { name: '[Content_Types].xml', data: CONTENT_TYPES, deflate: true },
    { name: '_rels/.rels', data: ROOT_RELS, deflate: true },
    { name: 'word/document.xml', data: documentXml('<w:p><w:r><w:t>Jane Doe</w:t></w:r></w:p>'), deflate: true },
  ]
  for (let i = entries.length; i < count; i++) entries.push({ name: `word/media/filler${i}.bin`, data: Buffer.from([i & 0xff]) })
  return makeZip(entries)
}

/** A DOCX cut off halfway, as an interrupted upload leaves it. */
export async function makeTruncatedDocx(lines: string[]): Promise<Buffer> {
  const whole = await makeDocxResume(lines)
  return whole.subarray(0, Math.floor(whole.length / 2))
}

/**
 * The same text as Windows Notepad and other editors save it in UTF-16:
 * little- and big-endian, with and without a byte order mark.
 */
export function utf16Variants(text: string): Array<[label: string, bytes: Buffer]> {
  const le = Buffer.from(text, 'utf16le')
  const be = Buffer.from(le).swap16()
  return [
    ['UTF-16LE with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), le])],
    ['UTF-16BE with BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), be])],
    ['UTF-16LE without BOM', le],
    ['UTF-16BE without BOM', be],
  ]
}

// ---------------------------------------------------------------- PDF decompression bombs

/**
 * How a bomb's page content is packed: each one a way pdf.js (behind unpdf)
 * really decodes, which the same builder proves by reading a small instance.
 */
export type PdfBombPacking =
  | 'flate'
  /** [/FlateDecode /FlateDecode]: each layer multiplies the ratio by up to 1000. */
  | 'double-flate'
  | 'lzw'
  /** BrotliDecode, PDF 2.0's filter, which pdf.js 5 reads. */
  | 'brotli'
  /** A few compressed bytes, then a PNG predictor row as wide as the bomb. */
  | 'predictor'
  /** The content stream sits inside a compressed object stream, reached through a cross-reference stream. */
  | 'object-stream'
  /** Encrypted with RC4 (revision 3) and an empty user password: pdf.js opens it without asking. */
  | 'rc4'
  /** Encrypted with AES-128 (revision 4, crypt filters) and an empty user password. */
  | 'aes128'
  /** Encrypted with AES-256 (revision 6) and an empty user password. */
  | 'aes256'
  /**
   * Deflate data that zlib rejects at its first symbol (a copy from before the
   * start) and pdf.js decodes anyway, with its own decoder: a check that trusts
   * zlib would count nothing here.
   */
  | 'lenient-flate'

const BOMB_TEXT = Buffer.from('BT /F1 12 Tf 72 720 Td (Jane Doe) Tj ET\n', 'latin1')

/**
 * A one-page PDF whose page content decodes to `decodedBytes`: "Jane Doe"
 * then spaces. `copies` puts that many separate content streams on the page,
 * `references` names each of them that many times in the page's /Contents.
 * Built with streaming compressors so a bomb of hundreds of MiB needs only
 * the memory of its compressed form.
 */
export async function makePdfBomb(
  packing: PdfBombPacking,
  decodedBytes: number,
  options: { copies?: number; references?: number } = {},
): Promise<Buffer> {
  const copies = options.copies ?? 1
  const streams: Array<{ dict: string; data: Buffer }> = []
  for (let i = 0; i < copies; i++) streams.push(await packContent(packing, decodedBytes))
  // The page may name each stream several times over: pdf.js reads it again each time.
  const contentRefs = streams.map((_, i) => Array.from({ length: options.references ?? 1 }, () => `${4 + i} 0 R`).join(' ')).join(' ')
  const head = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 ${4 + copies} 0 R >> >> /Contents [${contentRefs}] >>`,
  ].map((text) => Buffer.from(text, 'latin1'))
  const font = Buffer.from('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>', 'latin1')
  const streamObject = (dict: string, data: Buffer) =>
    Buffer.concat([
      Buffer.from(`${dict.replace(/>>$/, ` /Length ${data.length} >>`)}\nstream\n`, 'latin1'),
      data,
      Buffer.from('\nendstream', 'latin1'),
    ])

  if (packing === 'object-stream')
    return objectStreamPdf(
      head,
      streams.map(({ dict, data }) => streamObject(dict, data)),
      font,
    )
  if (packing === 'rc4' || packing === 'aes128' || packing === 'aes256') {
    const encryption = packing === 'aes256' ? aes256Encryption() : legacyEncryption(packing)
    const encrypted = streams.map(({ dict, data }, i) => streamObject(dict, encryption.encrypt(4 + i, data)))
    return assemblePdfObjects(
      [...head, ...encrypted, font, Buffer.from(encryption.dict, 'latin1')],
      `/Root 1 0 R /Encrypt ${5 + copies} 0 R /ID [<${FILE_ID.toString('hex')}> <${FILE_ID.toString('hex')}>]`,
    )
  }
  return assemblePdfObjects([...head, ...streams.map(({ dict, data }) => streamObject(dict, data)), font], '/Root 1 0 R')
}

async function packContent(packing: PdfBombPacking, decodedBytes: number): Promise<{ dict: string; data: Buffer }> {
  switch (packing) {
    case 'double-flate':
      return {
        dict: '<< /Filter [/FlateDecode /FlateDecode] >>',
        data: deflateSync(await compressContent(createDeflate({ level: 9 }), decodedBytes)),
      }
    case 'lzw':
      return { dict: '<< /Filter /LZWDecode >>', data: lzwContent(decodedBytes) }
    case 'brotli':
      return {
        dict: '<< /Filter /BrotliDecode >>',
        data: await compressContent(createBrotliCompress({ params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 1 } }), decodedBytes),
      }
    case 'lenient-flate':
      return { dict: '<< /Filter /FlateDecode >>', data: lenientDeflate(decodedBytes) }
    case 'predictor': {
      // One PNG row (tag 0, no prediction) holding the text; the row is as wide
      // as the bomb, and pdf.js emits a whole row however little data it has.
      const row = Buffer.concat([
        Buffer.from([0]),
        BOMB_TEXT,
        Buffer.alloc(Math.min(64, Math.max(0, decodedBytes - BOMB_TEXT.length)), 0x20),
      ])
      return {
        dict: `<< /Filter /FlateDecode /DecodeParms << /Predictor 10 /Columns ${Math.max(decodedBytes, row.length - 1)} >> >>`,
        data: deflateSync(row),
      }
    }
    default:
      return { dict: '<< /Filter /FlateDecode >>', data: await compressContent(createDeflate({ level: 9 }), decodedBytes) }
  }
}

/** BOMB_TEXT then spaces up to `size`, through a streaming compressor, 1 MiB at a time. */
async function compressContent(compressor: Deflate | BrotliCompress, size: number): Promise<Buffer> {
  const parts: Buffer[] = []
  compressor.on('data', (chunk: Buffer) => parts.push(chunk))
  const ended = new Promise((resolve, reject) => compressor.on('end', resolve).on('error', reject))
  compressor.write(BOMB_TEXT)
  const spaces = Buffer.alloc(1024 * 1024, 0x20)
  for (let left = size - BOMB_TEXT.length; left > 0; left -= spaces.length) {
    if (!compressor.write(left >= spaces.length ? spaces : spaces.subarray(0, left)))
      await new Promise((resolve) => compressor.once('drain', resolve))
  }
  compressor.end()
  await ended
  return Buffer.concat(parts)
}

/** Deflate written bit by bit, least significant bit first; Huffman codes most significant bit first. */
class DeflateBits {
  readonly bytes: number[] = []
  #byte = 0
  #count = 0

  bits(value: number, n: number): void {
    for (let i = 0; i < n; i++) this.#bit((value >> i) & 1)
  }

  code(code: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) this.#bit((code >> i) & 1)
  }

  #bit(bit: number): void {
    this.#byte |= bit << this.#count
    if (++this.#count === 8) {
      this.bytes.push(this.#byte)
      this.#byte = 0
      this.#count = 0
    }
  }

  finish(): number[] {
    if (this.#count > 0) this.bytes.push(this.#byte)
    return this.bytes
  }
}

/**
 * A zlib stream whose first block opens with a copy of 258 bytes from one
 * byte before the start (zlib: "invalid distance too far back"; pdf.js: 258
 * zeros), then BOMB_TEXT; its second block repeats the last byte in 258-byte
 * copies of two bits each until `size`.
 */
function lenientDeflate(size: number): Buffer {
  const out = new DeflateBits()
  const fixedLiteral = (value: number) => {
    if (value < 144) out.code(0x30 + value, 8)
    else if (value < 256) out.code(0x190 + value - 144, 9)
    else if (value < 280) out.code(value - 256, 7)
    else out.code(0xc0 + value - 280, 8)
  }
  out.bits(0, 1) // not the last block
  out.bits(1, 2) // fixed Huffman codes
  fixedLiteral(285) // length 258
  out.code(0, 5) // distance 1, before anything was written
  for (const byte of BOMB_TEXT) fixedLiteral(byte)
  fixedLiteral(256)

  out.bits(1, 1) // last block
  out.bits(2, 2) // dynamic Huffman codes
  out.bits(286 - 257, 5)
  out.bits(1 - 1, 5)
  out.bits(18 - 4, 4)
  // Code-length code: 0, 1, 17 and 18 at two bits each, in the order deflate lists them.
  const codeLengthLengths = new Map([
    [0, 2],
    [1, 2],
    [17, 2],
    [18, 2],
  ])
  for (const symbol of [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1]) out.bits(codeLengthLengths.get(symbol) ?? 0, 3)
  const codeLengthCode = new Map([
    [0, 0b00],
    [1, 0b01],
    [17, 0b10],
    [18, 0b11],
  ])
  const zeros = (n: number) => {
    for (; n >= 11; n -= Math.min(n, 138)) {
      out.code(codeLengthCode.get(18)!, 2)
      out.bits(Math.min(n, 138) - 11, 7)
    }
    for (; n > 0; n--) out.code(codeLengthCode.get(0)!, 2)
  }
  zeros(256) // no literals
  out.code(codeLengthCode.get(1)!, 2) // 256: end of block
  zeros(28)
  out.code(codeLengthCode.get(1)!, 2) // 285: length 258
  out.code(codeLengthCode.get(1)!, 2) // distance code 0: distance 1
  // Literal/length codes: 256 -> 0, 285 -> 1; distance code 0 -> 0.
  for (let left = size - 258 - BOMB_TEXT.length; left >= 258; left -= 258) {
    out.code(1, 1)
    out.code(0, 1)
  }
  out.code(0, 1)
  // pdf.js does not check the Adler-32 trailer.
  return Buffer.from([0x78, 0x9c, ...out.finish(), 0, 0, 0, 0])
}

/**
 * LZW (early change 1) for BOMB_TEXT and then a run of spaces: the run is
 * coded as codes for 1, 2, 3, ... spaces, the densest LZW gets, restarting
 * with a clear code before the table is full.
 */
function lzwContent(size: number): Buffer {
  const bytes: number[] = []
  let bitBuffer = 0
  let bitCount = 0
  let width = 9
  let next = 258
  let hasPrevious = false
  const emit = (code: number) => {
    for (let bit = width - 1; bit >= 0; bit--) {
      bitBuffer = (bitBuffer << 1) | ((code >> bit) & 1)
      if (++bitCount === 8) {
        bytes.push(bitBuffer & 0xff)
        bitCount = 0
      }
    }
    if (code === 256) {
      width = 9
      next = 258
      hasPrevious = false
      return
    }
    if (hasPrevious) {
      next++
      // The width rule of pdf.js's decoder, which reads these codes.
      if (((next + 1) & next) === 0) width = Math.min((Math.log(next + 1) / 0.6931471805599453 + 1) | 0, 12)
    }
    hasPrevious = true
  }
  emit(256)
  for (const byte of BOMB_TEXT) emit(byte)
  let left = size - BOMB_TEXT.length
  while (left > 0) {
    emit(256)
    emit(0x20)
    left--
    for (let run = 2; left > 0 && next < 4000; run++) {
      const take = Math.min(run, left)
      // A run as long as the next new code stands for that code; a shorter
      // remainder is a code already in the table.
      emit(take === 1 ? 0x20 : 258 + take - 2)
      left -= take
    }
  }
  emit(257)
  if (bitCount > 0) bytes.push((bitBuffer << (8 - bitCount)) & 0xff)
  return Buffer.from(bytes)
}

/** Binary-safe: each object is written as given between `N 0 obj` and `endobj`. */
export function assemblePdfObjects(objects: Buffer[], trailerEntries: string): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')]
  let length = parts[0]!.length
  const offsets: number[] = []
  objects.forEach((object, i) => {
    offsets.push(length)
    const part = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), object, Buffer.from('\nendobj\n', 'latin1')])
    parts.push(part)
    length += part.length
  })
  let tail = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`
  for (const offset of offsets) tail += `${String(offset).padStart(10, '0')} 00000 n \n`
  tail += `trailer\n<< /Size ${objects.length + 1} ${trailerEntries} >>\nstartxref\n${length}\n%%EOF\n`
  parts.push(Buffer.from(tail, 'latin1'))
  return Buffer.concat(parts)
}

/**
 * PDF 1.5 layout: the content streams live inside a Flate-compressed object
 * stream (pdf.js reads streams there too), found through a cross-reference stream.
 */
function objectStreamPdf(head: Buffer[], contents: Buffer[], font: Buffer): Buffer {
  // Objects 1-3: head; 4..: contents (compressed); then font, the object stream, the xref stream.
  const fontNum = 4 + contents.length
  const objStmNum = fontNum + 1
  const xrefNum = objStmNum + 1
  let offsetsText = ''
  let body = Buffer.alloc(0)
  contents.forEach((content, i) => {
    offsetsText += `${4 + i} ${body.length} `
    body = Buffer.concat([body, content, Buffer.from('\n', 'latin1')])
  })
  const header = Buffer.from(offsetsText, 'latin1')
  const packed = deflateSync(Buffer.concat([header, body]))
  const objStm = Buffer.concat([
    Buffer.from(
      `<< /Type /ObjStm /N ${contents.length} /First ${header.length} /Filter /FlateDecode /Length ${packed.length} >>\nstream\n`,
      'latin1',
    ),
    packed,
    Buffer.from('\nendstream', 'latin1'),
  ])

  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')]
  let length = parts[0]!.length
  const offsets = new Map<number, number>()
  const write = (num: number, object: Buffer) => {
    offsets.set(num, length)
    const part = Buffer.concat([Buffer.from(`${num} 0 obj\n`, 'latin1'), object, Buffer.from('\nendobj\n', 'latin1')])
    parts.push(part)
    length += part.length
  }
  head.forEach((object, i) => write(i + 1, object))
  write(fontNum, font)
  write(objStmNum, objStm)
  const xrefAt = length
  offsets.set(xrefNum, xrefAt)
  const rows = Buffer.alloc((xrefNum + 1) * 7)
  for (let num = 0; num <= xrefNum; num++) {
    const row = num * 7
    if (num === 0) {
      rows.writeUInt8(0, row)
      rows.writeUInt16BE(0xffff, row + 5)
    } else if (offsets.has(num)) {
      rows.writeUInt8(1, row)
      rows.writeUInt32BE(offsets.get(num)!, row + 1)
    } else {
      rows.writeUInt8(2, row)
      rows.writeUInt32BE(objStmNum, row + 1)
      rows.writeUInt16BE(num - 4, row + 5)
    }
  }
  write(
    xrefNum,
    Buffer.concat([
      Buffer.from(`<< /Type /XRef /Size ${xrefNum + 1} /W [1 4 2] /Root 1 0 R /Length ${rows.length} >>\nstream\n`, 'latin1'),
      rows,
      Buffer.from('\nendstream', 'latin1'),
    ]),
  )
  parts.push(Buffer.from(`startxref\n${xrefAt}\n%%EOF\n`, 'latin1'))
  return Buffer.concat(parts)
}

const FILE_ID = Buffer.from('4a616e65446f65526573756d65496421', 'hex')
const PASSWORD_PADDING = Buffer.from('28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a', 'hex')
const md5 = (...parts: Buffer[]) => parts.reduce((hash, part) => hash.update(part), createHash('md5')).digest()

function rc4(key: Buffer, data: Buffer): Buffer {
  const s = Array.from({ length: 256 }, (_, i) => i)
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) & 0xff
    ;[s[i], s[j]] = [s[j]!, s[i]!]
  }
  const out = Buffer.alloc(data.length)
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 0xff
    j = (j + s[i]!) & 0xff
    ;[s[i], s[j]] = [s[j]!, s[i]!]
    out[n] = data[n]! ^ s[(s[i]! + s[j]!) & 0xff]!
  }
  return out
}

/**
 * Standard security handler with a 128-bit key and an empty user password
 * (ISO 32000-1, 7.6.3): revision 3 with RC4, or revision 4 with AES-128 through a crypt filter.
 */
function legacyEncryption(cipher: 'rc4' | 'aes128'): { dict: string; encrypt(num: number, data: Buffer): Buffer } {
  const owner = Buffer.alloc(32, 0x4f)
  const permissions = Buffer.alloc(4)
  permissions.writeInt32LE(-4)
  let hash = md5(PASSWORD_PADDING, owner, permissions, FILE_ID)
  for (let i = 0; i < 50; i++) hash = md5(hash.subarray(0, 16))
  const key = hash.subarray(0, 16)
  let check = rc4(key, md5(PASSWORD_PADDING, FILE_ID))
  for (let i = 1; i <= 19; i++) check = rc4(Buffer.from(key.map((byte) => byte ^ i)), check)
  const user = Buffer.concat([check, Buffer.alloc(16)])
  const objectKey = (num: number, salt: number[]) =>
    md5(key, Buffer.from([num & 0xff, (num >> 8) & 0xff, (num >> 16) & 0xff, 0, 0, ...salt])).subarray(0, 16)
  const passwords = `/P -4 /O <${owner.toString('hex')}> /U <${user.toString('hex')}>`
  if (cipher === 'rc4') {
    return { dict: `<< /Filter /Standard /V 2 /R 3 /Length 128 ${passwords} >>`, encrypt: (num, data) => rc4(objectKey(num, []), data) }
  }
  return {
    dict: `<< /Filter /Standard /V 4 /R 4 /Length 128 ${passwords} /CF << /StdCF << /CFM /AESV2 /AuthEvent /DocOpen /Length 16 >> >> /StmF /StdCF /StrF /StdCF >>`,
    encrypt: (num, data) => {
      const iv = Buffer.alloc(16, 0x49)
      // The object key is salted with "sAlT" for AES.
      const aes = createCipheriv('aes-128-cbc', objectKey(num, [0x73, 0x41, 0x6c, 0x54]), iv)
      return Buffer.concat([iv, aes.update(data), aes.final()])
    },
  }
}

/** Algorithm 2.B of ISO 32000-2: the revision 6 password hash. */
function revision6Hash(password: Buffer, salt: Buffer): Buffer {
  let k = createHash('sha256').update(password).update(salt).digest()
  let e = Buffer.from([0])
  for (let i = 0; i < 64 || e[e.length - 1]! > i - 32; i++) {
    const round = Buffer.concat([password, k])
    const cipher = createCipheriv('aes-128-cbc', k.subarray(0, 16), k.subarray(16, 32)).setAutoPadding(false)
    e = Buffer.concat([cipher.update(Buffer.concat(Array.from({ length: 64 }, () => round))), cipher.final()])
    const sum = [...e.subarray(0, 16)].reduce((a, b) => a + b, 0)
    k = createHash(['sha256', 'sha384', 'sha512'][sum % 3]!)
      .update(e)
      .digest()
  }
  return k.subarray(0, 32)
}

/** Standard security handler, revision 6, AES-256, empty user password (ISO 32000-2, 7.6.4). */
function aes256Encryption(): { dict: string; encrypt(num: number, data: Buffer): Buffer } {
  const fileKey = Buffer.alloc(32, 0x6b)
  const validationSalt = Buffer.from('76616c6964617465', 'hex')
  const keySalt = Buffer.from('6b657973616c7421', 'hex')
  const empty = Buffer.alloc(0)
  const user = Buffer.concat([revision6Hash(empty, validationSalt), validationSalt, keySalt])
  const wrap = createCipheriv('aes-256-cbc', revision6Hash(empty, keySalt), Buffer.alloc(16)).setAutoPadding(false)
  const userKey = Buffer.concat([wrap.update(fileKey), wrap.final()])
  const filler = (byte: number, n: number) => Buffer.alloc(n, byte).toString('hex')
  return {
    dict:
      `<< /Filter /Standard /V 5 /R 6 /Length 256 /P -4 /O <${filler(0x4f, 48)}> /U <${user.toString('hex')}> /OE <${filler(0x45, 32)}> ` +
      `/UE <${userKey.toString('hex')}> /Perms <${filler(0x50, 16)}> /CF << /StdCF << /CFM /AESV3 /AuthEvent /DocOpen /Length 32 >> >> /StmF /StdCF /StrF /StdCF >>`,
    encrypt: (_num, data) => {
      const iv = Buffer.alloc(16, 0x49)
      const cipher = createCipheriv('aes-256-cbc', fileKey, iv)
      return Buffer.concat([iv, cipher.update(data), cipher.final()])
    },
  }
}

/** A PDF and a DOCX resume, as a task or a mail carries them (the DOCX for `<name> Second`). */
export async function resumePair(name: string) {
  return [
    { filename: `${name}.pdf`, bytes: await makePdfResume(sampleResumeLines(name)), mediaType: 'application/pdf' },
    {
      filename: `${name}.docx`,
      bytes: await makeDocxResume(sampleResumeLines(`${name} Second`)),
      mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    },
  ]
}
