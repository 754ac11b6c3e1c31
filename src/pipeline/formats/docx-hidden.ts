// Runs of a Word document that a reader never sees: hidden (w:vanish,
// w:specVanish), white, or too small to read (w:sz under 3 half-points).
// mammoth reads them all as text, so they are cut out of word/document.xml
// before it does. The XML is scanned run by run with bounded patterns: it is
// attacker-controlled and must cost linear time.
import type { HiddenText } from './hidden-text.ts'

const RUN = /<w:r(?:\s[^>]*)?>[\s\S]*?<\/w:r>/g
const NESTED_RUN = /<w:r[\s>]/
const RUN_PROPERTIES = /<w:rPr(?:\s[^>]*)?>([\s\S]*?)<\/w:rPr>/
const TEXT = /<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g
/** On unless its value says off. */
const VANISH = /<w:(?:vanish|specVanish)(?:\s+w:val="(?!0"|false"|off")[^"]*")?\s*\/>/
const COLOUR = /<w:color\s[^>]*w:val="([0-9A-Fa-f]{6})"/
const SIZE = /<w:sz\s[^>]*w:val="(\d{1,6})"/
/** Half-points: 3 is 1.5 pt. */
const MIN_HALF_POINTS = 3
/** Every channel at least this: white on the page Word gives a document by default. */
const NEAR_WHITE = 0xef
const MAX_FINDINGS = 20
const MAX_EXCERPT = 200

function reasonOf(properties: string): HiddenText['reason'] | null {
  if (VANISH.test(properties)) return 'invisible text'
  const colour = COLOUR.exec(properties)?.[1]
  if (colour && [0, 2, 4].every((at) => parseInt(colour.slice(at, at + 2), 16) >= NEAR_WHITE)) return 'white or background-coloured text'
  const size = SIZE.exec(properties)?.[1]
  if (size !== undefined && Number(size) < MIN_HALF_POINTS) return 'tiny text'
  return null
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

function decodeXml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Math.min(0x10ffff, parseInt(entity.slice(2), 16)))
    if (entity.startsWith('#')) return String.fromCodePoint(Math.min(0x10ffff, Number(entity.slice(1))))
    return XML_ENTITIES[entity]!
  })
}

/** document.xml without its hidden runs, and the text they held (a DOCX is one page). */
export function removeHiddenRuns(xml: string): { xml: string; hidden: HiddenText[] } {
  const hidden: HiddenText[] = []
  let last: { reason: HiddenText['reason']; end: number } | undefined
  const cleaned = xml.replace(RUN, (run: string, offset: number) => {
    // A run holding a text box holds runs of its own; the lazy match ends inside it, so it is left whole.
    if (NESTED_RUN.test(run.slice(4))) return run
    const properties = RUN_PROPERTIES.exec(run)?.[1]
    const reason = properties ? reasonOf(properties) : null
    if (!reason) return run
    const text = decodeXml([...run.matchAll(TEXT)].map((match) => match[1]).join(''))
    // Neighbouring runs hidden the same way read as one finding ("Kubernetes" "Go" "Rust").
    const previous = hidden.at(-1)
    if (previous && last && last.reason === reason && last.end === offset) {
      if (previous.text.length < MAX_EXCERPT) previous.text += text
    } else if (text.trim() !== '' && hidden.length < MAX_FINDINGS) {
      hidden.push({ page: 1, text, reason })
    }
    last = { reason, end: offset + run.length }
    return ''
  })
  for (const finding of hidden) {
    const text = finding.text.replace(/\s+/g, ' ').trim()
    finding.text = text.length > MAX_EXCERPT ? `${text.slice(0, MAX_EXCERPT - 1)}…` : text
  }
  return { xml: cleaned, hidden: hidden.filter((finding) => finding.text !== '') }
}
