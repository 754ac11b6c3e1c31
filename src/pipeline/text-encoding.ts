// Which encoding a plain-text resume is in. Detection and extraction share
// this, so a file accepted as text is always decoded the way it was judged.

/**
 * Windows-1252 stands for every legacy 8-bit Western encoding: it is what
 * Notepad and Word saved before UTF-8, and unlike Latin-1 it reads bytes
 * 0x80-0x9F as the curly quotes, dashes and euro sign people typed.
 */
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252'

/** The encoding a byte order mark declares, if the file starts with one. */
export function bomEncoding(bytes: Uint8Array): TextEncoding | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8'
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le'
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be'
  return undefined
}

// Below this there are too few characters to tell UTF-16 from binary by its NUL bytes.
const MIN_UTF16_GUESS_BYTES = 16
// UTF-16 text in a Latin script has a NUL as the high byte of nearly every
// character; a resume in another script still has its spaces, digits, line
// breaks and addresses in ASCII.
const MIN_HIGH_BYTE_NUL_SHARE = 0.3
// A NUL low byte is rare in real text (U+0000 itself, or one CJK character in 256).
const MAX_LOW_BYTE_NUL_SHARE = 0.02

/**
 * UTF-16 without a byte order mark, told by where its NUL bytes fall: a
 * guess, which the caller confirms by decoding strictly and checking the text.
 */
export function guessUtf16(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  if (bytes.length < MIN_UTF16_GUESS_BYTES || bytes.length % 2 !== 0) return undefined
  let evenNuls = 0
  let oddNuls = 0
  for (let i = 0; i < bytes.length; i += 2) {
    if (bytes[i] === 0) evenNuls++
    if (bytes[i + 1] === 0) oddNuls++
  }
  const units = bytes.length / 2
  if (oddNuls >= units * MIN_HIGH_BYTE_NUL_SHARE && evenNuls <= units * MAX_LOW_BYTE_NUL_SHARE) return 'utf-16le'
  if (evenNuls >= units * MIN_HIGH_BYTE_NUL_SHARE && oddNuls <= units * MAX_LOW_BYTE_NUL_SHARE) return 'utf-16be'
  return undefined
}

/**
 * The encoding to read a text file with: its byte order mark, else a UTF-16
 * guess, else UTF-8 when the bytes are valid UTF-8, else Windows-1252 (valid
 * UTF-8 is vanishingly rare by accident in legacy 8-bit text, so the order is safe).
 */
export function textEncodingOf(bytes: Uint8Array): TextEncoding {
  return bomEncoding(bytes) ?? guessUtf16(bytes) ?? (isUtf8(bytes) ? 'utf-8' : 'windows-1252')
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

function isUtf8(bytes: Uint8Array): boolean {
  try {
    utf8.decode(bytes)
    return true
  } catch {
    return false
  }
}

export type Decoder = InstanceType<typeof TextDecoder>

// Windows code page numbers whose WHATWG label is not simply windows-N.
const CODE_PAGE_LABELS: Readonly<Record<number, string>> = {
  932: 'shift_jis',
  936: 'gbk',
  949: 'euc-kr',
  950: 'big5',
  10000: 'macintosh',
  20866: 'koi8-r',
  28591: 'iso-8859-1',
  65001: 'utf-8',
}

/** A decoder for a Windows code page by number (RTF's \\ansicpg), or undefined when the runtime has none for it. */
export function codePageDecoder(codePage: number): Decoder | undefined {
  try {
    return new TextDecoder(CODE_PAGE_LABELS[codePage] ?? `windows-${codePage}`)
  } catch {
    return undefined
  }
}

/**
 * The text, or undefined when the bytes are not valid in the encoding they
 * were judged to be in (Windows-1252 always decodes). A byte order mark is dropped.
 */
export function decodeText(bytes: Uint8Array, encoding: TextEncoding = textEncodingOf(bytes)): string | undefined {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}
