// Resume files for tests and benchmarks: real documents built with the same
// libraries a candidate's tools would use, and hostile ones built by hand so
// each defence in the pipeline has something concrete to stop.
import { crc32, deflateRawSync } from 'node:zlib'
import { Document, Packer, Paragraph, TextRun } from 'docx'
import { PDFDocument, StandardFonts } from 'pdf-lib'

export function sampleResumeLines(name = 'Jane Doe'): string[] {
  const handle = name.toLowerCase().replace(/[^a-z]+/g, '-').replace(/^-|-$/g, '')
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
  return Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
    'base64',
  )
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
    { name: 'word/document.xml', data: documentXml('<w:p><w:r><w:t>Jane Doe</w:t></w:r></w:p>'), deflate: true, zip64DeclaredSize: declaredSize },
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
