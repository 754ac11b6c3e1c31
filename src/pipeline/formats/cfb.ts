// The OLE compound file (CFB, [MS-CFB]) that holds legacy Office documents:
// a little FAT file system of sectors, chains and a directory of named
// streams. Word, Excel, PowerPoint and Outlook all use it, so a .doc is told
// apart by the streams its root holds. Every chain walk is bounded by the
// file's own sector count: a hostile file cannot loop or reach outside itself.

export class CfbError extends Error {
  override name = 'CfbError'
}

const SIGNATURE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]
const END_OF_CHAIN = 0xfffffffe
const FREE = 0xffffffff
const NO_STREAM = 0xffffffff
const HEADER_DIFAT_ENTRIES = 109
const DIRECTORY_ENTRY_SIZE = 128
const MINI_SECTOR_SIZE = 64

export interface CfbEntry {
  name: string
  /** 1 storage, 2 stream, 5 root. */
  type: number
  start: number
  size: number
  left: number
  right: number
  child: number
}

export function isCfb(bytes: Uint8Array): boolean {
  return bytes.length >= 512 && SIGNATURE.every((byte, index) => bytes[index] === byte)
}

export class CompoundFile {
  readonly #bytes: Buffer
  readonly #sectorSize: number
  readonly #sectorCount: number
  readonly #fat: Uint32Array
  readonly #entries: CfbEntry[]
  readonly #miniCutoff: number
  #miniFat: Uint32Array | undefined
  #miniStream: Buffer | undefined
  readonly #firstMiniFatSector: number

  constructor(input: Uint8Array) {
    const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength)
    if (!isCfb(bytes)) throw new CfbError('no compound file signature')
    this.#bytes = bytes
    const shift = bytes.readUInt16LE(0x1e)
    if (shift !== 9 && shift !== 12) throw new CfbError(`sector size 2^${shift} is not 512 or 4096`)
    if (bytes.readUInt16LE(0x20) !== 6) throw new CfbError('mini sector size is not 64')
    this.#sectorSize = 1 << shift
    this.#sectorCount = Math.floor((bytes.length - this.#sectorSize) / this.#sectorSize)
    this.#miniCutoff = bytes.readUInt32LE(0x38)
    this.#firstMiniFatSector = bytes.readUInt32LE(0x3c)
    this.#fat = this.#readFat(bytes.readUInt32LE(0x2c), bytes.readUInt32LE(0x44))
    this.#entries = this.#readDirectory(bytes.readUInt32LE(0x30))
  }

  /** Names of the streams and storages directly in the root storage. */
  rootNames(): string[] {
    const root = this.#entries[0]
    if (!root || root.type !== 5) throw new CfbError('the first directory entry is not the root')
    return this.#children(root).map((entry) => entry.name)
  }

  /** A stream of the root storage, whole, or undefined when there is none by that name. */
  rootStream(name: string): Buffer | undefined {
    const root = this.#entries[0]
    if (!root) return undefined
    const entry = this.#children(root).find((candidate) => candidate.type === 2 && candidate.name === name)
    if (!entry) return undefined
    if (entry.size < this.#miniCutoff) return this.#readMini(entry.start, entry.size)
    return this.#readChain(entry.start, entry.size)
  }

  #sector(index: number): Buffer {
    if (index >= this.#sectorCount) throw new CfbError(`sector ${index} is past the end of the file`)
    const start = (index + 1) * this.#sectorSize
    return this.#bytes.subarray(start, start + this.#sectorSize)
  }

  #readFat(fatSectorCount: number, firstDifatSector: number): Uint32Array {
    if (fatSectorCount > this.#sectorCount) throw new CfbError('more FAT sectors than the file has')
    const fatSectors: number[] = []
    for (let i = 0; i < HEADER_DIFAT_ENTRIES && fatSectors.length < fatSectorCount; i++) {
      fatSectors.push(this.#bytes.readUInt32LE(0x4c + i * 4))
    }
    const perSector = this.#sectorSize / 4
    let difat = firstDifatSector
    for (let hops = 0; fatSectors.length < fatSectorCount; hops++) {
      if (difat === END_OF_CHAIN || difat === FREE || hops > this.#sectorCount) throw new CfbError('the DIFAT chain ends early')
      const sector = this.#sector(difat)
      for (let i = 0; i < perSector - 1 && fatSectors.length < fatSectorCount; i++) fatSectors.push(sector.readUInt32LE(i * 4))
      difat = sector.readUInt32LE((perSector - 1) * 4)
    }
    const fat = new Uint32Array(fatSectors.length * perSector)
    fatSectors.forEach((index, n) => {
      const sector = this.#sector(index)
      for (let i = 0; i < perSector; i++) fat[n * perSector + i] = sector.readUInt32LE(i * 4)
    })
    return fat
  }

  /** The sectors of a chain, in order; a loop or a link outside the FAT is damage. */
  #chain(start: number, table: Uint32Array, limit: number): number[] {
    const sectors: number[] = []
    for (let at = start; at !== END_OF_CHAIN;) {
      if (at >= table.length || sectors.length >= limit) throw new CfbError('a sector chain is broken or loops')
      sectors.push(at)
      at = table[at]!
    }
    return sectors
  }

  #readChain(start: number, size: number): Buffer {
    if (size > this.#bytes.length) throw new CfbError('a stream is larger than the file')
    const sectors = this.#chain(start, this.#fat, this.#sectorCount)
    if (sectors.length * this.#sectorSize < size) throw new CfbError('a stream is shorter than declared')
    return Buffer.concat(sectors.map((index) => this.#sector(index))).subarray(0, size)
  }

  #readMini(start: number, size: number): Buffer {
    if (!this.#miniStream) {
      const root = this.#entries[0]!
      this.#miniStream = root.start === END_OF_CHAIN ? Buffer.alloc(0) : this.#readChain(root.start, root.size)
      const sectors = this.#firstMiniFatSector === END_OF_CHAIN ? [] : this.#chain(this.#firstMiniFatSector, this.#fat, this.#sectorCount)
      const perSector = this.#sectorSize / 4
      this.#miniFat = new Uint32Array(sectors.length * perSector)
      sectors.forEach((index, n) => {
        const sector = this.#sector(index)
        for (let i = 0; i < perSector; i++) this.#miniFat![n * perSector + i] = sector.readUInt32LE(i * 4)
      })
    }
    const miniStream = this.#miniStream
    const sectors = this.#chain(start, this.#miniFat!, Math.ceil(miniStream.length / MINI_SECTOR_SIZE))
    if (sectors.length * MINI_SECTOR_SIZE < size) throw new CfbError('a stream is shorter than declared')
    const parts = sectors.map((index) => {
      const offset = index * MINI_SECTOR_SIZE
      if (offset + MINI_SECTOR_SIZE > miniStream.length) throw new CfbError('a mini sector is past the end of the mini stream')
      return miniStream.subarray(offset, offset + MINI_SECTOR_SIZE)
    })
    return Buffer.concat(parts).subarray(0, size)
  }

  #readDirectory(start: number): CfbEntry[] {
    const sectors = this.#chain(start, this.#fat, this.#sectorCount)
    const entries: CfbEntry[] = []
    for (const index of sectors) {
      const sector = this.#sector(index)
      for (let at = 0; at + DIRECTORY_ENTRY_SIZE <= sector.length; at += DIRECTORY_ENTRY_SIZE) {
        const nameLength = Math.min(64, sector.readUInt16LE(at + 0x40))
        entries.push({
          name: sector.toString('utf16le', at, at + Math.max(0, nameLength - 2)),
          type: sector[at + 0x42]!,
          left: sector.readUInt32LE(at + 0x44),
          right: sector.readUInt32LE(at + 0x48),
          child: sector.readUInt32LE(at + 0x4c),
          start: sector.readUInt32LE(at + 0x74),
          // Version 3 files leave the high half undefined; no stream here is 4 GiB anyway.
          size: sector.readUInt32LE(at + 0x78),
        })
      }
    }
    return entries
  }

  /** The entries of a storage: its child and that child's siblings, a tree walked without recursion or revisits. */
  #children(storage: CfbEntry): CfbEntry[] {
    const found: CfbEntry[] = []
    const seen = new Set<number>()
    const pending = [storage.child]
    while (pending.length > 0) {
      const index = pending.pop()!
      if (index === NO_STREAM || index >= this.#entries.length || seen.has(index)) continue
      seen.add(index)
      const entry = this.#entries[index]!
      if (entry.type === 1 || entry.type === 2) found.push(entry)
      pending.push(entry.left, entry.right)
    }
    return found
  }
}
