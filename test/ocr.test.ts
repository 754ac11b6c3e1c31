// Scanned resumes: images and PDFs without a text layer are read by OCR on a
// queue of their own, offline, and a text resume never waits behind them.
import { launchChromium } from './support/chromium.ts'
import t from 'tap'
import { inflateSync } from 'node:zlib'
import { PDFDocument } from 'pdf-lib'
import { Document, ImageRun, Packer, Paragraph, TextRun } from 'docx'
import type { Candidate } from '../src/domain/candidate.ts'
import { detectResumeType } from '../src/pipeline/detect.ts'
import { imageFormatOf, imageSize } from '../src/pipeline/ocr/image-size.ts'
import { docxPictures, extractResume } from '../src/pipeline/extract.ts'
import { pictureParts } from '../src/pipeline/formats/docx-headers.ts'
import { readScan, readScanned } from '../jobs/ocr.ts'
import { encodePng } from '../src/pipeline/ocr/png.ts'
import { scannedPages, scannedPagesOffThread } from '../src/pipeline/ocr/pdf-scans.ts'
import { OcrReader } from '../src/pipeline/ocr/reader.ts'
import { AUTH, createRequisition, injectUpload, startHireflow, testConfig, until } from './support/harness.ts'
import { requeueUnfinished } from '../jobs/recover.ts'
import { unreadable } from './support/extraction.ts'
import { makeZipBombDocx } from './support/resumes.ts'

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'

const RESUME_HTML = `<html><body style="background:#fff;color:#000;font:28px Arial,sans-serif;margin:30px">
<div style="font-size:40px">Jane Scanlon</div>
<div>jane.scanlon@example.com</div>
<div>Platform Engineer, Acme Corp, 2019 - 2024</div>
<div>Skills: TypeScript, PostgreSQL, Kubernetes</div>
</body></html>`

/** The resume as a scanner or a phone would deliver it: a picture of the page, in PNG and JPEG. */
async function photographResume(): Promise<{ png: Buffer; jpeg: Buffer }> {
  const browser = await launchChromium('the OCR test draws its scanned resume with it')
  try {
    const page = await browser.newPage()
    await page.setViewport({ width: 800, height: 300 })
    await page.setContent(RESUME_HTML)
    return {
      png: Buffer.from(await page.screenshot({ type: 'png' })),
      jpeg: Buffer.from(await page.screenshot({ type: 'jpeg', quality: 90 })),
    }
  } finally {
    await browser.close()
  }
}

/** A PDF whose only page is the image, as a scanner writes it: no text layer. */
async function scannedPdf(png: Buffer): Promise<Buffer> {
  const pdf = await PDFDocument.create()
  const image = await pdf.embedPng(png)
  const page = pdf.addPage([image.width, image.height])
  page.drawImage(image, { x: 0, y: 0, width: image.width, height: image.height })
  return Buffer.from(await pdf.save())
}

/** A white page, as a scanner delivers an empty sheet. */
function blankPng(): Buffer {
  return encodePng(400, 300, 1, new Uint8Array(400 * 300).fill(0xff))
}

/** An uncompressed RGB TIFF of the pixels in a PNG written by encodePng (no row filters). */
function tiffOf(png: Buffer): Buffer {
  const { width, height } = imageSize(png, 'png')!
  let offset = 8
  const data: Buffer[] = []
  while (offset < png.length) {
    const length = png.readUInt32BE(offset)
    if (png.toString('latin1', offset + 4, offset + 8) === 'IDAT') data.push(png.subarray(offset + 8, offset + 8 + length))
    offset += 12 + length
  }
  const raw = inflateSync(Buffer.concat(data))
  const channels = ({ 0: 1, 2: 3, 6: 4 } as Record<number, number>)[png[25]!]!
  const rgb = Buffer.alloc(width * height * 3)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = y * (width * channels + 1) + 1 + x * channels
      for (let c = 0; c < 3; c++) rgb[(y * width + x) * 3 + c] = raw[from + (channels === 1 ? 0 : c)]!
    }
  }
  const tags: [number, number, number][] = [
    [256, 4, width],
    [257, 4, height],
    [258, 3, 8],
    [259, 3, 1],
    [262, 3, 2],
    [273, 4, 0],
    [277, 3, 3],
    [278, 4, height],
    [279, 4, rgb.length],
  ]
  const directory = Buffer.alloc(2 + tags.length * 12 + 4 + 6)
  directory.writeUInt16LE(tags.length, 0)
  const pixelsAt = 8 + directory.length
  tags.forEach(([tag, type, value], i) => {
    const entry = 2 + i * 12
    directory.writeUInt16LE(tag, entry)
    directory.writeUInt16LE(type, entry + 2)
    // Bits per sample has three values; they live after the directory.
    const count = tag === 258 ? 3 : 1
    directory.writeUInt32LE(count, entry + 4)
    if (tag === 258) directory.writeUInt32LE(8 + 2 + tags.length * 12 + 4, entry + 8)
    else if (tag === 273) directory.writeUInt32LE(pixelsAt, entry + 8)
    else if (type === 3) directory.writeUInt16LE(value, entry + 8)
    else directory.writeUInt32LE(value, entry + 8)
  })
  const bits = 2 + tags.length * 12 + 4
  for (let i = 0; i < 3; i++) directory.writeUInt16LE(8, bits + i * 2)
  return Buffer.concat([Buffer.from([0x49, 0x49, 42, 0, 8, 0, 0, 0]), directory, rgb])
}

/** A Word document with no text, only pictures, one to a paragraph: a resume pasted into Word as images. */
async function pastedDocx(pictures: { image: Buffer; type: 'png' | 'jpg' | 'gif' }[], caption?: string): Promise<Buffer> {
  const children = pictures.map(({ image, type }) => {
    const size = type === 'gif' ? { width: 1, height: 1 } : imageSize(image, type === 'jpg' ? 'jpeg' : type)!
    const picture =
      type === 'gif'
        ? new ImageRun({ type, data: image, transformation: size })
        : new ImageRun({ type, data: image, transformation: { width: size.width / 2, height: size.height / 2 } })
    return new Paragraph({ children: [picture] })
  })
  if (caption !== undefined) children.unshift(new Paragraph({ children: [new TextRun(caption)] }))
  return Buffer.from(await Packer.toBuffer(new Document({ sections: [{ children }] })))
}

const { png, jpeg } = await photographResume()
const scan = await scannedPdf(png)
const icon = encodePng(50, 50, 3, new Uint8Array(50 * 50 * 3))
const gif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64')

t.test('image headers give the size before anything decodes the image', async (t) => {
  t.same(imageSize(png, 'png'), { width: 800, height: 300 })
  t.same(imageSize(jpeg, 'jpeg'), { width: 800, height: 300 })
  t.same(imageSize(tiffOf(blankPng()), 'tiff'), { width: 400, height: 300 })
  t.same(await detectResumeType(jpeg), { kind: 'image', mediaType: 'image/jpeg', extension: 'jpg' })
  t.same(await detectResumeType(tiffOf(blankPng())), { kind: 'image', mediaType: 'image/tiff', extension: 'tif' })
  t.equal(imageSize(png.subarray(0, 20), 'png'), undefined, 'a header cut short has no size')
  t.equal(imageSize(jpeg.subarray(0, 40), 'jpeg'), undefined)
  t.equal(imageSize(Buffer.from('II*\0\xff\xff\0\0', 'latin1'), 'tiff'), undefined, 'a directory past the end')
})

t.test('a scanned PDF page is its largest image', async (t) => {
  const pages = await scannedPages(scan, { maxPages: 3, maxPixels: 40_000_000, timeoutMs: 10_000 })
  t.equal(pages.length, 1)
  t.same(imageSize(pages[0]!, 'png'), { width: 800, height: 300 })
  const tooBig = await unreadable(scannedPages(scan, { maxPages: 3, maxPixels: 100_000, timeoutMs: 10_000 }))
  t.equal(tooBig.problem, 'too_large')
  t.match(tooBig.message, /page 1 of the scan is larger than 0.1 megapixels/)
  // A logo beside the scan is not the page; pages past maxPages are not read.
  const pdf = await PDFDocument.create()
  const logo = await pdf.embedPng(encodePng(50, 50, 3, new Uint8Array(50 * 50 * 3)))
  const page = await pdf.embedPng(png)
  for (let i = 0; i < 2; i++) {
    const sheet = pdf.addPage([page.width, page.height])
    sheet.drawImage(logo, { x: 0, y: 0, width: 50, height: 50 })
    sheet.drawImage(page, { x: 0, y: 0, width: page.width, height: page.height })
    sheet.drawImage(logo, { x: 60, y: 0, width: 50, height: 50 })
  }
  const twoPages = Buffer.from(await pdf.save())
  const both = await scannedPages(twoPages, { maxPages: 3, maxPixels: 40_000_000, timeoutMs: 10_000 })
  t.same(
    both.map((image) => imageSize(image, 'png')),
    [
      { width: 800, height: 300 },
      { width: 800, height: 300 },
    ],
  )
  t.equal((await scannedPages(twoPages, { maxPages: 1, maxPixels: 40_000_000, timeoutMs: 10_000 })).length, 1)
  // The job reads them in a thread of its own, with the same answers.
  t.same(await scannedPagesOffThread(twoPages, { maxPages: 3, maxPixels: 40_000_000, timeoutMs: 10_000 }), both)
  const refused = await unreadable(scannedPagesOffThread(twoPages, { maxPages: 3, maxPixels: 100_000, timeoutMs: 10_000 }))
  t.equal(refused.problem, 'too_large')
  const damaged = await unreadable(scannedPages(Buffer.from('%PDF-1.4\nnot a pdf'), { maxPages: 3, maxPixels: 1e7, timeoutMs: 10_000 }))
  t.equal(damaged.problem, 'damaged')
})

t.test("a Word document's pictures, for OCR when it has no text: in the order shown, icons and other formats passed over", async (t) => {
  t.equal(imageFormatOf(png), 'png')
  t.equal(imageFormatOf(jpeg), 'jpeg')
  t.equal(imageFormatOf(tiffOf(blankPng())), 'tiff')
  t.equal(imageFormatOf(gif), undefined)
  const docx = await pastedDocx([
    { image: icon, type: 'png' },
    { image: jpeg, type: 'jpg' },
    { image: gif, type: 'gif' },
    { image: png, type: 'png' },
  ])
  const empty = await unreadable(extractResume(docx, 'docx'))
  t.equal(empty.problem, 'no_text', 'read as text, the document has none: the process job hands it to OCR')
  t.same((await docxPictures(docx, 10)).map(imageFormatOf), ['png', 'jpeg', undefined, 'png'], 'every picture, in order')
  t.equal((await docxPictures(docx, 2)).length, 2)
  // A stand-in engine that names what it was given, so the pages read and their order show.
  const recognize = async (image: Buffer) => `${imageFormatOf(image)} ${imageSize(image, imageFormatOf(image)!)!.width}`
  t.equal(await readScan(docx, DOCX, { recognize }, 3), 'jpeg 800\npng 800', 'the icon and the GIF are not read')
  t.equal(await readScan(docx, DOCX, { recognize }, 1), 'jpeg 800', 'no more than OCR_MAX_PAGES pictures')
  const onlyIcons = await unreadable(readScan(await pastedDocx([{ image: icon, type: 'png' }]), DOCX, { recognize }, 3))
  t.equal(onlyIcons.problem, 'no_text')
  t.match(onlyIcons.message, /the DOCX contains no text, and no picture large enough to hold any/)
  const blank = await unreadable(readScan(await pastedDocx([{ image: png, type: 'png' }]), DOCX, { recognize: async () => ' ' }, 3))
  t.match(blank.message, /the DOCX contains no text, and OCR found none in its pictures/)
  const zipBomb = await unreadable(readScan(makeZipBombDocx(), DOCX, { recognize }, 3))
  t.equal(zipBomb.problem, 'too_large', 'the archive is checked as for reading its text')

  // Pictures as Word writes them (DrawingML) and as older Word did (VML); a linked picture is not in the file.
  const relationships = `<Relationships>
    <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.png"/>
    <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="/word/media/old.jpeg"/>
    <Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="https://example.com/a.png" TargetMode="External"/>
    <Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
    <Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media\\image2.jpg"/>
    <Relationship Id="rId6" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="./media/../media/image3.png"/>
    <Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="../../outside.png"/>
  </Relationships>`
  const body = `<w:body><w:p><w:r><w:pict><v:shape><v:imagedata r:id="rId2" o:title=""/></v:shape></w:pict></w:r></w:p>
    <w:p><w:r><w:drawing><a:blip r:embed="rId3"/></w:drawing></w:r></w:p>
    <w:p><w:r><w:drawing><a:blip cstate="print" r:embed="rId1"/></w:drawing></w:r></w:p>
    <w:p><w:r><w:drawing><a:blip r:embed="rId1"/><a:blip r:embed="rId4"/></w:drawing></w:r></w:p>
    <w:p><w:r><w:pict><v:imagedata r:id="rId5"/><v:imagedata r:id="rId6"/><v:imagedata r:id="rId7"/></w:pict></w:r></w:p></w:body>`
  // Some writers give targets with Windows' backslashes ("media\\image2.jpg"); ".." is resolved, never above the root.
  t.same(pictureParts(body, relationships, 10), [
    'word/media/old.jpeg',
    'word/media/image1.png',
    'word/media/image2.jpg',
    'word/media/image3.png',
  ])
  t.same(pictureParts(body, relationships, 1), ['word/media/old.jpeg'])
  t.same(pictureParts(body, undefined, 10), [])
})

t.test('a Word document of a caption beside a picture of its page is read by OCR, the caption kept', async (t) => {
  const recognize = async () => 'Jane Scanlon\njane.scanlon@example.com'
  const captioned = await pastedDocx([{ image: png, type: 'png' }], 'CV – Jane Scanlon')
  const refused = await unreadable(extractResume(captioned, 'docx'))
  t.equal(refused.problem, 'no_text', 'read as text, it is refused as no text, which sends it to OCR')
  t.match(refused.message, /the DOCX has only 14 characters of text, beside a picture the size of a page/)
  t.same(await readScanned(captioned, DOCX, { recognize }, 3), {
    text: 'CV – Jane Scanlon\nJane Scanlon\njane.scanlon@example.com',
    hidden: [],
  })
  // OCR finding nothing leaves the caption: no worse than reading the text alone.
  t.equal(await readScan(captioned, DOCX, { recognize: async () => '' }, 3), 'CV – Jane Scanlon')
  // A small picture (a photo, an icon) beside a short text is no page: the text is the resume.
  const photo = encodePng(300, 400, 3, new Uint8Array(300 * 400 * 3).fill(0x80))
  t.match((await extractResume(await pastedDocx([{ image: photo, type: 'png' }], 'Jane Scanlon, jane@example.com'), 'docx')).text, /Jane/)
  // A picture of a page beside a resume's worth of text is an illustration: the text is read, not OCR.
  const long = `Jane Scanlon. ${'Platform engineer running Kubernetes clusters and PostgreSQL databases. '.repeat(4)}`
  t.match((await extractResume(await pastedDocx([{ image: png, type: 'png' }], long), 'docx')).text, /Platform engineer/)
})

t.test('OCR reads the name, email and skills from PNG, JPEG, TIFF and a scanned page, offline', async (t) => {
  const reader = new OcrReader({ engines: 1, pageTimeoutMs: 30_000 })
  t.teardown(() => reader.close())
  // Nothing is fetched: the engine and the English model come from node_modules.
  const fetched: string[] = []
  const realFetch = globalThis.fetch
  globalThis.fetch = (input, init) => {
    fetched.push(String(input))
    return realFetch(input, init)
  }
  t.teardown(() => {
    globalThis.fetch = realFetch
  })
  const [page] = await scannedPages(scan, { maxPages: 3, maxPixels: 40_000_000, timeoutMs: 10_000 })
  for (const [format, image] of [
    ['png', png],
    ['jpeg', jpeg],
    ['tiff', tiffOf(page!)],
    ['scanned page', page!],
  ] as const) {
    const text = await reader.recognize(image)
    t.match(text, /Jane Scanlon/, format)
    t.match(text, /jane\.scanlon@example\.com/, format)
    t.match(text, /Kubernetes/, format)
  }
  t.same(fetched, [])
  t.equal((await reader.recognize(blankPng())).trim(), '', 'a blank page has no text')
  const damaged = await unreadable(reader.recognize(Buffer.concat([png.subarray(0, 200), Buffer.alloc(200)])))
  t.equal(damaged.problem, 'damaged')
  // A page that overruns its time ends the engine; the next page gets a fresh one.
  const hurried = new OcrReader({ engines: 1, pageTimeoutMs: 1 })
  t.teardown(() => hurried.close())
  t.equal((await unreadable(hurried.recognize(png))).problem, 'too_slow')
})

t.test('upload to HR email: scans go through the OCR queue, a text resume does not wait behind them', async (t) => {
  // One process job at a time: on a shared queue, the text resume would wait behind every scan uploaded before it.
  const hireflow = await startHireflow({ env: { PROCESS_CONCURRENCY: '1' } })
  t.teardown(() => hireflow.stop())
  const app = hireflow.app!
  const requisition = await createRequisition(app, { mustHaveSkills: ['Kubernetes'] })
  const upload = async (filename: string, content: Buffer) => {
    const response = await injectUpload(app, { filename, content }, { requisitionId: requisition.id })
    t.equal(response.statusCode, 202, `${filename}: ${response.body}`)
    return response.json().id as string
  }
  const settled = (id: string) =>
    until(`candidate ${id} settled`, async () => {
      const candidate = await hireflow.services.candidates.getCandidate(id)
      return candidate && (candidate.status === 'notified' || candidate.status === 'failed') ? candidate : undefined
    })
  const at = (candidate: Candidate, status: string) => candidate.history.find((step) => step.to === status)?.at ?? ''

  // The scan first, so it would be ahead of the text resume on a shared queue.
  const scanned = await upload('Jane Scanlon.pdf', scan)
  const photo = await upload('photo.jpeg', jpeg)
  const blank = await upload('blank scan.pdf', await scannedPdf(blankPng()))
  const huge = Buffer.from(png)
  huge.writeUInt32BE(10_000, 16)
  huge.writeUInt32BE(10_000, 20)
  const flood = await upload('poster.png', huge)
  const cut = await upload('cut.png', png.subarray(0, 20))
  const pasted = await upload(
    'pasted.docx',
    await pastedDocx([
      { image: icon, type: 'png' },
      { image: png, type: 'png' },
    ]),
  )
  const captioned = await upload('captioned.docx', await pastedDocx([{ image: png, type: 'png' }], 'Curriculum vitae'))
  const text = await upload(
    'text.txt',
    Buffer.from('Tex Plain\ntex.plain@example.com\nPlatform Engineer, 2019 - 2024\nSkills: Kubernetes\n'),
  )

  const ocrCandidate = await settled(scanned)
  const textCandidate = await settled(text)
  t.equal(ocrCandidate.status, 'notified')
  t.equal(ocrCandidate.profile?.email, 'jane.scanlon@example.com')
  t.ok(ocrCandidate.score?.skills.find((skill) => skill.skill === 'Kubernetes')?.found, 'the skill is found in the scan')
  t.equal(ocrCandidate.history.find((step) => step.to === 'decided')?.by, 'worker:ocr')
  t.equal(textCandidate.status, 'notified')
  t.ok(at(textCandidate, 'notified') < at(ocrCandidate, 'notified'), 'the text resume was emailed before the scan ahead of it')

  const pastedCandidate = await settled(pasted)
  t.equal(pastedCandidate.status, 'notified', 'a Word document of pasted pictures is read by OCR')
  t.equal(pastedCandidate.profile?.email, 'jane.scanlon@example.com')
  t.ok(pastedCandidate.score?.skills.find((skill) => skill.skill === 'Kubernetes')?.found)
  t.equal(pastedCandidate.history.find((step) => step.to === 'decided')?.by, 'worker:ocr')

  const captionedCandidate = await settled(captioned)
  t.equal(captionedCandidate.status, 'notified', 'a caption beside a picture of the page: the picture is read by OCR')
  t.equal(captionedCandidate.profile?.email, 'jane.scanlon@example.com')
  t.equal(captionedCandidate.history.find((step) => step.to === 'decided')?.by, 'worker:ocr')

  const photoCandidate = await settled(photo)
  t.equal(photoCandidate.status, 'notified')
  t.equal(photoCandidate.profile?.email, 'jane.scanlon@example.com')
  const download = await app.inject({ method: 'GET', url: `/candidates/${photo}/resume`, headers: AUTH })
  t.equal(download.headers['content-type'], 'image/jpeg')
  t.match(download.headers['content-disposition'], /photo\.jpeg/)

  const blankCandidate = await settled(blank)
  t.equal(blankCandidate.status, 'failed')
  t.equal(blankCandidate.failure?.reason, 'unreadable_resume')
  t.match(blankCandidate.failure?.message, /OCR found none/)
  await until('the unreadable email', async () => (await hireflow.services.candidates.getCandidate(blank))?.notification ?? undefined)

  const floodCandidate = await settled(flood)
  t.equal(floodCandidate.status, 'failed')
  t.match(floodCandidate.failure?.message, /10000x10000, more than 40 megapixels/)
  const cutCandidate = await settled(cut)
  t.equal(cutCandidate.failure?.reason, 'unreadable_resume')
  t.match(cutCandidate.failure?.message, /the PNG image is damaged/)
})

t.test('a scan whose job was lost is found by the recovery sweep and read', async (t) => {
  const { config, dataDir } = await testConfig()
  const api = await startHireflow({ role: 'api', config, dataDir })
  t.teardown(() => api.stop())
  const upload = await injectUpload(api.app!, { filename: 'scan.png', content: png })
  t.equal(upload.statusCode, 202, upload.body)
  const id = upload.json().id as string
  // Redis lost the work: the candidate waits in `stored`, whether its process job or the OCR job it led to was lost.
  await api.queues.process.obliterate({ force: true })
  t.equal((await api.services.candidates.getCandidate(id))?.status, 'stored')
  t.equal(await requeueUnfinished({ services: api.services, queues: api.queues }, { quietForMs: 0 }), 1)
  const workers = await startHireflow({ role: 'worker', config, dataDir })
  t.teardown(() => workers.stop())
  const candidate = await until('the swept scan is read', async () => {
    const found = await api.services.candidates.getCandidate(id)
    return found?.status === 'notified' ? found : undefined
  })
  t.equal(candidate.profile?.email, 'jane.scanlon@example.com')
  t.equal(candidate.history.find((step) => step.to === 'decided')?.by, 'worker:ocr')
})
