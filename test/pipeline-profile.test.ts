import t from 'tap'
import type { Profile } from '../src/domain/candidate.ts'
import { extractProfile } from '../src/pipeline/profile.ts'
import { findRanges } from '../src/pipeline/profile/dates.ts'

/** Where a field was read: page, line, section. */
const at = (page: number, line: number, section: string | null) => ({ page, line, section })

const listed = (name: string, written: string, where: ReturnType<typeof at>) => ({ name, written, at: where })

const NOW = new Date('2025-06-15T12:00:00Z')
const profile = (text: string): Profile => extractProfile(text, NOW)
/** Links without where they were read (a test of its own checks that). */
const bareLinks = (links: Profile['links']) => links.map(({ kind, url }) => ({ kind, url }))
const links = (text: string) => bareLinks(profile(text).links)
/** A profile without the provenance of links and listed items, for tests about what was read rather than where. */
const core = (read: Profile): Profile => {
  const { skills: _skills, languages: _languages, certificates: _certificates, location: _location, ...sources } = read.sources!
  return { ...read, links: bareLinks(read.links), sources }
}
const work = (text: string) =>
  (profile(text).work ?? []).map((entry) => [entry.title, entry.employer, entry.start, entry.end, entry.current, entry.kind])

// ---------------------------------------------------------------- names

t.test('name: glued to the title or the contact line by the text layer', async (t) => {
  t.equal(profile('JANE DOE Senior Engineer jane.doe@example.com').name, 'Jane Doe')
  t.equal(profile('Jane Doe Software Engineer | Berlin, Germany | +49 170 1234567').name, 'Jane Doe')
  t.equal(profile('JANE DOE Berlin\njane@example.com').name, 'Jane Doe', 'a shouted name ends where the case changes')
  t.equal(
    profile('Marta Kowalska Warsaw\nmarta.kowalska@example.com').name,
    'Marta Kowalska',
    'a third word the email does not know is cut',
  )
  t.equal(profile('Oliver Grant Full Stack Developer\noliver.grant@example.co.uk').name, 'Oliver Grant', '"Full Stack" is a title')
})

t.test('name: letter-spaced', async (t) => {
  t.equal(profile('J A R E D  S M I T H\nSoftware Engineer\njared.smith@example.com').name, 'Jared Smith')
  t.equal(profile('J A R E D S M I T H\njared.smith@example.com').name, 'Jared Smith', 'single-spaced: split where the email splits')
  t.equal(profile('J A R E D S M I T H\njs@example.com').name, null, 'no way to split it: no name rather than a wrong one')
})

t.test('name: not an employer, a city, a heading or a title', async (t) => {
  t.equal(profile('Acme Corporation\nJane Roe\njane.roe@example.com').name, 'Jane Roe')
  t.equal(profile('New York, NY\nJane Roe\njane.roe@example.com').name, 'Jane Roe')
  t.equal(profile('EXPERIENCE\nSenior Engineer at Google').name, null)
  t.equal(profile('W O R K  E X P E R I E N C E\nAcme Payments').name, null, 'a letter-spaced heading')
  t.equal(profile('Senior Software Engineer\nPriya Raman\npriya@example.com').name, 'Priya Raman')
  t.equal(profile('Dr. Elena Novak\nelena@example.com').name, 'Elena Novak', 'honorifics are not part of the name')
  t.equal(profile('Personal Details\nName: Katharina Schulz\nDate of birth: 14.03.1992').name, 'Katharina Schulz')
  t.equal(profile('Cloud Platform Team\nMarco Rossi\nm.rossi@example.com').name, 'Marco Rossi', 'the email settles two plausible lines')
  t.equal(profile('Ludwig van Beethoven\nludwig@example.com').name, 'Ludwig van Beethoven')
  t.equal(profile('JANE\nDOE\njane.doe@example.com').name, 'Jane Doe', 'first and last name stacked on two lines')
  t.equal(profile('Resume of John Smith\njohn@example.com').name, 'John Smith')
  t.equal(profile('Google\nSoftware Engineer\nPriya Patel\npriya.patel@example.com').name, 'Priya Patel')
  t.equal(profile('Priya Patel, MBA\npriya.patel@example.com').name, 'Priya Patel')
})

// ---------------------------------------------------------------- phones

t.test('phone: not grades, years, date ranges or postcodes', async (t) => {
  t.equal(profile('John Smith\njohn@example.com\nEducation\nSemester grades: 85 90 78 92 88\nGPA 3.85 4.00').phone, null)
  t.equal(profile('John Smith\nMarks 1.7 2.3 1.0 2.0 1.3').phone, null)
  t.equal(profile('John Smith\n2015 - 2019 2019 - 2021').phone, null)
  t.equal(profile('John Smith\n06/2015 - 08/2017').phone, null)
  t.equal(profile('John Smith\nAustin, TX 78701-1234').phone, null, 'ZIP+4')
  t.equal(profile('John Smith\nExperience\nAcme, 2016 - 2019 | ID 1234 5678').phone, null, 'an unlabelled number below the contact block')
  t.equal(profile('John Smith\n10115 Berlin | +49 30 901820').phone, '+49 30 901820')
  t.equal(profile('John Smith\nMatriculation no. 1234567').phone, null, 'an identifying number')
  t.equal(
    profile('John Smith\nSSC 2012 92.4% HSC 2014 88.6%\nMobile 9876543210').phone,
    '9876543210',
    'percent marks are skipped, the labelled number taken',
  )
})

t.test("phone: a job board's footer number is not the candidate's", async (t) => {
  const footer = 'Powered by HireBoard · Call us on +1 800 555 0199 · Page 1 of 2'
  const text = [
    'Jane Roe',
    'jane.roe@example.com',
    'Experience',
    'Acme, 2019 - 2021',
    footer,
    '\fProjects',
    footer.replace('1 of 2', '2 of 2'),
  ]
  t.equal(profile(text.join('\n')).phone, null)
  t.equal(profile(['Jane Roe', 'Tel: 0170 1234567', ...text.slice(1)].join('\n')).phone, '0170 1234567')
  const running = [
    'Jane Roe',
    'jane.roe@example.com',
    'Experience',
    'Talent Hub Recruiting +44 20 7946 0000',
    '\fSkills',
    'Talent Hub Recruiting +44 20 7946 0000',
  ]
  t.equal(profile(running.join('\n')).phone, null, 'a number repeated on every page without the candidate is a footer')
})

t.test("phone: the candidate's own running header is theirs", async (t) => {
  const text = ['Jane Roe | +1 555 010 0200', 'Experience', 'Acme, 2019 - 2021', '\fJane Roe | +1 555 010 0200', 'Skills', 'Go']
  t.equal(profile(text.join('\n')).phone, '+1 555 010 0200')
})

t.test('phone: dash look-alikes and soft hyphens, kept as written', async (t) => {
  t.equal(profile('John Smith\nTel: +49\u00AD170\u00AD1234567').phone, '+49-170-1234567')
  t.equal(profile('John Smith\n+1 \u2010202\u2011555\u20120143').phone, '+1 -202-555-0143')
  t.equal(profile('John Smith\nMobile: 0171 – 2345678').phone, '0171 - 2345678')
  t.equal(profile('Marie Curie\n06 12 34 56 78\nmarie@example.fr').phone, '06 12 34 56 78')
  t.equal(profile('Call me: (415) 555-0132').phone, '(415) 555-0132')
})

// ---------------------------------------------------------------- links

t.test('links: no false links from abbreviations, products and employers', async (t) => {
  t.same(links('Jane Doe\nB.tech in CSE, M.Tech, Node.js, ASP.NET, Booking.com, Vue.js'), [])
  t.same(
    links('Jane Doe\nExperience\nBuilt the shop on acme-shop.com and docs at https://docs.acme.com'),
    [],
    'sites in the work history are the employer’s',
  )
  t.same(
    links('Jane Doe\nExperience\nPortfolio: janedoe.design'),
    [{ kind: 'website', url: 'https://janedoe.design' }],
    'a labelled site counts anywhere',
  )
})

t.test('links: wrapped URLs are joined', async (t) => {
  t.same(links('Jane Doe\nhttps://www.linkedin.com/in/jane-doe-\n12345678/\nhttps://github.com/\njanedoe'), [
    { kind: 'linkedin', url: 'https://www.linkedin.com/in/jane-doe-12345678' },
    { kind: 'github', url: 'https://github.com/janedoe' },
  ])
  t.same(
    links('Jane Doe\nlinkedin.com/in/jane-doe Berlin\nGermany'),
    [{ kind: 'linkedin', url: 'https://www.linkedin.com/in/jane-doe' }],
    'a finished URL is not extended',
  )
})

t.test('links: handles beside icon glyphs or labels, where the PDF kept no URL', async (t) => {
  const both = [
    { kind: 'github', url: 'https://github.com/janedoe' },
    { kind: 'linkedin', url: 'https://www.linkedin.com/in/jane-doe' },
  ]
  t.same(links('Jane Doe\n\uf09b janedoe   \uf08c jane-doe   \uf0e0 jane@example.com'), both, 'Font Awesome glyphs')
  t.same(links('Jane Doe\nGitHub: janedoe | LinkedIn: jane-doe'), both)
  t.same(links('Jane Doe\nExperience\nSet up GitHub Actions and LinkedIn Learning courses'), [], 'products are not handles')
  t.same(links('Jane Doe\nExperience\nGitHub: https://github.com/janedoe'), [both[0]], 'a URL is read once')
})

t.test("links: someone else's repository is not the candidate's GitHub", async (t) => {
  const cited = 'Jane Doe jane.doe@example.com\nProjects\nContributed to https://github.com/facebook/react'
  t.same(links(cited), [])
  t.same(
    links(`${cited} and github.com/janedoe/ledger`),
    [{ kind: 'github', url: 'https://github.com/janedoe' }],
    'an own repository names the user',
  )
  t.same(links('Jane Doe | github.com/jdoe\nContributed to https://github.com/kubernetes/kubernetes'), [
    { kind: 'github', url: 'https://github.com/jdoe' },
  ])
})

// ---------------------------------------------------------------- dates

t.test('date ranges as resumes write them', async (t) => {
  const range = (text: string) =>
    findRanges(text, 2025).map((r) => [r.start.year, r.start.month, r.end?.year ?? null, r.end?.month ?? null, r.current])
  t.same(range('Jan 2019 – Present'), [[2019, 1, null, null, true]])
  t.same(range('2019-2021'), [[2019, null, 2021, null, false]])
  t.same(range('06/15 - Now'), [[2015, 6, null, null, true]])
  t.same(range('05/15 ⇒ Now'), [[2015, 5, null, null, true]])
  t.same(range('(May,2017 – July,2017)'), [[2017, 5, 2017, 7, false]])
  t.same(range('03.2018 – 11.2020'), [[2018, 3, 2020, 11, false]])
  t.same(range('2019-03 to 2020-11'), [[2019, 3, 2020, 11, false]])
  t.same(range('Summer 2016'), [[2016, 6, 2016, 8, false]])
  t.same(range('Sept. 2019 until today'), [[2019, 9, null, null, true]])
  t.same(range("Jan '98 - Dec '01"), [[1998, 1, 2001, 12, false]])
  t.same(range('since 2021'), [[2021, null, null, null, true]])
  t.same(range('Oct 2020 - to date'), [[2020, 10, null, null, true]])
  t.same(range('Born 1990, moved 2001'), [], 'two years are not a range')
  t.same(range('2021-24 B.A.'), [[2021, null, 2024, null, false]], 'the end year written short')
  t.same(range('2018 – 22'), [[2018, null, 2022, null, false]])
  t.same(range('2008-20'), [], 'twelve years on is no short end')
  t.same(range('2019-12'), [], 'a month, not a range')
})

t.test('work: dates in every common shape, on one line or two', async (t) => {
  t.same(work('Experience\nSoftware Engineer, Acme — 06/15 - Now'), [['Software Engineer', 'Acme', '2015-06', null, true, 'work']])
  t.same(work('Experience\nBackend Developer | Globex | 05/15 ⇒ Now'), [['Backend Developer', 'Globex', '2015-05', null, true, 'work']])
  t.same(work('Experience\nIntern, Initech (May,2017 – July,2017)'), [['Intern', 'Initech', '2017-05', '2017-07', false, 'work']])
  t.same(
    work('Experience\nSoftware Engineer, Acme, 2019\u00AD2021'),
    [['Software Engineer', 'Acme', '2019', '2021', false, 'work']],
    'soft hyphen',
  )
  t.same(work('Experience\nAcme Corp\nSenior Engineer    Jan 2019 –\nPresent\nBuilt things.'), [
    ['Senior Engineer', 'Acme Corp', '2019-01', null, true, 'work'],
  ])
  t.same(work('Experience\nAcme Corp, Senior Engineer, Jan 2019\n– Dec 2021'), [
    ['Senior Engineer', 'Acme Corp', '2019-01', '2021-12', false, 'work'],
  ])
  t.same(
    work('Experience\nSystems Engineer, Southridge Video, 2014 - 2017\nDatacenter Systems, Solutions Architect, 2017 - 2019'),
    [
      ['Systems Engineer', 'Southridge Video', '2014', '2017', false, 'work'],
      ['Solutions Architect', 'Datacenter Systems', '2017', '2019', false, 'work'],
    ],
    'a title ends in its role, an employer in its kind',
  )
  t.same(work('E X P E R I E N C E\nData Analyst at Initech, since 2021'), [['Data Analyst', 'Initech', '2021', null, true, 'work']])
  t.same(
    work(
      'Work History\nJan 2020 – Present\nSenior Engineer\nAcme Payments\n• Led the ledger migration\nMar 2016 – Dec 2019\nEngineer\nGlobex\n• Built routing',
    ),
    [
      ['Senior Engineer', 'Acme Payments', '2020-01', null, true, 'work'],
      ['Engineer', 'Globex', '2016-03', '2019-12', false, 'work'],
    ],
    'headers below the dates',
  )
})

t.test('work: headers below the dates on one line, and other wordings of the section', async (t) => {
  t.same(
    work(
      'Experience\nJan 2020 – Present\nSenior Engineer, Acme Payments\nBuilt the ledger service\nMar 2016 – Dec 2019\nEngineer, Globex\nRan things',
    ),
    [
      ['Senior Engineer', 'Acme Payments', '2020-01', null, true, 'work'],
      ['Engineer', 'Globex', '2016-03', '2019-12', false, 'work'],
    ],
  )
  t.same(work('Education\nBSc, Leeds University, 2010 - 2013\nCareer\nEngineer, Acme, 2014 - 2020'), [
    ['Engineer', 'Acme', '2014', '2020', false, 'work'],
  ])
  t.same(work('INTERNSHIPS\nData Intern, Acme, Jun 2019 - Aug 2019'), [['Data Intern', 'Acme', '2019-06', '2019-08', false, 'work']])
})

t.test('work: student, volunteer and membership roles do not count', async (t) => {
  const text = [
    'Experience',
    'Teaching Assistant, University of Leeds, Sep 2018 - Present',
    'Software Engineer, Acme, Jan 2020 - Present',
    'Student Assistant, TU Berlin, 2017 - 2019',
    'Working Student, SAP, 2019 - 2020',
    'Volunteer Developer, Red Cross, 2012 - Present',
    'Member, IEEE Computer Society, 2010 - Present',
    'Member of Technical Staff, Oracle, 2016 - 2018',
    'Software Engineering Intern, Initech, Summer 2015',
    'Volunteering',
    'Mentor, Code Club, 2011 - Present',
    'Open Source Contributor & Team Leader, Phabricator, Jan 2013 - May 2013',
  ].join('\n')
  const read = profile(text)
  t.same(
    read.work!.map((entry) => entry.kind),
    ['student', 'work', 'student', 'student', 'volunteer', 'membership', 'work', 'work', 'volunteer', 'volunteer'],
  )
  // Acme Jan 2020 – Jun 2025 (66), Oracle 2016 – 2018 (24), the internship Jun – Aug 2015 (3).
  t.equal(read.monthsOfExperience, 93)
  t.equal(read.yearsOfExperience, 7.8)
})

t.test('experience: overlaps merged, stated years kept apart', async (t) => {
  const read = profile('Summary\n15+ years of experience.\nExperience\nAcme, 2010 - 2015\nGlobex, 2013 - 2018\nInitech, 2020 - 2022')
  t.equal(read.monthsOfExperience, 120)
  t.equal(read.statedYears, 15)
  t.equal(read.yearsOfExperience, 10, 'the work history decides; a stated figure is only a claim')
  t.equal(profile('Summary\n8+ years of experience in retail banking.').yearsOfExperience, 8, 'stated years when no dated work is found')
  t.equal(profile('Experience\nAcme, 2030 - 2035').monthsOfExperience, null, 'future work is not experience')
})

// ---------------------------------------------------------------- education, lists, location

t.test('education: degree, field, institution and dates', async (t) => {
  const education = (text: string) =>
    (profile(text).education ?? []).map((entry) => [entry.degree, entry.field, entry.institution, entry.start, entry.end])
  t.same(education('Education\nBachelor of Science in Computer Science\nUniversity of Texas at Austin, 2012 - 2016'), [
    ['Bachelor of Science', 'Computer Science', 'University of Texas at Austin', '2012', '2016'],
  ])
  t.same(
    education(
      'EDUCATION\nB.Tech in Computer Science and Engineering, IIT Bombay (2010 – 2014)\nM.S. in Computer Science, Stanford University, 2016',
    ),
    [
      ['B.Tech', 'Computer Science and Engineering', 'IIT Bombay', '2010', '2014'],
      ['M.S.', 'Computer Science', 'Stanford University', null, '2016'],
    ],
  )
  t.same(education('Education\nStanford University\nPhD, Physics\n2014 – 2019'), [
    ['PhD', 'Physics', 'Stanford University', '2014', '2019'],
  ])
  t.same(education('Academic Background\nMaster of Science (M.Sc.) in Informatics — Technical University of Munich — 10/2015 – 09/2017'), [
    ['Master of Science', 'Informatics', 'Technical University of Munich', '2015-10', '2017-09'],
  ])
  t.same(education('EDUCATION\nDiplôme d’ingénieur Telecommunications, INSA Lyon, 09/2010 - 06/2015'), [
    ['Diplôme d’ingénieur', 'Telecommunications', 'INSA Lyon', '2010-09', '2015-06'],
  ])
  t.same(education('Education\nDiploma in Business Administration, Berlin School of Economics, Expected 2026'), [
    ['Diploma', 'Business Administration', 'Berlin School of Economics', null, '2026'],
  ])
})

t.test('skills as written, deduplicated; spoken languages apart', async (t) => {
  const read = profile(
    'Jane Doe\nTechnical Skills\nProgramming Languages: Java, C++, Python (Django, Flask)\nTools: Docker | Kubernetes | Terraform\n• PostgreSQL • Redis • python\nSpoken: English (native), Spanish (B2)\nI excel in building reliable distributed systems that scale to millions of users',
  )
  t.same(read.skills, ['Java', 'C++', 'Python', 'Django', 'Flask', 'Docker', 'Kubernetes', 'Terraform', 'PostgreSQL', 'Redis'])
  t.same(read.languages, ['English (native)', 'Spanish (B2)'])
})

t.test('skills: a category label over its list is not a skill', async (t) => {
  t.same(profile('Skills\nLanguages & Frameworks\nTypeScript, Go, React\nCloud and DevOps\nAWS • Terraform').skills, [
    'TypeScript',
    'Go',
    'React',
    'AWS',
    'Terraform',
  ])
})

t.test('languages with levels, in a section of their own', async (t) => {
  t.same(profile('Languages\nEnglish (native), German – C1, French: basic').languages, [
    'English (native)',
    'German (C1)',
    'French (basic)',
  ])
  t.same(
    profile('Languages\nGerman\nNative\nEnglish\nC1 – business fluent').languages,
    ['German (native)', 'English (C1)'],
    'the level on the next line, on the same scale',
  )
  t.same(profile('Languages\nPython, Go').languages, [], 'programming languages are not spoken ones')
})

t.test('certificates: in their section and named anywhere', async (t) => {
  const read = profile(
    'Jane Doe\nCertifications\nAWS Certified Solutions Architect – Associate (2022)\nCertified Kubernetes Administrator (CKA), CNCF, 2021\nPMP\nSummary\nHolds the CISSP and AWS Certified Developer – Associate credentials; uses AWS Lambda daily.',
  )
  t.same(read.certificates, [
    'AWS Certified Solutions Architect – Associate',
    'Certified Kubernetes Administrator (CKA)',
    'Project Management Professional (PMP)',
    'Certified Information Systems Security Professional (CISSP)',
    'AWS Certified Developer – Associate',
  ])
})

t.test("skills, languages and certificates: one name each, the resume's words and place kept", async (t) => {
  const read = profile(
    [
      'Jane Doe',
      'jane@example.com',
      'Skills',
      'Golang, Postgres, k8s, Kubernetes, Forklift operation',
      '\fLanguages',
      'Farsi (mother tongue), English – full professional proficiency, German: B2',
      'Certifications',
      'CKA (2021)',
      'Certified Kubernetes Administrator',
      'PSM I',
      'Certified Widget Handler - Associate',
    ].join('\n'),
  )
  t.same(read.skills, ['Go', 'PostgreSQL', 'Kubernetes', 'Forklift operation'], 'aliases named as the taxonomy names them, once')
  t.same(read.sources!.skills, [
    listed('Go', 'Golang', at(1, 4, 'Skills')),
    listed('PostgreSQL', 'Postgres', at(1, 4, 'Skills')),
    listed('Kubernetes', 'k8s', at(1, 4, 'Skills')),
    listed('Forklift operation', 'Forklift operation', at(1, 4, 'Skills')),
  ])
  t.same(read.languages, ['Persian (native)', 'English (fluent)', 'German (B2)'], 'levels on one scale')
  t.same(
    read.sources!.languages!.map((item) => [item.written, item.at]),
    [
      ['Farsi (mother tongue)', at(2, 6, 'Languages')],
      ['English – full professional proficiency', at(2, 6, 'Languages')],
      ['German: B2', at(2, 6, 'Languages')],
    ],
    'on the second page',
  )
  t.same(
    read.certificates,
    ['Certified Kubernetes Administrator (CKA)', 'Professional Scrum Master I (PSM I)', 'Certified Widget Handler – Associate'],
    'an acronym and its name are one credential; an unknown one keeps its words',
  )
  t.same(read.sources!.certificates![0], listed('Certified Kubernetes Administrator (CKA)', 'CKA', at(2, 8, 'Certifications')))
})

t.test('links keep where they were read', async (t) => {
  const read = profile('Jane Doe\njane@example.com\nExperience\nDeveloper, Acme, 2020 - 2022\n\fLinks\nhttps://github.com/janedoe')
  t.same(read.links, [{ kind: 'github', url: 'https://github.com/janedoe', at: at(2, 6, 'Links') }])
})

t.test('a links section is contact details', async (t) => {
  const read = profile(
    'Oliver Grant\nExperience\nDeveloper, Acme, 2020 - 2022\nLinks\nhttps://github.com/olivergrant\nhttps://olivergrant.co.uk\nLanguages\nEnglish, Twi',
  )
  t.same(bareLinks(read.links), [
    { kind: 'github', url: 'https://github.com/olivergrant' },
    { kind: 'website', url: 'https://olivergrant.co.uk' },
  ])
  t.same(read.languages, ['English', 'Twi'])
})

t.test('certificates and degrees wrapped by a narrow column', async (t) => {
  const read = profile(
    'Lukas Brenner\nEducation\nMSc Information Systems, Technische Universitat Berlin, 10.2014 - 12.2016\nCertifications\nCertified Kubernetes\nAdministrator (CKA)\nAWS Certified Data Analytics -\nSpecialty\nCISSP\nOSCP',
  )
  t.same(read.certificates, [
    'Certified Kubernetes Administrator (CKA)',
    'AWS Certified Data Analytics – Specialty',
    'Certified Information Systems Security Professional (CISSP)',
    'Offensive Security Certified Professional (OSCP)',
  ])
  t.same(
    read.education!.map((entry) => [entry.degree, entry.field, entry.institution]),
    [['MSc', 'Information Systems', 'Technische Universitat Berlin']],
    '"In" of "Information" is not the word "in"',
  )
})

t.test('more layouts: moderncv date column, a flattened two-column page, a job board with durations in the skills', async (t) => {
  const education = (read: Profile) =>
    read.education!.map((entry) => [entry.degree, entry.field, entry.institution, entry.start, entry.end])
  const moderncv = profile(
    [
      'John Doe',
      'Software Engineer',
      'Street 1, 12345 Hamburg, Germany',
      '+49 (40) 123 4567',
      'john.doe@example.com',
      'Experience',
      '2019–today  Senior Developer, Hanse Logistics, Hamburg',
      'Led the rewrite of the dispatch system.',
      '2015–2019  Developer, Nordic Apps AB, Stockholm',
      'Education',
      '2010–2015  Diplom-Informatiker, Universität Hamburg',
    ].join('\n'),
  )
  t.same(
    moderncv.work!.map((entry) => [entry.title, entry.employer, entry.start, entry.end, entry.current]),
    [
      ['Senior Developer', 'Hanse Logistics', '2019', null, true],
      ['Developer', 'Nordic Apps AB', '2015', '2019', false],
    ],
  )
  t.same(education(moderncv), [['Diplom-Informatiker', null, 'Universität Hamburg', '2010', '2015']])
  t.equal(moderncv.phone, '+49 (40) 123 4567')
  t.equal(moderncv.location, 'Hamburg, Germany')

  const twoColumn = profile(
    [
      'Ana Souza',
      'anasouza.dev | ana@souza.io | 555.867.5309',
      'EXPERIENCE',
      'Globo',
      'Software Engineer Intern | Rio de Janeiro',
      'May 2018 – Aug 2018',
      '• Built an A/B testing tool.',
      'Stripe',
      'Software Engineer | San Francisco, CA',
      'Sep 2019 – Present',
      '• Payments infrastructure.',
      'EDUCATION',
      'Federal University of Rio de Janeiro',
      'B.S. in Computer Engineering',
      'Expected Dec 2019',
      'SKILLS',
      'Programming: Python • Go • JavaScript',
      'Tools: Git • Docker',
    ].join('\n'),
  )
  t.same(
    twoColumn.work!.map((entry) => [entry.title, entry.employer, entry.start, entry.end, entry.kind]),
    [
      ['Software Engineer Intern', 'Globo', '2018-05', '2018-08', 'work'],
      ['Software Engineer', 'Stripe', '2019-09', null, 'work'],
    ],
    'internships count as work',
  )
  t.equal(twoColumn.monthsOfExperience, 74)
  t.same(education(twoColumn), [['B.S.', 'Computer Engineering', 'Federal University of Rio de Janeiro', null, '2019-12']])
  t.same(twoColumn.skills, ['Python', 'Go', 'JavaScript', 'Git', 'Docker'])
  t.same(bareLinks(twoColumn.links), [{ kind: 'website', url: 'https://anasouza.dev' }])

  const board = profile(
    [
      'Michael Brown',
      'Chicago, IL 60601',
      'michaelbrown@email.com',
      '(312) 555-0198',
      'Work Experience',
      'Warehouse Associate',
      'Amazon - Chicago, IL',
      'March 2016 to December 2018',
      'Education',
      'High school diploma in General Studies',
      'Lincoln Park High School - Chicago, IL',
      '2011 to 2015',
      'Skills',
      '• Forklift (3 years)',
      '• Inventory management (5 years)',
      'Powered by Indeed',
    ].join('\n'),
  )
  t.same(
    board.work!.map((entry) => [entry.title, entry.employer, entry.start, entry.end]),
    [['Warehouse Associate', 'Amazon', '2016-03', '2018-12']],
  )
  t.same(education(board), [['High school diploma', 'General Studies', 'Lincoln Park High School', '2011', '2015']])
  t.same(board.skills, ['Forklift', 'Inventory management'])
  t.equal(board.statedYears, null, 'a duration beside a skill is not total experience')
})

t.test('location near the top', async (t) => {
  t.equal(profile('Jane Doe\nBerlin, Germany | jane@example.com').location, 'Berlin, Germany')
  t.equal(profile('Jane Doe\nAustin, TX 78701 • (512) 555-0147').location, 'Austin, TX 78701')
  t.equal(profile('Jane Doe\nAddress: Lindenstraße 12, 10969 Berlin, Germany').location, 'Berlin, Germany')
  t.equal(
    profile('Jane Doe\nExperience\nAcme, Berlin, Germany, 2019 - 2021').location,
    null,
    "an employer's city is not where the candidate lives",
  )
  t.equal(profile('Jane Doe\nEngineer, Acme, Berlin, Germany, 2019 - 2021').location, null, 'nor in a resume without headings')
})

t.test('every field keeps its page, line and section', async (t) => {
  const read = profile(
    [
      'Jane Roe',
      'jane@example.com',
      'Experience',
      'Engineer, Acme, 2019 - 2021',
      '\fEducation',
      'BSc Physics, University of Leeds, 2015 - 2018',
    ].join('\n'),
  )
  t.same(read.sources, {
    name: { page: 1, line: 1, section: null },
    email: { page: 1, line: 2, section: null },
    phone: null,
    location: null,
    skills: [],
    languages: [],
    certificates: [],
  })
  t.same(read.work![0]!.at, { page: 1, line: 4, section: 'Experience' })
  t.same(read.education![0]!.at, { page: 2, line: 6, section: 'Education' })
  const above = profile('Experience\nAcme Payments\nSenior Engineer    Jan 2020 – Present\n• Led the ledger migration')
  t.same(above.work![0]!.at, { page: 1, line: 2, section: 'Experience' }, 'an entry starts at its first header line')
})

t.test('stays linear on hostile text', async (t) => {
  const roles = Array.from(
    { length: 20_000 },
    (_, i) => `Engineer, Acme ${i}, Jan 2019 - Present +1 555 010 ${i} github.com/u${i}/r AWS Certified X`,
  )
  const hostile = [
    `${'a'.repeat(200_000)}`,
    `${'1 '.repeat(50_000)}`,
    `${'Jan 2019 - '.repeat(20_000)}`,
    `${'J '.repeat(50_000)}`,
    `a${' '.repeat(200_000)}b`,
    `Skills${':'.repeat(200_000)}x`,
    'a\u00AD'.repeat(100_000),
    'AWS Certified '.repeat(20_000),
    'github: a '.repeat(20_000),
    ...Array.from({ length: 50_000 }, () => 'Jan 2019 -'),
    ...roles,
  ].join('\n')
  const started = Date.now()
  const read = profile(hostile)
  t.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`)
  t.ok(read.work!.length <= 100, 'work entries are capped')
})

// ---------------------------------------------------------------- complete resumes

const chronoLines: string[] = [
  'MARCUS WEBER Senior Backend Engineer marcus.weber@example.com',
  'Munich, Germany | +49 170 2345678 | linkedin.com/in/marcus-weber | github.com/mweber',
  'SUMMARY',
  'Backend engineer with 9+ years of experience in payments and logistics.',
  'PROFESSIONAL EXPERIENCE',
  'Finlytics GmbH                                Munich, Germany',
  'Senior Backend Engineer                       Apr 2021 – Present',
  '• Moved the settlement service to Kubernetes; cut batch time by 60 %.',
  '• Contributed fixes upstream to https://github.com/kubernetes/kubernetes.',
  'Cargoline AG                                   Hamburg, Germany',
  'Software Engineer                             Sep 2016 – Mar 2021',
  '• Built routing services in Go and PostgreSQL.',
  'Technische Universität München',
  'Student Assistant                             Oct 2014 – Aug 2016',
  '• Graded exercises for Algorithms and Data Structures.',
  'EDUCATION',
  'M.Sc. in Informatics, Technische Universität München, 2014 – 2016',
  'B.Sc. in Informatics, Universität Stuttgart, 2011 – 2014',
  'SKILLS',
  'Go, Java, Kotlin, PostgreSQL, Kafka | Kubernetes | Terraform',
  'LANGUAGES',
  'German (native), English (C1), Spanish (A2)',
  'CERTIFICATIONS',
  'Certified Kubernetes Administrator (CKA) – CNCF, 2022',
]
const chronoProfile: Profile = {
  name: 'Marcus Weber',
  email: 'marcus.weber@example.com',
  phone: '+49 170 2345678',
  links: [
    {
      kind: 'linkedin',
      url: 'https://www.linkedin.com/in/marcus-weber',
      at: at(1, 2, null),
    },
    {
      kind: 'github',
      url: 'https://github.com/mweber',
      at: at(1, 2, null),
    },
  ],
  yearsOfExperience: 8.8,
  sources: {
    name: {
      page: 1,
      line: 1,
      section: null,
    },
    email: {
      page: 1,
      line: 1,
      section: null,
    },
    phone: {
      page: 1,
      line: 2,
      section: null,
    },
    location: at(1, 2, null),
    skills: [
      ...['Go', 'Java', 'Kotlin', 'PostgreSQL'].map((name) => listed(name, name, at(1, 20, 'SKILLS'))),
      listed('Apache Kafka', 'Kafka', at(1, 20, 'SKILLS')),
      listed('Kubernetes', 'Kubernetes', at(1, 20, 'SKILLS')),
      listed('Terraform', 'Terraform', at(1, 20, 'SKILLS')),
    ],
    languages: ['German (native)', 'English (C1)', 'Spanish (A2)'].map((name) => listed(name, name, at(1, 22, 'LANGUAGES'))),
    certificates: [
      listed('Certified Kubernetes Administrator (CKA)', 'Certified Kubernetes Administrator (CKA)', at(1, 24, 'CERTIFICATIONS')),
    ],
  },
  location: 'Munich, Germany',
  work: [
    {
      employer: 'Finlytics GmbH',
      title: 'Senior Backend Engineer',
      start: '2021-04',
      end: null,
      current: true,
      kind: 'work',
      at: at(1, 6, 'PROFESSIONAL EXPERIENCE'),
    },
    {
      employer: 'Cargoline AG',
      title: 'Software Engineer',
      start: '2016-09',
      end: '2021-03',
      current: false,
      kind: 'work',
      at: at(1, 10, 'PROFESSIONAL EXPERIENCE'),
    },
    {
      employer: 'Technische Universität München',
      title: 'Student Assistant',
      start: '2014-10',
      end: '2016-08',
      current: false,
      kind: 'student',
      at: at(1, 13, 'PROFESSIONAL EXPERIENCE'),
    },
  ],
  education: [
    {
      institution: 'Technische Universität München',
      degree: 'M.Sc.',
      field: 'Informatics',
      start: '2014',
      end: '2016',
      at: at(1, 17, 'EDUCATION'),
    },
    {
      institution: 'Universität Stuttgart',
      degree: 'B.Sc.',
      field: 'Informatics',
      start: '2011',
      end: '2014',
      at: at(1, 18, 'EDUCATION'),
    },
  ],
  skills: ['Go', 'Java', 'Kotlin', 'PostgreSQL', 'Apache Kafka', 'Kubernetes', 'Terraform'],
  languages: ['German (native)', 'English (C1)', 'Spanish (A2)'],
  certificates: ['Certified Kubernetes Administrator (CKA)'],
  monthsOfExperience: 106,
  statedYears: 9,
}

t.test('complete resume: chronological, two-column header, glued name line, a cited repository', async (t) => {
  t.same(profile(chronoLines.join('\n')), chronoProfile)
})

const functionalLines: string[] = [
  'Priya Raman',
  'Data Analyst',
  'Austin, TX 78701 • (512) 555-0147 • priya.raman@example.com • https://priyaraman.dev',
  'Profile',
  'Analyst with 6 years of experience turning messy data into decisions.',
  'Core Competencies',
  'SQL; Python; Tableau; Power BI; A/B testing; Excel',
  'Key Achievements',
  'Reduced churn reporting time from 3 days to 2 hours.',
  'Employment History',
  'Data Analyst at Brightside Health, Austin, TX (Jan 2020 - Present)',
  'Junior Analyst at Lone Star Bank, Dallas, TX (Jun 2017 - Dec 2019)',
  'Education',
  'Bachelor of Science in Statistics',
  'University of Texas at Austin, 2013 - 2017',
  'Volunteer Experience',
  'Volunteer Data Coach, Code for Austin, 2019 - Present',
]
const functionalProfile: Profile = {
  name: 'Priya Raman',
  email: 'priya.raman@example.com',
  phone: '(512) 555-0147',
  links: [
    {
      kind: 'website',
      url: 'https://priyaraman.dev',
    },
  ],
  yearsOfExperience: 8.1,
  sources: {
    name: {
      page: 1,
      line: 1,
      section: null,
    },
    email: {
      page: 1,
      line: 3,
      section: null,
    },
    phone: {
      page: 1,
      line: 3,
      section: null,
    },
  },
  location: 'Austin, TX 78701',
  work: [
    {
      employer: 'Brightside Health',
      title: 'Data Analyst',
      start: '2020-01',
      end: null,
      current: true,
      kind: 'work',
      at: at(1, 11, 'Employment History'),
    },
    {
      employer: 'Lone Star Bank',
      title: 'Junior Analyst',
      start: '2017-06',
      end: '2019-12',
      current: false,
      kind: 'work',
      at: at(1, 12, 'Employment History'),
    },
    {
      employer: 'Code for Austin',
      title: 'Volunteer Data Coach',
      start: '2019',
      end: null,
      current: true,
      kind: 'volunteer',
      at: at(1, 17, 'Volunteer Experience'),
    },
  ],
  education: [
    {
      institution: 'University of Texas at Austin',
      degree: 'Bachelor of Science',
      field: 'Statistics',
      start: '2013',
      end: '2017',
      at: at(1, 14, 'Education'),
    },
  ],
  skills: ['SQL', 'Python', 'Tableau', 'Power BI', 'A/B testing', 'Microsoft Excel'],
  languages: [],
  certificates: [],
  monthsOfExperience: 97,
  statedYears: 6,
}

t.test('complete resume: functional, with a volunteer role and one-line roles "at" employers', async (t) => {
  t.same(core(profile(functionalLines.join('\n'))), functionalProfile)
})

const academicLines: string[] = [
  'Dr. Elena Novak',
  'Curriculum Vitae',
  'Department of Physics, University of Cambridge, Cambridge, UK',
  'elena.novak@cam.example.ac.uk | +44 1223 765432',
  'Academic Appointments',
  'Research Fellow, University of Cambridge, Oct 2019 – Present',
  'Postdoctoral Researcher, CERN, Geneva, Switzerland, 2016 – 2019',
  'Teaching Assistant, Charles University, 2012 – 2015',
  'Education',
  'PhD, Particle Physics',
  'Charles University, Prague',
  '2011 – 2016',
  'MSc in Physics, Charles University, 2009 – 2011',
  'Professional Memberships',
  'Member, Institute of Physics, 2014 – Present',
  'Member, European Physical Society, 2016 – Present',
  'Publications',
  'Novak E. et al., Measurement of the W mass, Phys. Rev. D 101 (2020) 052004.',
  'Languages',
  'Czech – native; English – fluent; German – B2',
]
const academicProfile: Profile = {
  name: 'Elena Novak',
  email: 'elena.novak@cam.example.ac.uk',
  phone: '+44 1223 765432',
  links: [],
  yearsOfExperience: 8.8,
  sources: {
    name: {
      page: 1,
      line: 1,
      section: null,
    },
    email: {
      page: 1,
      line: 4,
      section: null,
    },
    phone: {
      page: 1,
      line: 4,
      section: null,
    },
  },
  location: 'Cambridge, UK',
  work: [
    {
      employer: 'University of Cambridge',
      title: 'Research Fellow',
      start: '2019-10',
      end: null,
      current: true,
      kind: 'work',
      at: at(1, 6, 'Academic Appointments'),
    },
    {
      employer: 'CERN',
      title: 'Postdoctoral Researcher',
      start: '2016',
      end: '2019',
      current: false,
      kind: 'work',
      at: at(1, 7, 'Academic Appointments'),
    },
    {
      employer: 'Charles University',
      title: 'Teaching Assistant',
      start: '2012',
      end: '2015',
      current: false,
      kind: 'student',
      at: at(1, 8, 'Academic Appointments'),
    },
    {
      employer: 'Institute of Physics',
      title: 'Member',
      start: '2014',
      end: null,
      current: true,
      kind: 'membership',
      at: at(1, 15, 'Professional Memberships'),
    },
    {
      employer: 'European Physical Society',
      title: 'Member',
      start: '2016',
      end: null,
      current: true,
      kind: 'membership',
      at: at(1, 16, 'Professional Memberships'),
    },
  ],
  education: [
    {
      institution: 'Charles University',
      degree: 'PhD',
      field: 'Particle Physics',
      start: '2011',
      end: '2016',
      at: at(1, 10, 'Education'),
    },
    {
      institution: 'Charles University',
      degree: 'MSc',
      field: 'Physics',
      start: '2009',
      end: '2011',
      at: at(1, 13, 'Education'),
    },
  ],
  skills: [],
  languages: ['Czech (native)', 'English (fluent)', 'German (B2)'],
  certificates: [],
  monthsOfExperience: 105,
  statedYears: null,
}

t.test('complete resume: academic CV with appointments, memberships and a PhD', async (t) => {
  t.same(core(profile(academicLines.join('\n'))), academicProfile)
})

const jobboardLines: string[] = [
  'J O N A T H A N  B A K E R',
  'Software Developer',
  'jonathan.baker@example.com',
  'Phone: 0161 496 0123',
  'Work Experience',
  'Software Developer',
  'Northwind Traders - Manchester',
  'January 2019 to Present',
  'Built the order portal in C# and ASP.NET Core.',
  'Junior Developer',
  'Contoso Ltd - Leeds',
  '06/15 - 12/18',
  'Education',
  'B.Sc in Computer Science',
  'University of Leeds, 2012 - 2015',
  'Powered by HireBoard · Call our team on 0800 123 4567 · Page 1 of 2',
  '\fSkills',
  'C#, ASP.NET, SQL Server, Azure, JavaScript',
  'Certifications',
  'AZ-204: Microsoft Azure Developer Associate',
  'Powered by HireBoard · Call our team on 0800 123 4567 · Page 2 of 2',
]
const jobboardProfile: Profile = {
  name: 'Jonathan Baker',
  email: 'jonathan.baker@example.com',
  phone: '0161 496 0123',
  links: [],
  yearsOfExperience: 10.1,
  sources: {
    name: {
      page: 1,
      line: 1,
      section: null,
    },
    email: {
      page: 1,
      line: 3,
      section: null,
    },
    phone: {
      page: 1,
      line: 4,
      section: null,
    },
  },
  location: null,
  work: [
    {
      employer: 'Northwind Traders',
      title: 'Software Developer',
      start: '2019-01',
      end: null,
      current: true,
      kind: 'work',
      at: at(1, 6, 'Work Experience'),
    },
    {
      employer: 'Contoso Ltd',
      title: 'Junior Developer',
      start: '2015-06',
      end: '2018-12',
      current: false,
      kind: 'work',
      at: at(1, 10, 'Work Experience'),
    },
  ],
  education: [
    {
      institution: 'University of Leeds',
      degree: 'B.Sc',
      field: 'Computer Science',
      start: '2012',
      end: '2015',
      at: at(1, 14, 'Education'),
    },
  ],
  skills: ['C#', 'ASP.NET', 'SQL Server', 'Azure', 'JavaScript'],
  languages: [],
  certificates: ['AZ-204: Microsoft Azure Developer Associate'],
  monthsOfExperience: 121,
  statedYears: null,
}

t.test('complete resume: job-board export: letter-spaced name, headers above dates, a footer on every page', async (t) => {
  t.same(core(profile(jobboardLines.join('\n'))), jobboardProfile)
})

const lebenslaufLines: string[] = [
  'LEBENSLAUF / CURRICULUM VITAE',
  'Personal Details',
  'Name: Katharina Schulz',
  'Address: Lindenstraße 12, 10969 Berlin, Germany',
  'Mobile: +49 151 23456789',
  'E-Mail: k.schulz@example.de',
  'Date of birth: 14.03.1992',
  'Work Experience',
  '03.2018 – today     Software Engineer, Zalando SE, Berlin',
  '10.2015 – 02.2018   Working Student (Werkstudentin) Software Development, SAP SE, Walldorf',
  'Education',
  '10.2011 – 09.2015   Bachelor of Science in Computer Science, Karlsruhe Institute of Technology',
  'Languages',
  'German: mother tongue',
  'English: fluent (C1)',
  'Skills',
  'Java, Spring Boot, Kotlin, AWS, Docker',
  'Interests',
  'Climbing, chess',
]
const lebenslaufProfile: Profile = {
  name: 'Katharina Schulz',
  email: 'k.schulz@example.de',
  phone: '+49 151 23456789',
  links: [],
  yearsOfExperience: 7.3,
  sources: {
    name: {
      page: 1,
      line: 3,
      section: 'Personal Details',
    },
    email: {
      page: 1,
      line: 6,
      section: 'Personal Details',
    },
    phone: {
      page: 1,
      line: 5,
      section: 'Personal Details',
    },
  },
  location: 'Berlin, Germany',
  work: [
    {
      employer: 'Zalando SE',
      title: 'Software Engineer',
      start: '2018-03',
      end: null,
      current: true,
      kind: 'work',
      at: at(1, 9, 'Work Experience'),
    },
    {
      employer: 'SAP SE',
      title: 'Working Student (Werkstudentin) Software Development',
      start: '2015-10',
      end: '2018-02',
      current: false,
      kind: 'student',
      at: at(1, 10, 'Work Experience'),
    },
  ],
  education: [
    {
      institution: 'Karlsruhe Institute of Technology',
      degree: 'Bachelor of Science',
      field: 'Computer Science',
      start: '2011-10',
      end: '2015-09',
      at: at(1, 12, 'Education'),
    },
  ],
  skills: ['Java', 'Spring Boot', 'Kotlin', 'AWS', 'Docker'],
  languages: ['German (native)', 'English (fluent)'],
  certificates: [],
  monthsOfExperience: 88,
  statedYears: null,
}

t.test('complete resume: German-style Lebenslauf in English: personal details, dates first', async (t) => {
  t.same(core(profile(lebenslaufLines.join('\n'))), lebenslaufProfile)
})
