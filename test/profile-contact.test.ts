// Contact details as real templates print them: date stamps above the name, words
// glued by the text layer, masked phones, icon handles with the addresses of a PDF's
// link annotations after the last section, and contact lines repeated in a footer.
import t from 'tap'
import type { Profile } from '../src/domain/candidate.ts'
import { extractProfile } from '../src/pipeline/profile.ts'

const NOW = new Date('2025-06-15T12:00:00Z')
const profile = (text: string): Profile => extractProfile(text, NOW)
const urls = (text: string) => profile(text).links.map((link) => `${link.kind} ${link.url}`)

// ---------------------------------------------------------------- names

t.test('name: a "last updated" stamp above the name is not the name', async (t) => {
  const text = ['Last Updated on 3rd March 2024', 'Priya Raman', 'pr@example.org | 555.201.7788', 'EDUCATION'].join('\n')
  t.equal(profile(text).name, 'Priya Raman')
  t.equal(profile(['Last revised 04/2023', 'Tomas Berg', 'tb@example.org'].join('\n')).name, 'Tomas Berg')
})

t.test('name: glued by the text layer to the word after it', async (t) => {
  t.equal(profile('Marta Lindqvist CurriculumEngineer and Designer\nmarta@example.org').name, 'Marta Lindqvist', 'glued to a title')
  t.equal(profile('Marta Lindqvist ResumeAnalyst\nmarta@example.org').name, 'Marta Lindqvist', 'a heading glued to a title')
  t.equal(
    profile('Omar Haddad42 Cedar Lane, Apt 5, Portland, Oregon 97201, USA\nomar@example.org').name,
    'Omar Haddad',
    'glued to a house number',
  )
  t.equal(profile('Sean McDonald\nsean@example.org').name, 'Sean McDonald', 'a capital inside a real name stays')
  t.equal(
    profile('Minji KangDevOps Engineer · Software Architect\nminji@example.org').name,
    'Minji Kang',
    'glued to a title word that has a capital inside',
  )
  t.equal(profile('Tom LeBlanc\ntom@example.org').name, 'Tom LeBlanc')
})

t.test('links: a bare domain named after the candidate, the domain of their email, is their site', async (t) => {
  t.same(urls('Arjun Mehta  Email: arjun@arjunmehta.dev\narjunmehta.dev  Mobile: +1-555-010-2030'), ['website https://arjunmehta.dev'])
  t.same(urls('Arjun Mehta  Email: arjun@quillsoft.com\nquillsoft.com  Mobile: +1-555-010-2030'), [], 'the employer’s domain is not')
})

t.test('name: a street line in a contact block is not the name', async (t) => {
  const text = [
    'SKILLS',
    'Rust 4+ yrs',
    'CONTACT',
    'Harbour St. 9',
    '54321 Elsewhere',
    '+44 20 7946 0958',
    'mail@example.org',
    'NADIA OKAFOR',
    'Platform Engineer',
    'PROFILE',
    'Builds things.',
  ].join('\n')
  t.equal(profile(text).name, 'Nadia Okafor')
})

t.test('name: initials written against the name; an address line starting with its house number gives none', async (t) => {
  const lines = (first: string) =>
    [first, '5A/453, Caldwell Colony, 4th Street East,', 'Tuticorin-628008', 'PROFILE', 'A fresher.'].join('\n')
  t.equal(profile(lines('A.Aishwarya')).name, 'A. Aishwarya')
  t.equal(profile(lines('R.K.Narayan')).name, 'R.K. Narayan')
  t.equal(profile(lines('K.Ramesh Kumar')).name, 'K. Ramesh Kumar')
  // A one-word name is not believed; the colony and the street are places, not a person.
  t.equal(profile(lines('Aishwarya')).name, null)
  t.equal(profile(['Sector 5, Model Colony', 'Ravi Shankar', 'ravi@example.org'].join('\n')).name, 'Ravi Shankar')
})

t.test('name: a first and last name a double space apart; the labels of a contact block are no name', async (t) => {
  const text = [
    'Ashish  Kumar',
    'MOBILE  EMAIL GITHUB          LINKEDIN',
    '7905212893 ak6706072@gmail.com @AK6706072 ashish-kumar-834165184',
    'PROFILE SUMMARY',
    'BCA in Computer Science.',
  ].join('\n')
  t.equal(profile(text).name, 'Ashish Kumar')
  t.equal(profile(text.replace('Ashish  Kumar', 'Ashish')).name, null, 'not "Email Github"')
})

// ---------------------------------------------------------------- phones

t.test('phone: a masked number is read as printed, with its country code', async (t) => {
  t.equal(profile('Lena Vogt\nlena@example.org · +49 151 *** *** **\nEXPERIENCE').phone, '+49 151 *** *** **')
  t.equal(profile('Sam Ortiz\n+1 (xxx) xxx-xxxx | Austin, TX | sam@example.org').phone, '+1 (xxx) xxx-xxxx')
  t.equal(profile('Lena Vogt\n+49 151 234 *** **\nlena@example.org').phone, '+49 151 234 *** **', 'not cut before the mask')
  t.equal(profile('Lena Vogt\nlena@example.org\nxxx-xxxx placeholder').phone, null, 'without a country code a mask is no phone')
})

t.test('phone: ending a header line that an inline label opened', async (t) => {
  const text = [
    'Lena Vogt Developer',
    'Tools: Rust, Go, Terraform lena@example.org',
    'Hobbies: Chess, Running +49 151 2345 6789',
    'Summary',
    'Ten years of systems work.',
  ].join('\n')
  t.equal(profile(text).phone, '+49 151 2345 6789')
})

t.test('phone: three digits, two, four is a number, not a date', async (t) => {
  t.equal(profile('Ana Cruz\nana@example.org  415-55-0199\nEXPERIENCE').phone, '415-55-0199')
  t.equal(profile('Ana Cruz\nana@example.org  12-05-2020\nEXPERIENCE').phone, null, 'day, month, year is a date')
})

// ---------------------------------------------------------------- links

t.test('links: the own site on the email domain, written with www', async (t) => {
  t.same(urls('Lena Vogt\nhello@lenavogt.de · www.lenavogt.de\nEXPERIENCE'), ['website https://www.lenavogt.de'])
  t.same(urls('Lena Vogt\nlena@fastmail.com · fastmail.com\nEXPERIENCE'), [], 'the bare mail domain is still no site')
})

t.test('links: a contact line repeated in a footer, after the last section', async (t) => {
  const text = [
    'Lena Vogt',
    'lena@example.org',
    'EDUCATION',
    'MSc Informatics, TU Berlin, 2015 - 2017',
    'www.lenavogt.de · github.com/lvogt',
  ].join('\n')
  t.same(urls(text), ['website https://www.lenavogt.de', 'github https://github.com/lvogt'])
  const project = ['Lena Vogt', 'lena@example.org', 'PROJECTS', 'Ledger tool, see www.ledgertool.io and docs'].join('\n')
  t.same(urls(project), [], 'a site in a sentence further down is not the candidate’s')
})

t.test('links: labels of links side by side are no handles ("LinkedIn | GitHub")', async (t) => {
  const text = ['Omar Ashraf', 'Cairo, Egypt | omar@example.org | +20 115 606 6705', 'LinkedIn | GitHub', 'SUMMARY', 'Pentester.'].join(
    '\n',
  )
  t.same(urls(text), [])
  t.same(urls(text.replace('LinkedIn | GitHub', 'LinkedIn | omar-ashraf')), ['linkedin https://www.linkedin.com/in/omar-ashraf'])
})

t.test('links: profiles on social and research sites, from annotation lines', async (t) => {
  const text = [
    'Ravi Menon',
    'ravi.menon@example.org',
    '@ravimenon_dev  0000-0002-1825-0097  rmenon',
    'EXPERIENCE',
    'Engineer, Acme Corp, 2019 - 2023',
    'PUBLICATIONS',
    'A paper, 2022.',
    'https://twitter.com/ravimenon_dev',
    'https://orcid.org/0000-0002-1825-0097',
    'https://gitlab.com/rmenon',
    'https://www.youtube.com/@RaviMenonTalks',
  ].join('\n')
  t.same(urls(text), [
    'website https://twitter.com/ravimenon_dev',
    'website https://orcid.org/0000-0002-1825-0097',
    'website https://gitlab.com/rmenon',
    'website https://www.youtube.com/@RaviMenonTalks',
  ])
})

t.test('links: profiles of others and other pages of those sites are not the candidate’s', async (t) => {
  const text = [
    'Ravi Menon',
    'ravi.menon@example.org',
    'EXPERIENCE',
    'Engineer, Acme Corp, 2019 - 2023',
    'Grew the https://twitter.com/acmecorp account to 10k followers',
    'https://twitter.com/acmecorp',
    'https://gitlab.com/acme/platform',
    'https://www.quora.com/What-is-the-best-editor',
  ].join('\n')
  t.same(urls(text), [])
  t.same(
    urls('Ravi Menon\nravi.menon@example.org · https://twitter.com/search · https://gitlab.com/explore'),
    [],
    'site pages, not accounts',
  )
})

t.test('links: a profile site in the contact block needs no resemblance', async (t) => {
  t.same(urls('Ravi Menon\nravi.menon@example.org | https://x.com/@night_owl | https://stackoverflow.com/users/12345/owl'), [
    'website https://x.com/@night_owl',
    'website https://stackoverflow.com/users/12345/owl',
  ])
})

t.test('links: a site root or a trailing slash before a capitalised word ends the address; a StackOverflow /u/ profile', async (t) => {
  const text = [
    'Lena Brook',
    'lena@brook.dev · https://lenabrook.dev/',
    'lenabrook lenabrook',
    'Experience',
    'Acme Corp 2020 - 2023',
    'https://acme.example.com/team/',
    'Spearheaded the rewrite of the billing service',
    'https://stackoverflow.com/u/lenabrook',
  ].join('\n')
  t.same(urls(text), ['website https://lenabrook.dev', 'website https://stackoverflow.com/u/lenabrook'])
})

t.test('header: a sidebar read before the main column leaves the name and phone beside the email, under its sections', async (t) => {
  const text = [
    'Profiles',
    'kaito',
    'GitHub',
    'Skills',
    'Go, Rust',
    'Languages',
    'Japanese',
    'Native Speaker',
    'Kaito Mori',
    'Backend Developer',
    'Osaka, Japan (555) 010-4477 kaito.mori@example.com',
    'Summary',
    'Builds payment systems.',
  ].join('\n')
  const read = profile(text)
  t.equal(read.name, 'Kaito Mori')
  t.equal(read.phone, '(555) 010-4477')
  t.equal(read.email, 'kaito.mori@example.com')
})

t.test('contact text is read in linear time', async (t) => {
  const started = performance.now()
  profile(`Jane Doe\n${'+1 (xx'.repeat(20_000)}\n${'https://x.com/'.repeat(5_000)}\n${'AbcDef'.repeat(20_000)}`)
  t.ok(performance.now() - started < 2_000)
})
