// Page headers of a Word document. Word users put their name and contact line
// in the page header, and mammoth reads only the body, so the headers a reader
// sees on the page are read here and set before the body's text. Footers are
// not: page numbers, and job boards' footers with the board's own phone
// number (the RTF reader leaves them out for the same reason).
//
// A header is seen only when its section shows it: the first page's header
// when the section has a title page (w:titlePg), the even pages' header when
// the document sets even and odd headers apart (w:evenAndOddHeaders), the
// default one otherwise. A header part nothing shows is not read: text that
// is never on a page must not reach HR or a scorer. The XML is scanned with
// bounded patterns and index searches: it is attacker-controlled.
//
// The pictures the body shows are found here too, through the same
// relationships, for OCR of a resume pasted into Word as images.
import { decodeXml } from './docx-hidden.ts'

const SECTION_OPEN = '<w:sectPr'
const SECTION_CLOSE = '</w:sectPr>'
const HEADER_RELATIONSHIP_TYPE = /\/relationships\/header$/
/** On unless its value says off. */
const onFlag = (name: string) => new RegExp(`<w:${name}(?:\\s+w:val="(?!0"|false"|off")[^"]*")?\\s*/>`)
const TITLE_PAGE = onFlag('titlePg')
const EVEN_AND_ODD = onFlag('evenAndOddHeaders')
/** Headers a document may show; a longer list is not a resume's. */
const MAX_HEADERS = 8

/** Each element `<name …>` in turn, found with index searches: linear whatever the XML. */
function* elements(xml: string, name: string): Generator<string> {
  const open = `<${name}`
  for (let at = xml.indexOf(open); at >= 0; at = xml.indexOf(open, at)) {
    const end = xml.indexOf('>', at)
    if (end < 0) return
    const after = xml[at + open.length]
    if (after === ' ' || after === '\t' || after === '\n' || after === '\r' || after === '/' || after === '>') yield xml.slice(at, end + 1)
    at = end
  }
}

function attribute(element: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(element)
  return match ? decodeXml(match[1]!) : undefined
}

/** Each section's properties, in document order (a section's are at its end; the last section's close the body). */
function sections(documentXml: string): string[] {
  const found: string[] = []
  for (let open = documentXml.indexOf(SECTION_OPEN); open >= 0; open = documentXml.indexOf(SECTION_OPEN, open + 1)) {
    const close = documentXml.indexOf(SECTION_CLOSE, open)
    // A self-closed or unclosed element holds no references.
    if (close < 0) break
    found.push(documentXml.slice(open, close))
    open = close
  }
  return found
}

/**
 * The zip entries of the headers a reader sees, in the order a reader meets
 * them (the first page's, then the rest), each once.
 */
export function visibleHeaderParts(documentXml: string, relationshipsXml: string | undefined, settingsXml: string | undefined): string[] {
  if (!relationshipsXml) return []
  const targets = relationshipTargets(relationshipsXml, HEADER_RELATIONSHIP_TYPE)
  const evenAndOdd = settingsXml !== undefined && EVEN_AND_ODD.test(settingsXml)
  const parts: string[] = []
  for (const section of sections(documentXml)) {
    const byType = new Map<string, string>()
    for (const element of elements(section, 'w:headerReference')) {
      const id = attribute(element, 'r:id')
      const part = id === undefined ? undefined : targets.get(id)
      if (part) byType.set(attribute(element, 'w:type') ?? 'default', part)
    }
    const shown = [TITLE_PAGE.test(section) ? 'first' : '', 'default', evenAndOdd ? 'even' : '']
    for (const type of shown) {
      const part = byType.get(type)
      if (part && !parts.includes(part) && parts.length < MAX_HEADERS) parts.push(part)
    }
  }
  return parts
}

const HYPERLINK_RELATIONSHIP_TYPE = /\/relationships\/hyperlink$/
const HYPERLINK_REFERENCE = /<w:hyperlink\s[^<>]{0,1000}?\br:id="([^"<>]{1,200})"/g
const MAX_HYPERLINKS = 40

/**
 * The addresses behind the body's hyperlinks, in order, each once: a word ("LinkedIn", "Portfolio") whose
 * address only the relationships hold, as a PDF's link annotations do.
 */
export function hyperlinkTargets(documentXml: string, relationshipsXml: string | undefined): string[] {
  if (!relationshipsXml) return []
  return referencedInOrder(
    documentXml,
    HYPERLINK_REFERENCE,
    relationshipTargets(relationshipsXml, HYPERLINK_RELATIONSHIP_TYPE, true),
    MAX_HYPERLINKS,
  )
}

/** The targets the document refers to by `reference` (its first group an id), in order, each once, up to `max`. */
function referencedInOrder(documentXml: string, reference: RegExp, targets: Map<string, string>, max: number): string[] {
  const found: string[] = []
  for (const [, id] of documentXml.matchAll(reference)) {
    const target = targets.get(decodeXml(id!))
    if (target && !found.includes(target)) found.push(target)
    if (found.length >= max) break
  }
  return found
}

/**
 * The main document's relationships of one type, id to target: a zip entry for the file's own parts, or (with
 * `external`) an address outside the file, which is all a hyperlink is.
 */
function relationshipTargets(relationshipsXml: string, type: RegExp, external = false): Map<string, string> {
  const targets = new Map<string, string>()
  for (const element of elements(relationshipsXml, 'Relationship')) {
    const id = attribute(element, 'Id')
    const kind = attribute(element, 'Type')
    const target = attribute(element, 'Target')
    if (!id || !target || !kind || !type.test(kind) || (attribute(element, 'TargetMode') === 'External') !== external) continue
    const resolved = external ? target : partName(target)
    if (resolved) targets.set(id, resolved)
  }
  return targets
}

/**
 * The zip entry a relationship's target names: absolute ("/word/media/a.png") or relative to the main
 * document's folder, with "." and ".." resolved, and Windows' backslashes, which some writers use
 * ("media\image1.jpg"), read as slashes. Undefined for a target above the archive's root.
 */
function partName(target: string): string | undefined {
  const path = target.replaceAll('\\', '/')
  const segments: string[] = path.startsWith('/') ? [] : ['word']
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment !== '..') segments.push(segment)
    else if (segments.pop() === undefined) return undefined
  }
  return segments.join('/')
}

const IMAGE_RELATIONSHIP_TYPE = /\/relationships\/image$/
/** A picture in the body: DrawingML's blip (r:embed) or, in documents from older Word, VML's imagedata (r:id). */
const PICTURE_REFERENCE = /<(?:a:blip|v:imagedata)\s[^<>]{0,1000}?\br:(?:embed|id)="([^"<>]{1,200})"/g

/**
 * The zip entries of the pictures the document's body shows, in the order
 * they appear, each once: what OCR reads when a resume was pasted into Word
 * as images and has no text of its own.
 */
export function pictureParts(documentXml: string, relationshipsXml: string | undefined, max: number): string[] {
  if (!relationshipsXml) return []
  return referencedInOrder(documentXml, PICTURE_REFERENCE, relationshipTargets(relationshipsXml, IMAGE_RELATIONSHIP_TYPE), max)
}

const FALLBACK_OPEN = '<mc:Fallback'
const FALLBACK_CLOSE = '</mc:Fallback>'
const TAG_NAME = /^\/?[\w:.-]{1,64}/

/**
 * The text of a header part (hidden runs already taken out), a line per
 * paragraph: runs' text, tabs, line breaks. A text box is written twice, for
 * new and old readers (the old one in mc:Fallback); only the first is read.
 * One pass from tag to tag.
 */
export function headerText(xml: string): string {
  const kept: string[] = []
  let copied = 0
  for (let open = xml.indexOf(FALLBACK_OPEN); open >= 0; open = xml.indexOf(FALLBACK_OPEN, copied)) {
    kept.push(xml.slice(copied, open))
    const close = xml.indexOf(FALLBACK_CLOSE, open)
    copied = close < 0 ? xml.length : close + FALLBACK_CLOSE.length
  }
  kept.push(xml.slice(copied))
  const read = kept.join('')
  let text = ''
  for (let open = read.indexOf('<'); open >= 0;) {
    const end = read.indexOf('>', open)
    if (end < 0) break
    const next = read.indexOf('<', end)
    const tag = read.slice(open + 1, end)
    const name = TAG_NAME.exec(tag)?.[0]
    // Deleted text (w:delText) and field codes (w:instrText) are not on the page.
    if (name === 'w:t' && !tag.endsWith('/')) text += decodeXml(read.slice(end + 1, next < 0 ? read.length : next))
    // A tab stop in the paragraph's properties has a position; a tab in the text has none.
    else if ((name === 'w:tab' || name === 'w:ptab') && !tag.includes('w:pos=')) text += '\t'
    else if (name === 'w:br' || name === 'w:cr' || name === '/w:p') text += '\n'
    open = next
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .join('\n')
}
