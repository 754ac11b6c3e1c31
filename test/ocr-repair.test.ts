// OCR's misreadings where one character changes the meaning: addresses and "UI".
import t from 'tap'
import { repairOcrText } from '../src/pipeline/ocr/repair.ts'

t.test('a slash of // read as a letter, or dropped', async (t) => {
  t.equal(repairOcrText('https:/iwww.linkedin.com/in/fatimahaddad'), 'https://www.linkedin.com/in/fatimahaddad')
  t.equal(repairOcrText('see http:/github.com/jane'), 'see http://github.com/jane')
  t.equal(repairOcrText('https:/lgithub.com/jane'), 'https://github.com/jane')
  t.equal(repairOcrText('https://github.com/jane'), 'https://github.com/jane', 'a whole address is left alone')
})

t.test("LinkedIn's /in/ path with its second slash read as a letter or lost", async (t) => {
  t.equal(repairOcrText('https:/iwww.linkedin.com/infamara-okafor'), 'https://www.linkedin.com/in/amara-okafor')
  t.equal(repairOcrText('linkedin.com/injane-doe'), 'linkedin.com/in/jane-doe')
  t.equal(repairOcrText('linkedin.com/in/jane-doe'), 'linkedin.com/in/jane-doe')
})

t.test('a bar opening an email address is an l', async (t) => {
  t.equal(repairOcrText('|.brenner@example.org | +49 30 1234'), 'l.brenner@example.org | +49 30 1234')
  t.equal(repairOcrText('Berlin | Germany'), 'Berlin | Germany', 'a separator stays')
})

t.test('"Ul" is UI', async (t) => {
  t.equal(repairOcrText('Ul Engineer, SwiftUl and UIKit'), 'UI Engineer, SwiftUI and UIKit')
  t.equal(repairOcrText('Uludag University, Ulm'), 'Uludag University, Ulm', 'words that start with Ul are left alone')
})

t.test('linear on hostile input', async (t) => {
  const hostile = `${'https:/'.repeat(20_000)}${'linkedin.com/in'.repeat(20_000)}${'|'.repeat(50_000)}`
  const started = performance.now()
  repairOcrText(hostile)
  t.ok(performance.now() - started < 2000)
})
