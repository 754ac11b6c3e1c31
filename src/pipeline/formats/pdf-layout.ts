// Reading order of a PDF page. pdf.js gives text in content-stream order,
// which for a two-column resume (LaTeX Deedy, most designer templates) is
// often row by row across both columns: a line of the sidebar, then a line of
// the main column. When a page has a clear vertical gutter, the left column
// is read before the right. Rows of a table ("Engineer ........ 2019 - 2021")
// and moderncv's dates-on-the-left lists also leave a gap, but are kept as
// rows: see looksLikeColumns.

/** The part of a pdf.js TextItem this reads. */
export interface PositionedText {
  str: string
  /** pdf.js's text matrix: [a, b, c, d, x, y], y growing upwards. */
  transform: number[]
  width: number
  height: number
  hasEOL: boolean
}

interface Piece {
  str: string
  x: number
  end: number
  y: number
  size: number
}

interface Segment {
  text: string
  x: number
  end: number
}

interface Line {
  y: number
  segments: Segment[]
}

/** Pieces whose baselines differ by less than this, in font sizes, are on one line. */
const BASELINE_TOLERANCE_EMS = 0.3
/** Pages with fewer text pieces than this are read as they come. */
const MIN_PIECES = 6
/** Narrowest gap between two pieces of a line, in font sizes, that separates two segments. */
const SEGMENT_GAP_EMS = 1.2
const MIN_SEGMENT_GAP = 8
/** Narrowest gutter between columns, in points. */
const MIN_GUTTER = 8
/** Lines at the top of a page that may be a header over both columns. */
const HEADER_LINES = 3
/** Each column holds at least this many segments, and is at least this share of the text's width. */
const MIN_COLUMN_SEGMENTS = 3
const MIN_COLUMN_WIDTH_SHARE = 0.1
/** A left side this share of whose segments hold a year is a column of dates, not a sidebar. */
const DATE_COLUMN_SHARE = 0.3
const YEAR = /(?<!\d)(?:19|20)\d{2}(?!\d)/
/** Above this share of lines with text on both sides of the gutter, the page is a table, not two columns. */
const MAX_PAIRED_SHARE = 0.6

/** The page's text in reading order, lines separated by \n. */
export function pageText(items: readonly PositionedText[]): string {
  const pieces = positioned(items)
  if (pieces.length >= MIN_PIECES) {
    const lines = linesOf(pieces)
    // A header above the columns (a name, a title, a contact line, often centred) may reach into the gutter from
    // both sides and leave no band clear enough: the gutter is then looked for below it.
    const gutter = findGutter(lines) ?? (lines.length > HEADER_LINES * 4 ? findGutter(lines.slice(HEADER_LINES)) : undefined)
    if (gutter !== undefined && looksLikeColumns(lines, gutter)) return readColumns(lines, gutter)
    if (scrambled(pieces)) return lines.map((line) => line.segments.map((segment) => segment.text).join(' ')).join('\n')
  }
  return streamOrder(items)
}

/** Upward jumps between lines, in font sizes, past which the content stream is not in reading order. */
const JUMP_EMS = 2
const MIN_JUMPS = 3
const JUMP_SHARE = 0.1

/**
 * Whether the content stream draws the page's lines out of order: a word
 * processor's text boxes or a design tool's layers put every heading first,
 * then the paragraphs, each where it belongs on the page. Read in the stream's
 * order, the headings would all stand together above their sections' text;
 * such a page is read top to bottom instead.
 */
function scrambled(pieces: Piece[]): boolean {
  let transitions = 0
  let jumps = 0
  for (let i = 1; i < pieces.length; i++) {
    const previous = pieces[i - 1]!
    const piece = pieces[i]!
    const size = Math.max(previous.size, piece.size)
    if (Math.abs(piece.y - previous.y) < size * BASELINE_TOLERANCE_EMS) continue
    transitions++
    if (piece.y - previous.y > size * JUMP_EMS) jumps++
  }
  return jumps >= MIN_JUMPS && jumps >= transitions * JUMP_SHARE
}

/** The order pdf.js gives, with its own line ends: right for every single-column page. */
function streamOrder(items: readonly PositionedText[]): string {
  let text = ''
  let previous: { y: number; size: number } | undefined
  for (const item of items) {
    const y = item.transform[5] ?? 0
    const size = Math.abs(item.height) || Math.abs(item.transform[3] ?? 0)
    // pdf.js ends a line where the next item starts below it, judged by the next one's size: a name in 32 pt over
    // its 8 pt address line is one line to it ("Eric NgigiNairobi"). A baseline moved by more than the smaller
    // size is a new line; a superscript's or a subscript's is not.
    if (previous && !text.endsWith('\n') && item.str !== '' && size > 0 && Math.abs(previous.y - y) > Math.min(previous.size, size))
      text += '\n'
    text += item.hasEOL ? `${item.str}\n` : item.str
    if (item.str !== '') previous = { y, size: size || previous?.size || 0 }
  }
  return text
}

function positioned(items: readonly PositionedText[]): Piece[] {
  const pieces: Piece[] = []
  for (const item of items) {
    if (item.str.trim() === '') continue
    const [a = 1, b = 0, , d = 1, x = 0, y = 0] = item.transform
    // Rotated text (a sideways margin note) has no place in a column.
    if (Math.abs(b) > Math.abs(a) * 0.1) continue
    const size = Math.max(1, Math.abs(item.height) || Math.abs(d))
    pieces.push({ str: item.str, x, end: x + Math.max(0, item.width), y, size })
  }
  return pieces
}

/** Pieces grouped into lines by baseline, top to bottom; each line split into segments where a wide gap falls. */
function linesOf(pieces: Piece[]): Line[] {
  const sorted = [...pieces].sort((p, q) => q.y - p.y || p.x - q.x)
  const groups: Piece[][] = []
  for (const piece of sorted) {
    const current = groups.at(-1)
    if (current && Math.abs(current[0]!.y - piece.y) < Math.min(current[0]!.size, piece.size) * BASELINE_TOLERANCE_EMS) current.push(piece)
    else groups.push([piece])
  }
  return groups.map((group) => {
    group.sort((p, q) => p.x - q.x)
    const segments: Segment[] = []
    let previous: Piece | undefined
    for (const piece of group) {
      const gap = previous ? piece.x - previous.end : 0
      const segment = segments.at(-1)
      if (!segment || !previous || gap >= Math.max(MIN_SEGMENT_GAP, previous.size * SEGMENT_GAP_EMS)) {
        segments.push({ text: piece.str, x: piece.x, end: piece.end })
      } else {
        const joint = gap > previous.size * 0.15 && !/\s$/.test(segment.text) && !/^\s/.test(piece.str) ? ' ' : ''
        segment.text += joint + piece.str
        segment.end = Math.max(segment.end, piece.end)
      }
      previous = piece
    }
    return { y: group[0]!.y, segments }
  })
}

/**
 * The x of the widest vertical band, in the middle three fifths of the text,
 * that the fewest segments cross; undefined when no band is clear of at least
 * three quarters of the lines.
 */
function findGutter(lines: Line[]): { start: number; end: number } | undefined {
  let minX = Infinity
  let maxX = -Infinity
  for (const line of lines) {
    for (const segment of line.segments) {
      minX = Math.min(minX, segment.x)
      maxX = Math.max(maxX, segment.end)
    }
  }
  const width = Math.ceil(maxX - minX)
  if (!(width > MIN_GUTTER * 4) || width > 20_000) return undefined
  // Coverage of each one-point band, by a difference array: linear in segments plus width.
  const delta = new Int32Array(width + 2)
  for (const line of lines) {
    for (const segment of line.segments) {
      delta[Math.max(0, Math.floor(segment.x - minX))]! += 1
      delta[Math.min(width + 1, Math.ceil(segment.end - minX))]! -= 1
    }
  }
  const coverage = new Int32Array(width + 1)
  let running = 0
  for (let x = 0; x <= width; x++) coverage[x] = running += delta[x]!
  const from = Math.floor(width * 0.2)
  const to = Math.ceil(width * 0.8)
  let least = Infinity
  for (let x = from; x <= to; x++) least = Math.min(least, coverage[x]!)
  if (least > lines.length * 0.25) return undefined
  let best: { start: number; end: number } | undefined
  for (let x = from; x <= to; x++) {
    if (coverage[x] !== least) continue
    let end = x
    while (end + 1 <= width && coverage[end + 1] === least) end++
    if (!best || end - x > best.end - best.start) best = { start: x, end }
    x = end
  }
  if (!best || best.end - best.start < MIN_GUTTER) return undefined
  return { start: best.start + minX, end: best.end + minX }
}

/**
 * Two columns, not a table: each side holds enough segments and is wide
 * enough to be a column, and the two sides keep lines of their own. A table
 * or a moderncv-style list (dates or labels on the left, what they describe
 * on the right) pairs nearly every line on one side with a line on the other,
 * and must stay in rows; two columns set independently share a baseline only by chance.
 */
function looksLikeColumns(lines: Line[], gutter: { start: number; end: number }): boolean {
  let leftSegments = 0
  let leftDated = 0
  let rightSegments = 0
  let leftLines = 0
  let rightLines = 0
  let pairedLines = 0
  const leftExtent = [Infinity, -Infinity]
  const rightExtent = [Infinity, -Infinity]
  for (const line of lines) {
    let hasLeft = false
    let hasRight = false
    for (const segment of line.segments) {
      if (segment.end <= gutter.start + 1) {
        leftSegments++
        if (YEAR.test(segment.text)) leftDated++
        hasLeft = true
        leftExtent[0] = Math.min(leftExtent[0]!, segment.x)
        leftExtent[1] = Math.max(leftExtent[1]!, segment.end)
      } else if (segment.x >= gutter.end - 1) {
        rightSegments++
        hasRight = true
        rightExtent[0] = Math.min(rightExtent[0]!, segment.x)
        rightExtent[1] = Math.max(rightExtent[1]!, segment.end)
      }
    }
    if (hasLeft) leftLines++
    if (hasRight) rightLines++
    if (hasLeft && hasRight) pairedLines++
  }
  if (leftSegments < MIN_COLUMN_SEGMENTS || rightSegments < MIN_COLUMN_SEGMENTS) return false
  // A left column of dates (moderncv's, with a section's name over them) labels the lines beside it: rows.
  if (leftDated >= leftSegments * DATE_COLUMN_SHARE) return false
  const total = rightExtent[1]! - leftExtent[0]!
  const narrow = (extent: number[]) => extent[1]! - extent[0]! < total * MIN_COLUMN_WIDTH_SHARE
  if (narrow(leftExtent) || narrow(rightExtent)) return false
  return pairedLines < Math.min(leftLines, rightLines) * MAX_PAIRED_SHARE
}

/**
 * Lines crossing the gutter (a full-width name or footer) stay where they
 * are; between them, the left column is read down, then the right.
 */
function readColumns(lines: Line[], gutter: { start: number; end: number }): string {
  const out: string[] = []
  let leftColumn: string[] = []
  let rightColumn: string[] = []
  const flush = () => {
    out.push(...leftColumn, ...rightColumn)
    leftColumn = []
    rightColumn = []
  }
  for (const line of lines) {
    const crossing = line.segments.some((segment) => segment.x < gutter.end - 1 && segment.end > gutter.start + 1)
    if (crossing) {
      flush()
      out.push(line.segments.map((segment) => segment.text).join(' '))
      continue
    }
    const left = line.segments.filter((segment) => segment.end <= gutter.start + 1)
    const right = line.segments.filter((segment) => segment.x >= gutter.end - 1)
    if (left.length > 0) leftColumn.push(left.map((segment) => segment.text).join(' '))
    if (right.length > 0) rightColumn.push(right.map((segment) => segment.text).join(' '))
  }
  flush()
  return out.join('\n')
}
