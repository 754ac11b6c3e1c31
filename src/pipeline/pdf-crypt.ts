// Decrypting PDF streams the way pdf.js does when a file opens without a
// password (standard security handler, empty user password). Without this, a
// bomb inside an encrypted PDF would look like noise to the stream check, yet
// pdf.js would decrypt and inflate it. Files that need a real password are of
// no concern here: pdf.js refuses them before it decodes any stream.
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto'
import { PdfName, PdfString, type PdfDict, type PdfValue } from './pdf-syntax.ts'

const PASSWORD_PADDING = Uint8Array.from([
  0x28, 0xbf, 0x4e, 0x5e, 0x4e, 0x75, 0x8a, 0x41, 0x64, 0x00, 0x4e, 0x56, 0xff, 0xfa, 0x01, 0x08, 0x2e, 0x2e, 0x00, 0xb6, 0xd0, 0x68, 0x3e,
  0x80, 0x2f, 0x0c, 0xa9, 0xfe, 0x64, 0x53, 0x69, 0x7a,
])

type StreamCipher = 'rc4' | 'aes128' | 'aes256' | 'none'

/** What it takes to decrypt the streams of one file. */
export interface PdfDecryption {
  key: Uint8Array
  /** V 1-2: RC4 with per-object keys; V 4-5: whatever the crypt filter for streams says. */
  cipher: StreamCipher
}

type Resolve = (value: PdfValue | undefined) => PdfValue | undefined

/**
 * The key pdf.js derives for this encryption dictionary and file ID with the
 * empty user password, or undefined when that password does not open the file
 * (or the handler is not one pdf.js supports).
 */
export function emptyPasswordDecryption(encrypt: PdfDict, fileId: Uint8Array, resolve: Resolve): PdfDecryption | undefined {
  const get = (key: string) => resolve(encrypt.get(key))
  const filter = get('Filter')
  if (!(filter instanceof PdfName) || filter.name !== 'Standard') return undefined
  const version = get('V')
  if (version !== 1 && version !== 2 && version !== 4 && version !== 5) return undefined
  const revision = get('R')
  const owner = bytesOf(get('O'))
  const user = bytesOf(get('U'))
  const permissions = get('P')
  if (!owner || !user || typeof revision !== 'number' || typeof permissions !== 'number') return undefined

  let keyBits = get('Length')
  const cryptFilters = get('CF')
  const streamFilter = get('StmF')
  if (!keyBits) {
    if (version <= 3) keyBits = 40
    else if (cryptFilters instanceof Map && streamFilter instanceof PdfName) {
      const filterDict = resolve(cryptFilters.get(streamFilter.name))
      keyBits = (filterDict instanceof Map ? resolve(filterDict.get('Length')) : undefined) || 128
      if (typeof keyBits === 'number' && keyBits < 40) keyBits <<= 3
    }
  }
  if (typeof keyBits !== 'number' || !Number.isInteger(keyBits) || keyBits < 40 || keyBits % 8 !== 0) return undefined
  const encryptMetadata = !((version === 4 || version === 5) && get('EncryptMetadata') === false)

  let key: Uint8Array | undefined
  if (version !== 5) {
    key = legacyUserKey(fileId, owner.subarray(0, 32), user.subarray(0, 32), permissions, revision, keyBits, encryptMetadata)
  } else {
    const userEncryption = bytesOf(get('UE'))
    // pdf.js cannot make an AES-256 key of anything shorter.
    if (!userEncryption || userEncryption.length < 32) return undefined
    const hash = revision === 6 ? revision6Hash : revision5Hash
    const empty = new Uint8Array(0)
    if (Buffer.compare(hash(empty, user.subarray(32, 40), empty), user.subarray(0, 32)) === 0) {
      const intermediate = hash(empty, user.subarray(40, 48), empty)
      const decipher = createDecipheriv('aes-256-cbc', intermediate, Buffer.alloc(16))
      decipher.setAutoPadding(false)
      key = Buffer.concat([decipher.update(userEncryption.subarray(0, 32)), decipher.final()])
    }
  }
  if (!key) return undefined
  if (version === 4 && key.length < 16) {
    const padded = new Uint8Array(16)
    padded.set(key)
    key = padded
  }
  if (version < 4) return { key, cipher: 'rc4' }
  // V 4-5: the crypt filter named by /StmF; none named, or /Identity, means streams are not encrypted.
  let method: PdfValue | undefined
  if (cryptFilters instanceof Map && streamFilter instanceof PdfName) {
    const filterDict = resolve(cryptFilters.get(streamFilter.name))
    if (filterDict instanceof Map) method = resolve(filterDict.get('CFM'))
  }
  const name = method instanceof PdfName ? method.name : 'None'
  const cipher: StreamCipher = name === 'V2' ? 'rc4' : name === 'AESV2' ? 'aes128' : name === 'AESV3' ? 'aes256' : 'none'
  return { key, cipher }
}

/** A stream's data as pdf.js decrypts it, for the object it was read as. */
export function decryptStream(data: Uint8Array, num: number, gen: number, decryption: PdfDecryption): Uint8Array {
  try {
    return decrypt(data, num, gen, decryption)
  } catch {
    // A key or block length the cipher refuses: pdf.js cannot read this stream either.
    return new Uint8Array(0)
  }
}

function decrypt(data: Uint8Array, num: number, gen: number, decryption: PdfDecryption): Uint8Array {
  switch (decryption.cipher) {
    case 'none':
      return data
    case 'rc4':
      return rc4(objectKey(decryption.key, num, gen, false), data)
    case 'aes128':
      return aesCbcDecrypt('aes-128-cbc', objectKey(decryption.key, num, gen, true), data)
    case 'aes256':
      return aesCbcDecrypt('aes-256-cbc', decryption.key, data)
  }
}

function bytesOf(value: PdfValue | undefined): Uint8Array | undefined {
  return value instanceof PdfString ? value.bytes : undefined
}

function md5(...parts: Uint8Array[]): Buffer {
  const hash = createHash('md5')
  for (const part of parts) hash.update(part)
  return hash.digest()
}

/** Algorithm 2 of ISO 32000 with the empty password, checked against /U (algorithms 4 and 5). */
function legacyUserKey(
  fileId: Uint8Array,
  owner: Uint8Array,
  user: Uint8Array,
  permissions: number,
  revision: number,
  keyBits: number,
  encryptMetadata: boolean,
): Uint8Array | undefined {
  const p = Buffer.alloc(4)
  p.writeUInt32LE(permissions >>> 0)
  const parts: Uint8Array[] = [PASSWORD_PADDING, owner, p, fileId]
  if (revision >= 4 && !encryptMetadata) parts.push(Uint8Array.from([0xff, 0xff, 0xff, 0xff]))
  let hash: Uint8Array = md5(...parts)
  const keyLength = keyBits >> 3
  if (revision >= 3) for (let i = 0; i < 50; i++) hash = md5(hash.subarray(0, keyLength))
  const key = hash.subarray(0, keyLength)
  let check: Uint8Array
  if (revision >= 3) {
    check = rc4(key, md5(PASSWORD_PADDING, fileId))
    const derived = new Uint8Array(key.length)
    for (let i = 1; i <= 19; i++) {
      for (let k = 0; k < key.length; k++) derived[k] = key[k]! ^ i
      check = rc4(derived, check)
    }
  } else {
    check = rc4(key, PASSWORD_PADDING)
  }
  for (let i = 0; i < check.length; i++) if (user[i] !== check[i]) return undefined
  return key
}

function revision5Hash(password: Uint8Array, salt: Uint8Array, userBytes: Uint8Array): Uint8Array {
  return createHash('sha256').update(password).update(salt).update(userBytes).digest()
}

/** Algorithm 2.B of ISO 32000-2. */
function revision6Hash(password: Uint8Array, salt: Uint8Array, userBytes: Uint8Array): Uint8Array {
  let k: Uint8Array = createHash('sha256').update(password).update(salt).update(userBytes).digest()
  let e: Uint8Array = new Uint8Array([0])
  for (let i = 0; i < 64 || e[e.length - 1]! > i - 32; i++) {
    const round = Buffer.concat([password, k, userBytes])
    const k1 = Buffer.concat(Array.from({ length: 64 }, () => round))
    const cipher = createCipheriv('aes-128-cbc', k.subarray(0, 16), k.subarray(16, 32))
    cipher.setAutoPadding(false)
    e = Buffer.concat([cipher.update(k1), cipher.final()])
    let sum = 0
    for (let j = 0; j < 16; j++) sum += e[j]!
    const algorithm = ['sha256', 'sha384', 'sha512'][sum % 3]!
    k = createHash(algorithm).update(e).digest()
  }
  return k.subarray(0, 32)
}

function objectKey(key: Uint8Array, num: number, gen: number, aes: boolean): Uint8Array {
  const suffix = [num & 0xff, (num >> 8) & 0xff, (num >> 16) & 0xff, gen & 0xff, (gen >> 8) & 0xff]
  if (aes) suffix.push(0x73, 0x41, 0x6c, 0x54)
  return md5(key, Uint8Array.from(suffix)).subarray(0, Math.min(key.length + 5, 16))
}

export function rc4(key: Uint8Array, data: Uint8Array): Uint8Array {
  const s = new Uint8Array(256)
  for (let i = 0; i < 256; i++) s[i] = i
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) & 0xff
    const t = s[i]!
    s[i] = s[j]!
    s[j] = t
  }
  const out = new Uint8Array(data.length)
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 0xff
    j = (j + s[i]!) & 0xff
    const t = s[i]!
    s[i] = s[j]!
    s[j] = t
    out[n] = data[n]! ^ s[(s[i]! + s[j]!) & 0xff]!
  }
  return out
}

/** CBC with the first block as IV; a trailing partial block and bad padding are ignored, as pdf.js does. */
function aesCbcDecrypt(algorithm: 'aes-128-cbc' | 'aes-256-cbc', key: Uint8Array, data: Uint8Array): Uint8Array {
  if (data.length < 32) return new Uint8Array(0)
  const whole = data.length - (data.length % 16)
  const decipher = createDecipheriv(algorithm, key, data.subarray(0, 16))
  decipher.setAutoPadding(false)
  return Buffer.concat([decipher.update(data.subarray(16, whole)), decipher.final()])
}
