// Minimal, valid legacy Office files for tests: an OLE compound file
// ([MS-CFB], version 3, 512-byte sectors, small streams in the mini stream)
// and in it a Word 97 document ([MS-DOC]): a FIB, a piece table in the 1Table
// stream, and text in 8-bit and UTF-16 pieces, the two ways Word stores it.

const END_OF_CHAIN = 0xfffffffe
const FREE = 0xffffffff
const FAT_SECTOR = 0xfffffffd
const SECTOR = 512
const MINI_SECTOR = 64
const MINI_CUTOFF = 4096

export interface CfbStream {
  name: string
  data: Buffer
}

/** A compound file whose root storage holds these streams. */
export function makeCompoundFile(streams: CfbStream[]): Buffer {
  const small = streams.filter((stream) => stream.data.length < MINI_CUTOFF)
  const large = streams.filter((stream) => stream.data.length >= MINI_CUTOFF)
  const sectorsOf = (length: number, size: number) => Math.ceil(length / size)

  const miniStarts = new Map<CfbStream, number>()
  const miniParts: Buffer[] = []
  let miniSectors = 0
  for (const stream of small) {
    miniStarts.set(stream, miniSectors)
    const count = Math.max(1, sectorsOf(stream.data.length, MINI_SECTOR))
    miniParts.push(Buffer.concat([stream.data, Buffer.alloc(count * MINI_SECTOR - stream.data.length)]))
    miniSectors += count
  }
  const miniStream = Buffer.concat(miniParts)
  const miniFat = new Uint32Array(Math.max(1, sectorsOf(miniSectors * 4, SECTOR) * (SECTOR / 4))).fill(FREE)
  let next = 0
  for (const stream of small) {
    const count = Math.max(1, sectorsOf(stream.data.length, MINI_SECTOR))
    for (let i = 0; i < count; i++, next++) miniFat[next] = i === count - 1 ? END_OF_CHAIN : next + 1
  }

  const directoryEntries = 1 + streams.length
  const layout = {
    directory: sectorsOf(directoryEntries * 128, SECTOR),
    miniFat: small.length > 0 ? sectorsOf(miniSectors * 4, SECTOR) : 0,
    miniStream: sectorsOf(miniStream.length, SECTOR),
    large: large.map((stream) => sectorsOf(stream.data.length, SECTOR)),
  }
  const others = layout.directory + layout.miniFat + layout.miniStream + layout.large.reduce((a, b) => a + b, 0)
  let fatSectors = 1
  while (fatSectors * (SECTOR / 4) < fatSectors + others) fatSectors++
  if (fatSectors > 109) throw new Error('test compound files stay under 109 FAT sectors')

  const fat = new Uint32Array(fatSectors * (SECTOR / 4)).fill(FREE)
  let sector = 0
  for (let i = 0; i < fatSectors; i++) fat[sector++] = FAT_SECTOR
  const chain = (count: number): number => {
    if (count === 0) return END_OF_CHAIN
    const start = sector
    for (let i = 0; i < count; i++, sector++) fat[sector] = i === count - 1 ? END_OF_CHAIN : sector + 1
    return start
  }
  const directoryStart = chain(layout.directory)
  const miniFatStart = chain(layout.miniFat)
  const miniStreamStart = chain(layout.miniStream)
  const largeStarts = layout.large.map((count) => chain(count))

  const directory = Buffer.alloc(layout.directory * SECTOR)
  const writeEntry = (index: number, name: string, type: number, start: number, size: number, child: number, right: number) => {
    const at = index * 128
    directory.write(name, at, 'utf16le')
    directory.writeUInt16LE((name.length + 1) * 2, at + 0x40)
    directory[at + 0x42] = type
    directory[at + 0x43] = 1
    directory.writeUInt32LE(FREE, at + 0x44)
    directory.writeUInt32LE(right, at + 0x48)
    directory.writeUInt32LE(child, at + 0x4c)
    directory.writeUInt32LE(start, at + 0x74)
    directory.writeUInt32LE(size, at + 0x78)
  }
  writeEntry(0, 'Root Entry', 5, small.length > 0 ? miniStreamStart : END_OF_CHAIN, miniStream.length, streams.length > 0 ? 1 : FREE, FREE)
  for (let i = 0; i < directoryEntries - 1; i++) {
    const stream = streams[i]!
    const start = miniStarts.has(stream) ? miniStarts.get(stream)! : largeStarts[large.indexOf(stream)]!
    writeEntry(i + 1, stream.name, 2, start, stream.data.length, FREE, i + 2 < directoryEntries ? i + 2 : FREE)
  }
  for (let i = directoryEntries; i < layout.directory * 4; i++) {
    for (const offset of [0x44, 0x48, 0x4c]) directory.writeUInt32LE(FREE, i * 128 + offset)
  }

  const header = Buffer.alloc(SECTOR)
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(header)
  header.writeUInt16LE(0x3e, 0x18)
  header.writeUInt16LE(3, 0x1a)
  header.writeUInt16LE(0xfffe, 0x1c)
  header.writeUInt16LE(9, 0x1e)
  header.writeUInt16LE(6, 0x20)
  header.writeUInt32LE(fatSectors, 0x2c)
  header.writeUInt32LE(directoryStart, 0x30)
  header.writeUInt32LE(MINI_CUTOFF, 0x38)
  header.writeUInt32LE(miniFatStart, 0x3c)
  header.writeUInt32LE(layout.miniFat, 0x40)
  header.writeUInt32LE(END_OF_CHAIN, 0x44)
  for (let i = 0; i < 109; i++) header.writeUInt32LE(i < fatSectors ? i : FREE, 0x4c + i * 4)

  const pad = (data: Buffer, sectors: number) => Buffer.concat([data, Buffer.alloc(sectors * SECTOR - data.length)])
  return Buffer.concat([
    header,
    Buffer.from(fat.buffer),
    directory,
    ...(layout.miniFat > 0 ? [pad(Buffer.from(miniFat.buffer), layout.miniFat)] : []),
    pad(miniStream, layout.miniStream),
    ...large.map((stream, index) => pad(stream.data, layout.large[index]!)),
  ])
}

export interface WordPiece {
  text: string
  /** Stored as 8-bit Windows-1252 (Word's "compressed" pieces) rather than UTF-16. */
  compressed: boolean
  /** Formatted hidden (vanish), as Word's Hidden font effect does. */
  hidden?: boolean
  /** Deleted in tracked changes (sprmCFRMarkDel). */
  deleted?: boolean
}

const FIB_SIZE = 0x9a + 93 * 8
const TEXT_OFFSET = 0x400
const FKP_SIZE = 512

/** The header document's stories for the document's one section ([MS-DOC] 2.8.22), each as pieces. */
export interface WordHeaders {
  even?: WordPiece[]
  odd?: WordPiece[]
  oddFooter?: WordPiece[]
  first?: WordPiece[]
  /** The section shows the first header on its first page (sprmSFTitlePage). */
  titlePage?: boolean
}

/**
 * A Word 97 document whose main text is these pieces, in order. Word's own
 * marks go in the text as Word writes them: \r ends a paragraph, \x13 \x14
 * \x15 delimit a field's instruction and result. With `headers`, a header
 * document follows the main text: six empty separator stories, then the
 * section's six (even header, odd header, even footer, odd footer, first
 * header, first footer), each non-empty one closed by a guard paragraph mark.
 */
export function makeWord97(mainPieces: WordPiece[], options: { encrypted?: boolean; nFib?: number; headers?: WordHeaders } = {}): Buffer {
  const ccpText = mainPieces.reduce((total, piece) => total + piece.text.length, 0)
  const pieces = [...mainPieces]
  const storyStarts: number[] = []
  let ccpHdd = 0
  if (options.headers) {
    const { even, odd, oddFooter, first } = options.headers
    for (const story of [even, odd, undefined, oddFooter, first, undefined]) {
      storyStarts.push(ccpHdd)
      if (!story || story.length === 0) continue
      for (const piece of [...story, { text: '\r', compressed: true }]) {
        pieces.push(piece)
        ccpHdd += piece.text.length
      }
    }
    // The header document ends with one more paragraph mark, after every story.
    pieces.push({ text: '\r', compressed: true })
    ccpHdd += 1
  }
  const chunks: Buffer[] = []
  const placed: Array<{ cp: number; fc: number }> = []
  let cp = 0
  let offset = TEXT_OFFSET
  for (const piece of pieces) {
    const bytes = piece.compressed ? encodeWindows1252(piece.text) : Buffer.from(piece.text, 'utf16le')
    placed.push({ cp, fc: piece.compressed ? (offset * 2) | 0x40000000 : offset })
    chunks.push(bytes)
    cp += piece.text.length
    offset += bytes.length
  }
  const body = Buffer.concat(chunks)
  // Character formatting: one ChpxFkp page after the text, a run per piece, hidden pieces with sprmCFVanish on.
  const fkpPage = Math.ceil((TEXT_OFFSET + body.length) / FKP_SIZE)
  const fkp = Buffer.alloc(FKP_SIZE)
  const runStarts = placed.map((piece, index) => (pieces[index]!.compressed ? (piece.fc & 0x3fffffff) / 2 : piece.fc))
  runStarts.forEach((start, index) => fkp.writeUInt32LE(start, index * 4))
  fkp.writeUInt32LE(offset, pieces.length * 4)
  if (pieces.length > 100) throw new Error('one formatting page holds at most 100 runs')
  // One property set, shared by every hidden run, at an even offset near the page's end.
  const chpxAt = FKP_SIZE - 6
  Buffer.from([3, 0x3c, 0x08, 0x01]).copy(fkp, chpxAt)
  // Another, for deleted runs, just before it (where the run offsets of 99 or 100 runs would be).
  const deletedAt = chpxAt - 4
  if (pieces.some((piece) => piece.deleted)) {
    if (pieces.length > 98) throw new Error('one formatting page holds at most 98 runs when some are deleted')
    Buffer.from([3, 0x00, 0x08, 0x01]).copy(fkp, deletedAt)
  }
  pieces.forEach((piece, index) => {
    if (piece.hidden) fkp[(pieces.length + 1) * 4 + index] = chpxAt / 2
    else if (piece.deleted) fkp[(pieces.length + 1) * 4 + index] = deletedAt / 2
  })
  fkp[FKP_SIZE - 1] = pieces.length
  // Padded past the mini stream cutoff, as Word's own WordDocument streams are.
  const sepxAt = (fkpPage + 1) * FKP_SIZE
  const word = Buffer.alloc(Math.max(MINI_CUTOFF + SECTOR, sepxAt + 16))
  fkp.copy(word, fkpPage * FKP_SIZE)
  // The section's properties: the title page flag, when set.
  Buffer.from([3, 0, 0x0a, 0x30, 1]).copy(word, sepxAt)
  word.writeUInt16LE(0xa5ec, 0)
  word.writeUInt16LE(options.nFib ?? 0x00c1, 2)
  word.writeUInt16LE(0x0200 | (options.encrypted ? 0x0100 : 0), 0x0a)
  word.writeUInt16LE(14, 0x20)
  word.writeUInt16LE(22, 0x3e)
  word.writeUInt32LE(ccpText, 0x4c)
  word.writeUInt32LE(ccpHdd, 0x54)
  word.writeUInt16LE(93, 0x98)
  body.copy(word, TEXT_OFFSET)

  // The CLX: one Prc (formatting, skipped by readers of text), then the piece table.
  const prc = Buffer.from([0x01, 0x02, 0x00, 0x00, 0x00])
  const plc = Buffer.alloc(4 * (pieces.length + 1) + 8 * pieces.length)
  placed.forEach((piece, index) => {
    plc.writeUInt32LE(piece.cp, index * 4)
    plc.writeUInt32LE(piece.fc, 4 * (pieces.length + 1) + index * 8 + 2)
  })
  plc.writeUInt32LE(cp, pieces.length * 4)
  const pcdt = Buffer.alloc(5)
  pcdt[0] = 0x02
  pcdt.writeUInt32LE(plc.length, 1)
  const clx = Buffer.concat([prc, pcdt, plc])
  const plcBteChpx = Buffer.alloc(12)
  plcBteChpx.writeUInt32LE(runStarts[0] ?? TEXT_OFFSET, 0)
  plcBteChpx.writeUInt32LE(offset, 4)
  plcBteChpx.writeUInt32LE(fkpPage, 8)
  // PlcfHdd: six separators (empty), the section's six stories, the end of the last story, one undefined CP.
  const plcfHdd = Buffer.alloc(ccpHdd > 0 ? 14 * 4 : 0)
  if (ccpHdd > 0) {
    ;[0, 0, 0, 0, 0, 0, ...storyStarts, ccpHdd - 1, ccpHdd].forEach((value, index) => plcfHdd.writeUInt32LE(value, index * 4))
  }
  // PlcfSed: the one section's CPs, then its SED (fn, fcSepx, fnMpr, fcMpr), pointing at the SEPX when it has one.
  const plcfSed = Buffer.alloc(options.headers?.titlePage ? 2 * 4 + 12 : 0)
  if (plcfSed.length > 0) {
    plcfSed.writeUInt32LE(ccpText, 4)
    plcfSed.writeUInt32LE(sepxAt, 8 + 2)
  }
  const table = Buffer.concat([Buffer.alloc(16), clx, plcBteChpx, plcfHdd, plcfSed])
  word.writeUInt32LE(16, 0x9a + 33 * 8)
  word.writeUInt32LE(clx.length, 0x9a + 33 * 8 + 4)
  word.writeUInt32LE(16 + clx.length, 0x9a + 12 * 8)
  word.writeUInt32LE(plcBteChpx.length, 0x9a + 12 * 8 + 4)
  word.writeUInt32LE(16 + clx.length + plcBteChpx.length, 0x9a + 11 * 8)
  word.writeUInt32LE(plcfHdd.length, 0x9a + 11 * 8 + 4)
  word.writeUInt32LE(16 + clx.length + plcBteChpx.length + plcfHdd.length, 0x9a + 6 * 8)
  word.writeUInt32LE(plcfSed.length, 0x9a + 6 * 8 + 4)
  if (FIB_SIZE > TEXT_OFFSET) throw new Error('the FIB overlaps the text')

  return makeCompoundFile([
    { name: 'WordDocument', data: word },
    { name: '1Table', data: table },
    { name: '\u0005SummaryInformation', data: Buffer.alloc(200) },
  ])
}

// Windows-1252 for the characters tests use: ASCII, Latin-1 letters and the 0x80-0x9F punctuation.
const CP1252_HIGH: Readonly<Record<string, number>> = { '€': 0x80, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '–': 0x96, '—': 0x97 }

export function encodeWindows1252(text: string): Buffer {
  return Buffer.from(
    Array.from(text, (char) => {
      const code = char.codePointAt(0)!
      if (code < 0x80 || (code >= 0xa0 && code <= 0xff)) return code
      const mapped = CP1252_HIGH[char]
      if (mapped === undefined) throw new Error(`${char} is not in the test's Windows-1252 table`)
      return mapped
    }),
  )
}
