// Text out of an HTML resume (a saved web page, a job board's export, an
// email body saved to a file): what a browser would show of the body, block
// elements on lines of their own. Whatever a browser would not show is dropped
// (scripts, styles, templates, the head, hidden and CSS-hidden elements),
// since a screener must not read text the candidate hid from HR. What hidden
// elements held is reported too; the content of scripts, styles and the like
// is markup, never meant as text, and is not.
import { Parser } from 'htmlparser2'
import { HiddenFindings, type HiddenReason, type HiddenText } from './hidden-text.ts'

// Elements whose content is never shown as text, nor meant to be.
const NEVER_SHOWN = new Set([
  'head',
  'script',
  'style',
  'template',
  'noscript',
  'title',
  'iframe',
  'object',
  'embed',
  'svg',
  'math',
  'canvas',
  'select',
  'datalist',
])

const BLOCKS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'body',
  'br',
  'caption',
  'dd',
  'details',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tr',
  'ul',
])

const CELLS = new Set(['td', 'th'])
const VOID = new Set(['br', 'hr'])

// Inline styles that hide an element, each with the reason HR is given. Only
// the element's own style attribute is read: stylesheets are not applied (a
// hidden class goes unseen).
const HIDING_STYLES: ReadonlyArray<{ style: RegExp; reason: HiddenReason }> = [
  { style: /(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse))/i, reason: 'hidden element' },
  { style: /(?:^|;)\s*opacity\s*:\s*0(?:\.0*)?\s*(?:!important)?\s*(?:;|$)/i, reason: 'transparent text' },
  { style: /(?:^|;)\s*font-size\s*:\s*0(?:px|pt|em|rem|%)?\s*(?:!important)?\s*(?:;|$)/i, reason: 'tiny text' },
]
const MAX_STYLE = 10_000

// htmlparser2 keeps its open elements in an array it unshifts onto, so each
// open tag costs the current depth; bounding the depth keeps a page linear.
// Real pages, Word's HTML exports included, nest a few dozen deep.
const MAX_DEPTH = 256

export class HtmlError extends Error {
  override name = 'HtmlError'
}

/** Why nothing inside an element is shown: markup that is never text, or hidden text (and how it was hidden). */
type Hiding = 'markup' | HiddenReason | null

interface Open {
  name: string
  /** Nothing inside is shown when set (this element or one around it hides it). */
  hidden: Hiding
  pre: boolean
}

function hiding(name: string, attributes: Record<string, string>): Hiding {
  if (NEVER_SHOWN.has(name)) return 'markup'
  if ('hidden' in attributes) return 'hidden element'
  // aria-hidden only hides from screen readers: a sighted reader sees the text, so it is read and not flagged.
  if (name === 'input' && attributes.type?.toLowerCase() === 'hidden') return 'hidden element'
  const style = attributes.style
  if (style === undefined || style.length >= MAX_STYLE) return null
  return HIDING_STYLES.find((entry) => entry.style.test(style))?.reason ?? null
}

/** Markup inside hidden text is still markup; otherwise the outermost hidden element gives the reason. */
function within(parent: Hiding, own: Hiding): Hiding {
  return parent === 'markup' || own === 'markup' ? 'markup' : (parent ?? own)
}

/** The text a browser shows, and the hidden text left out of it (at most `maxHidden` findings). */
export function readHtml(html: string, maxChars: number, maxHidden: number): { text: string; hidden: HiddenText[] } {
  const open: Open[] = []
  const parts: string[] = []
  const findings = new HiddenFindings(maxHidden)
  let length = 0
  const hidden = () => open.at(-1)?.hidden ?? null
  const inPre = () => open.at(-1)?.pre ?? false
  let atLineStart = true
  const push = (text: string) => {
    if (length > maxChars || text === '') return
    parts.push(text)
    length += text.length
    atLineStart = text.endsWith('\n')
    findings.shown(text)
  }
  // Block edges end the line unless it has just ended: nested blocks make one break, not several; <br> always breaks.
  const breakLine = (name: string) => {
    if (name === 'br' || !atLineStart) push('\n')
  }

  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (open.length >= MAX_DEPTH) throw new HtmlError(`elements are nested more than ${MAX_DEPTH} deep`)
        const parentHidden = hidden()
        open.push({ name, hidden: within(parentHidden, hiding(name, attributes)), pre: inPre() || name === 'pre' || name === 'textarea' })
        // Words in neighbouring hidden blocks are apart in what HR is shown.
        if (BLOCKS.has(name) || CELLS.has(name)) findings.gap()
        if (parentHidden) return
        if (BLOCKS.has(name)) breakLine(name)
        else if (CELLS.has(name)) push('\t')
      },
      ontext(text) {
        const reason = hidden()
        if (reason === 'markup') return
        if (reason) {
          // Past the text's cap nothing is read, hidden or not.
          if (length <= maxChars) findings.hidden(text, reason)
          return
        }
        // Outside <pre>, runs of white space are one space, as a browser shows them.
        if (inPre()) return push(text)
        const collapsed = text.replace(/\s+/g, ' ')
        push(atLineStart ? collapsed.trimStart() : collapsed)
      },
      onclosetag(name) {
        // Close down to the matching element: htmlparser2 reports implied closes, stray end tags are ignored.
        let at = open.length - 1
        while (at >= 0 && open[at]!.name !== name) at--
        if (at < 0) return
        const wasHidden = open[at]!.hidden
        open.length = at
        if (BLOCKS.has(name) || CELLS.has(name)) findings.gap()
        // A void element (br, hr) is reported closed right after it opens: it made its line break already.
        if (!wasHidden && BLOCKS.has(name) && !VOID.has(name)) breakLine(name)
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  )
  parser.end(html)
  // A block's own leading space ("<p> text") is no part of its line.
  const text = parts
    .join('')
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
  return { text, hidden: findings.found() }
}

const HTML_START =
  /^\s*(?:<\?xml[^>]{0,200}\?>\s*)?(?:<!--[^]{0,2000}?-->\s*)*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<meta[\s>])/i

/** Whether a text file is an HTML document: it must start like one, not merely mention a tag. */
export function looksLikeHtml(text: string): boolean {
  return HTML_START.test(text.slice(0, 4096))
}

const META_CHARSET = /<meta[^>]{0,300}?charset\s*=\s*["']?\s*([\w.:-]{1,40})/i

/** The charset an HTML document declares in a meta tag within its first kilobytes, if any. */
export function declaredCharset(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 2048)).toString('latin1')
  return META_CHARSET.exec(head)?.[1]?.toLowerCase()
}
