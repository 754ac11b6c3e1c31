// Text out of a Word 97-2003 document ([MS-DOC]): the FIB at the start of the
// WordDocument stream says how many characters the main text has and where
// the piece table (CLX) sits in the table stream; each piece maps a run of
// character positions to 8-bit (Windows-1252) or UTF-16 bytes. The main text
// is read, and before it the page header the first page shows (Word users put
// their name and contact line there; footers, footnotes and text boxes are not
// read), at most a bounded number of characters however the pieces are laid
// out, and without the characters the formatting hides (vanish) or marks
// deleted. Hidden characters are reported too; deleted ones are a revision,
// not hidden text, and are not.
import { CompoundFile, isCfb } from './cfb.ts'
import { HiddenFindings, type HiddenText } from './hidden-text.ts'

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
// The index of fcClx/lcbClx, fcPlcfBteChpx/lcbPlcfBteChpx, fcPlcfHdd/lcbPlcfHdd and
// fcPlcfSed/lcbPlcfSed among the FibRgFcLcb97 pairs.
const CLX_PAIR = 33
const CHPX_PAIR = 12
const HDD_PAIR = 11
const SED_PAIR = 6
// Stories of the header document ([MS-DOC] 2.8.22): six separators, then six a section (even header, odd
// header, even footer, odd footer, first header, first footer). The odd header is the one every page shows
// unless the section has a title page, which shows the first header instead.
const FIRST_SECTION_ODD_HEADER = 7
const FIRST_SECTION_FIRST_HEADER = 10
const SPRM_TITLE_PAGE = 0x300a
/** A page header is a line or three; a longer one is not read further. */
const MAX_HEADER_CHARS = 2_000
const FKP_SIZE = 512

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

/** The main text, and the hidden (vanish) text left out of it (at most `maxHidden` findings). */
export function readDoc(bytes: Uint8Array, maxChars: number, maxHidden: number): { text: string; hidden: HiddenText[] } {
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
  const ccpFtn = cslw > 4 ? word.readUInt32LE(lwStart + 4 * 4) : 0
  const ccpHdd = cslw > 5 ? word.readUInt32LE(lwStart + 5 * 4) : 0
  const pairs = word.readUInt16LE(at)
  const pairsStart = at + 2
  if (pairs <= CLX_PAIR || pairsStart + (CLX_PAIR + 1) * 8 > word.length) throw new DocError('the FIB has no piece table entry')
  const fcClx = word.readUInt32LE(pairsStart + CLX_PAIR * 8)
  const lcbClx = word.readUInt32LE(pairsStart + CLX_PAIR * 8 + 4)

  const table = file.rootStream(flags & FLAG_TABLE_1 ? '1Table' : '0Table')
  if (!table) throw new DocError('the table stream is missing')
  if (fcClx + lcbClx > table.length) throw new DocError('the piece table is outside the table stream')
  const pieces = readPieceTable(table.subarray(fcClx, fcClx + lcbClx))

  const fcChpx = word.readUInt32LE(pairsStart + CHPX_PAIR * 8)
  const lcbChpx = word.readUInt32LE(pairsStart + CHPX_PAIR * 8 + 4)
  const marked = lcbChpx > 0 && fcChpx + lcbChpx <= table.length ? hiddenRanges(word, table.subarray(fcChpx, fcChpx + lcbChpx)) : []

  const findings = new HiddenFindings(maxHidden)
  /**
   * The text of characters [from, to), hidden and deleted characters left
   * out. The shown and the hidden characters are two streams, each with its
   * own fields: hidden text cannot open a field that swallows the shown text.
   */
  const readRange = (from: number, to: number): string => {
    const shown = wordText()
    const hiddenText = wordText()
    let out = ''
    for (const piece of pieces) {
      if (piece.cpStart >= to) break
      const first = Math.max(piece.cpStart, from)
      const count = Math.min(piece.cpEnd, to) - first
      if (count <= 0) continue
      const width = piece.compressed ? 1 : 2
      const start = (piece.compressed ? piece.fc / 2 : piece.fc) + (first - piece.cpStart) * width
      const end = start + count * width
      if (end > word.length) throw new DocError('a piece runs past the end of the WordDocument stream')
      for (const part of partsOf(start, end, width, marked)) {
        if (part.mark === 'deleted') continue
        const raw = (piece.compressed ? cp1252 : utf16).decode(word.subarray(part.from, part.to))
        if (part.mark === 'hidden') {
          findings.hidden(hiddenText(raw), 'invisible text')
        } else {
          const text = shown(raw)
          out += text
          findings.shown(text)
        }
      }
    }
    return out
  }

  const headers: string[] = []
  const fcHdd = word.readUInt32LE(pairsStart + HDD_PAIR * 8)
  const lcbHdd = word.readUInt32LE(pairsStart + HDD_PAIR * 8 + 4)
  if (ccpHdd > 0 && lcbHdd > 0 && fcHdd + lcbHdd <= table.length) {
    const stories = headerStories(table.subarray(fcHdd, fcHdd + lcbHdd), ccpHdd)
    const titlePage = firstSectionHasTitlePage(word, table, pairsStart)
    const headerStart = ccpText + ccpFtn
    for (const index of titlePage ? [FIRST_SECTION_FIRST_HEADER, FIRST_SECTION_ODD_HEADER] : [FIRST_SECTION_ODD_HEADER]) {
      const story = stories[index]
      if (!story) continue
      const text = readRange(headerStart + story.from, headerStart + Math.min(story.to, story.from + MAX_HEADER_CHARS)).trim()
      if (text !== '' && !headers.includes(text)) headers.push(text)
    }
  }
  const body = readRange(0, Math.min(ccpText, maxChars * 2))
  return { text: headers.length > 0 ? `${headers.join('\n')}\n${body}` : body, hidden: findings.found() }
}

/**
 * Where each story of the header document starts and ends (relative to the
 * header document), its guard paragraph mark left out; an empty story is
 * undefined. The last CP of the PLC is undefined and the one before it ends
 * the last story.
 */
function headerStories(plc: Buffer, ccpHdd: number): Array<{ from: number; to: number } | undefined> {
  const count = Math.floor(plc.length / 4)
  const stories: Array<{ from: number; to: number } | undefined> = []
  for (let i = 0; i + 2 < count && i <= FIRST_SECTION_FIRST_HEADER; i++) {
    const from = plc.readUInt32LE(i * 4)
    const next = plc.readUInt32LE((i + 1) * 4)
    // The guard paragraph mark ending a story is not its content.
    const to = Math.min(next, ccpHdd) - 1
    stories.push(to > from ? { from, to } : undefined)
  }
  return stories
}

/** Whether the first section shows a first-page header of its own (sprmSFTitlePage in its SEPX). */
function firstSectionHasTitlePage(word: Buffer, table: Buffer, pairsStart: number): boolean {
  const fcSed = word.readUInt32LE(pairsStart + SED_PAIR * 8)
  const lcbSed = word.readUInt32LE(pairsStart + SED_PAIR * 8 + 4)
  // A PlcfSed: n + 1 CPs, then n 12-byte SEDs; the SEPX offset is 2 bytes into a SED.
  if (lcbSed < 16 || fcSed + lcbSed > table.length || (lcbSed - 4) % 16 !== 0) return false
  const sections = (lcbSed - 4) / 16
  const fcSepx = table.readUInt32LE(fcSed + (sections + 1) * 4 + 2)
  if (fcSepx === 0xffffffff || fcSepx + 2 > word.length) return false
  const size = word.readUInt16LE(fcSepx)
  const grpprl = word.subarray(fcSepx + 2, Math.min(word.length, fcSepx + 2 + size))
  for (let at = 0; at + 2 <= grpprl.length;) {
    const sprm = grpprl.readUInt16LE(at)
    at += 2
    if (sprm === SPRM_TITLE_PAGE) return grpprl[at] !== undefined && grpprl[at] !== 0
    const operand = OPERAND_SIZES[sprm >> 13]!
    at += operand >= 0 ? operand : 1 + (grpprl[at] ?? 0)
  }
  return false
}

type Mark = 'hidden' | 'deleted'

interface MarkedRange {
  from: number
  to: number
  mark: Mark
}

/**
 * The byte ranges of the WordDocument stream whose characters are hidden
 * (vanish) or deleted in tracked changes, from the character formatting
 * (PlcBteChpx, then each 512-byte ChpxFkp page it points to), sorted and
 * apart. Hidden text is what the reader never sees: it must not reach a
 * screener. Where a hostile file has runs overlap, deleted wins over hidden.
 */
function hiddenRanges(word: Buffer, plc: Buffer): MarkedRange[] {
  if (plc.length < 4 || (plc.length - 4) % 8 !== 0) return []
  const count = (plc.length - 4) / 8
  const ranges: MarkedRange[] = []
  const seen = new Set<number>()
  for (let i = 0; i < count; i++) {
    const page = plc.readUInt32LE((count + 1) * 4 + i * 4) & 0x3fffff
    // A page listed twice is read once: its runs are the same.
    if (seen.has(page)) continue
    seen.add(page)
    const fkp = word.subarray(page * FKP_SIZE, (page + 1) * FKP_SIZE)
    if (fkp.length < FKP_SIZE) continue
    const runs = fkp[FKP_SIZE - 1]!
    if (runs === 0 || (runs + 1) * 4 + runs > FKP_SIZE - 1) continue
    for (let run = 0; run < runs; run++) {
      const offset = fkp[(runs + 1) * 4 + run]! * 2
      if (offset === 0 || offset >= FKP_SIZE - 1) continue
      const size = fkp[offset]!
      if (offset + 1 + size > FKP_SIZE - 1) continue
      const mark = markOf(fkp.subarray(offset + 1, offset + 1 + size))
      if (mark) {
        const from = fkp.readUInt32LE(run * 4)
        const to = fkp.readUInt32LE((run + 1) * 4)
        if (to > from) ranges.push({ from, to, mark })
      }
    }
  }
  return partition(ranges)
}

/** Overlapping and touching ranges as sorted ranges apart, each with one mark (deleted over hidden). */
function partition(ranges: readonly MarkedRange[]): MarkedRange[] {
  const edges = ranges.flatMap(({ from, to, mark }) => [
    { at: from, mark, step: 1 },
    { at: to, mark, step: -1 },
  ])
  edges.sort((a, b) => a.at - b.at)
  const open: Record<Mark, number> = { hidden: 0, deleted: 0 }
  const parts: MarkedRange[] = []
  let current: MarkedRange | undefined
  for (let i = 0; i < edges.length;) {
    const at = edges[i]!.at
    for (; i < edges.length && edges[i]!.at === at; i++) open[edges[i]!.mark] += edges[i]!.step
    const mark: Mark | null = open.deleted > 0 ? 'deleted' : open.hidden > 0 ? 'hidden' : null
    if (current?.mark === mark) continue
    if (current) {
      current.to = at
      parts.push(current)
    }
    current = mark ? { from: at, to: at, mark } : undefined
  }
  return parts
}

const SPRM_VANISH = 0x083c
const SPRM_DELETED = 0x0800
// Operand sizes by the sprm's spra bits ([MS-DOC] 2.2.5.1); 6 means "the first operand byte is the size".
const OPERAND_SIZES = [1, 1, 2, 4, 2, 2, -1, 3]

/**
 * Whether a run's properties switch on deleted or hidden (vanish) text: 1, or
 * 0x81 (the opposite of its style, which hides nothing by default). A run
 * both deleted and hidden is deleted.
 */
function markOf(grpprl: Buffer): Mark | null {
  let mark: Mark | null = null
  for (let at = 0; at + 2 <= grpprl.length;) {
    const sprm = grpprl.readUInt16LE(at)
    at += 2
    const size = OPERAND_SIZES[sprm >> 13]!
    const on = grpprl[at] === 1 || grpprl[at] === 0x81
    if (on && sprm === SPRM_DELETED) return 'deleted'
    if (on && sprm === SPRM_VANISH) mark = 'hidden'
    at += size >= 0 ? size : 1 + (grpprl[at] ?? 0)
  }
  return mark
}

/**
 * [start, end) cut into parts on character boundaries: those in a marked
 * range with its mark, the rest unmarked. A character partly in a range is in it.
 */
function partsOf(
  start: number,
  end: number,
  width: number,
  marked: readonly MarkedRange[],
): Array<{ from: number; to: number; mark: Mark | null }> {
  const parts: Array<{ from: number; to: number; mark: Mark | null }> = []
  // The first range that may overlap: binary search on range ends.
  let low = 0
  let high = marked.length
  while (low < high) {
    const middle = (low + high) >> 1
    if (marked[middle]!.to <= start) low = middle + 1
    else high = middle
  }
  let at = start
  for (let i = low; i < marked.length && marked[i]!.from < end; i++) {
    const { from, to, mark } = marked[i]!
    const cut = at + Math.max(0, Math.floor((from - at) / width)) * width
    if (cut > at) parts.push({ from: at, to: cut, mark: null })
    const until = Math.min(end, Math.max(cut, start + Math.ceil((to - start) / width) * width))
    if (until > cut) parts.push({ from: cut, to: until, mark })
    at = until
    if (at >= end) break
  }
  if (at < end) parts.push({ from: at, to: end, mark: null })
  return parts
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
 * Word's special characters to plain text, fed a part at a time: paragraph,
 * line, page and column breaks to line ends, table cell marks to tabs and row ends to line ends, fields
 * to their shown result (the instruction between 0x13 and 0x14 is dropped),
 * object anchors dropped.
 */
function wordText(): (raw: string) => string {
  // One entry per open field: true once its result (after 0x14) has begun.
  const fields: boolean[] = []
  // Open fields still in their instruction: nothing is text until they reach their result.
  let instructions = 0
  // A table row's text is each cell's text and its cell mark (0x07), then the row's own end mark (0x07 again):
  // a mark right after a mark ends the row. (An empty cell reads so too, and splits its row: the paragraph
  // properties that tell the two apart are not read.)
  let afterCellMark = false
  return (raw) => {
    let out = ''
    for (const char of raw) {
      const code = char.charCodeAt(0)
      if (code === 0x07) {
        out += afterCellMark ? '\n' : '\t'
        afterCellMark = !afterCellMark
        continue
      }
      afterCellMark = false
      if (code === 0x13) {
        fields.push(false)
        instructions++
        continue
      }
      if (code === 0x14) {
        if (fields.length > 0 && !fields.at(-1)) {
          fields[fields.length - 1] = true
          instructions--
        }
        continue
      }
      if (code === 0x15) {
        if (fields.length > 0 && !fields.pop()) instructions--
        continue
      }
      if (instructions > 0) continue
      if (code === 0x0d || code === 0x0b || code === 0x0c || code === 0x0e) out += '\n'
      else if (code === 0x09) out += '\t'
      else if (code === 0x1e) out += '-'
      else if (code === 0x1f) out += '\u00ad'
      else if (code >= 0x20 || code === 0x0a) out += char
    }
    return out
  }
}
