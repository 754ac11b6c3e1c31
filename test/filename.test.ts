// Names offered to HR for a resume: the sender's name, made safe, with the
// extension of the type detected from the bytes.
import t from 'tap'
import { attachmentDisposition, filenameForType, sanitizeFilename } from '../src/domain/filename.ts'
import { headerText, singleLine } from '../src/domain/display-text.ts'

t.test("the extension is the detected type, the base name is the sender's", async (t) => {
  const cases: [string, string, string, string][] = [
    ['Resume.bat', 'txt', 'Resume.txt', 'a text file named .bat'],
    ['cv.docx', 'txt', 'cv.txt', 'a text file named .docx'],
    ['cv.docx', 'html', 'cv.html', 'an HTML page named .docx'],
    ['cv.docx', 'doc', 'cv.doc', 'a Word 97 file named .docx'],
    ['cv.doc', 'rtf', 'cv.rtf', 'Word saves RTF under .doc too'],
    ['cv.htm', 'html', 'cv.htm', 'another spelling of the same type is kept'],
    ['Jane Doe CV.pdf', 'pdf', 'Jane Doe CV.pdf', 'the right extension is kept'],
    ['CV.PDF', 'pdf', 'CV.PDF', "the sender's case is kept when the type matches"],
    ['Jane Doe CV', 'pdf', 'Jane Doe CV.pdf', 'no extension: one is added'],
    ['Resume v2.1', 'docx', 'Resume v2.1.docx', 'a version number is not an extension'],
    ['J. Smith CV', 'txt', 'J. Smith CV.txt', 'a dot inside the name is not an extension'],
    ['report.pdf.exe', 'pdf', 'report.pdf.pdf', 'only the last extension is replaced'],
    ['cv\u202Efdp.exe', 'pdf', 'cvfdp.pdf', 'bidi controls go before the extension is judged'],
    ['../../etc/passwd', 'txt', 'passwd.txt', 'no path'],
    ['', 'pdf', 'resume.pdf', 'no name at all'],
    ['\u0000..', 'docx', 'resume.docx', 'nothing usable in the name'],
    ['.bashrc', 'txt', 'bashrc.txt', 'no hidden file'],
    ['notes.TXT', '.txt', 'notes.TXT', 'a leading dot on the detected extension is tolerated'],
    ['odd name.xyz', '', 'odd name.xyz', 'no detected extension: the sanitised name is all there is'],
  ]
  for (const [name, extension, expected, why] of cases) t.equal(filenameForType(name, extension), expected, why)
})

t.test('a long name stays bounded and keeps the detected extension', async (t) => {
  const name = filenameForType(`${'x'.repeat(400)}.bat`, 'pdf')
  t.ok(name.length <= 150, `${name.length} characters`)
  t.match(name, /^x+\.pdf$/)
})

t.test('downloads offer the typed name', async (t) => {
  t.equal(attachmentDisposition(filenameForType('Resume.bat', 'txt')), 'attachment; filename="Resume.txt"')
})

t.test('one rule for text on one line', async (t) => {
  t.equal(singleLine(' a\r\nBcc: x\u2028y\u202Ez\u0085 '), ' a Bcc: x yz  ', 'controls become a space, bidi controls go, edges kept')
  t.equal(headerText(' a\r\n\r\nb\u2066c\u2069\t '), 'a bc', 'a header value is also trimmed and collapsed')
  t.equal(headerText('a\r\nb', ''), 'ab', 'or controls can be dropped')
  t.equal(sanitizeFilename('"evil"\r\n.pdf'), '_evil_.pdf', 'filenames drop controls')
})
