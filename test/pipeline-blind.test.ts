// Blind screening removes what could identify sex, age, origin or family,
// keeps every line in its place, and leaves the work and skills alone.
import t from 'tap'
import { redactForBlindScreening } from '../src/pipeline/blind.ts'
import { scoreResume } from '../src/pipeline/score.ts'

const resume = [
  'Maria Schmidt',
  'Senior Engineer',
  'Hauptstraße 12, 10115 Berlin',
  '221B Baker Street, London NW1 6XE',
  'Date of birth: 04.03.1988',
  'Nationality: German',
  'Marital status: married, two children',
  '\fEXPERIENCE',
  'Ms Schmidt led the payments team; she introduced Kubernetes and Go.',
  'Staff Engineer, Northwind, 2019 - Present',
  'SKILLS',
  'Kubernetes, Go, PostgreSQL',
].join('\n')

t.test('personal particulars go, work and skills stay, lines keep their places', async (t) => {
  const blind = redactForBlindScreening(resume, { name: 'Maria Schmidt' })
  const lines = blind.split('\n')
  t.equal(lines.length, resume.split('\n').length)
  t.equal(lines[0], '[redacted] [redacted]', 'the name')
  t.equal(lines[2], '', 'the address')
  t.equal(lines[3], '', 'an English address')
  t.equal(lines[4], '', 'the date of birth')
  t.equal(lines[5], '', 'the nationality')
  t.equal(lines[6], '', 'marital status and children')
  t.equal(lines[7], '\fEXPERIENCE', 'headings and page breaks stay')
  t.equal(lines[8], '[redacted] [redacted] led the payments team; [redacted] introduced Kubernetes and Go.')
  t.equal(lines[9], 'Staff Engineer, Northwind, 2019 - Present')
  t.notMatch(blind, /Maria|Schmidt|1988|German|married|Hauptstraße/)
})

t.test('the score is the same blind or not: nothing a scorer may use is taken away', async (t) => {
  const requisition = { mustHaveSkills: ['Kubernetes', 'Go'], niceToHaveSkills: ['PostgreSQL', 'Rust'] }
  t.equal(
    scoreResume(redactForBlindScreening(resume, { name: 'Maria Schmidt' }), requisition).value,
    scoreResume(resume, requisition).value,
  )
})

t.test('ordinary words are not taken for particulars or names', async (t) => {
  const text = [
    'Agile coach; the single source of truth for the release process',
    'Age of Empires modding community lead',
    'Hermes messaging platform; studied at Leeds',
    'Marital arts club treasurer',
    'Managed 3 teams across the way we ship; 12 Services moved to Kubernetes',
  ].join('\n')
  t.equal(redactForBlindScreening(text, { name: 'Ana Lee' }), text)
})
