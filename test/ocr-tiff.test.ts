// Multi-page TIFFs (faxes, a scanner's multi-page output): every page is read
// by OCR, up to OCR_MAX_PAGES, in order, each as a TIFF of its own; a
// damaged chain of directories is refused before anything is decoded.
import { launchChromium } from './support/chromium.ts'
import t from 'tap'
import { readScan } from '../jobs/ocr.ts'
import { PAGE_BREAK } from '../src/pipeline/formats/normalise.ts'
import { imageSize } from '../src/pipeline/ocr/image-size.ts'
import { OcrReader } from '../src/pipeline/ocr/reader.ts'
import { singlePageTiff, tiffPages } from '../src/pipeline/ocr/tiff.ts'
import { createRequisition, injectUpload, startHireflow, until } from './support/harness.ts'
import { unreadable } from './support/extraction.ts'

interface GreyPage {
  width: number
  height: number
  grey: Uint8Array
  /** NewSubfileType: 1 marks a thumbnail, not a page. */
  subfileType?: number
}

interface BuiltTiff {
  bytes: Buffer
  directories: number[]
  /** Where each directory's link to the next one is. */
  nextLinks: number[]
}

/** An uncompressed 8-bit grey TIFF, each page's pixels written before its directory, as many writers do. */
function buildTiff(pages: GreyPage[], order: 'II' | 'MM' = 'II'): BuiltTiff {
  const little = order === 'II'
  const parts: Buffer[] = []
  let length = 0
  const append = (part: Buffer) => {
    parts.push(part)
    length += part.length
    return length - part.length
  }
  const header = Buffer.alloc(8)
  header.write(order, 0, 'latin1')
  if (little) header.writeUInt16LE(42, 2)
  else header.writeUInt16BE(42, 2)
  append(header)
  const directories: number[] = []
  const nextLinks: number[] = []
  for (const page of pages) {
    const pixelsAt = append(Buffer.from(page.grey))
    const tags: [tag: number, type: number, value: number][] = [
      ...(page.subfileType ? [[254, 4, page.subfileType] as [number, number, number]] : []),
      [256, 4, page.width],
      [257, 4, page.height],
      [258, 3, 8],
      [259, 3, 1],
      [262, 3, 1],
      [273, 4, pixelsAt],
      [277, 3, 1],
      [278, 4, page.height],
      [279, 4, page.grey.length],
    ]
    const directory = Buffer.alloc(2 + tags.length * 12 + 4)
    const u16 = (value: number, at: number) => (little ? directory.writeUInt16LE(value, at) : directory.writeUInt16BE(value, at))
    const u32 = (value: number, at: number) => (little ? directory.writeUInt32LE(value, at) : directory.writeUInt32BE(value, at))
    u16(tags.length, 0)
    tags.forEach(([tag, type, value], i) => {
      u16(tag, 2 + i * 12)
      u16(type, 4 + i * 12)
      u32(1, 6 + i * 12)
      if (type === 3) u16(value, 10 + i * 12)
      else u32(value, 10 + i * 12)
    })
    // Directories start on a word boundary.
    if (length % 2) append(Buffer.alloc(1))
    const at = append(directory)
    directories.push(at)
    nextLinks.push(at + directory.length - 4)
  }
  // The links are written once the whole file is joined.
  const bytes = Buffer.concat(parts)
  const write32 = (value: number, at: number) => (little ? bytes.writeUInt32LE(value, at) : bytes.writeUInt32BE(value, at))
  write32(directories[0] ?? 0, 4)
  for (let i = 0; i + 1 < directories.length; i++) write32(directories[i + 1]!, nextLinks[i]!)
  return { bytes, directories, nextLinks }
}

const plain = (width: number, height: number, subfileType?: number): GreyPage => ({
  width,
  height,
  grey: new Uint8Array(width * height).fill(0xff),
  subfileType,
})

function setLink(tiff: BuiltTiff, at: number, value: number, order: 'II' | 'MM' = 'II'): Buffer {
  const bytes = Buffer.from(tiff.bytes)
  if (order === 'II') bytes.writeUInt32LE(value, at)
  else bytes.writeUInt32BE(value, at)
  return bytes
}

const sizes = (bytes: Buffer, maxPages?: number) => tiffPages(bytes, maxPages).map(({ width, height }) => ({ width, height }))

t.test('the directory walk finds every page, in both byte orders, and stops at the page limit', async (t) => {
  for (const order of ['II', 'MM'] as const) {
    const { bytes, directories } = buildTiff([plain(30, 20), plain(40, 10), plain(50, 5)], order)
    t.same(
      sizes(bytes),
      [
        { width: 30, height: 20 },
        { width: 40, height: 10 },
        { width: 50, height: 5 },
      ],
      order,
    )
    t.same(
      tiffPages(bytes).map((page) => page.directory),
      directories,
    )
    t.same(sizes(bytes, 2), [
      { width: 30, height: 20 },
      { width: 40, height: 10 },
    ])
    t.same(imageSize(bytes, 'tiff'), { width: 30, height: 20 }, 'the image size is the first page')
  }
  // A thumbnail (a reduced-resolution copy of a page) is not a page of its own.
  const withThumbnail = buildTiff([plain(30, 20), plain(3, 2, 1), plain(40, 10)])
  t.same(sizes(withThumbnail.bytes), [
    { width: 30, height: 20 },
    { width: 40, height: 10 },
  ])
})

t.test('a page on its own is the same bytes, its header pointing at the page and its directory ending the chain', async (t) => {
  for (const order of ['II', 'MM'] as const) {
    const tiff = buildTiff([plain(30, 20), plain(40, 10), plain(50, 5)], order)
    const pages = tiffPages(tiff.bytes)
    for (const [i, page] of pages.entries()) {
      const single = singlePageTiff(tiff.bytes, page)
      t.same(sizes(single), [{ width: page.width, height: page.height }], `${order} page ${i + 1}`)
      t.equal(single.length, tiff.bytes.length)
      // Only the header's link and the page's own link differ: every pixel stays where its directory says.
      const changed: number[] = []
      for (let at = 0; at < single.length; at++) if (single[at] !== tiff.bytes[at]) changed.push(at)
      const links = [4, 5, 6, 7, page.nextLink, page.nextLink + 1, page.nextLink + 2, page.nextLink + 3]
      t.ok(
        changed.every((at) => links.includes(at)),
        `${order} page ${i + 1} changes only the links`,
      )
    }
    t.not(Buffer.compare(singlePageTiff(tiff.bytes, pages[1]!), tiff.bytes), 0, 'the second page is a different file')
    t.equal(
      Buffer.compare(tiff.bytes, buildTiff([plain(30, 20), plain(40, 10), plain(50, 5)], order).bytes),
      0,
      'the original is left as it was',
    )
  }
})

t.test('a damaged chain of directories is refused with the reason', async (t) => {
  const order = 'MM'
  const tiff = buildTiff([plain(30, 20), plain(40, 10), plain(50, 5)], order)
  const refusal = (bytes: Buffer, maxPages?: number) => {
    try {
      tiffPages(bytes, maxPages)
    } catch (error) {
      return error as { problem: string; message: string }
    }
    return undefined
  }
  // The last page links back to the first: an endless loop, unless the page limit stops the walk before it.
  const loop = setLink(tiff, tiff.nextLinks[2]!, tiff.directories[0]!, order)
  t.match(refusal(loop), { problem: 'damaged', message: /the TIFF image is damaged \(its directories loop back to byte \d+\)/ })
  t.equal(refusal(loop, 3), undefined, 'pages past the limit are not walked')
  const selfLoop = setLink(tiff, tiff.nextLinks[0]!, tiff.directories[0]!, order)
  t.match(refusal(selfLoop), { problem: 'damaged', message: /loop back/ })

  const pastEnd = setLink(tiff, tiff.nextLinks[1]!, tiff.bytes.length + 100, order)
  t.match(refusal(pastEnd), { problem: 'damaged', message: /outside the file/ })
  t.same(sizes(pastEnd, 2).length, 2)
  t.match(refusal(setLink(tiff, 4, 2, order)), { problem: 'damaged', message: /a directory at byte 2, outside the file/ })
  t.equal(imageSize(setLink(tiff, 4, 2, order), 'tiff'), undefined, 'a damaged TIFF has no size')

  const cut = tiff.bytes.subarray(0, tiff.directories[2]! + 20)
  t.match(refusal(cut), { problem: 'damaged', message: /the directory at byte \d+ is cut short/ })
  t.same(imageSize(cut, 'tiff'), { width: 30, height: 20 }, 'the first page of a cut file is still sized')
  t.match(refusal(tiff.bytes.subarray(0, 6)), { problem: 'damaged', message: /shorter than a TIFF header/ })

  const absurd = Buffer.from(tiff.bytes)
  absurd.writeUInt16BE(0xfff0, tiff.directories[1]!)
  t.match(refusal(absurd), { problem: 'damaged', message: /a directory of 65520 entries/ })

  t.match(refusal(Buffer.from('XX*\0\x08\0\0\0', 'latin1')), { problem: 'damaged', message: /no byte order mark/ })
  const big = Buffer.from('II+\0\x08\0\0\0\x10\0\0\0\0\0\0\0', 'latin1')
  t.match(refusal(big), { problem: 'other', message: /BigTIFF, which is not supported/ })
})

t.test('pages past the limit are not read, and every page is sized before any is read', async (t) => {
  const tiff = buildTiff([plain(30, 20), plain(40, 10), plain(50, 5)])
  // A reader that answers with the size of the page it was given, so the order of the pages shows in the text.
  const given: Buffer[] = []
  const pagesOf = (text: string) => text.split(PAGE_BREAK).map((page) => page.trim())
  const reader = {
    async recognize(image: Buffer) {
      given.push(image)
      const [page] = sizes(image)
      return `page ${page!.width}x${page!.height}`
    },
  }
  t.same(pagesOf(await readScan(tiff.bytes, 'image/tiff', reader, 2)), ['page 30x20', 'page 40x10'])
  t.equal(given.length, 2)
  t.same(
    given.map((image) => tiffPages(image).length),
    [1, 1],
    'each page reaches OCR as a TIFF of one page',
  )
  t.same(pagesOf(await readScan(tiff.bytes, 'image/tiff', reader, 3)), ['page 30x20', 'page 40x10', 'page 50x5'])

  given.length = 0
  const flood = Buffer.from(tiff.bytes)
  const third = tiffPages(flood)[2]!.directory
  // The third page's width and height entries (LONG values) claim 10000x10000.
  flood.writeUInt32LE(10_000, third + 2 + 8)
  flood.writeUInt32LE(10_000, third + 2 + 12 + 8)
  const tooLarge = await unreadable(readScan(flood, 'image/tiff', reader, 3))
  t.equal(tooLarge.problem, 'too_large')
  t.match(tooLarge.message, /page 3 of the image is 10000x10000, more than 40 megapixels/)
  t.equal(given.length, 0, 'no page was read')
  t.same(pagesOf(await readScan(flood, 'image/tiff', reader, 2)), ['page 30x20', 'page 40x10'], 'the flood is past the limit')

  const loop = setLink(tiff, tiff.nextLinks[1]!, tiff.directories[0]!)
  t.match((await unreadable(readScan(loop, 'image/tiff', reader, 3))).message, /the TIFF image is damaged \(its directories loop back/)
  const thumbnailOnly = buildTiff([plain(3, 2, 1)])
  t.match(
    (await unreadable(readScan(thumbnailOnly.bytes, 'image/tiff', reader, 3))).message,
    /the TIFF image is damaged \(it holds no page\)/,
  )
})

/** The little of the browser's canvas the pages are drawn with: the project compiles without the DOM's types. */
interface BrowserCanvas {
  width: number
  height: number
  getContext(kind: '2d'): {
    fillStyle: string
    font: string
    fillRect(x: number, y: number, width: number, height: number): void
    fillText(text: string, x: number, y: number): void
    getImageData(x: number, y: number, width: number, height: number): { data: Uint8ClampedArray }
  } | null
}

/** Lines of text drawn black on white by headless Chromium, as grey pixels: a scanned page. */
async function drawPages(texts: string[][], width: number, height: number): Promise<GreyPage[]> {
  const browser = await launchChromium('the OCR test draws its scanned pages with it')
  try {
    const page = await browser.newPage()
    const drawn = await page.evaluate(
      (texts, width, height) =>
        texts.map((lines) => {
          const { document } = globalThis as unknown as { document: { createElement(tag: 'canvas'): BrowserCanvas } }
          const canvas = document.createElement('canvas')
          canvas.width = width
          canvas.height = height
          const context = canvas.getContext('2d')!
          context.fillStyle = '#fff'
          context.fillRect(0, 0, width, height)
          context.fillStyle = '#000'
          context.font = '28px Arial, sans-serif'
          lines.forEach((line, i) => context.fillText(line, 30, 50 + i * 45))
          const rgba = context.getImageData(0, 0, width, height).data
          let grey = ''
          for (let i = 0; i < rgba.length; i += 4) grey += String.fromCharCode(rgba[i]!)
          return btoa(grey)
        }),
      texts,
      width,
      height,
    )
    return drawn.map((base64) => ({ width, height, grey: new Uint8Array(Buffer.from(base64, 'base64')) }))
  } finally {
    await browser.close()
  }
}

const FAX_PAGES = [
  ['Jane Scanlon', 'Platform Engineer, Acme Corp, 2019 - 2024'],
  ['jane.scanlon@example.com', 'Skills: TypeScript, Kubernetes'],
  ['Certificates: Terraform Associate'],
]
const faxPages = await drawPages(FAX_PAGES, 760, 150)

t.test('OCR reads each page of a TIFF, in order, up to the page limit', async (t) => {
  const reader = new OcrReader({ engines: 1, pageTimeoutMs: 30_000 })
  t.teardown(() => reader.close())
  const text = await readScan(buildTiff(faxPages).bytes, 'image/tiff', reader, 2)
  const pages = text.split(PAGE_BREAK)
  t.equal(pages.length, 2, 'two pages, joined by a page break')
  t.match(pages[0], /Jane Scanlon/)
  t.match(pages[0], /Platform Engineer/)
  t.match(pages[1], /jane\.scanlon@example\.com/)
  t.match(pages[1], /Kubernetes/)
  t.notMatch(text, /Terraform/, 'the third page is past the limit')
})

t.test('a faxed TIFF uploaded: its second page is found on page 2, its third is not read', async (t) => {
  const hireflow = await startHireflow({ env: { OCR_MAX_PAGES: '2' } })
  t.teardown(() => hireflow.stop())
  const app = hireflow.app!
  const requisition = await createRequisition(app, { mustHaveSkills: ['Kubernetes', 'Terraform'] })
  const response = await injectUpload(
    app,
    { filename: 'fax.tif', content: buildTiff(faxPages, 'MM').bytes },
    { requisitionId: requisition.id },
  )
  t.equal(response.statusCode, 202, response.body)
  const id = response.json().id as string
  const candidate = await until(`candidate ${id} settled`, async () => {
    const found = await hireflow.services.candidates.getCandidate(id)
    return found && (found.status === 'notified' || found.status === 'failed') ? found : undefined
  })
  t.equal(candidate.status, 'notified', candidate.failure?.message ?? '')
  t.equal(candidate.resume.mediaType, 'image/tiff')
  t.equal(candidate.profile?.email, 'jane.scanlon@example.com')
  t.equal(candidate.profile?.sources?.email?.page, 2, 'the email is read on the second page')
  t.equal(candidate.score?.skills.find((skill) => skill.skill === 'Kubernetes')?.found, true)
  t.equal(candidate.score?.skills.find((skill) => skill.skill === 'Terraform')?.found, false, 'the third page was not read')
})
