import t from 'tap'
import { detectResumeType, resumeKindForMediaType, SUPPORTED_RESUME_TYPES } from '../src/pipeline/detect.ts'
import { checkZip, DEFAULT_EXTRACTION_LIMITS, extractText, normaliseText, UnreadableResumeError } from '../src/pipeline/extract.ts'
import {
  makeBlankPdf,
  makeCorruptPdf,
  makeDocxResume,
  makeElfBinary,
  makeEncryptedPdf,
  makeManyEntryDocx,
  makePdfResume,
  makePng,
  makeTruncatedDocx,
  makeZip,
  makeZip64BombDeclaredDocx,
  makeZipBombDeclaredDocx,
  makeZipBombDocx,
  makeZipUnderstatedDocx,
  sampleResumeLines,
  utf16Variants,
} from './support/resumes.ts'
import { EXPECTED_RESUME_TYPES, unreadable } from './support/extraction.ts'

const lines = sampleResumeLines('Jane Doe')

t.test('detection by magic bytes', async (t) => {
  t.same(await detectResumeType(await makePdfResume(lines)), { kind: 'pdf', mediaType: 'application/pdf', extension: 'pdf' })
  t.same(await detectResumeType(await makeDocxResume(lines)), {
    kind: 'docx',
    mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    extension: 'docx',
  })
  t.same(await detectResumeType(Buffer.from(lines.join('\n'))), { kind: 'text', mediaType: 'text/plain', extension: 'txt' })

  // An ELF binary uploaded as resume.pdf: the name plays no part, so there is none to pass.
  t.same(await detectResumeType(makeElfBinary()), { kind: 'unsupported', detected: 'application/x-elf' })
  t.same(await detectResumeType(makePng()), { kind: 'image', mediaType: 'image/png', extension: 'png' })
  t.same(await detectResumeType(Buffer.concat([Buffer.from('MZ'), Buffer.alloc(256)])), {
    kind: 'unsupported',
    detected: 'application/x-msdownload',
  })
  t.same(await detectResumeType(makeZip([{ name: 'notes.txt', data: Buffer.from('hello') }])), {
    kind: 'unsupported',
    detected: 'application/zip',
  })
  t.same(await detectResumeType(Buffer.alloc(0)), { kind: 'unsupported', detected: 'application/x-empty' })
})

t.test('text detection accepts UTF-8 and refuses binary noise', async (t) => {
  const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Zoë Ångström\nSkills: Go, Rust')])
  t.equal((await detectResumeType(withBom)).kind, 'text')
  t.equal(
    (await detectResumeType(Buffer.from('Name\tRole\r\nJane\tEngineer\f'))).kind,
    'text',
    'tabs, CRLF and form feeds are ordinary text',
  )

  t.same(
    await detectResumeType(Buffer.from('Ren\xe9 Dupont, d\xe9veloppeur', 'latin1')),
    { kind: 'text', mediaType: 'text/plain', extension: 'txt' },
    'Latin-1 is not UTF-8, but is text (read as Windows-1252)',
  )
  t.same(
    await detectResumeType(Buffer.from('Jane\u0000Doe')),
    { kind: 'unsupported', detected: 'application/octet-stream' },
    'a NUL byte means binary',
  )
  const noisy = Buffer.from('Jane Doe ' + '\u0001\u0002\u0003'.repeat(10))
  t.same(
    await detectResumeType(noisy),
    { kind: 'unsupported', detected: 'application/octet-stream' },
    'many control characters mean binary',
  )
})

t.test('UTF-16 text is text, with or without a byte order mark', async (t) => {
  const resume = 'Zoë Ångström\nSenior Engineer\nSkills: Go, Rust, PostgreSQL\n'
  const TEXT = { kind: 'text', mediaType: 'text/plain', extension: 'txt' }
  for (const [label, bytes] of utf16Variants(resume)) {
    t.same(await detectResumeType(bytes), TEXT, `${label} is detected as text`)
    t.equal(await extractText(bytes, 'text'), resume.trim(), `${label} is decoded`)
  }
  // UTF-16 where a non-Latin script leaves few NUL bytes still has its BOM to go by.
  const cyrillic = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Мария Иванова\nРазработчик', 'utf16le')])
  t.equal(await extractText(cyrillic, 'text'), 'Мария Иванова\nРазработчик')
  t.same(await detectResumeType(cyrillic), TEXT)

  // Binary that only looks like UTF-16 at first sight stays binary.
  const shorts = Buffer.alloc(256)
  for (let i = 0; i < shorts.length; i += 2) shorts[i] = 1 + (i % 7) // little-endian 16-bit values 1 to 7: control characters
  t.same(await detectResumeType(shorts), { kind: 'unsupported', detected: 'application/octet-stream' })
  const oddLength = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Jane Doe', 'utf16le'), Buffer.from([0x41])])
  const odd = await unreadable(extractText(oddLength, 'text'))
  t.equal(odd.problem, 'damaged', 'a UTF-16 file cut in the middle of a character')
})

t.test('supported types for docs and the media type mapping back to a kind', async (t) => {
  t.same([...SUPPORTED_RESUME_TYPES], EXPECTED_RESUME_TYPES)
  for (const mediaType of SUPPORTED_RESUME_TYPES) t.ok(resumeKindForMediaType(mediaType), mediaType)
  t.equal(resumeKindForMediaType('application/zip'), undefined)
})

t.test('each format yields the same text', async (t) => {
  const expected = lines.filter((line) => line.length > 0)
  const fromPdf = await extractText(await makePdfResume(lines), 'pdf')
  const fromDocx = await extractText(await makeDocxResume(lines), 'docx')
  const fromText = await extractText(Buffer.from(lines.join('\r\n')), 'text')
  for (const [label, text] of [
    ['pdf', fromPdf],
    ['docx', fromDocx],
    ['text', fromText],
  ] as const) {
    // A stray \r would make a line differ here, so this also proves one line-ending convention.
    t.same(
      text.split('\n').filter((line) => line.length > 0),
      expected,
      `${label} keeps every line in order`,
    )
  }
  t.equal(fromText, lines.join('\n'), 'text keeps its single blank lines where they were')
})

t.test('text: BOM stripped, line endings normalised, Windows-1252 when not UTF-8, UTF-16 checked', async (t) => {
  const bom = Buffer.from([0xef, 0xbb, 0xbf])
  t.equal(await extractText(Buffer.concat([bom, Buffer.from('Jane Doe\r\nEngineer\rLeeds\r\n')]), 'text'), 'Jane Doe\nEngineer\nLeeds')
  const empty = await unreadable(extractText(Buffer.concat([bom, Buffer.from(' \r\n\t\n')]), 'text'))
  t.equal(empty.problem, 'no_text')
  t.equal(await extractText(Buffer.from('Ren\xe9', 'latin1'), 'text'), 'Ren\u00e9')
  // A byte order mark promises UTF-16; a lone surrogate breaks the promise.
  const broken = await unreadable(extractText(Buffer.from([0xff, 0xfe, 0x4a, 0x00, 0x00, 0xd8, 0x41, 0x00]), 'text'))
  t.equal(broken.problem, 'damaged')
  t.match(broken.message, /not valid UTF-16LE/)
})

t.test('the returned text is capped', async (t) => {
  const long = 'x'.repeat(1000) + '\n' + 'y'.repeat(1000)
  t.equal((await extractText(Buffer.from(long), 'text', { maxChars: 1500 })).length, 1500)
  t.equal((await extractText(Buffer.from(long), 'text')).length, 2001)
  t.equal(DEFAULT_EXTRACTION_LIMITS.maxChars, 200_000)
  // Cutting inside a surrogate pair would leave half a character behind.
  t.equal(normaliseText('ab😀', 3), 'ab')
  t.equal(normaliseText('a\n\n\n\n\nb \u0007\n', 100), 'a\n\nb', 'blank runs collapsed, control characters dropped')
})

t.test('PDF: encrypted', async (t) => {
  const error = await unreadable(extractText(makeEncryptedPdf(), 'pdf'))
  t.equal(error.reason, 'unreadable_resume')
  t.equal(error.problem, 'encrypted')
  t.match(error.message, /encrypted/)
  t.equal((error.cause as Error).name, 'PasswordException', 'pdf.js asked for a password')
})

t.test('PDF: corrupt', async (t) => {
  const error = await unreadable(extractText(makeCorruptPdf(), 'pdf'))
  t.equal(error.reason, 'unreadable_resume')
  t.equal(error.problem, 'damaged')
  t.match(error.message, /the PDF is damaged/)
})

t.test('PDF: no text (a scan)', async (t) => {
  const error = await unreadable(extractText(await makeBlankPdf(2), 'pdf'))
  t.equal(error.problem, 'no_text')
  t.match(error.message, /no text could be extracted/)
})

t.test('PDF: page cap and time cap', async (t) => {
  const many = Array.from({ length: 300 }, (_, i) => `Line ${i + 1} of a very long resume`)
  const pdf = await makePdfResume(many)
  const firstPage = await extractText(pdf, 'pdf', { maxPages: 1 })
  t.match(firstPage, /^Line 1 of/)
  t.notMatch(firstPage, /Line 300 of/, 'pages past the cap are not read')
  t.match(await extractText(pdf, 'pdf'), /Line 300 of/)

  const slow = await unreadable(extractText(pdf, 'pdf', { timeoutMs: 1 }))
  t.equal(slow.problem, 'too_slow')
  t.match(slow.message, /took longer than 1 ms/)
  // The timed-out document was destroyed; the next one reads normally.
  t.match(await extractText(pdf, 'pdf', { maxPages: 1 }), /^Line 1 of/)
})

t.test('DOCX: zip bombs are refused before mammoth sees them', async (t) => {
  const declared = await unreadable(extractText(makeZipBombDeclaredDocx(), 'docx'))
  t.equal(declared.problem, 'too_large')
  t.match(declared.message, /inflate to more than 50 MiB/)

  const zip64 = await unreadable(extractText(makeZip64BombDeclaredDocx(), 'docx'))
  t.equal(zip64.problem, 'too_large', 'a size declared in a ZIP64 extra field counts too')

  const bomb = makeZipBombDocx(128 * 1024 * 1024)
  const started = Date.now()
  const real = await unreadable(extractText(bomb, 'docx'))
  t.equal(real.problem, 'too_large', 'a real 128 MiB bomb is refused from its headers')
  // mammoth would spend seconds and gigabytes on it; the header walk takes milliseconds.
  t.ok(Date.now() - started < 1000, 'refused without inflating')

  const dense = await unreadable(extractText(makeZipBombDocx(20 * 1024 * 1024), 'docx'))
  t.equal(dense.problem, 'too_large', 'under the size cap, the ratio gives a bomb away')
  t.match(dense.message, /compressed more than 100 to 1/)

  const understated = await unreadable(extractText(makeZipUnderstatedDocx(8 * 1024 * 1024), 'docx'))
  t.equal(understated.problem, 'too_large', 'headers that understate the size are caught while inflating')
  t.match(understated.message, /inflates beyond its declared/)

  const crowded = await unreadable(extractText(makeManyEntryDocx(1500), 'docx'))
  t.equal(crowded.problem, 'too_large')
  t.match(crowded.message, /1500 entries/)

  await t.resolves(checkZip(await makeDocxResume(lines), DEFAULT_EXTRACTION_LIMITS), 'an ordinary DOCX passes')
})

t.test('DOCX: damaged', async (t) => {
  const truncated = await unreadable(extractText(await makeTruncatedDocx(lines), 'docx'))
  t.equal(truncated.problem, 'damaged')
  t.match(truncated.message, /the DOCX is damaged/)

  const notWord = await unreadable(extractText(makeZip([{ name: 'notes.txt', data: Buffer.from('hello') }]), 'docx'))
  t.equal(notWord.problem, 'damaged', 'a zip without a Word document is damaged as a DOCX')

  const empty = await unreadable(extractText(await makeDocxResume(['', '   ']), 'docx'))
  t.equal(empty.problem, 'no_text')
})

t.test('UnreadableResumeError from outside the extractor', async (t) => {
  const error = new UnreadableResumeError('resumes of type image/png cannot be read')
  t.equal(error.reason, 'unreadable_resume')
  t.equal(error.problem, 'other')
  t.equal(error.name, 'UnreadableResumeError')
  t.equal(error.cause, undefined, 'no cause unless one is given')
  const wrapped = new UnreadableResumeError('the PDF is damaged', { problem: 'damaged', cause: new Error('bad xref') })
  t.equal((wrapped.cause as Error).message, 'bad xref')
})
