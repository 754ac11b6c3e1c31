// Text out of an RTF document (Word, WordPad, TextEdit and many job boards
// export it). One linear pass over the bytes with a stack of group states:
// what a group holds is skipped when it is a destination that is not body text
// (font and colour tables, pictures, document info, footers, field
// instructions, anything marked \*), or hidden (\v). Bytes written as \'hh are
// decoded in the document's code page, or the code page of the current font's
// charset; \uN is a UTF-16 code unit, followed by \ucN fallback characters to skip.
// Hidden text is reported as well as left out; the destinations skipped are
// the document's machinery (tables, properties, field codes), never reported.
import { codePageDecoder, type Decoder } from '../text-encoding.ts'
import { HiddenFindings, type HiddenText } from './hidden-text.ts'

export class RtfError extends Error {
  override name = 'RtfError'
}

interface GroupState {
  /** Nothing in this group is text: a destination skipped whole. */
  skip: boolean
  /** Inside the font table: \fN and \fcharsetN describe fonts rather than switch them. */
  fontTable: boolean
  hidden: boolean
  /** A page header: its own lines, apart from the body. */
  header: boolean
  /** Fallback characters that follow each \uN. */
  uc: number
  font: number | undefined
}

// Destinations whose content is never resume text. Headers stay: Word users
// put their contact line there. Footers go: page numbers and job-board
// footers with the board's own phone number.
const SKIPPED_DESTINATIONS = new Set([
  'author',
  'buptim',
  'colortbl',
  'comment',
  'company',
  'creatim',
  'datastore',
  'doccomm',
  'falt',
  'fldinst',
  'footer',
  'footerf',
  'footerl',
  'footerr',
  'footnote',
  'generator',
  'info',
  'keywords',
  'latentstyles',
  'listoverridetable',
  'listtable',
  'nonshppict',
  'object',
  'objdata',
  'operator',
  'pict',
  'printim',
  'private',
  'revtbl',
  'revtim',
  'rsidtbl',
  'stylesheet',
  'subject',
  'themedata',
  'title',
  'xmlnstbl',
  'colorschememapping',
  'pgdsctbl',
  'filetbl',
  'mmathPr',
])

const SYMBOLS: Readonly<Record<string, string>> = {
  par: '\n',
  line: '\n',
  sect: '\n',
  page: '\n',
  row: '\n',
  column: '\n',
  cell: '\t',
  nestcell: '\t',
  tab: '\t',
  emdash: '\u2014',
  endash: '\u2013',
  emspace: ' ',
  enspace: ' ',
  qmspace: ' ',
  bullet: '\u2022',
  lquote: '\u2018',
  rquote: '\u2019',
  ldblquote: '\u201c',
  rdblquote: '\u201d',
}

// \fcharsetN to the Windows code page its \'hh bytes are in. ANSI (0) and
// default (1) mean the document's own code page, so they are not listed.
const CHARSET_CODE_PAGES: Readonly<Record<number, number>> = {
  77: 10000,
  128: 932,
  129: 949,
  134: 936,
  136: 950,
  161: 1253,
  162: 1254,
  163: 1258,
  177: 1255,
  178: 1256,
  186: 1257,
  204: 1251,
  222: 874,
  238: 1250,
}

const MAX_DEPTH = 512
const DEFAULT_CODE_PAGE = 1252
/** Hidden text is kept only for an excerpt of it: any run of it needs no more bytes than this (two per character at most). */
const MAX_HIDDEN_BYTES = 1_024

const isLetter = (byte: number) => (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a)
const isDigit = (byte: number) => byte >= 0x30 && byte <= 0x39
const hexValue = (byte: number) =>
  isDigit(byte) ? byte - 0x30 : byte >= 0x61 && byte <= 0x66 ? byte - 0x57 : byte >= 0x41 && byte <= 0x46 ? byte - 0x37 : -1

/** The document's text alone. */
export function rtfToText(bytes: Uint8Array, maxChars: number): string {
  return readRtf(bytes, maxChars, 0).text
}

/** The document's text, and the hidden (\v) text left out of it (at most `maxHidden` findings). */
export function readRtf(bytes: Uint8Array, maxChars: number, maxHidden: number): { text: string; hidden: HiddenText[] } {
  if (!startsWithRtf(bytes)) throw new RtfError('it does not start with {\\rtf')
  const decoders = new Map<number, Decoder | undefined>()
  const decoderFor = (codePage: number) => {
    if (!decoders.has(codePage)) decoders.set(codePage, codePageDecoder(codePage))
    return decoders.get(codePage) ?? codePageDecoder(DEFAULT_CODE_PAGE)!
  }
  const fontCodePages = new Map<number, number>()
  let documentCodePage = DEFAULT_CODE_PAGE
  let defaultFont: number | undefined
  let fontBeingDefined: number | undefined

  const stack: GroupState[] = []
  let state: GroupState = { skip: false, fontTable: false, hidden: false, header: false, uc: 1, font: undefined }
  const findings = new HiddenFindings(maxHidden)
  let out = ''
  let pending: number[] = []
  let pendingCodePage = DEFAULT_CODE_PAGE
  let pendingHidden = false
  let fallbackToSkip = 0
  let highSurrogate = ''

  const codePageNow = () => {
    const font = state.font ?? defaultFont
    return (font !== undefined ? fontCodePages.get(font) : undefined) ?? documentCodePage
  }
  const write = (text: string, hidden: boolean) => {
    if (hidden) {
      findings.hidden(text, 'invisible text')
    } else {
      out += text
      findings.shown(text)
    }
  }
  const flush = () => {
    if (pending.length === 0) return
    write(decoderFor(pendingCodePage).decode(Uint8Array.from(pending)), pendingHidden)
    pending = []
  }
  /** Where text read now goes: the body, the hidden text, or nowhere (a destination that holds no text). */
  const destination = (): 'shown' | 'hidden' | null => (state.skip || state.fontTable ? null : state.hidden ? 'hidden' : 'shown')
  const emitByte = (byte: number) => {
    const to = destination()
    if (!to) return
    const hidden = to === 'hidden'
    const codePage = codePageNow()
    if (codePage !== pendingCodePage || hidden !== pendingHidden) flush()
    pendingCodePage = codePage
    pendingHidden = hidden
    if (!hidden || pending.length < MAX_HIDDEN_BYTES) pending.push(byte)
  }
  const emit = (text: string) => {
    const to = destination()
    if (!to) return
    flush()
    write(text, to === 'hidden')
  }

  for (let i = 0; i < bytes.length && out.length <= maxChars;) {
    const byte = bytes[i]!
    if (byte === 0x7b) {
      if (stack.length >= MAX_DEPTH) throw new RtfError(`groups are nested more than ${MAX_DEPTH} deep`)
      stack.push(state)
      state = { ...state, header: false }
      fallbackToSkip = 0
      i++
      continue
    }
    if (byte === 0x7d) {
      // A header is set apart from the body text it is written next to.
      if (state.header) emit('\n')
      state = stack.pop() ?? state
      fallbackToSkip = 0
      i++
      continue
    }
    if (byte === 0x0d || byte === 0x0a) {
      i++
      continue
    }
    if (byte !== 0x5c) {
      if (fallbackToSkip > 0) fallbackToSkip--
      else emitByte(byte)
      i++
      continue
    }

    // A backslash: a control symbol or a control word.
    const next = bytes[i + 1]
    if (next === undefined) break
    if (!isLetter(next)) {
      i += 2
      if (next === 0x27) {
        const high = hexValue(bytes[i] ?? 0)
        const low = hexValue(bytes[i + 1] ?? 0)
        if (high < 0 || low < 0) continue
        i += 2
        if (fallbackToSkip > 0) fallbackToSkip--
        else emitByte(high * 16 + low)
      } else if (next === 0x2a) {
        // \* marks a destination a reader that does not know it must skip.
        state.skip = true
      } else if (next === 0x0d || next === 0x0a) {
        emit('\n')
      } else if (fallbackToSkip > 0) {
        fallbackToSkip--
      } else if (next === 0x5c || next === 0x7b || next === 0x7d) {
        emitByte(next)
      } else if (next === 0x7e) {
        emit('\u00a0')
      } else if (next === 0x5f) {
        emit('-')
      } else if (next === 0x2d) {
        emit('\u00ad')
      }
      continue
    }

    let end = i + 1
    while (end < bytes.length && end - i <= 32 && isLetter(bytes[end]!)) end++
    const word = String.fromCharCode(...bytes.subarray(i + 1, end))
    let parameter: number | undefined
    let at = end
    const negative = bytes[at] === 0x2d && isDigit(bytes[at + 1] ?? 0)
    if (negative) at++
    if (isDigit(bytes[at] ?? 0)) {
      let value = 0
      const start = at
      while (at < bytes.length && at - start < 10 && isDigit(bytes[at]!)) value = value * 10 + (bytes[at++]! - 0x30)
      parameter = negative ? -value : value
    }
    // One space ends a control word and is part of it.
    if (bytes[at] === 0x20) at++
    i = at

    if (word === 'bin') {
      // Raw binary data of the given length: never text, and may contain braces.
      i += Math.max(0, parameter ?? 0)
      continue
    }
    if (word === 'u' && parameter !== undefined) {
      const unit = parameter < 0 ? parameter + 0x10000 : parameter
      const char = String.fromCharCode(unit & 0xffff)
      if (unit >= 0xd800 && unit <= 0xdbff) highSurrogate = char
      else if (unit >= 0xdc00 && unit <= 0xdfff) {
        if (highSurrogate) emit(highSurrogate + char)
        highSurrogate = ''
      } else emit(char)
      fallbackToSkip = state.uc
      continue
    }
    if (fallbackToSkip > 0) {
      fallbackToSkip--
      continue
    }
    switch (word) {
      case 'uc':
        state.uc = Math.max(0, Math.min(parameter ?? 1, 16))
        break
      case 'ansicpg':
        if (parameter !== undefined && codePageDecoder(parameter)) documentCodePage = parameter
        break
      case 'mac':
        documentCodePage = 10000
        break
      case 'deff':
        defaultFont = parameter
        break
      case 'fonttbl':
        state.fontTable = true
        break
      case 'f':
        if (state.fontTable) fontBeingDefined = parameter
        else state.font = parameter
        break
      case 'fcharset':
        if (state.fontTable && fontBeingDefined !== undefined && parameter !== undefined) {
          const codePage = CHARSET_CODE_PAGES[parameter]
          if (codePage !== undefined) fontCodePages.set(fontBeingDefined, codePage)
        }
        break
      case 'cpg':
        if (state.fontTable && fontBeingDefined !== undefined && parameter !== undefined && codePageDecoder(parameter)) {
          fontCodePages.set(fontBeingDefined, parameter)
        }
        break
      case 'header':
      case 'headerl':
      case 'headerr':
      case 'headerf':
        emit('\n')
        state.header = true
        break
      case 'v':
        state.hidden = parameter !== 0
        break
      case 'plain':
        state.hidden = false
        break
      default:
        if (SKIPPED_DESTINATIONS.has(word)) state.skip = true
        else if (Object.hasOwn(SYMBOLS, word)) emit(SYMBOLS[word]!)
    }
  }
  flush()
  return { text: out, hidden: findings.found() }
}

export function startsWithRtf(bytes: Uint8Array): boolean {
  return bytes.length >= 5 && bytes[0] === 0x7b && bytes[1] === 0x5c && bytes[2] === 0x72 && bytes[3] === 0x74 && bytes[4] === 0x66
}
