// Links behind icons and handles exist only as a PDF's link annotations: their
// addresses reach the text (and the profile's links); unsafe or repeated ones do not.
import t from 'tap'
import { PDFDocument, PDFName, PDFString, StandardFonts } from 'pdf-lib'
import { extractResume, extractText, linkTargets } from '../src/pipeline/extract.ts'
import { unreadable } from './support/extraction.ts'
import { extractProfile } from '../src/pipeline/profile.ts'

async function pdfWithLinks(lines: string[], targets: string[]): Promise<Buffer> {
  const pdf = await PDFDocument.create()
  const font = await pdf.embedFont(StandardFonts.Helvetica)
  const page = pdf.addPage([595, 842])
  lines.forEach((line, index) => page.drawText(line, { x: 56, y: 780 - index * 16, size: 11, font }))
  const annotations = targets.map((uri, index) =>
    pdf.context.register(
      pdf.context.obj({
        Type: 'Annot',
        Subtype: 'Link',
        Rect: [56 + index * 30, 700, 80 + index * 30, 720],
        Border: [0, 0, 0],
        A: { Type: 'Action', S: 'URI', URI: PDFString.of(uri) },
      }),
    ),
  )
  page.node.set(PDFName.of('Annots'), pdf.context.obj(annotations))
  return Buffer.from(await pdf.save())
}

t.test('an icon link to GitHub and LinkedIn reaches the profile', async (t) => {
  const bytes = await pdfWithLinks(
    ['Jane Doe', 'Platform Engineer', 'jane@example.com', 'in   gh'],
    ['https://www.linkedin.com/in/jane-doe', 'https://github.com/janedoe', 'javascript:alert(1)', 'file:///etc/passwd'],
  )
  const text = await extractText(bytes, 'pdf')
  t.match(text, /https:\/\/github\.com\/janedoe/)
  t.notMatch(text, /javascript:|file:/, 'only web and mail addresses')
  const profile = extractProfile(text)
  t.match(profile.links.map((link) => link.kind).sort(), ['github', 'linkedin'])
})

t.test('an address the text already shows is not added again; at most 20 a page', async (t) => {
  t.same(linkTargets([{ subtype: 'Link', url: 'https://github.com/janedoe/' }], 'github.com/janedoe'), [])
  t.same(linkTargets([{ subtype: 'Link', url: 'mailto:jane@example.com' }], 'Jane Doe'), ['jane@example.com'])
  t.same(linkTargets([{ subtype: 'Widget', url: 'https://example.com' }], ''), [], 'only link annotations')
  const many = Array.from({ length: 50 }, (_, i) => ({ subtype: 'Link', url: `https://example.com/${i}` }))
  t.equal(linkTargets(many, '').length, 20)
})

t.test('a page of no text with link annotations over it (a picture of the page) is a scan, not its links alone', async (t) => {
  const scan = await pdfWithLinks([], ['https://www.linkedin.com/in/omri-green-880091240/', 'mailto:omri@example.com'])
  t.equal((await unreadable(extractResume(scan, 'pdf'))).problem, 'no_text', 'so the process job hands it to OCR')
})
