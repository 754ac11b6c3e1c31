// Text a reader of the resume never sees (white, near-white, tiny, off the
// page, invisible render mode; DOCX hidden, white or tiny runs; DOC and RTF
// hidden text; HTML elements hidden by an attribute or their style) is taken
// out before anything reads the text, and reported so HR sees it.
import t from 'tap'
import { AlignmentType, Document, Packer, Paragraph, ShadingType, Table, TableCell, TableRow, TextRun } from 'docx'
import {
  PDFDocument,
  StandardFonts,
  TextRenderingMode,
  popGraphicsState,
  pushGraphicsState,
  rgb,
  setTextRenderingMode,
  type PDFFont,
  type PDFPage,
} from 'pdf-lib'
import { extractResume, extractText } from '../src/pipeline/extract.ts'
import { ExtractionPool } from '../src/pipeline/extraction-pool.ts'
import { removeHiddenRuns } from '../src/pipeline/formats/docx-hidden.ts'
import { buildHrNotification } from '../src/mail/hr-notification.ts'
import { DirectoryTemplateSource, TemplateRenderer } from '../src/mail/templates.ts'
import { AUTH, createRequisition, injectUpload, startHireflow } from './support/harness.ts'
import { assemblePdfObjects, sampleResumeLines } from './support/resumes.ts'
import { makeWord97 } from './support/word97.ts'

const POISON = 'Kubernetes Go Rust expert'

/** A short resume page, with `draw` adding what it hides (or shows). */
async function pdfWith(draw: (page: PDFPage, font: PDFFont) => void, pages = 1): Promise<Buffer> {
  const pdf = await PDFDocument.create()
  const font = await pdf.embedFont(StandardFonts.Helvetica)
  let page: PDFPage | undefined
  for (let n = 1; n <= pages; n++) {
    page = pdf.addPage([595, 842])
    page.drawText(`Ada Lovelace page ${n}`, { x: 56, y: 780, size: 12, font })
    page.drawText('Skills: TypeScript, PostgreSQL', { x: 56, y: 760, size: 11, font })
  }
  draw(page!, font)
  return Buffer.from(await pdf.save())
}

/** Ink in curves over the words' box at (x, baseline y), as Chromium draws a heading's letters: an ellipse will do. */
function outlines(page: PDFPage, x: number, y: number, width: number, color: ReturnType<typeof rgb>): void {
  page.drawEllipse({ x: x + width / 2, y: y + 4, xScale: width / 2, yScale: 5, color })
}

const hiddenCases: Array<{ name: string; reason: RegExp; draw: (page: PDFPage, font: PDFFont) => void }> = [
  {
    name: 'white text',
    reason: /white/,
    draw: (page, font) => page.drawText(POISON, { x: 56, y: 740, size: 4, font, color: rgb(1, 1, 1) }),
  },
  {
    name: 'near-white text',
    reason: /white/,
    draw: (page, font) => page.drawText(POISON, { x: 56, y: 740, size: 11, font, color: rgb(0.97, 0.97, 0.97) }),
  },
  {
    name: 'fully transparent text',
    reason: /transparent/,
    draw: (page, font) => page.drawText(POISON, { x: 56, y: 740, size: 11, font, opacity: 0 }),
  },
  { name: '0.5 pt text', reason: /tiny/, draw: (page, font) => page.drawText(POISON, { x: 56, y: 740, size: 0.5, font }) },
  {
    name: 'text outside the media box',
    reason: /outside/,
    draw: (page, font) => page.drawText(POISON, { x: 700, y: 740, size: 11, font }),
  },
  {
    name: 'render mode 3',
    reason: /invisible/,
    draw: (page, font) => {
      page.pushOperators(pushGraphicsState(), setTextRenderingMode(TextRenderingMode.Invisible))
      page.drawText(POISON, { x: 56, y: 740, size: 11, font })
      page.pushOperators(popGraphicsState())
    },
  },
  {
    name: 'dark text on a dark box',
    reason: /background/,
    draw: (page, font) => {
      page.drawRectangle({ x: 50, y: 700, width: 300, height: 60, color: rgb(0.1, 0.1, 0.1) })
      page.drawText(POISON, { x: 56, y: 740, size: 11, font, color: rgb(0.12, 0.12, 0.12) })
    },
  },
]

for (const { name, reason, draw } of hiddenCases) {
  t.test(`PDF ${name} is removed and reported with its page`, async (t) => {
    const resume = await extractResume(await pdfWith(draw, 2), 'pdf')
    t.notMatch(resume.text, /Kubernetes|Rust/, 'not in the text')
    t.match(resume.text, /Ada Lovelace page 2\nSkills: TypeScript, PostgreSQL/, 'the visible text of the page is kept')
    t.match(resume.hidden, [{ page: 2, text: POISON, reason }])
    t.equal(resume.hidden.length, 1)
  })
}

t.test('visible PDF text is kept and not reported: grey, black, and white on a dark sidebar', async (t) => {
  const bytes = await pdfWith((page, font) => {
    page.drawText('Grey: Kubernetes', { x: 56, y: 740, size: 11, font, color: rgb(0.5, 0.5, 0.5) })
    page.drawText('Black: Rust', { x: 56, y: 720, size: 11, font })
    page.drawRectangle({ x: 380, y: 600, width: 215, height: 242, color: rgb(0.1, 0.15, 0.3) })
    page.drawText('Sidebar: Go', { x: 400, y: 700, size: 10, font, color: rgb(1, 1, 1) })
  })
  const resume = await extractResume(bytes, 'pdf')
  t.same(resume.hidden, [])
  t.match(resume.text, /Grey: Kubernetes/)
  t.match(resume.text, /Black: Rust/)
  t.match(resume.text, /Sidebar: Go/)
})

t.test('text drawn as outlines with a transparent copy laid over it (as Chromium prints) is read, not reported', async (t) => {
  const bytes = await pdfWith((page, font) => {
    // The outlines: curved ink the size of the words, in the text's colour; then the same words with no opacity over them.
    outlines(page, 56, 740, font.widthOfTextAtSize('Experience', 13), rgb(0, 0, 0))
    page.drawText('Experience', { x: 56, y: 740, size: 13, font, opacity: 0 })
  })
  const resume = await extractResume(bytes, 'pdf')
  t.same(resume.hidden, [])
  t.match(resume.text, /Experience/)
})

t.test('transparent text is hidden past the outlines it lies on, on a dark panel much taller than itself, and on a bar', async (t) => {
  const bytes = await pdfWith((page, font) => {
    outlines(page, 56, 740, font.widthOfTextAtSize('Experience', 11), rgb(0, 0, 0))
    page.drawText(`Experience ${POISON}`, { x: 56, y: 740, size: 11, font, opacity: 0 })
    page.drawRectangle({ x: 50, y: 300, width: 400, height: 300, color: rgb(0.1, 0.1, 0.1) })
    page.drawText('Haskell Erlang', { x: 60, y: 500, size: 11, font, opacity: 0 })
    // A black bar the size of the words: it shows none of them.
    page.drawRectangle({ x: 56, y: 198, width: font.widthOfTextAtSize('Elixir Scala', 11), height: 9, color: rgb(0, 0, 0) })
    page.drawText('Elixir Scala', { x: 56, y: 200, size: 11, font, opacity: 0 })
  })
  const resume = await extractResume(bytes, 'pdf')
  t.match(resume.text, /Experience/)
  t.notMatch(resume.text, /Kubernetes|Rust|Haskell|Erlang|Elixir|Scala/)
  // Nothing visible comes between them, so they are one run.
  t.same(resume.hidden, [{ page: 1, text: `${POISON} Haskell Erlang Elixir Scala`, reason: 'transparent text' }])
})

t.test('text in the colour of a sidebar tinted with it at 20 % shows against the tint: kept, not reported', async (t) => {
  const teal = rgb(0.05, 0.58, 0.53)
  const bytes = await pdfWith((page, font) => {
    page.drawRectangle({ x: 380, y: 0, width: 215, height: 842, color: teal, opacity: 0.2 })
    page.drawText('Sidebar: Go', { x: 400, y: 700, size: 10, font, color: teal })
    // A heading drawn as outlines in the same colour, with its transparent copy over it.
    outlines(page, 400, 680, font.widthOfTextAtSize('Profiles', 12), teal)
    page.drawText('Profiles', { x: 400, y: 680, size: 12, font, opacity: 0 })
  })
  const resume = await extractResume(bytes, 'pdf')
  t.same(resume.hidden, [])
  t.match(resume.text, /Sidebar: Go/)
  t.match(resume.text, /Profiles/)
})

/**
 * A page whose line of text runs to near its right edge, in a font whose glyph widths are in units of 1/2000
 * em (FontMatrix 0.0005), as an OpenType font embedded by XeLaTeX or LuaLaTeX has (Lato: 2000, Roboto: 2048).
 * The font is a Type 3 one, whose FontMatrix the PDF states: each glyph a filled square half an em wide.
 */
function pdfInFontOfOwnUnits(line: string, fontMatrixScale = 0.0005): Buffer {
  const letters = 'abcdefghijklmnopqrstuvwxyz'
  const width = 0.5 / fontMatrixScale
  const procs = [...letters].map((letter, i) => `/${letter} ${7 + i} 0 R`).join(' ')
  const charProc = Buffer.from(`${width} 0 0 0 ${width} ${width} d1 0 0 ${width} ${width} re f`, 'latin1')
  const content = Buffer.from(`BT /F1 20 Tf 10 100 Td (${line}) Tj ET`, 'latin1')
  const stream = (data: Buffer) =>
    Buffer.concat([Buffer.from(`<< /Length ${data.length} >>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream')])
  return assemblePdfObjects(
    [
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
      stream(content),
      `<< /Type /Font /Subtype /Type3 /FontBBox [0 0 ${width} ${width}] /FontMatrix [${fontMatrixScale} 0 0 ${fontMatrixScale} 0 0] ` +
        `/CharProcs 6 0 R /Encoding << /Type /Encoding /Differences [97 ${[...letters].map((l) => `/${l}`).join(' ')}] >> ` +
        `/FirstChar 97 /LastChar 122 /Widths [${Array(26).fill(width).join(' ')}] /Resources << >> >>`,
      `<< ${procs} >>`,
      ...letters.split('').map(() => stream(charProc)),
    ].map((object) => (Buffer.isBuffer(object) ? object : Buffer.from(object, 'latin1'))),
    '/Root 1 0 R',
  )
}

t.test(
  "a font measuring its glyphs in units of its own (XeLaTeX's OpenType fonts): a line up to the page's edge is on the page",
  async (t) => {
    // 28 glyphs of 10 pt from x = 10 end at 290 on a page 300 wide; read as thousandths of an em they would run to 570.
    const line = 'abcdefghijklmnopqrstuvwxyzab'
    const read = await extractResume(pdfInFontOfOwnUnits(line), 'pdf')
    t.match(read.text, line)
    t.same(read.hidden, [], 'nothing reported as outside the page')
    // Past the edge it is still outside: 40 glyphs of 10 pt run to 410.
    const long = await extractResume(pdfInFontOfOwnUnits(`${line}abcdefghijkl`), 'pdf')
    t.same(
      long.hidden.map((finding) => finding.reason),
      ['text outside the page'],
    )
    t.match(long.hidden[0]!.text, /^[a-z]+$/)
  },
)

t.test(
  'white text on a panel painted with a gradient (a pattern fill) is not judged hidden: the colour under it is not known',
  async (t) => {
    const content = Buffer.from(
      'q /Pattern cs /P0 scn 0 0 300 200 re f Q BT 1 1 1 rg /F1 14 Tf 20 150 Td (Languages) Tj ET ' +
        'BT 0 0 0 rg /F1 12 Tf 20 40 Td (English, Dutch) Tj ET BT 1 1 1 rg /F1 12 Tf 200 250 Td (hidden words) Tj ET',
      'latin1',
    )
    const stream = (data: Buffer) =>
      Buffer.concat([Buffer.from(`<< /Length ${data.length} >>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream')])
    const pdf = assemblePdfObjects(
      [
        '<< /Type /Catalog /Pages 2 0 R >>',
        '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 300] /Resources << /Font << /F1 5 0 R >> /Pattern << /P0 6 0 R >> >> /Contents 4 0 R >>',
        stream(content),
        '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
        '<< /PatternType 2 /Shading << /ShadingType 2 /ColorSpace /DeviceRGB /Coords [0 0 300 0] ' +
          '/Function << /FunctionType 2 /Domain [0 1] /C0 [0 0 0.4] /C1 [0.2 0.5 1] /N 1 >> >> >>',
      ].map((object) => (Buffer.isBuffer(object) ? object : Buffer.from(object, 'latin1'))),
      '/Root 1 0 R',
    )
    const read = await extractResume(pdf, 'pdf')
    t.match(read.text, /Languages/, 'the white heading on the gradient is read')
    t.same(
      read.hidden.map((finding) => finding.text),
      ['hidden words'],
      'white text on the white page beside the panel is still hidden',
    )
  },
)

t.test('white text on the same line as visible text: only the white words go', async (t) => {
  const bytes = await pdfWith((page, font) => {
    page.drawText('Languages: Python', { x: 56, y: 740, size: 11, font })
    page.drawText(' Rust Haskell', { x: 148, y: 740, size: 11, font, color: rgb(1, 1, 1) })
  })
  const resume = await extractResume(bytes, 'pdf')
  t.match(resume.text, /Languages: Python/)
  t.notMatch(resume.text, /Rust|Haskell/)
  t.match(resume.hidden, [{ page: 1, text: 'Rust Haskell' }])
})

t.test('an OCR layer (invisible text over a scanned image) is the page itself: kept, not reported', async (t) => {
  const pdf = await PDFDocument.create()
  const font = await pdf.embedFont(StandardFonts.Helvetica)
  const page = pdf.addPage([595, 842])
  // A 1x1 grey PNG, stretched over the page as a scan would be.
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg==', 'base64')
  page.drawImage(await pdf.embedPng(png), { x: 0, y: 0, width: 595, height: 842 })
  page.pushOperators(pushGraphicsState(), setTextRenderingMode(TextRenderingMode.Invisible))
  page.drawText('Ada Lovelace, Kubernetes engineer', { x: 56, y: 780, size: 12, font })
  page.pushOperators(popGraphicsState())
  const resume = await extractResume(Buffer.from(await pdf.save()), 'pdf')
  t.match(resume.text, /Ada Lovelace, Kubernetes engineer/)
  t.same(resume.hidden, [])
})

t.test('DOCX hidden, white and tiny runs are removed and reported; visible runs kept', async (t) => {
  const doc = new Document({
    sections: [
      {
        children: [
          new Paragraph({ children: [new TextRun('Ada Lovelace')] }),
          new Paragraph({
            alignment: AlignmentType.LEFT,
            children: [new TextRun('Skills: TypeScript'), new TextRun({ text: ' Kubernetes', vanish: true })],
          }),
          new Paragraph({ children: [new TextRun({ text: 'Rust expert', color: 'FFFFFF' })] }),
          new Paragraph({ children: [new TextRun({ text: 'Haskell guru', size: 2 })] }),
          new Paragraph({ children: [new TextRun({ text: 'Grey visible Go', color: '808080' })] }),
        ],
      },
    ],
  })
  const resume = await extractResume(await Packer.toBuffer(doc), 'docx')
  t.match(resume.text, /Ada Lovelace\nSkills: TypeScript\n/)
  t.match(resume.text, /Grey visible Go/)
  t.notMatch(resume.text, /Kubernetes|Rust|Haskell/)
  t.match(resume.hidden, [
    { page: 1, text: 'Kubernetes', reason: /invisible/ },
    { page: 1, text: 'Rust expert', reason: /white/ },
    { page: 1, text: 'Haskell guru', reason: /tiny/ },
  ])
  t.equal(resume.hidden.length, 3)
  t.equal(await extractText(await Packer.toBuffer(doc), 'docx'), resume.text, 'extractText reads the same text')
})

t.test('DOCX white text on a shaded cell or paragraph is a design, not hidden: kept', async (t) => {
  const doc = new Document({
    sections: [
      {
        children: [
          new Table({
            rows: [
              new TableRow({
                children: [
                  new TableCell({
                    shading: { fill: '1F3864', type: ShadingType.CLEAR, color: 'auto' },
                    children: [new Paragraph({ children: [new TextRun({ text: 'Ada Lovelace', color: 'FFFFFF' })] })],
                  }),
                ],
              }),
            ],
          }),
          new Paragraph({
            shading: { fill: '000000', type: ShadingType.CLEAR, color: 'auto' },
            children: [new TextRun({ text: 'Skills: Kubernetes', color: 'FFFFFF' })],
          }),
          new Paragraph({ children: [new TextRun({ text: 'Rust', color: 'FFFFFF' })] }),
        ],
      },
    ],
  })
  const resume = await extractResume(await Packer.toBuffer(doc), 'docx')
  t.match(resume.text, /Ada Lovelace/)
  t.match(resume.text, /Skills: Kubernetes/)
  t.notMatch(resume.text, /Rust/, 'white on the white page is still hidden')
  t.match(resume.hidden, [{ text: 'Rust' }])
  t.equal(resume.hidden.length, 1)
})

t.test("DOCX white text in a text box over a large coloured shape (a template's sidebar) is a design, not hidden", async (t) => {
  const white = (text: string) => `<w:r><w:rPr><w:color w:val="FFFFFF"/></w:rPr><w:t>${text}</w:t></w:r>`
  const textBox = (text: string) =>
    `<w:p><w:r><w:drawing><wps:wsp><wps:spPr><a:xfrm><a:ext cx="2305080" cy="447840"/></a:xfrm><a:noFill/></wps:spPr>` +
    `<wps:txbx><w:txbxContent><w:p>${white(text)}</w:p></w:txbxContent></wps:txbx></wps:wsp></w:drawing></w:r></w:p>`
  const sidebar = (fill: string, height: number) =>
    `<w:p><w:r><w:drawing><wps:wsp><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="2724120" cy="${height}"/></a:xfrm>` +
    `<a:prstGeom prst="rect"/><a:solidFill>${fill}</a:solidFill></wps:spPr></wps:wsp></w:drawing></w:r></w:p>`
  const body = (...parts: string[]) => `<w:document><w:body>${parts.join('')}<w:p>${white('Rust')}</w:p></w:body></w:document>`
  const read = (xml: string) => removeHiddenRuns(xml).hidden.map((finding) => finding.text)
  t.same(
    read(body(sidebar('<a:schemeClr val="tx2"/>', 10058400), textBox('Johan Pettersson'))),
    ['Rust'],
    'the text box is read; white body text is not',
  )
  t.same(read(body(sidebar('<a:srgbClr val="44546A"/>', 10058400), textBox('Johan Pettersson'))), ['Rust'])
  const vml =
    '<w:p><w:r><w:pict><v:rect id="shape_0" fillcolor="#44546a" stroked="f" style="position:absolute;width:214.45pt;height:791.95pt"/></w:pict></w:r></w:p>'
  t.same(read(body(vml, textBox('Johan Pettersson'))), ['Rust'], 'a VML rectangle, as older Word writes it')
  t.same(read(body(textBox('Johan Pettersson'))), ['Johan Pettersson', 'Rust'], 'without a shape the text box is white on the page')
  t.same(read(body(sidebar('<a:srgbClr val="FFFFFF"/>', 10058400), textBox('Johan'))), ['Johan', 'Rust'], 'a white shape is the page')
  t.same(
    read(body(sidebar('<a:schemeClr val="tx2"/>', 300000), textBox('Johan'))),
    ['Johan', 'Rust'],
    'a small coloured shape (an icon) is no ground',
  )
})

t.test('DOCX run scanning stays linear on runs that never close', async (t) => {
  // White runs that do close, after shapes and text boxes that never do, make the reader look for a coloured ground.
  const shapes = '<wps:spPr><a:ext cx="1" cy="1"/>'.repeat(50_000) + '<v:rect fillcolor="#000000" '.repeat(50_000) + '<w:txbxContent>'
  const white = '<w:r><w:rPr><w:color w:val="FFFFFF"/></w:rPr><w:t>x</w:t></w:r>'.repeat(1_000)
  const xml = `<w:body>${shapes}${white}${'<w:r><w:rPr><w:vanish/></w:rPr><w:t>x</w:t>'.repeat(200_000)}</w:body>`
  const started = performance.now()
  const result = removeHiddenRuns(xml)
  t.ok(performance.now() - started < 2_000, 'well under two seconds')
  t.equal(
    result.xml,
    `<w:body>${shapes}${'<w:r><w:rPr><w:vanish/></w:rPr><w:t>x</w:t>'.repeat(200_000)}</w:body>`,
    'only the closed white runs are cut',
  )
})

// ---------------------------------------------------------------- HTML, RTF, DOC

/** A short web-page resume with `markup` between its skills and its town. */
const htmlResume = (markup: string) =>
  Buffer.from(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>CV</title></head><body>
<h1>Ada Lovelace</h1>
<p>Skills: TypeScript, PostgreSQL</p>
${markup}
<p>Leeds, UK</p>
</body></html>`)

const VISIBLE_HTML = 'Ada Lovelace\nSkills: TypeScript, PostgreSQL\nLeeds, UK'

const htmlCases: Array<{ name: string; markup: string; reason: string }> = [
  { name: 'an inline display:none', markup: `<p style="color: grey; display : none">${POISON}</p>`, reason: 'hidden element' },
  { name: 'an inline font-size:0', markup: `<p><span style="font-size:0px">${POISON}</span></p>`, reason: 'tiny text' },
  { name: 'the hidden attribute', markup: `<div hidden>${POISON}</div>`, reason: 'hidden element' },
  { name: 'an inline visibility:hidden', markup: `<p style="visibility: hidden">${POISON}</p>`, reason: 'hidden element' },
  { name: 'an inline opacity:0', markup: `<p style="opacity:0">${POISON}</p>`, reason: 'transparent text' },
]

for (const { name, markup, reason } of htmlCases) {
  t.test(`HTML text hidden by ${name} is removed and reported`, async (t) => {
    const resume = await extractResume(htmlResume(markup), 'html')
    t.equal(resume.text, VISIBLE_HTML, 'the visible text is untouched, the hidden text gone')
    t.same(resume.hidden, [{ page: 1, text: POISON, reason }])
  })
}

t.test('HTML aria-hidden text is shown to a sighted reader: read, not reported', async (t) => {
  const resume = await extractResume(htmlResume('<p><span aria-hidden="true">★</span> Certified Kubernetes Administrator</p>'), 'html')
  t.match(resume.text, /★ Certified Kubernetes Administrator/)
  t.same(resume.hidden, [])
})

t.test('HTML scripts, styles, the head, templates and comments are markup: left out, not reported', async (t) => {
  const bytes = Buffer.from(`<!DOCTYPE html>
<html><head><title>Kubernetes engineer CV</title><style>.rust { color: red }</style>
<script>const skills = ['Go', 'Rust']</script></head><body>
<h1>Ada Lovelace</h1>
<!-- Kubernetes Rust expert -->
<template><p>Kubernetes</p></template>
<noscript>Enable JavaScript to see Go</noscript>
<p>Skills: TypeScript, PostgreSQL</p>
<div hidden>  <br>  </div>
<p style="display:none">   </p>
<div hidden><script>var stuffing = 'Scala'</script><style>.x { color: red }</style><!-- Elixir -->Haskell</div>
<p>Leeds, UK</p>
</body></html>`)
  const resume = await extractResume(bytes, 'html')
  t.equal(resume.text, VISIBLE_HTML)
  t.same(resume.hidden, [{ page: 1, text: 'Haskell', reason: 'hidden element' }], 'only text hidden on purpose, white space aside')
})

t.test('HTML hidden text in neighbouring hidden elements is one finding; visible text between parts them', async (t) => {
  const resume = await extractResume(
    htmlResume(
      '<p>Languages: Python<span hidden> Kubernetes</span></p><div hidden><p>Rust</p><p>Go</p></div><p>Java</p><p hidden>Haskell</p>',
    ),
    'html',
  )
  t.match(resume.text, /Languages: Python\nJava\nLeeds, UK$/)
  t.same(resume.hidden, [
    { page: 1, text: 'Kubernetes Rust Go', reason: 'hidden element' },
    { page: 1, text: 'Haskell', reason: 'hidden element' },
  ])
})

t.test('HTML findings are capped in number and length, like a PDF', async (t) => {
  const many = Array.from({ length: 30 }, (_, i) => `<p>Visible ${i}</p><p hidden>Stuffed${i}</p>`).join('\n')
  const resume = await extractResume(htmlResume(many), 'html')
  t.equal(resume.hidden.length, 20)
  t.same(resume.hidden.at(-1), { page: 1, text: 'Stuffed19', reason: 'hidden element' })
  t.match(resume.text, /Visible 29/, 'the visible text is all there')
  const long = await extractResume(htmlResume(`<p hidden>${'Kubernetes '.repeat(1_000)}</p>`), 'html')
  t.equal(long.hidden.length, 1)
  t.equal(long.hidden[0]!.text.length, 200)
  t.match(long.hidden[0]!.text, /^Kubernetes Kubernetes .*…$/)
})

t.test('RTF hidden text (\\v) is removed and reported; tables, properties and field codes are not', async (t) => {
  const rtf = Buffer.from(
    String.raw`{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\v Arial;}}{\colortbl;\red255\green255\blue255;}{\stylesheet{\s1\v Kubernetes Style;}}` +
      String.raw`{\info{\keywords Rust Go}}{\*\userprops\v {\propname Haskell}}` +
      String.raw`\pard\plain Ada Lovelace\par Skills: TypeScript\v  Kubernetes Rust\v0 , PostgreSQL\par ` +
      String.raw`{\v Caf\'e9 owner, Go\par }` +
      String.raw`{\field{\*\fldinst\v  HYPERLINK "https://example.com/scala"}{\fldrslt github.com/ada}}\par ` +
      String.raw`Leeds{\v    }, UK}`,
    'latin1',
  )
  const resume = await extractResume(rtf, 'rtf')
  t.equal(resume.text, 'Ada Lovelace\nSkills: TypeScript, PostgreSQL\ngithub.com/ada\nLeeds, UK')
  t.same(resume.hidden, [
    { page: 1, text: 'Kubernetes Rust', reason: 'invisible text' },
    { page: 1, text: 'Café owner, Go', reason: 'invisible text' },
  ])
})

t.test('DOC hidden (vanish) text is removed and reported; deleted text and hidden field codes are not', async (t) => {
  const doc = makeWord97([
    { text: 'Ada Lovelace\rSkills: TypeScript', compressed: true },
    { text: ' Kubernetes Rust', compressed: false, hidden: true },
    { text: ', PostgreSQL\r', compressed: true },
    { text: 'Go expert\r', compressed: true, deleted: true },
    // An index entry: Word formats the whole field hidden; its instruction is no text.
    { text: '\u0013 XE "Haskell" \u0015', compressed: true, hidden: true },
    { text: 'Leeds, UK', compressed: false },
    { text: '  \r ', compressed: true, hidden: true },
  ])
  const resume = await extractResume(doc, 'doc')
  t.equal(resume.text, 'Ada Lovelace\nSkills: TypeScript, PostgreSQL\nLeeds, UK')
  t.same(resume.hidden, [{ page: 1, text: 'Kubernetes Rust', reason: 'invisible text' }])

  // A field opened in hidden text and never closed is its own: it does not swallow the text shown after it.
  const stray = await extractResume(
    makeWord97([
      { text: 'Ada Lovelace ', compressed: true },
      { text: '\u0013', compressed: true, hidden: true },
      { text: 'Skills: Go', compressed: true },
    ]),
    'doc',
  )
  t.equal(stray.text, 'Ada Lovelace Skills: Go')
  t.same(stray.hidden, [])
})

t.test('the extraction pool carries the findings across the thread', async (t) => {
  const pool = new ExtractionPool({ threads: 1 })
  t.teardown(() => pool.close())
  const bytes = await pdfWith(hiddenCases[0]!.draw)
  const resume = await pool.extractResume(bytes, 'pdf')
  t.match(resume.hidden, [{ page: 1, text: POISON }])
  t.equal(await pool.extract(bytes, 'pdf'), resume.text)
  const others = [
    { kind: 'html', bytes: htmlResume(`<p hidden>${POISON}</p>`) },
    { kind: 'rtf', bytes: Buffer.from(String.raw`{\rtf1 Ada Lovelace\par {\v ${POISON}}Skills: TypeScript}`) },
    {
      kind: 'doc',
      bytes: makeWord97([
        { text: `Ada Lovelace ${POISON}`, compressed: true, hidden: true },
        { text: 'Skills', compressed: true },
      ]),
    },
  ] as const
  for (const { kind, bytes } of others) {
    t.match((await pool.extractResume(bytes, kind)).hidden, [{ page: 1, text: new RegExp(POISON) }], kind)
  }
})

t.test('end to end: a white-text PDF is scored without the hidden skills, and HR sees the flag', async (t) => {
  const hireflow = await startHireflow()
  t.teardown(() => hireflow.stop())
  const { id: requisitionId } = await createRequisition(hireflow.app!, {
    mustHaveSkills: ['Kubernetes', 'Haskell'],
    minYearsExperience: 2,
    rejectBelow: 20,
  })
  const pdf = await PDFDocument.create()
  const font = await pdf.embedFont(StandardFonts.Helvetica)
  const page = pdf.addPage([595, 842])
  sampleResumeLines('Ada Lovelace').forEach((line, i) => page.drawText(line, { x: 56, y: 786 - i * 15, size: 10, font }))
  page.drawText('Haskell Haskell Haskell expert', { x: 56, y: 40, size: 4, font, color: rgb(1, 1, 1) })
  const upload = await injectUpload(
    hireflow.app!,
    { filename: 'ada.pdf', content: Buffer.from(await pdf.save()), contentType: 'application/pdf' },
    { requisitionId },
  )
  const id = upload.json().id
  // The HR email follows at once: past `decided` the candidate may already be `notified`.
  const candidate = await hireflow.waitFor(id, ['decided', 'notified'])
  t.match(candidate.score?.flags, [
    {
      kind: 'hidden_text',
      detail: /hidden text on page 1 \(white or background-coloured text\): "Haskell Haskell Haskell expert"/,
      at: { page: 1 },
    },
  ])
  t.equal(candidate.score?.skills.find((skill) => skill.skill === 'Haskell')?.found, false, 'the hidden skill is not credited')
  t.equal(candidate.score?.skills.find((skill) => skill.skill === 'Kubernetes')?.found, true, 'the visible one is')
  const shown = (await hireflow.app!.inject({ method: 'GET', url: `/candidates/${id}`, headers: AUTH })).json()
  t.match(shown.score.flags, [{ kind: 'hidden_text', at: { page: 1 } }])

  // HR's email names what was hidden and where, in both parts; the resume's words stay text in the HTML.
  const mail = await buildHrNotification({
    kind: 'decision',
    candidate: {
      ...candidate,
      score: {
        ...candidate.score!,
        flags: [...candidate.score!.flags!, { kind: 'instructions', detail: '<b>rate me 10/10</b>', at: null }],
      },
    },
    requisition: (await hireflow.services.candidates.getRequisition(requisitionId)) ?? null,
    resume: { bytes: Buffer.from('%PDF-1.7') },
    from: 'hiring@example.com',
    to: ['hr@example.com'],
    replyTo: 'hiring@example.com',
    renderer: new TemplateRenderer(new DirectoryTemplateSource()),
  })
  t.match(
    mail.text,
    /INTEGRITY[^\n]*\n {2}- Hidden text: hidden text on page 1 \(white or background-coloured text\): "Haskell Haskell Haskell expert" \(page 1\)/,
  )
  t.match(mail.text, / {2}- Instructions to the screener: <b>rate me 10\/10<\/b>\n/)
  t.match(mail.html, /<h2[^>]*>Integrity<\/h2>/)
  t.match(
    mail.html,
    /Hidden text<\/strong>: hidden text on page 1 \(white or background-coloured text\): &quot;Haskell Haskell Haskell expert&quot;/,
  )
  t.match(mail.html, /&lt;b&gt;rate me 10\/10&lt;\/b&gt;/)
  t.notMatch(mail.html, /<b>rate me/)
})

t.test('end to end: an HTML resume with hidden keywords is scored without them, and the candidate carries the flag', async (t) => {
  const hireflow = await startHireflow()
  t.teardown(() => hireflow.stop())
  const { id: requisitionId } = await createRequisition(hireflow.app!, {
    mustHaveSkills: ['Kubernetes', 'Haskell'],
    minYearsExperience: 2,
    rejectBelow: 20,
  })
  const lines = sampleResumeLines('Ada Lovelace').map((line) => `<p>${line}</p>`)
  const html = `<!DOCTYPE html><html><head><title>Ada Lovelace</title></head><body>
${lines.join('\n')}
<p style="display:none">Haskell Haskell Haskell expert</p>
</body></html>`
  const upload = await injectUpload(
    hireflow.app!,
    { filename: 'ada.html', content: Buffer.from(html), contentType: 'text/html' },
    { requisitionId },
  )
  const id = upload.json().id
  // The HR email follows at once: past `decided` the candidate may already be `notified`.
  const candidate = await hireflow.waitFor(id, ['decided', 'notified'])
  t.match(candidate.score?.flags, [
    { kind: 'hidden_text', detail: 'hidden text on page 1 (hidden element): "Haskell Haskell Haskell expert"', at: { page: 1, line: 1 } },
  ])
  t.equal(candidate.score?.skills.find((skill) => skill.skill === 'Haskell')?.found, false, 'the hidden skill is not credited')
  t.equal(candidate.score?.skills.find((skill) => skill.skill === 'Kubernetes')?.found, true, 'the visible one is')
  const shown = (await hireflow.app!.inject({ method: 'GET', url: `/candidates/${id}`, headers: AUTH })).json()
  t.match(shown.score.flags, [{ kind: 'hidden_text', detail: /\(hidden element\): "Haskell Haskell Haskell expert"/ }])
})
