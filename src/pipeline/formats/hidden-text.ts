// Text in a PDF that a reader never sees but a parser reads: white or
// background-coloured, transparent, too small to read, drawn off the page, or
// in an invisible render mode. Resumes use it to stuff keywords for a
// screener. pdf.js's text content carries no colour, so the page's operator
// list is replayed (graphics state, text state, filled rectangles and images)
// to judge each glyph; the text content's items are then matched glyph by
// glyph against that verdict and the hidden characters taken out.
//
// A scanned page with an OCR layer draws its text invisibly over the image of
// itself: invisible or background-coloured text over an image is the page's
// own text, and is kept.
import type { IntegrityFlag } from '../../domain/candidate.ts'
import type { PositionedText } from './pdf-layout.ts'

// Each reason completes "hidden text on page N (…)" in HR's flag. Word's hidden
// font effect is 'invisible text' in every Word format (DOCX, DOC, RTF);
// 'hidden element' is a web page's element hidden by an attribute or its style.
export type HiddenReason =
  'white or background-coloured text' | 'transparent text' | 'tiny text' | 'text outside the page' | 'invisible text' | 'hidden element'

/** Text a reader of the page cannot see, as it was found. */
export interface HiddenText {
  page: number
  text: string
  reason: HiddenReason
}

/** The part of pdf.js's OPS table read here. */
export type OperatorCodes = Readonly<Record<string, number>>

export interface OperatorList {
  fnArray: ArrayLike<number>
  argsArray: ArrayLike<unknown>
}

type Matrix = [number, number, number, number, number, number]

interface Rect {
  x0: number
  y0: number
  x1: number
  y1: number
}

interface GraphicsState {
  ctm: Matrix
  fill: RgbColour | null
  stroke: RgbColour | null
  fillAlpha: number
  strokeAlpha: number
  renderMode: number
  fontSize: number
  sizeKnown: boolean
  charSpacing: number
  wordSpacing: number
  hScale: number
  widthScale: number
  leading: number
  rise: number
}

type RgbColour = [number, number, number]

interface Glyph {
  char: string
  hidden: HiddenReason | null
}

/** Below this size in points, after every scaling, text is not meant to be read. */
const MIN_READABLE_SIZE = 1.5
/** Colour channels (0-255) this close to the background's are not told apart by eye. */
const BACKGROUND_DISTANCE = 16
const MIN_VISIBLE_ALPHA = 0.1
/** Glyphs this far past the page's edge, in points, are off the page. */
const PAGE_MARGIN = 1
/** Filled areas remembered per page, newest first: enough for any designed resume. */
const MAX_AREAS = 2_000
/**
 * Chromium's PDFs (Skia) draw some text as filled outlines and lay the same text over them with no opacity, so
 * it can be selected and searched: transparent text on ink of about its own size is that copy, and is read.
 * The newest filled shapes kept for the check, and how much taller than the text one may be.
 */
const MAX_INKS = 256
const INK_HEIGHT_PER_SIZE = 3
/** How far ahead the match of text items to glyphs looks for a character before giving it up. */
const MATCH_WINDOW = 64
const MAX_EXCERPT = 200

const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0]
const WHITE: RgbColour = [255, 255, 255]

function multiply(m: Matrix, n: Matrix): Matrix {
  // m applied first, then n (PDF's row-vector convention).
  return [
    m[0] * n[0] + m[1] * n[2],
    m[0] * n[1] + m[1] * n[3],
    m[2] * n[0] + m[3] * n[2],
    m[2] * n[1] + m[3] * n[3],
    m[4] * n[0] + m[5] * n[2] + n[4],
    m[4] * n[1] + m[5] * n[3] + n[5],
  ]
}

function apply(m: Matrix, x: number, y: number): [number, number] {
  return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]]
}

function asMatrix(value: unknown): Matrix | null {
  if (!value || typeof value !== 'object' || !('length' in value) || (value as ArrayLike<unknown>).length < 6) return null
  const m = Array.from(value as ArrayLike<unknown>).slice(0, 6)
  return m.every((n) => typeof n === 'number' && Number.isFinite(n)) ? (m as Matrix) : null
}

function boundsOf(m: Matrix, box: Rect): Rect {
  const corners = [apply(m, box.x0, box.y0), apply(m, box.x1, box.y0), apply(m, box.x0, box.y1), apply(m, box.x1, box.y1)]
  const xs = corners.map((c) => c[0])
  const ys = corners.map((c) => c[1])
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) }
}

function inside(rect: Rect, x: number, y: number): boolean {
  return x >= rect.x0 && x <= rect.x1 && y >= rect.y0 && y <= rect.y1
}

/** pdf.js turns every device colour into '#rrggbb'; anything else (a pattern) is a colour we cannot judge. */
function colourOf(args: unknown): RgbColour | null {
  const value = Array.isArray(args) ? args[0] : undefined
  if (typeof value !== 'string' || !/^#[0-9a-f]{6}$/i.test(value)) return null
  return [parseInt(value.slice(1, 3), 16), parseInt(value.slice(3, 5), 16), parseInt(value.slice(5, 7), 16)]
}

function near(a: RgbColour, b: RgbColour): boolean {
  return (
    Math.abs(a[0] - b[0]) <= BACKGROUND_DISTANCE &&
    Math.abs(a[1] - b[1]) <= BACKGROUND_DISTANCE &&
    Math.abs(a[2] - b[2]) <= BACKGROUND_DISTANCE
  )
}

// pdf.js's path data: each drawing operator's code, then its coordinates.
const PATH_MOVE = 0
const PATH_LINE = 1
const PATH_CURVE = 2
const PATH_QUADRATIC = 3
const PATH_CLOSE = 4
const PATH_ARGUMENTS = [2, 2, 6, 4, 0]

/** Whether a constructPath's path data holds a curve (its data: one array, or an array holding it). */
function hasCurve(value: unknown): boolean {
  const data = (Array.isArray(value) ? value[0] : value) as ArrayLike<number> | undefined
  if (!data || typeof data !== 'object' || typeof data.length !== 'number') return false
  for (let i = 0; i < data.length;) {
    const op = data[i]!
    if (op === PATH_CURVE || op === PATH_QUADRATIC) return true
    if (op !== PATH_MOVE && op !== PATH_LINE && op !== PATH_CLOSE) return false
    i += 1 + PATH_ARGUMENTS[op]!
  }
  return false
}

function blend(top: RgbColour, beneath: RgbColour, alpha: number): RgbColour {
  return [0, 1, 2].map((i) => Math.round(top[i]! * alpha + beneath[i]! * (1 - alpha))) as RgbColour
}

interface Area {
  rect: Rect
  /** null for an image: what lies under text there is not known. */
  colour: RgbColour | null
}

/**
 * Replays a page's operators and returns, for each glyph with a character,
 * whether a reader could see it. `view` is the page's box [x0, y0, x1, y1].
 */
export function judgeGlyphs(
  ops: OperatorList,
  codes: OperatorCodes,
  view: readonly number[],
  /** Type 3 fonts scale glyphs by a matrix of their own, which the operators do not show: their size is not judged. */
  isType3Font: (name: string) => boolean = () => false,
  /**
   * Glyph space to text space along the line: a glyph's width times this is its advance at size 1. 1/1000 for
   * most fonts; an embedded OpenType font (XeLaTeX, LuaLaTeX) may give widths in its own units, 1/2048 say.
   */
  widthScale: (name: string) => number = () => 0.001,
): Glyph[] {
  const page: Rect = {
    x0: Math.min(view[0]!, view[2]!) - PAGE_MARGIN,
    y0: Math.min(view[1]!, view[3]!) - PAGE_MARGIN,
    x1: Math.max(view[0]!, view[2]!) + PAGE_MARGIN,
    y1: Math.max(view[1]!, view[3]!) + PAGE_MARGIN,
  }
  const glyphs: Glyph[] = []
  const areas: Area[] = []
  const stack: GraphicsState[] = []
  let state: GraphicsState = {
    ctm: IDENTITY,
    fill: [0, 0, 0],
    stroke: [0, 0, 0],
    fillAlpha: 1,
    strokeAlpha: 1,
    renderMode: 0,
    fontSize: 0,
    sizeKnown: true,
    charSpacing: 0,
    wordSpacing: 0,
    hScale: 1,
    widthScale: 0.001,
    leading: 0,
    rise: 0,
  }
  let textMatrix: Matrix = IDENTITY
  let lineMatrix: Matrix = IDENTITY

  const inks: Rect[] = []
  // The glyph starting at (x, y) of a text of `size` starts on visible ink no taller than a few lines of that text
  // (the baseline may sit a little below the outlines, the start a little left of them, never past their end).
  const onInk = (x: number, y: number, size: number): boolean => {
    for (let i = inks.length - 1; i >= 0; i--) {
      const ink = inks[i]!
      if (ink.y1 - ink.y0 > INK_HEIGHT_PER_SIZE * size) continue
      if (x >= ink.x0 - size / 4 && x < ink.x1 && y >= ink.y0 - size / 2 && y <= ink.y1 + size / 2) return true
    }
    return false
  }
  const remember = (area: Area) => {
    areas.push(area)
    if (areas.length > MAX_AREAS) areas.shift()
  }
  const backgroundAt = (x: number, y: number): RgbColour | null => {
    for (let i = areas.length - 1; i >= 0; i--) if (inside(areas[i]!.rect, x, y)) return areas[i]!.colour
    return WHITE
  }
  const moveLine = (tx: number, ty: number) => {
    lineMatrix = multiply([1, 0, 0, 1, tx, ty], lineMatrix)
    textMatrix = lineMatrix
  }

  /** Everything but the place: judged once per run of text, where it starts. */
  const look = (x: number, y: number, size: number): HiddenReason | null => {
    const mode = state.renderMode
    const tiny = state.sizeKnown && size < MIN_READABLE_SIZE
    const background = backgroundAt(x, y)
    // An OCR layer: invisible text over the scan it was read from.
    if (background === null) return tiny ? 'tiny text' : null
    if (mode === 3 || mode === 7) return 'invisible text'
    if (tiny) return 'tiny text'
    const fills = mode === 0 || mode === 2 || mode === 4 || mode === 6
    const strokes = mode === 1 || mode === 2 || mode === 5 || mode === 6
    const seen = (colour: RgbColour | null, alpha: number) => alpha >= MIN_VISIBLE_ALPHA && (colour === null || !near(colour, background))
    if ((fills && seen(state.fill, state.fillAlpha)) || (strokes && seen(state.stroke, state.strokeAlpha))) return null
    return (fills ? state.fillAlpha : state.strokeAlpha) < MIN_VISIBLE_ALPHA ? 'transparent text' : 'white or background-coloured text'
  }

  const show = (items: unknown) => {
    if (!Array.isArray(items)) return
    const size = state.fontSize
    let seen: HiddenReason | null | undefined
    for (const item of items) {
      if (typeof item === 'number') {
        // A TJ adjustment, in thousandths of the font size, moves back.
        textMatrix = multiply([1, 0, 0, 1, (-item / 1000) * size * state.hScale, 0], textMatrix)
        continue
      }
      if (!item || typeof item !== 'object') continue
      const glyph = item as { unicode?: unknown; width?: unknown; isSpace?: unknown }
      const full = multiply(textMatrix, state.ctm)
      const [x, y] = apply(full, 0, state.rise)
      const scale = Math.sqrt(Math.abs(full[0] * full[3] - full[1] * full[2]) * state.hScale)
      const char = typeof glyph.unicode === 'string' ? glyph.unicode : ''
      if (char !== '') {
        const scaled = Math.abs(size) * scale
        seen = seen === undefined ? look(x, y, scaled) : seen
        const hidden = seen === 'transparent text' && onInk(x, y, scaled) ? null : seen
        glyphs.push({ char, hidden: inside(page, x, y) ? hidden : 'text outside the page' })
      }
      const width = typeof glyph.width === 'number' && Number.isFinite(glyph.width) ? glyph.width : 0
      const advance =
        (width * state.widthScale * size + state.charSpacing + (glyph.isSpace === true ? state.wordSpacing : 0)) * state.hScale
      textMatrix = multiply([1, 0, 0, 1, advance, 0], textMatrix)
    }
    // What one showText draws reads on as one run; a new one after a move may not.
    glyphs.push({ char: '\n', hidden: null })
  }

  for (let i = 0; i < ops.fnArray.length; i++) {
    const fn = ops.fnArray[i]
    const args = ops.argsArray[i] as unknown[] | null
    switch (fn) {
      case codes.save:
        stack.push({ ...state })
        break
      case codes.restore:
        state = stack.pop() ?? state
        break
      case codes.transform: {
        const m = asMatrix(args)
        if (m) state.ctm = multiply(m, state.ctm)
        break
      }
      case codes.paintFormXObjectBegin: {
        stack.push({ ...state })
        const m = asMatrix(args?.[0])
        if (m) state.ctm = multiply(m, state.ctm)
        break
      }
      case codes.paintFormXObjectEnd:
        state = stack.pop() ?? state
        break
      case codes.setFillRGBColor:
        state.fill = colourOf(args)
        break
      case codes.setStrokeRGBColor:
        state.stroke = colourOf(args)
        break
      case codes.setFillGray:
      case codes.setFillCMYKColor:
      case codes.setFillColor:
      case codes.setFillColorN:
      case codes.setFillColorSpace:
        state.fill = colourOf(args)
        break
      case codes.setGState:
        for (const entry of Array.isArray(args?.[0]) ? (args[0] as unknown[]) : []) {
          if (!Array.isArray(entry) || typeof entry[1] !== 'number') continue
          if (entry[0] === 'ca') state.fillAlpha = entry[1]
          if (entry[0] === 'CA') state.strokeAlpha = entry[1]
        }
        break
      case codes.beginText:
        textMatrix = IDENTITY
        lineMatrix = IDENTITY
        break
      case codes.setFont:
        if (typeof args?.[1] === 'number') state.fontSize = args[1]
        state.sizeKnown = typeof args?.[0] !== 'string' || !isType3Font(args[0])
        state.widthScale = typeof args?.[0] === 'string' ? widthScale(args[0]) : 0.001
        break
      case codes.setTextRenderingMode:
        if (typeof args?.[0] === 'number') state.renderMode = args[0]
        break
      case codes.setCharSpacing:
        if (typeof args?.[0] === 'number') state.charSpacing = args[0]
        break
      case codes.setWordSpacing:
        if (typeof args?.[0] === 'number') state.wordSpacing = args[0]
        break
      case codes.setHScale:
        if (typeof args?.[0] === 'number') state.hScale = args[0] / 100
        break
      case codes.setLeading:
        if (typeof args?.[0] === 'number') state.leading = args[0]
        break
      case codes.setTextRise:
        if (typeof args?.[0] === 'number') state.rise = args[0]
        break
      case codes.setTextMatrix: {
        const m = asMatrix(args?.[0]) ?? asMatrix(args)
        if (m) textMatrix = lineMatrix = m
        break
      }
      case codes.moveText:
        if (typeof args?.[0] === 'number' && typeof args[1] === 'number') moveLine(args[0], args[1])
        break
      case codes.setLeadingMoveText:
        if (typeof args?.[0] === 'number' && typeof args[1] === 'number') {
          state.leading = -args[1]
          moveLine(args[0], args[1])
        }
        break
      case codes.nextLine:
        moveLine(0, -state.leading)
        break
      case codes.nextLineShowText:
        moveLine(0, -state.leading)
        show(args?.[0])
        break
      case codes.nextLineSetSpacingShowText:
        if (typeof args?.[0] === 'number') state.wordSpacing = args[0]
        if (typeof args?.[1] === 'number') state.charSpacing = args[1]
        moveLine(0, -state.leading)
        show(args?.[2])
        break
      case codes.showText:
      case codes.showSpacedText:
        show(args?.[0])
        break
      case codes.constructPath: {
        // [painting operator, path data, [minX, minY, maxX, maxY] in user space]
        const paint = args?.[0]
        const box = args?.[2] as ArrayLike<number> | undefined
        const filled = paint === codes.fill || paint === codes.eoFill || paint === codes.fillStroke || paint === codes.eoFillStroke
        if (filled && box && box.length >= 4 && state.fillAlpha >= MIN_VISIBLE_ALPHA) {
          const rect = boundsOf(state.ctm, { x0: box[0]!, y0: box[1]!, x1: box[2]!, y1: box[3]! })
          if (state.fill) {
            const beneath = backgroundAt((rect.x0 + rect.x1) / 2, (rect.y0 + rect.y1) / 2)
            // A translucent fill (a sidebar tinted at 20 %) shows as its blend with what lies beneath.
            const colour = state.fillAlpha >= 1 ? state.fill : beneath && blend(state.fill, beneath, state.fillAlpha)
            // Ink only where it shows against what lies beneath (a white page's white box is no ink), and only in
            // curves: outlines of letters have them, while a bar drawn under transparent words shows none of them.
            if ((!beneath || !colour || !near(colour, beneath)) && hasCurve(args?.[1])) {
              inks.push(rect)
              if (inks.length > MAX_INKS) inks.shift()
            }
            remember({ rect, colour })
          } else {
            // A pattern or a gradient (a Canva sidebar): what it shows under the text is not known, as with an image.
            remember({ rect, colour: null })
          }
        }
        break
      }
      case codes.paintImageXObject:
      case codes.paintInlineImageXObject:
      case codes.paintImageMaskXObject:
      case codes.paintImageXObjectRepeat:
      case codes.paintSolidColorImageMask:
        // An image fills the unit square of its matrix.
        remember({ rect: boundsOf(state.ctm, { x0: 0, y0: 0, x1: 1, y1: 1 }), colour: null })
        break
      case codes.shadingFill:
        remember({ rect: page, colour: null })
        break
    }
  }
  return glyphs
}

/** Hidden glyphs as runs of text, each run one finding. */
export function hiddenRuns(glyphs: readonly Glyph[], pageNumber: number): HiddenText[] {
  const found: HiddenText[] = []
  let run: { text: string; reason: HiddenReason } | undefined
  const close = () => {
    const text = run?.text.replace(/\s+/g, ' ').trim()
    if (run && text)
      found.push({ page: pageNumber, text: text.length > MAX_EXCERPT ? `${text.slice(0, MAX_EXCERPT - 1)}…` : text, reason: run.reason })
    run = undefined
  }
  for (const glyph of glyphs) {
    if (glyph.hidden) {
      if (run && run.reason !== glyph.hidden) close()
      run ??= { text: '', reason: glyph.hidden }
      if (run.text.length <= MAX_EXCERPT) run.text += glyph.char
    } else if (/^\s+$/.test(glyph.char)) {
      if (run) run.text += ' '
    } else {
      close()
    }
  }
  close()
  return found
}

/**
 * The hidden text of a one-page format (HTML, RTF, DOC), gathered as the
 * document is read in order: hidden text goes to `hidden`, the text around it
 * to `shown`. Hidden text with one reason and nothing visible between (white
 * space aside) is one finding, as in a PDF; white-space-only findings are
 * dropped. Findings and their excerpts are bounded, whatever the document holds.
 */
export class HiddenFindings {
  readonly #found: HiddenText[] = []
  readonly #limit: number
  #run: { text: string; reason: HiddenReason } | undefined

  constructor(limit: number) {
    this.#limit = limit
  }

  hidden(text: string, reason: HiddenReason): void {
    if (this.#run && this.#run.reason !== reason) this.#close()
    if (!this.#run) {
      if (this.#found.length >= this.#limit) return
      this.#run = { text: '', reason }
    }
    // One character past the excerpt's length tells the excerpt to end in an ellipsis.
    if (this.#run.text.length <= MAX_EXCERPT) this.#run.text += text.slice(0, MAX_EXCERPT + 1 - this.#run.text.length)
  }

  /** Text a reader sees: anything but white space ends the finding being gathered. */
  shown(text: string): void {
    if (/\S/.test(text)) this.#close()
    else this.gap()
  }

  /** A break between words that is no text of its own (a block's edge, a cell). */
  gap(): void {
    if (this.#run && this.#run.text.length <= MAX_EXCERPT) this.#run.text += ' '
  }

  found(): HiddenText[] {
    this.#close()
    return [...this.#found]
  }

  #close(): void {
    const run = this.#run
    this.#run = undefined
    const text = run?.text.replace(/\s+/g, ' ').trim()
    if (!run || !text) return
    this.#found.push({ page: 1, text: text.length > MAX_EXCERPT ? `${text.slice(0, MAX_EXCERPT - 1)}…` : text, reason: run.reason })
  }
}

/**
 * The text items with every hidden character taken out. Items and glyphs come
 * in the same content-stream order; pdf.js leaves some glyphs out of its text
 * content (text off the page, spaces it inferred), so each character is
 * looked for a little way ahead, and one not found is kept.
 */
export function withoutHidden<T extends PositionedText>(items: readonly T[], glyphs: readonly Glyph[]): T[] {
  const sequence = glyphs.flatMap((glyph) =>
    [...glyph.char.normalize('NFKC')].filter((char) => !/\s/.test(char)).map((char) => ({ char, hidden: glyph.hidden })),
  )
  if (!sequence.some((glyph) => glyph.hidden)) return [...items]
  let next = 0
  const matchOf = (char: string): boolean | undefined => {
    let looked = 0
    for (let at = next; at < sequence.length && looked < MATCH_WINDOW; at++) {
      const candidate = sequence[at]!
      // Off-page runs may be long and pdf.js never shows them: they do not use up the window.
      if (candidate.hidden !== 'text outside the page') looked++
      if (candidate.char === char) {
        next = at + 1
        return candidate.hidden !== null
      }
    }
    return undefined
  }
  return items.map((item) => {
    let str = ''
    let dropped = false
    for (const char of item.str) {
      if (/\s/.test(char)) {
        str += char
        continue
      }
      let hidden = false
      for (const part of char.normalize('NFKC')) if (/\S/.test(part) && matchOf(part)) hidden = true
      if (hidden) dropped = true
      else str += char
    }
    return dropped ? { ...item, str: str.replace(/\s{2,}/g, ' ') } : item
  })
}

/**
 * Findings as flags for HR. The text no longer holds what was hidden, so a
 * flag points at the first line of its page.
 */
export function hiddenTextFlags(text: string, hidden: readonly HiddenText[]): IntegrityFlag[] {
  const firstLine = [1]
  const lines = text.split('\n')
  for (let index = 0; index < lines.length; index++) {
    for (const char of lines[index]!) if (char === '\f') firstLine.push(index + 1)
  }
  return hidden.map(({ page, text: found, reason }) => ({
    kind: 'hidden_text',
    detail: `hidden text on page ${page} (${reason}): "${found}"`,
    at: { page, line: firstLine[page - 1] ?? 1, section: null },
  }))
}
