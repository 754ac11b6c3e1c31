// Text out of an HTML resume (a saved web page, a job board's export, an
// email body saved to a file): what a browser would show of the body, block
// elements on lines of their own. Whatever a browser would not show is dropped
// (scripts, styles, templates, the head, hidden and CSS-hidden elements),
// since a screener must not read text the candidate hid from HR.
import { Parser } from 'htmlparser2'

// Elements whose content is never shown as text.
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

// Inline styles that hide an element. Only the element's own style attribute
// is read: stylesheets are not applied (a hidden class goes unseen).
const HIDING_STYLE =
  /(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)|opacity\s*:\s*0(?:\.0*)?\s*(?:!important)?\s*(?:;|$)|font-size\s*:\s*0(?:px|pt|em|rem|%)?\s*(?:!important)?\s*(?:;|$))/i

// htmlparser2 keeps its open elements in an array it unshifts onto, so each
// open tag costs the current depth; bounding the depth keeps a page linear.
// Real pages, Word's HTML exports included, nest a few dozen deep.
const MAX_DEPTH = 256

export class HtmlError extends Error {
  override name = 'HtmlError'
}

interface Open {
  name: string
  /** Nothing inside is shown (this element or one around it is hidden). */
  hidden: boolean
  pre: boolean
}

function hides(name: string, attributes: Record<string, string>): boolean {
  if (NEVER_SHOWN.has(name)) return true
  if ('hidden' in attributes) return true
  if (attributes['aria-hidden']?.trim().toLowerCase() === 'true') return true
  if (name === 'input' && attributes.type?.toLowerCase() === 'hidden') return true
  const style = attributes.style
  return style !== undefined && style.length < 10_000 && HIDING_STYLE.test(style)
}

export function htmlToText(html: string, maxChars: number): string {
  const open: Open[] = []
  const parts: string[] = []
  let length = 0
  const hidden = () => open.at(-1)?.hidden ?? false
  const inPre = () => open.at(-1)?.pre ?? false
  let atLineStart = true
  const push = (text: string) => {
    if (length > maxChars || text === '') return
    parts.push(text)
    length += text.length
    atLineStart = text.endsWith('\n')
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
        open.push({ name, hidden: parentHidden || hides(name, attributes), pre: inPre() || name === 'pre' || name === 'textarea' })
        if (parentHidden) return
        if (BLOCKS.has(name)) breakLine(name)
        else if (CELLS.has(name)) push('\t')
      },
      ontext(text) {
        if (hidden()) return
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
        // A void element (br, hr) is reported closed right after it opens: it made its line break already.
        if (!wasHidden && BLOCKS.has(name) && !VOID.has(name)) breakLine(name)
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  )
  parser.end(html)
  // A block's own leading space ("<p> text") is no part of its line.
  return parts
    .join('')
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
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
