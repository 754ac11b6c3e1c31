// Runs of a Word document that a reader never sees: hidden (w:vanish,
// w:specVanish), white, or too small to read (w:sz under 3 half-points).
// mammoth reads them all as text, so they are cut out of word/document.xml
// before it does. The XML is scanned run by run with bounded patterns: it is
// attacker-controlled and must cost linear time.
import type { HiddenText } from './hidden-text.ts'

const RUN_OPEN = /<w:r[\s>]/g
const RUN_CLOSE = '</w:r>'
const NESTED_RUN = /<w:r[\s>]/
const RUN_PROPERTIES = /<w:rPr(?:\s[^>]*)?>([\s\S]*?)<\/w:rPr>/
const TEXT = /<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g
/** On unless its value says off. */
const VANISH = /<w:(?:vanish|specVanish)(?:\s+w:val="(?!0"|false"|off")[^"]*")?\s*\/>/
const COLOUR = /<w:color\s[^>]*w:val="([0-9A-Fa-f]{6})"/
const SIZE = /<w:sz\s[^>]*w:val="(\d{1,6})"/
const SHADING = /<w:shd\s[^>]*w:fill="([0-9A-Fa-f]{6})"/
const HIGHLIGHT = /<w:highlight\s[^>]*w:val="(?!none")/
const TABLE_STYLE = /<w:tblStyle\s[^>]*w:val="(?!TableGrid"|TableNormal")/
const BACKGROUND = /<w:background\s[^>]*w:color="([0-9A-Fa-f]{6})"/
/** Where a paragraph, cell or table starts or a cell or table ends: what is under a white run. */
const CONTAINER = /<w:(?:p|tc|tbl)[\s>]|<\/w:(?:tc|tbl)>/g
/** A container's own properties come first and are short; looking further would cost more than it finds. */
const PROPERTIES_WINDOW = 4_096
/** Half-points: 3 is 1.5 pt. */
const MIN_HALF_POINTS = 3
/** Every channel at least this: white on the page Word gives a document by default. */
const NEAR_WHITE = 0xef
const MAX_FINDINGS = 20
const MAX_EXCERPT = 200

function nearWhite(colour: string): boolean {
  return [0, 2, 4].every((at) => parseInt(colour.slice(at, at + 2), 16) >= NEAR_WHITE)
}

/** A shading fill that is a colour (not auto, not white): white text on it can be read. */
function shaded(properties: string): boolean {
  const fill = SHADING.exec(properties)?.[1]
  return fill !== undefined && !nearWhite(fill)
}

function reasonOf(properties: string, onColour: () => boolean): HiddenText['reason'] | null {
  if (VANISH.test(properties)) return 'invisible text'
  const colour = COLOUR.exec(properties)?.[1]
  if (colour && nearWhite(colour) && !shaded(properties) && !HIGHLIGHT.test(properties) && !onColour())
    return 'white or background-coloured text'
  const size = SIZE.exec(properties)?.[1]
  if (size !== undefined && Number(size) < MIN_HALF_POINTS) return 'tiny text'
  return null
}

/**
 * Follows the paragraphs, cells and tables the runs sit in, in document
 * order, and says whether the run at an offset sits on a coloured ground:
 * a shaded paragraph or cell, or a table whose style may shade it.
 */
function groundReader(xml: string): (offset: number) => boolean {
  const background = BACKGROUND.exec(xml.slice(0, PROPERTIES_WINDOW * 4))?.[1]
  if (background && !nearWhite(background)) return () => true
  // A sidebar or a band drawn as a coloured shape with text boxes over it (Word's résumé templates): what a text
  // box holds is on that colour. Where the box sits against the shape is not worked out; a large coloured shape
  // in the document is enough.
  const inTextBox = hasLargeColouredShape(xml) ? textBoxReader(xml) : () => false
  const properties = (at: number) => xml.slice(at, at + PROPERTIES_WINDOW)
  const cells: boolean[] = []
  const tables: boolean[] = []
  let paragraph = false
  CONTAINER.lastIndex = 0
  let next = CONTAINER.exec(xml)
  return (offset) => {
    while (next && next.index < offset) {
      const tag = next[0]
      if (tag.startsWith('<w:p')) {
        const own = properties(next.index)
        const end = own.indexOf('</w:pPr>')
        paragraph = end >= 0 && shaded(own.slice(0, end))
      } else if (tag.startsWith('<w:tc')) {
        const own = properties(next.index)
        const end = own.indexOf('</w:tcPr>')
        cells.push(end >= 0 && shaded(own.slice(0, end)))
      } else if (tag.startsWith('<w:tbl')) {
        const own = properties(next.index)
        const end = own.indexOf('</w:tblPr>')
        const tableProperties = end >= 0 ? own.slice(0, end) : ''
        tables.push(shaded(tableProperties) || TABLE_STYLE.test(tableProperties))
      } else if (tag === '</w:tc>') {
        cells.pop()
      } else {
        tables.pop()
      }
      next = CONTAINER.exec(xml)
    }
    return paragraph || cells.some(Boolean) || tables.some(Boolean) || inTextBox(offset)
  }
}

// A DrawingML shape's size and fill, and a VML rectangle's or shape's, as Word writes them for a drawn box. Each is
// found with index searches and read within a bounded window: linear whatever the XML.
const SHAPE_OPEN = '<wps:spPr>'
const SHAPE_CLOSE = '</wps:spPr>'
const SHAPE_EXTENT = /<a:ext cx="(\d{1,12})" cy="(\d{1,12})"/
const SHAPE_FILL = /<a:solidFill><a:(?:srgbClr val="([0-9A-Fa-f]{6})"|schemeClr val="(\w{1,20})")/
const VML_SHAPES = ['<v:rect ', '<v:shape ', '<v:roundrect ']
const VML_FILL = /\bfillcolor="#?([0-9A-Fa-f]{6})"/
const VML_SIZE = /\bwidth:([\d.]{1,10})pt;height:([\d.]{1,10})pt/
const SHAPE_WINDOW = 2_000
/** Three inches, in EMUs and in points: a sidebar or a band, not an icon or a rule. */
const LARGE_EMU = 3 * 914_400
const LARGE_POINTS = 3 * 72
const MAX_SHAPES = 200

function hasLargeColouredShape(xml: string): boolean {
  let seen = 0
  for (let at = xml.indexOf(SHAPE_OPEN); at >= 0 && seen++ < MAX_SHAPES; at = xml.indexOf(SHAPE_OPEN, at + SHAPE_OPEN.length)) {
    const window = xml.slice(at, at + SHAPE_WINDOW)
    const close = window.indexOf(SHAPE_CLOSE)
    const properties = close < 0 ? '' : window.slice(0, close)
    const extent = SHAPE_EXTENT.exec(properties)
    const fill = SHAPE_FILL.exec(properties)
    if (!extent || !fill) continue
    const coloured = fill[1] ? !nearWhite(fill[1]) : !/^(?:bg1|lt1|background1)$/.test(fill[2]!)
    if (coloured && Math.max(Number(extent[1]), Number(extent[2])) >= LARGE_EMU) return true
  }
  seen = 0
  for (let at = xml.indexOf('<v:'); at >= 0 && seen < MAX_SHAPES; at = xml.indexOf('<v:', at + 3)) {
    if (!VML_SHAPES.some((open) => xml.startsWith(open, at))) continue
    seen++
    const window = xml.slice(at, at + SHAPE_WINDOW)
    const end = window.indexOf('>')
    const shape = end < 0 ? '' : window.slice(0, end)
    const fill = VML_FILL.exec(shape)?.[1]
    const size = VML_SIZE.exec(shape)
    if (fill && !nearWhite(fill) && !/\bfilled="f"/.test(shape) && size && Math.max(Number(size[1]), Number(size[2])) >= LARGE_POINTS)
      return true
  }
  return false
}

const TEXT_BOX_OPEN = '<w:txbxContent'
const TEXT_BOX_CLOSE = '</w:txbxContent>'

/** Whether an offset (asked in increasing order) is inside a text box. */
function textBoxReader(xml: string): (offset: number) => boolean {
  let open = xml.indexOf(TEXT_BOX_OPEN)
  let close = open < 0 ? -1 : xml.indexOf(TEXT_BOX_CLOSE, open)
  return (offset) => {
    while (open >= 0 && close >= 0 && close < offset) {
      open = xml.indexOf(TEXT_BOX_OPEN, close)
      close = open < 0 ? -1 : xml.indexOf(TEXT_BOX_CLOSE, open)
    }
    return open >= 0 && open < offset && (close < 0 || offset < close)
  }
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

export function decodeXml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Math.min(0x10ffff, parseInt(entity.slice(2), 16)))
    if (entity.startsWith('#')) return String.fromCodePoint(Math.min(0x10ffff, Number(entity.slice(1))))
    return XML_ENTITIES[entity]!
  })
}

/** document.xml without its hidden runs, and the text they held (a DOCX is one page). */
export function removeHiddenRuns(xml: string): { xml: string; hidden: HiddenText[] } {
  const hidden: HiddenText[] = []
  const onColour = groundReader(xml)
  const kept: string[] = []
  let copied = 0
  let last: { reason: HiddenText['reason']; end: number } | undefined
  // Each run ends at the first close after it; remembering that close keeps a
  // document of openings without closes linear.
  let close = -1
  RUN_OPEN.lastIndex = 0
  for (let open = RUN_OPEN.exec(xml); open; open = RUN_OPEN.exec(xml)) {
    const start = open.index
    if (close < start) close = xml.indexOf(RUN_CLOSE, start)
    if (close < 0) break
    const end = close + RUN_CLOSE.length
    const run = xml.slice(start, end)
    // A run holding a text box holds runs of its own: it is left whole, and the runs inside are read in turn.
    if (NESTED_RUN.test(run.slice(4))) continue
    RUN_OPEN.lastIndex = end
    const properties = RUN_PROPERTIES.exec(run)?.[1]
    const reason = properties ? reasonOf(properties, () => onColour(start)) : null
    if (!reason) continue
    const text = decodeXml([...run.matchAll(TEXT)].map((match) => match[1]).join(''))
    // Neighbouring runs hidden the same way read as one finding ("Kubernetes" "Go" "Rust").
    const previous = hidden.at(-1)
    if (previous && last && last.reason === reason && last.end === start) {
      if (previous.text.length < MAX_EXCERPT) previous.text += text
    } else if (text.trim() !== '' && hidden.length < MAX_FINDINGS) {
      hidden.push({ page: 1, text, reason })
    }
    last = { reason, end }
    kept.push(xml.slice(copied, start))
    copied = end
  }
  kept.push(xml.slice(copied))
  for (const finding of hidden) {
    const text = finding.text.replace(/\s+/g, ' ').trim()
    finding.text = text.length > MAX_EXCERPT ? `${text.slice(0, MAX_EXCERPT - 1)}…` : text
  }
  return { xml: kept.join(''), hidden: hidden.filter((finding) => finding.text !== '') }
}
