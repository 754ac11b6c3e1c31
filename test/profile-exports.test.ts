// Two layouts HR receives as often as any typeset resume: LinkedIn's "Save to
// PDF" profile export (sidebar printed before the name) and the Europass CV
// (labelled personal data, dates above each role, CEFR language grid).
import t from 'tap'
import type { Profile } from '../src/domain/candidate.ts'
import { extractProfile } from '../src/pipeline/profile.ts'

const NOW = new Date('2024-12-15T12:00:00Z')
const profile = (text: string): Profile => extractProfile(text, NOW)
const work = (p: Profile) => (p.work ?? []).map((entry) => [entry.title, entry.employer, entry.start, entry.end, entry.current])
const education = (p: Profile) => (p.education ?? []).map((entry) => [entry.degree, entry.field, entry.institution, entry.start, entry.end])

// The text pdf.js reads out of LinkedIn's export: sidebar first, then the main column; a form feed between pages.
const LINKEDIN = [
  'Contact',
  'priya.nair@example.com',
  'www.linkedin.com/in/priyanair-dev',
  '(LinkedIn)',
  'Top Skills',
  'Kubernetes',
  'Go (Programming Language)',
  'Amazon Web Services (AWS)',
  'Languages',
  'English (Native or Bilingual)',
  'Hindi (Professional Working)',
  'Tamil (Elementary)',
  'Certifications',
  'Certified Kubernetes Administrator (CKA)',
  'Honors-Awards',
  'Best Paper Award',
  'Priya Nair',
  'Senior Site Reliability Engineer at Finlytics | Kubernetes, Go,',
  'Observability',
  'Bengaluru, Karnataka, India',
  'Summary',
  'Site reliability engineer with a taste for boring, dependable systems.',
  'Experience',
  'Finlytics',
  'Senior Site Reliability Engineer',
  'March 2021 - Present (3 years 10 months)',
  'Bengaluru, Karnataka, India',
  'Ran the payments platform on Kubernetes.',
  'Northwind Logistics',
  '4 years 2 months',
  'Site Reliability Engineer',
  'January 2019 - February 2021 (2 years 2 months)',
  'Pune, Maharashtra, India',
  'Platform Engineer',
  'January 2017 - December 2018 (2 years)',
  'Pune, Maharashtra, India',
  'Built the deploy pipeline.',
  'Page 1 of 2',
  '\fContoso Retail',
  'Intern',
  'June 2016 - August 2016 (3 months)',
  'Mumbai, Maharashtra, India',
  'Education',
  'Indian Institute of Technology, Bombay',
  'Bachelor of Technology - BTech, Computer Science · (2012 - 2016)',
  'Page 2 of 2',
].join('\n')

t.test('LinkedIn profile export: the header after the sidebar, roles grouped by employer', async (t) => {
  const p = profile(LINKEDIN)
  t.equal(p.name, 'Priya Nair', 'the name comes after the sidebar, and an award that reads like a name is passed over')
  t.equal(p.email, 'priya.nair@example.com')
  t.equal(p.location, 'Bengaluru, Karnataka, India')
  t.same(p.links, [{ kind: 'linkedin', url: 'https://www.linkedin.com/in/priyanair-dev', at: { page: 1, line: 3, section: 'Contact' } }])
  t.same(work(p), [
    ['Senior Site Reliability Engineer', 'Finlytics', '2021-03', null, true],
    ['Site Reliability Engineer', 'Northwind Logistics', '2019-01', '2021-02', false],
    ['Platform Engineer', 'Northwind Logistics', '2017-01', '2018-12', false],
    ['Intern', 'Contoso Retail', '2016-06', '2016-08', false],
  ])
  t.same(
    (p.work ?? []).map((entry) => entry.at.line),
    [24, 29, 34, 39],
    'each role starts at its employer line, a grouped role at its title',
  )
  t.same(education(p), [['Bachelor of Technology', 'Computer Science', 'Indian Institute of Technology, Bombay', '2012', '2016']])
  t.same(p.skills, ['Kubernetes', 'Go', 'AWS'])
  t.same(p.languages, ['English (native)', 'Hindi (professional)', 'Tamil (basic)'])
  t.same(p.certificates, ['Certified Kubernetes Administrator (CKA)'], "the sidebar's last list stops above the name")
})

t.test('the same lines without the export markers are not read as LinkedIn', async (t) => {
  const plain = LINKEDIN.replace('(LinkedIn)\n', '')
    .replace(/Page \d of 2\n?/g, '')
    .replace('Top Skills', 'Skills')
  t.not(profile(plain).name, 'Priya Nair')
})

// A Europass CV as its online editor prints it; the second role in the older bracketed form.
const EUROPASS = [
  'Lukas Schmidt',
  'Date of birth: 14/05/1990 Nationality: German',
  'Telephone number: (+49) 176 1234 5678 (Mobile)',
  'Email address: lukas.schmidt@example.com',
  'LinkedIn: https://www.linkedin.com/in/lukas-schmidt-dev',
  'Address: Lindenstraße 12, 10969 Berlin, Germany (Home)',
  'WORK EXPERIENCE',
  '01/03/2019 – CURRENT Berlin, Germany',
  'SOFTWARE ENGINEER ACME GMBH',
  'Builds the billing services in Go and PostgreSQL.',
  '[ 01/09/2015 – 28/02/2019 ]',
  'Junior Developer Globex AG',
  'Munich, Germany',
  'Maintained the order system.',
  'EDUCATION AND TRAINING',
  '01/10/2012 – 30/09/2015 Munich, Germany',
  'BACHELOR OF SCIENCE IN COMPUTER SCIENCE Technical University of Munich',
  'LANGUAGE SKILLS',
  'Mother tongue(s): GERMAN',
  'Other language(s):',
  'ENGLISH',
  'Listening C1 Reading C1 Spoken production B2 Spoken interaction C1 Writing B2',
  'FRENCH',
  'Listening A2 Reading B1 Spoken production A2 Spoken interaction A2 Writing A1',
  'DIGITAL SKILLS',
  'Go | PostgreSQL | Docker | Kubernetes',
  'DRIVING LICENCE',
  'Driving Licence: B',
].join('\n')

t.test('Europass CV: labelled personal data, dates above each role, the CEFR grid', async (t) => {
  const p = profile(EUROPASS)
  t.equal(p.name, 'Lukas Schmidt')
  t.equal(p.email, 'lukas.schmidt@example.com')
  t.equal(p.phone, '+49 176 1234 5678', "the country code's brackets go")
  t.equal(p.location, 'Berlin, Germany')
  t.same(
    p.links.map((link) => link.url),
    ['https://www.linkedin.com/in/lukas-schmidt-dev'],
  )
  t.same(work(p), [
    ['SOFTWARE ENGINEER', 'ACME GMBH', '2019-03', null, true],
    ['Junior Developer', 'Globex AG', '2015-09', '2019-02', false],
  ])
  t.same(education(p), [['BACHELOR OF SCIENCE', 'COMPUTER SCIENCE', 'Technical University of Munich', '2012-10', '2015-09']])
  t.same(p.languages, ['German (native)', 'English (C1)', 'French (A2)'], "the grid's middle level")
  t.same(p.skills, ['Go', 'PostgreSQL', 'Docker', 'Kubernetes'], 'the driving licence is no skill')
  t.same(p.certificates, [])
})

// The older Europass layout: the label in the margin beside the name, the country in brackets, the grid on each language's line.
const EUROPASS_OLDER = [
  'Curriculum Vitae',
  'PERSONAL INFORMATION Ana Kovač',
  'Ulica Grada Vukovara 10, 10000 Zagreb (Croatia)',
  '+385 91 234 5678',
  'ana.kovac@example.com',
  'https://anakovac.dev',
  'Sex Female | Date of birth 02/11/1992 | Nationality Croatian',
  'WORK EXPERIENCE',
  '[ 01/06/2020 – Current ]',
  'Data Analyst Infobip d.o.o.',
  'Zagreb, Croatia',
  '▪ Built the churn dashboards.',
  '[ 15/09/2017 – 31/05/2020 ]',
  'Junior Analyst',
  'Erste Bank',
  'EDUCATION AND TRAINING',
  '[ 2011 – 2016 ]',
  'Master of Economics',
  'University of Zagreb',
  'LANGUAGE SKILLS',
  'Mother tongue(s): Croatian',
  'Other language(s): English, German',
  'UNDERSTANDING SPEAKING WRITING',
  'Listening Reading Spoken production Spoken interaction',
  'English C1 C1 B2 C1 B2',
  'German B1 B2 A2 A2 A2',
  'DIGITAL SKILLS',
  'Microsoft Excel, SQL, Power BI, Python',
].join('\n')

t.test('older Europass CV: margin label, bracketed country, languages graded after they are named', async (t) => {
  const p = profile(EUROPASS_OLDER)
  t.equal(p.name, 'Ana Kovač')
  t.equal(p.email, 'ana.kovac@example.com')
  t.equal(p.phone, '+385 91 234 5678')
  t.equal(p.location, 'Zagreb, Croatia')
  t.same(
    p.links.map((link) => link.url),
    ['https://anakovac.dev'],
  )
  t.same(work(p), [
    ['Data Analyst', 'Infobip d.o.o.', '2020-06', null, true],
    ['Junior Analyst', 'Erste Bank', '2017-09', '2020-05', false],
  ])
  t.same(education(p), [['Master', 'Economics', 'University of Zagreb', '2011', '2016']])
  t.same(p.languages, ['Croatian (native)', 'English (C1)', 'German (A2)'])
  t.same(p.skills, ['Microsoft Excel', 'SQL', 'Power BI', 'Python'])
  t.same(p.certificates, [])
})
