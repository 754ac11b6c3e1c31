// Text out of a Word 97-2003 document ([MS-DOC]): the FIB at the start of the
// WordDocument stream says how many characters the main text has and where
// the piece table (CLX) sits in the table stream; each piece maps a run of
// character positions to 8-bit (Windows-1252) or UTF-16 bytes. Only the main
// text is read (not footnotes, headers or text boxes), at most a bounded
// number of characters however the pieces are laid out.
import { CompoundFile, isCfb } from './cfb.ts'

export class DocError extends Error {
  override name = 'DocError'
  readonly encrypted: boolean
  constructor(message: string, encrypted = false) {
    super(message)
    this.encrypted = encrypted
  }
}

const WORD_MAGIC = 0xa5ec
const FLAG_ENCRYPTED = 0x0100
const FLAG_TABLE_1 = 0x0200
const FC_COMPRESSED = 0x40000000
// The index of fcClx/lcbClx among the FibRgFcLcb97 pairs.
const CLX_PAIR = 33

const cp1252 = new TextDecoder('windows-1252')
const utf16 = new TextDecoder('utf-16le')

/** What a CFB file holds, from its root's streams: a Word document, or another Office file to name in a refusal. */
export function cfbContent(bytes: Uint8Array): 'doc' | { other: string } {
  let names: string[]
  try {
    names = new CompoundFile(bytes).rootNames()
  } catch {
    return { other: 'application/x-cfb' }
  }
  const has = (name: string) => names.includes(name)
  if (has('WordDocument')) return 'doc'
  if (has('Workbook') || has('Book')) return { other: 'application/vnd.ms-excel' }
  if (has('PowerPoint Document')) return { other: 'application/vnd.ms-powerpoint' }
  if (names.some((name) => name.startsWith('__substg1.0_')) || has('__properties_version1.0'))
    return { other: 'application/vnd.ms-outlook' }
  if (has('EncryptedPackage')) return { other: 'application/x-encrypted-office-document' }
  return { other: 'application/x-cfb' }
}

export function isDoc(bytes: Uint8Array): boolean {
  return isCfb(bytes) && cfbContent(bytes) === 'doc'
}

export function docToText(bytes: Uint8Array, maxChars: number): string {
  const file = new CompoundFile(bytes)
  const word = file.rootStream('WordDocument')
  if (!word || word.length < 0x20) throw new DocError('no WordDocument stream')
  if (word.readUInt16LE(0) !== WORD_MAGIC) throw new DocError('the WordDocument stream does not start with a FIB')
  // Word 97 writes 0xC1 (some writers 0xC0); Word 6 and 95 wrote 101-105, with another FIB layout.
  if (word.readUInt16LE(2) < 0xc0) throw new DocError('it was saved by Word 95 or earlier, a format not read; save it as .docx')
  const flags = word.readUInt16LE(0x0a)
  if (flags & FLAG_ENCRYPTED) throw new DocError('the document is encrypted', true)

  // The FIB's variable parts: 16-bit values, then 32-bit values (ccpText among
  // them), then fc/lcb pairs (the CLX among them), each preceded by its count.
  let at = 0x20
  const csw = word.readUInt16LE(at)
  at += 2 + csw * 2
  const lwStart = at + 2
  const cslw = word.readUInt16LE(at)
  at += 2 + cslw * 4
  if (cslw < 4 || at + 2 > word.length) throw new DocError('the FIB is truncated')
  const ccpText = word.readUInt32LE(lwStart + 3 * 4)
  const pairs = word.readUInt16LE(at)
  const pairsStart = at + 2
  if (pairs <= CLX_PAIR || pairsStart + (CLX_PAIR + 1) * 8 > word.length) throw new DocError('the FIB has no piece table entry')
  const fcClx = word.readUInt32LE(pairsStart + CLX_PAIR * 8)
  const lcbClx = word.readUInt32LE(pairsStart + CLX_PAIR * 8 + 4)

  const table = file.rootStream(flags & FLAG_TABLE_1 ? '1Table' : '0Table')
  if (!table) throw new DocError('the table stream is missing')
  if (fcClx + lcbClx > table.length) throw new DocError('the piece table is outside the table stream')
  const pieces = readPieceTable(table.subarray(fcClx, fcClx + lcbClx))

  const wanted = Math.min(ccpText, maxChars * 2)
  let raw = ''
  for (const piece of pieces) {
    if (piece.cpStart >= wanted) break
    const count = Math.min(piece.cpEnd, wanted) - piece.cpStart
    if (count <= 0) continue
    if (piece.compressed) {
      const start = piece.fc / 2
      if (start + count > word.length) throw new DocError('a piece runs past the end of the WordDocument stream')
      raw += cp1252.decode(word.subarray(start, start + count))
    } else {
      if (piece.fc + count * 2 > word.length) throw new DocError('a piece runs past the end of the WordDocument stream')
      raw += utf16.decode(word.subarray(piece.fc, piece.fc + count * 2))
    }
  }
  return plainText(raw)
}

interface Piece {
  cpStart: number
  cpEnd: number
  fc: number
  compressed: boolean
}

function readPieceTable(clx: Buffer): Piece[] {
  let at = 0
  // Prc entries (formatting for pieces) come first and are skipped.
  while (at < clx.length && clx[at] === 0x01) {
    if (at + 3 > clx.length) throw new DocError('the piece table is truncated')
    at += 3 + clx.readInt16LE(at + 1)
  }
  if (clx[at] !== 0x02 || at + 5 > clx.length) throw new DocError('the piece table has no Pcdt')
  const length = clx.readUInt32LE(at + 1)
  const plc = clx.subarray(at + 5, at + 5 + length)
  if (plc.length !== length || length < 4 || (length - 4) % 12 !== 0) throw new DocError('the piece table is damaged')
  const count = (length - 4) / 12
  const pieces: Piece[] = []
  for (let i = 0; i < count; i++) {
    const cpStart = plc.readUInt32LE(i * 4)
    const cpEnd = plc.readUInt32LE((i + 1) * 4)
    if (cpEnd < cpStart || (i > 0 && cpStart < pieces[i - 1]!.cpEnd)) throw new DocError('the piece table is out of order')
    const fcValue = plc.readUInt32LE((count + 1) * 4 + i * 8 + 2)
    const compressed = (fcValue & FC_COMPRESSED) !== 0
    pieces.push({ cpStart, cpEnd, fc: fcValue & 0x3fffffff, compressed })
  }
  return pieces
}

/**
 * Word's special characters to plain text: paragraph, line, page and column
 * breaks to line ends, table cell marks to tabs, fields to their shown
 * result (the instruction between 0x13 and 0x14 is dropped), object anchors dropped.
 */
function plainText(raw: string): string {
  let out = ''
  // One entry per open field: true once its result (after 0x14) has begun.
  const fields: boolean[] = []
  let hiddenFields = 0
  for (const char of raw) {
    const code = char.charCodeAt(0)
    if (code === 0x13) {
      fields.push(false)
      hiddenFields++
      continue
    }
    if (code === 0x14) {
      if (fields.length > 0 && !fields.at(-1)) {
        fields[fields.length - 1] = true
        hiddenFields--
      }
      continue
    }
    if (code === 0x15) {
      if (fields.length > 0 && !fields.pop()) hiddenFields--
      continue
    }
    if (hiddenFields > 0) continue
    if (code === 0x0d || code === 0x0b || code === 0x0c || code === 0x0e) out += '\n'
    else if (code === 0x07 || code === 0x09) out += '\t'
    else if (code === 0x1e) out += '-'
    else if (code === 0x1f) out += '\u00ad'
    else if (code >= 0x20 || code === 0x0a) out += char
  }
  return out
}
