import t from 'tap'
import type { Profile } from '../src/domain/candidate.ts'
import { extractProfile } from '../src/pipeline/profile.ts'
import { runningLines } from '../src/pipeline/profile/contacts.ts'
import { resumeLines } from '../src/pipeline/profile/text.ts'

const NOW = new Date('2025-06-15T12:00:00Z')
const profile = (text: string): Profile => extractProfile(text, NOW)
/** The work history of a resume whose lines come under an Experience heading below a name and an email. */
const workUnder = (lines: string[], head = ['Jane Doe', 'jane@example.com', 'Experience']) =>
  profile([...head, ...lines].join('\n')).work ?? []
/** Each role as [employer, title, start]. */
const rolesUnder = (...lines: string[]) => workUnder(lines).map((job) => [job.employer, job.title, job.start])
const work = (text: string) =>
  (profile(text).work ?? []).map((entry) => [entry.title, entry.employer, entry.start, entry.end, entry.current])
const education = (text: string) =>
  (profile(text).education ?? []).map((entry) => [entry.degree, entry.field, entry.institution, entry.start, entry.end])

t.test('place and dates in a right-hand column, emitted after the bullets', async (t) => {
  const text = [
    'Mara Quill',
    'Experience',
    'Lumen Robotics, Staff Engineer',
    '• Led the rewrite of the motion planner, cutting planning time by half compared to the',
    'previous release',
    '• Hired and mentored four engineers',
    'Austin, TX',
    'March 2021 – present',
    '4 years 3 months',
    'Quarry Data, Backend Developer',
    '• Moved billing to an event queue, lowering failed charges',
    'by 30%',
    'Denver, CO',
    'Jan 2018 – Feb 2021',
    '3 years 2 months',
    'Education',
    'MSc Lakeshore University, Applied Physics',
    '• Thesis: Noise in small sensors',
    '• Scholarship holder',
    'Lakeshore, MI',
    'Sept 2015 – June 2017',
  ].join('\n')
  t.same(work(text), [
    ['Staff Engineer', 'Lumen Robotics', '2021-03', null, true],
    ['Backend Developer', 'Quarry Data', '2018-01', '2021-02', false],
  ])
  const read = profile(text)
  t.equal(read.work![0]!.at.line, 3, 'the entry starts at its header, above the bullets')
  t.same(education(text), [['MSc', 'Applied Physics', 'Lakeshore University', '2015-09', '2017-06']])
})

t.test('a bare date range without bullets above keeps the nearby header lines', async (t) => {
  t.same(
    work(['Experience', 'Orbit Freight', 'Dispatch Coordinator', 'Leeds, UK', 'May 2016 – Apr 2019'].join('\n')),
    [['Dispatch Coordinator', 'Orbit Freight', '2016-05', '2019-04', false]],
    'a place right above the dates is skipped, no bullets needed',
  )
})

t.test('a line led by its dates is its own header', async (t) => {
  const text = [
    'Experience',
    '2019 - 2023 Data Analyst Brightwater GmbH Kiel',
    'Built the weekly sales dashboards for the regional teams',
    'Owned the forecasting models and their monitoring',
    '2016 - 2019 Research Programmer University of Tallinn',
    'Wrote the lab scheduling tool used by three departments',
    'Reviewed contracts, budgets, planning and reporting',
    '2014 - 2016 Web Developer harbourlights.org',
    'Kept the shop running through two migrations',
  ].join('\n')
  t.same(work(text), [
    ['Data Analyst', 'Brightwater GmbH Kiel', '2019', '2023', false],
    ['Research Programmer', 'University of Tallinn', '2016', '2019', false],
    ['Web Developer', 'harbourlights.org', '2014', '2016', false],
  ])
})

t.test('a line led by its dates takes its title from the line below, not the description above', async (t) => {
  const text = [
    'Experience',
    '2020 - 2022 - Fernhill Logistics',
    'Operations Analyst',
    'Planned routes and tracked deliveries',
    'across the region',
    '2017 - 2020 - Copperleaf Studios',
    'Junior Designer',
    'Drew layouts for print',
  ].join('\n')
  t.same(work(text), [
    ['Operations Analyst', 'Fernhill Logistics', '2020', '2022', false],
    ['Junior Designer', 'Copperleaf Studios', '2017', '2020', false],
  ])
})

t.test('places beside the dates are neither employer nor title', async (t) => {
  const text = [
    'Experience',
    'PINECREST | DATA ANALYST',
    'Jan 2016 – Mar 2017 | Austin, TX & Denver, CO',
    '• Cleaned and joined the sales data',
    'Wrote the quarterly reports and',
    'presented them',
    'HOLLOWAY | SUPPORT ENGINEER',
    'Apr 2014 – Dec 2015 | Boise, ID',
    '• Answered the hardest tickets',
  ].join('\n')
  t.same(work(text), [
    ['DATA ANALYST', 'PINECREST', '2016-01', '2017-03', false],
    ['SUPPORT ENGINEER', 'HOLLOWAY', '2014-04', '2015-12', false],
  ])
})

t.test('a bullet glyph before the role is not part of the title', async (t) => {
  const read = work(['Experience', 'Tidewater Shipping, Norfolk, VA', '■ Logistics Coordinator, Mar 2010 – Feb 2012'].join('\n'))
  t.equal(read[0]![0], 'Logistics Coordinator')
  t.equal(read[0]![1], 'Tidewater Shipping')
  t.equal(read[0]![2], '2010-03')
})

t.test('a duration line under the dates is not read as a job', async (t) => {
  const read = work(
    ['Experience', 'Kestrel Labs, Intern', '• Tested the firmware', 'Oslo, Norway', 'Jun 2022 – Aug 2022', '3 months'].join('\n'),
  )
  t.same(read, [['Intern', 'Kestrel Labs', '2022-06', '2022-08', false]])
})

t.test('an employer several roles share is content, not a running footer; a footer at the page edge is', async (t) => {
  const text = [
    'Ilse Brandt',
    'Backend engineer',
    'Hamburg, Germany',
    'Experience',
    'Platform Engineer Sep 2020 - Present',
    'Nordwind Research',
    '• Task 0 of the role',
    '• Task 1 of the role',
    '• Task 2 of the role',
    '• Task 3 of the role',
    '• Task 4 of the role',
    '• Task 5 of the role',
    '• Task 6 of the role',
    'ilse.brandt@example.com | Page footer line',
    '\fEarlier roles',
    'Consulting and contracting',
    'Site Reliability Engineer Jan 2018 - Aug 2020',
    'Nordwind Research',
    '• Task 0 of the earlier role',
    '• Task 1 of the earlier role',
    '• Task 2 of the earlier role',
    '• Task 3 of the earlier role',
    '• Task 4 of the earlier role',
    '• Task 5 of the earlier role',
    '• Task 6 of the earlier role',
    'ilse.brandt@example.com | Page footer line',
  ].join('\n')
  const read = profile(text)
  t.same([...runningLines(resumeLines(text))], ['ilse.brandt@example.com | Page footer line'], "only the line at both pages' edge runs")
  t.same(
    read.work!.map((entry) => [entry.title, entry.employer]),
    [
      ['Platform Engineer', 'Nordwind Research'],
      ['Site Reliability Engineer', 'Nordwind Research'],
    ],
  )
})

t.test('a doctoral researcher with an employer is work', async (t) => {
  t.same(work('Experience\nScientific Employee / PhD Student - University of Leeds 2016 - present\n· Built the assessment framework'), [
    ['Scientific Employee / PhD Student', 'University of Leeds', '2016', null, true],
  ])
})

t.test('roles a sidebar layout interleaves with the degrees are work, not education', async (t) => {
  const text = [
    'Experience',
    'Backend developer Sep 15 - Now',
    'Harbor Logistics',
    'Education',
    '2009 - 2011',
    'M. Sc. Physics',
    'University of Bonn',
    'DevOps engineer Jan 14 - Sep 15',
    'Harbor Logistics',
    '• Automated the deployments of the',
    'ordering services and their databases for the whole team',
  ].join('\n')
  t.same(work(text), [
    ['Backend developer', 'Harbor Logistics', '2015-09', null, true],
    ['DevOps engineer', 'Harbor Logistics', '2014-01', '2015-09', false],
  ])
  t.same(
    education(text).map(([degree, field, institution]) => [degree, field, institution]),
    [['M. Sc.', 'Physics', 'University of Bonn']],
    'the roles do not open degrees',
  )
})

t.test('text wrapped from a bullet is not an employer', async (t) => {
  const text = [
    'Experience',
    'Analyst Mar 2014 - Jan 2015',
    'Tidewater Travel',
    '• Set up central logging for the booking platform, in-',
    'cluding log filtering and alerting for both windows and Linux systems',
    'Consultant Oct 2012 - Mar 2014',
    'Brightline Partners',
  ].join('\n')
  t.same(work(text), [
    ['Analyst', 'Tidewater Travel', '2014-03', '2015-01', false],
    ['Consultant', 'Brightline Partners', '2012-10', '2014-03', false],
  ])
})

t.test('a role with only its start written, the slash spaced', async (t) => {
  t.same(
    work(
      [
        'Experience',
        '2016 / 09 Fullstack Javascript Engineer University of Leeds',
        'Built the classroom tools',
        '2014 - 2016 IT Consultant - Brightline GmbH',
      ].join('\n'),
    ),
    [
      ['Fullstack Javascript Engineer', 'University of Leeds', '2016-09', null, false],
      ['IT Consultant', 'Brightline GmbH', '2014', '2016', false],
    ],
  )
  t.same(work('Experience\n2016 Won the regional hackathon with a team of four'), [], 'a year alone opening a line is no role')
})

t.test('a thesis or the studies described under a degree are not degrees of their own', async (t) => {
  const text = [
    'Education',
    'M.Sc. Digital Media - University of Leeds 2015 / 07',
    '· Master Thesis: Semi Automated Scoring in Technology Based Assessment',
    'Main thematic priority of those',
    'master studies was numerical analysis',
    'B.Sc. Physics - University of Leeds 2009 - 2012',
  ].join('\n')
  t.same(
    education(text).map(([degree, field, institution]) => [degree, field, institution]),
    [
      ['M.Sc.', 'Digital Media', 'University of Leeds'],
      ['B.Sc.', 'Physics', 'University of Leeds'],
    ],
  )
})

t.test('a department beside the title belongs to the organisation on the line above, the employer', async (t) => {
  const text = [
    'Ivo Brandt',
    'Research Experience',
    'Kestrel Institute of Marine Studies, Harbour College',
    '■ Research Assistant, Oceanography Department May 2019 – Aug 2020',
    '● Calibrated the sonar array',
    'Other Work Experience',
    'Norrland Surveying Company, Umeå, Sweden',
    '■ Field Engineer, Department of Geodesy, Oct 2020 – Jan 2022',
    '● Surveyed the coast',
  ].join('\n')
  t.same(work(text), [
    ['Research Assistant', 'Kestrel Institute of Marine Studies, Harbour College', '2019-05', '2020-08', false],
    ['Field Engineer', 'Norrland Surveying Company', '2020-10', '2022-01', false],
  ])
  // With nothing naming the organisation above it, the department is all there is.
  t.same(work('Ivo Brandt\nExperience\n■ Research Assistant, Oceanography Department May 2019 – Aug 2020'), [
    ['Research Assistant', 'Oceanography Department', '2019-05', '2020-08', false],
  ])
})

t.test('a dash the PDF left out: two month-years in order are a range; a list of dates is not', async (t) => {
  const text = [
    'Mira Okafor',
    'Work Experience',
    'Brightline Inc. Lagos, Nigeria',
    'DevOps Engineer Sep. 2023 Mar. 2024',
    '• Ran the clusters',
    'Honors',
    '2021 2nd Place, Cloud GameDay 2020 Finalist, CTF Final',
  ].join('\n')
  t.same(work(text), [['DevOps Engineer', 'Brightline Inc.', '2023-09', '2024-03', false]])
  t.same(work('Mira Okafor\nExperience\nAnalyst, Brightline, Mar. 2024 Sep. 2023'), [], 'an end before its start is no range')
  t.same(work('Mira Okafor\nExperience\nData Scientist, Lucent Labs, Summer 2012 and 2013'), [
    ['Data Scientist', 'Lucent Labs', '2012-06', '2013', false],
  ])
})

t.test('a city set flush right runs into the employer or the school: the place goes, the name stays', async (t) => {
  const text = [
    'Tomas Reyes',
    'Experience',
    '• Quillsoft Mountain View, CA',
    'Software Engineer Oct 2016 – Present',
    '◦ Search: ranked the results',
    '• Harbor Analytics Atlanta, GA',
    'Data Scientist Jan 2014 – Oct 2016',
    '◦ Models: priced the options',
    'Omnia Co., Ltd. Seoul, S.Korea',
    'Software Architect Jun. 2012 Dec. 2013',
    'Education',
    '• Georgia Institute of Technology Atlanta, GA',
    'Master of Science in Computer Science Aug 2012 – Dec 2013',
    '• Stanford University, CA',
    'Bachelor of Science in Physics 2008 – 2012',
  ].join('\n')
  t.same(work(text), [
    ['Software Engineer', 'Quillsoft', '2016-10', null, true],
    ['Data Scientist', 'Harbor Analytics', '2014-01', '2016-10', false],
    ['Software Architect', 'Omnia Co., Ltd.', '2012-06', '2013-12', false],
  ])
  t.same(education(text), [
    ['Master of Science', 'Computer Science', 'Georgia Institute of Technology', '2012-08', '2013-12'],
    ['Bachelor of Science', 'Physics', 'Stanford University', '2008', '2012'],
  ])
})

t.test('a bulleted line above a role is its header only when the role’s own bullets use another glyph', async (t) => {
  const listed = [
    'Nadia Berg',
    'Certifications',
    '• LPIC 1',
    '• SLES11',
    'Systems Analyst Mar 14 - Jan 15',
    'Tidewater Travel',
    '• Wrote runbooks',
  ]
  t.same(work(listed.join('\n')), [['Systems Analyst', 'Tidewater Travel', '2014-03', '2015-01', false]])
})

t.test('a running footer that carries the page number is left out on every page', async (t) => {
  const text = [
    'Lena Fischer',
    'Experience',
    'Acme GmbH',
    'Platform Engineer Jan 2020 – Present',
    'February 10, 2026 Lena Fischer · Résumé 1',
    '\fGlobex AG',
    'Backend Developer Jan 2017 – Dec 2019',
    'February 10, 2026 Lena Fischer · Résumé 2',
  ].join('\n')
  t.same(work(text), [
    ['Platform Engineer', 'Acme GmbH', '2020-01', null, true],
    ['Backend Developer', 'Globex AG', '2017-01', '2019-12', false],
  ])
})

t.test('an employer that merely ends in a capitalised word keeps it; a bullet right after a role is not the next header', async (t) => {
  const text = [
    'Nora Vance',
    'Experience',
    'Bank of America, USA',
    'Analyst Jan 2019 – Dec 2020',
    '• Built the risk reports',
    'Senior Analyst, Deutsche Bank, Germany, Jan 2015 - Dec 2018',
    'Quillsoft Mountain View, CA',
    'Engineer Jan 2021 – Present',
    '• Shipped search',
  ].join('\n')
  t.same(work(text), [
    ['Analyst', 'Bank of America', '2019-01', '2020-12', false],
    ['Senior Analyst', 'Deutsche Bank', '2015-01', '2018-12', false],
    ['Engineer', 'Quillsoft', '2021-01', null, true],
  ])
  const after = ['Nora Vance', 'Experience', 'Quillsoft', 'Engineer Jan 2021 – Present', '• Shipped search', 'Analyst Jan 2019 – Dec 2020']
  t.same(
    work(after.join('\n'))[1],
    ['Analyst', 'Quillsoft', '2019-01', '2020-12', false],
    'the bullet belongs to the role above it, and a role with only bullets between it and the employer line above is at that employer',
  )
})

t.test('roles under "Extracurricular Activity" are activities, not jobs', async (t) => {
  const text = [
    'Jun Seo',
    'Experience',
    'Quillsoft Seoul, S.Korea',
    'Software Engineer Dec. 2011 Feb. 2012',
    'Extracurricular Activity',
    'WiseGuys (Hacking & Security research group) S.Korea',
    'Member Jun. 2012 PRESENT',
    'PoApper (Developers’ Network of POSTECH) Pohang, S.Korea',
    'Core Member & President Jun. 2010 Jun. 2017',
  ].join('\n')
  t.same(
    (profile(text).work ?? []).map((entry) => [entry.title, entry.kind]),
    [
      ['Software Engineer', 'work'],
      ['Member', 'membership'],
      ['Core Member & President', 'membership'],
    ],
  )
})

t.test('a school whose name has no word for school is known by the graduation date under it', async (t) => {
  const text = [
    'Ravi Sen',
    'Education',
    'NORTHFIELD POLYTECHNIC',
    'BS IN COMPUTER SCIENCE',
    'May 2014 | Ithaca, NY',
    'Magna Cum Laude',
    'Cum. GPA: 3.83 / 4.0',
    'ST. XAVIER’S FOR BOYS',
    'Grad. May 2011 | Kolkata, India',
    "Dean's List",
    'May 2010',
  ].join('\n')
  t.same(
    (profile(text).education ?? []).map((entry) => [entry.institution, entry.end]),
    [
      ['NORTHFIELD POLYTECHNIC', '2014-05'],
      ['ST. XAVIER’S FOR BOYS', '2011-05'],
    ],
  )
})

t.test('projects and trainings listed among the jobs are no jobs; a note beside the role is not part of it', async (t) => {
  const text = [
    'Wen Lau',
    'Experience',
    'Harbor Analytics Inc. Oregon, America 2019 – Present',
    'Data Intern Supervisor: Dana Holt',
    '• Built the nightly load',
    'Trail Mapper Mar. 2020 – Present',
    'Go, Postgres, Maintainer Personal Projects',
    '• Renders hiking routes',
    'Course Planner Jan. 2018 – May 2018',
    'TypeScript, React Academic Project, with two classmates',
    '• Timetables for a faculty',
    'Vanta Consulting Nov 2017',
    'Risk Assessment Simulation Training',
    'Orbit Labs 2016 – 2017',
    'Head of Training',
  ].join('\n')
  t.same(work(text), [
    ['Data Intern', 'Harbor Analytics Inc.', '2019', null, true],
    ['Head of Training', 'Orbit Labs', '2016', '2017', false],
  ])
})

t.test('a US state or "America" after a place is a region, so the employer before it keeps only its name', async (t) => {
  t.same(work('Pia Marsh\nExperience\nSoftware Engineer, Kettle Foods, Austin, Texas, Jan 2020 – Dec 2022'), [
    ['Software Engineer', 'Kettle Foods', '2020-01', '2022-12', false],
  ])
  t.equal(profile('Pia Marsh\nAustin, Texas\npia@example.com').location, 'Austin, Texas')
})

t.test(
  'a degree line that starts with "Graduated as", a school project, a college of the school and the studies a graduation ended',
  async (t) => {
    const text = [
      'Ola Brandt',
      'Education',
      'Graduated as M.Sc. Applied Optics - University of Kestrel 2019 / 06',
      '· Thesis: Lens coatings',
      'Master Project - HELIOS - University of Kestrel 2017 - 2018',
      '· Built a spectrometer',
      'Master Studies Applied Optics - University of Kestrel 2017 - 2019',
      '· Classes in English',
      'B.Sc. Physics, Morrow University, 2013 – 2017',
      'College of Arts and Sciences',
      'Magna Cum Laude',
    ].join('\n')
    t.same(education(text), [
      ['M.Sc.', 'Applied Optics', 'University of Kestrel', '2017', '2019-06'],
      ['B.Sc.', 'Physics', 'Morrow University', '2013', '2017'],
    ])
    t.same(education('Ola Brandt\nEducation\n2019 / 06 Graduated as M.Sc. Applied Optics University of Kestrel'), [
      ['M.Sc.', 'Applied Optics', 'University of Kestrel', null, '2019-06'],
    ])
  },
)

t.test('headings in ordinary case in a left margin, beside their first lines, when the document sets several so', async (t) => {
  const text = [
    'Rui Costa',
    'rui@example.pt',
    'Summary Backend developer who likes queues.',
    'Experience Northwind Traders',
    'Backend Developer',
    'March 2020 to Present',
    'Lisbon, Portugal',
    'Education University of Porto',
    'September 2014 to July 2019',
    "Master's in Informatics",
    'Skills Go, PostgreSQL, Kafka',
    // A group named on a line of its own inside a section ("Tools") does not make this a document of such headings.
    'Tools',
    'Intermediate',
    'Git, Docker',
  ].join('\n')
  const read = profile(text)
  t.same(work(text), [['Backend Developer', 'Northwind Traders', '2020-03', null, true]])
  t.same(
    (read.education ?? []).map((entry) => entry.institution),
    ['University of Porto'],
  )
  t.same(read.skills, ['Go', 'PostgreSQL', 'Apache Kafka', 'Git', 'Docker'])
  // One such line in a document that heads its sections on lines of their own is a sentence.
  const plain = ['Rui Costa', 'Summary', 'Education matters to me, and so does Go.', 'Skills', 'Go, Rust'].join('\n')
  t.same(profile(plain).skills, ['Go', 'Rust'])
  t.same(profile(plain).education, [])
})

t.test('a dash spaced on one side only separates employer, title, place and dates; "Certificates and Awards" is a heading', async (t) => {
  const text = [
    'Tomas Reyes',
    'EXPERIENCE',
    'Harbor Auto Group —Sales Representative  —June 2017 - Feb. 2018',
    'Exceeded the sales goal every month',
    'Lakeside Media– Business Development Representative – Orem, Utah – Aug. 2021 - Jan. 2023',
    'Ranked first among all representatives',
    'CERTIFICATES AND AWARDS',
    'Certification in Microsoft Word and Excel',
  ].join('\n')
  t.same(work(text), [
    ['Sales Representative', 'Harbor Auto Group', '2017-06', '2018-02', false],
    ['Business Development Representative', 'Lakeside Media', '2021-08', '2023-01', false],
  ])
  t.same(profile(text).certificates, ['Certification in Microsoft Word and Excel'])
  t.same(profile(text).education, [])
  // A hyphen spaced after a word, before a capital, is one too; inside a word or a range, or before a small letter, it is not.
  t.same(work(['Adam Hess', 'WORK EXPERIENCE', 'Lead Software Engineer- New York, NY Jan 2023-Present', 'Nomad Health'].join('\n')), [
    ['Lead Software Engineer', 'Nomad Health', '2023-01', null, true],
  ])
  t.same(work(['Ana Lima', 'EXPERIENCE', 'Front-End Developer, Acme Co., 2019–2021'].join('\n')), [
    ['Front-End Developer', 'Acme Co.', '2019', '2021', false],
  ])
})

t.test('a label before the dates is no title; a state abbreviated AP style is a place', async (t) => {
  t.same(work(['Ana Lima', 'EXPERIENCE', 'Acme Corp | Dates: Jan 2019 - Present', 'Engineer', 'Built things.'].join('\n')), [
    ['Engineer', 'Acme Corp', '2019-01', null, true],
  ])
  t.same(
    work(
      [
        'Aaron Diaz',
        'Work Experience',
        'Software Developer',
        'True Manufacturing, St. Peters, Mo. | 2019- Present',
        'Rewrote the API.',
      ].join('\n'),
    ),
    [['Software Developer', 'True Manufacturing', '2019', null, true]],
  )
  t.equal(profile(['Aaron Diaz', 'aaron@example.org', 'Warrenton, Mo. 63383', 'EXPERIENCE'].join('\n')).location, 'Warrenton, Mo. 63383')
})

t.test('a degree over its school and place: the state is no degree; a heading listing sections ends the one above', async (t) => {
  const text = [
    'Alex Gray',
    'EDUCATION',
    'Master of Science (M.S.) – Data Analytics May 2022 – Present',
    'University of Massachusetts, Amherst, MA',
    'Bachelor of Arts (B.A.) - Political Science Aug 2019 - May 2022',
    'University of Massachusetts, Amherst, MA',
    'EXPERIENCE',
    'Intern Jun 2021 - Aug 2021',
    'BlueWave Partners, Washington, DC',
    'HONORS, AWARDS & CERTIFICATIONS',
    'Dean’s List Spring 2020, Fall 2021',
    'University of Massachusetts, Amherst, MA',
  ].join('\n')
  t.same(education(text), [
    ['Master of Science', 'Data Analytics', 'University of Massachusetts', '2022-05', null],
    ['Bachelor of Arts', 'Political Science', 'University of Massachusetts', '2019-08', '2022-05'],
  ])
  t.same(work(text), [['Intern', 'BlueWave Partners', '2021-06', '2021-08', false]], "the dean's list is no job")
})

t.test('a career path section: the employer above the dates, its web address and the title below them', async (t) => {
  const text = [
    'Hyder Shaffer',
    'CAREER PATH',
    'Cray, Pleasanton, CA',
    '01/2014 - 12/2017 (4 years)',
    'http://www.cray.com',
    'Automation and SRE Architect',
    'Supercomputer company with 1.2k+ employees',
    '',
    'Built automation systems to test APIs.',
    '',
    'Hewlett Packard, Fremont, CA',
    '01/2010 - 12/2013 (4 years)',
    'https://www.hp.com',
    'Java Developer',
    'Computing company with 60k+ employees',
    '',
    'Wrote classes.',
  ].join('\n')
  t.same(work(text), [
    ['Automation and SRE Architect', 'Cray', '2014-01', '2017-12', false],
    ['Java Developer', 'Hewlett Packard', '2010-01', '2013-12', false],
  ])
  // Only a line that reads as a title is taken from the other side: a description is not.
  t.same(
    work(['Jo Park', 'EXPERIENCE', 'Acme Corp, Berlin, Germany', '2019 - 2021', 'Built a payment service used by millions'].join('\n')),
    [[null, 'Acme Corp', '2019', '2021', false]],
  )
})

t.test('a table of qualifications: its column titles, the grades, a field in brackets, school-leaving classes, "2021-24"', async (t) => {
  const text = [
    'Saket Kumar',
    'saket@example.org',
    'Academic Qualifications',
    'Year Degree/Certificate Institute CPI/%',
    '2024 - Present M.Sc (Economics) Indian Institute of Technology Kanpur 8.72/10',
    '2021-24 B.A. (Statistics) Banaras Hindu University 8.01/10',
    '2021 Class XII (CBSE) Jawahar Navodaya Vidyalaya Samastipur 90.0%',
    'Scholastic Achievements',
    '• Achieved A* grades.',
  ].join('\n')
  t.same(education(text), [
    ['M.Sc', 'Economics', 'Indian Institute of Technology Kanpur', '2024', null],
    ['B.A.', 'Statistics', 'Banaras Hindu University', '2021', '2024'],
    ['Class XII', null, 'Jawahar Navodaya Vidyalaya Samastipur', null, '2021'],
  ])
  // "Academic Qualification :", a table whose titles include its status column.
  t.same(
    education(
      [
        'Amandeep Singh',
        'Academic Qualification :',
        'Course College / School CGPA Status',
        'BCA Sunderdeep Group of Institute, Ghaziabad 6.9',
      ].join('\n'),
    ),
    [['BCA', null, 'Sunderdeep Group of Institute', null, null]],
  )
  // "B.E" without its last dot; a Vidya Bhavan is a school.
  t.same(
    education(
      [
        'Prajwal J',
        'EDUCATION',
        'JSS Science and Technology University, Mysore Aug 2019 – Sep 2022',
        'B.E | Computer Science and Engineering',
        'Bharatiya Vidya Bhavan, Mysore Mar 2015-May 2016',
        'SSLC',
      ].join('\n'),
    ),
    [
      ['B.E', 'Computer Science and Engineering', 'JSS Science and Technology University', '2019-08', '2022-09'],
      ['SSLC', null, 'Bharatiya Vidya Bhavan', '2015-03', '2016-05'],
    ],
  )
  // A Europass date is no grade: "01/10/2012" keeps its "10".
  t.same(
    education(
      [
        'Lukas Schmidt',
        'EDUCATION',
        '01/10/2012 – 30/09/2015 Munich, Germany',
        'BACHELOR OF SCIENCE IN COMPUTER SCIENCE Technical University of Munich',
      ].join('\n'),
    ),
    [['BACHELOR OF SCIENCE', 'COMPUTER SCIENCE', 'Technical University of Munich', '2012-10', '2015-09']],
  )
})

t.test("a sidebar read before the header: the website on the line under the candidate's email is theirs", async (t) => {
  const text = [
    'Profiles',
    'janedoe',
    'GitHub',
    'References',
    'Available upon request',
    'Jane Doe',
    'Platform Engineer',
    'Pleasantville, CA (555) 123-4567 jane.doe@example.com',
    'https://janedoe.me/',
    'Experience',
    'Acme Corp. January 2019 to Present',
    'Platform Engineer',
    'https://acme.example/',
    'Ran the Kubernetes clusters.',
  ].join('\n')
  const links = profile(text).links.map((link) => link.url)
  t.ok(links.includes('https://janedoe.me'), `the website is read: ${links.join(', ')}`)
  t.notOk(links.includes('https://acme.example'), "the employer's website under a role is not the candidate's")
})

t.test(
  'headings in more wordings: a skills heading of its kind, education history, community roles, projects with a qualifier',
  async (t) => {
    const read = profile(
      [
        'Jane Doe',
        'jane.doe@example.com',
        'Education History',
        'University of Leeds, BSc Computer Science 2016 - 2019',
        'Programming Skills',
        'Languages: Java, Python',
        'Tools: Git',
        'Projects (Computer Science)',
        'Swipe-based Tetris, Mobile Applications Development Jan 2018 - May 2018',
        'Community Engagement',
        'FIRST Robotics Competition, Team Captain Aug 2016 - Mar 2019',
        'Co-Curricular/ Club Involvement',
        'Social Service Club (member)',
      ].join('\n'),
    )
    t.same(
      (read.education ?? []).map((school) => school.institution),
      ['University of Leeds'],
    )
    t.same(read.skills, ['Java', 'Python', 'Git'], 'the "Languages:" line of a programming skills section is read')
    t.same(
      (read.work ?? []).filter((entry) => entry.kind === 'work'),
      [],
      'projects and community roles are no work',
    )
    t.same(read.certificates, [])
  },
)

t.test('dates as people write them: months sharing a year, year/month ranges; a year pair is no phone', async (t) => {
  const jobs = (...lines: string[]) => workUnder(lines).map((job) => [job.employer, job.title, job.start, job.end])
  t.same(jobs('Paisano’s Pizza', 'Cashier June–August 2017', 'Iridium', 'Engineering intern May–August 2018'), [
    ['Paisano’s Pizza', 'Cashier', '2017-06', '2017-08'],
    ['Iridium', 'Engineering intern', '2018-05', '2018-08'],
  ])
  t.same(jobs('Acme Corp', 'Analyst Nov – Feb 2020'), [['Acme Corp', 'Analyst', '2019-11', '2020-02']], 'a winter spans the new year')
  t.same(jobs('Mahsan Co.. . . . . . . . . . . .', 'Senior Software Engineer 2022/10-2024/07'), [
    ['Mahsan Co.', 'Senior Software Engineer', '2022-10', '2024-07'],
  ])
  const contact = profile('Jane Doe\njane@example.com\nActivities\nPresident, Photography Cell, IIITD, 2018/2019')
  t.equal(contact.phone, null, 'an academic year is no phone number')
  t.equal(profile('Jane Doe\n+(86) 189-0839-4732 | jane@example.com').phone, '+86 189-0839-4732')
})

t.test("an employer's city run onto its name is its place; a name that holds a city keeps it", async (t) => {
  const employers = (...lines: string[]) => workUnder(lines).map((job) => job.employer)
  t.same(
    employers('Research Scientist @ Snowflake Remote Jan 2023 – Present', 'Research Scientist @ Twitter San Francisco Jan 2020 – Dec 2022'),
    ['Snowflake', 'Twitter'],
  )
  t.same(
    employers(
      'Royal Bank of Canada Toronto, ON',
      'Software Developer Intern May 2021 – Aug 2021',
      'Harvard University Cambridge',
      'Research Assistant Sep 2019 – May 2020',
      'University of Toronto',
      'Teaching Assistant Sep 2018 – Apr 2019',
      'Technische Universität München',
      'Student Assistant Oct 2014 – Aug 2016',
    ),
    ['Royal Bank of Canada', 'Harvard University', 'University of Toronto', 'Technische Universität München'],
  )
})

t.test('names: a nickname between the names, a title word after them, a name set in lower case', async (t) => {
  const name = (text: string) => profile(text).name
  t.equal(name('Moses (Eli) Katz\nmoses@example.com'), 'Moses Katz')
  t.equal(name('NICOLAS “OSWIN” ROGER\nnicolas@example.com'), 'Nicolas Roger')
  t.equal(name('Dmitry Safonov Kernel Engineer\ndima@example.com'), 'Dmitry Safonov', 'the word before the title is the title’s')
  t.equal(name('Jane Mary Doe Engineer\njane.mary.doe@example.com'), 'Jane Mary Doe', 'unless the email names it')
  t.equal(name('aaron buxbaum\naaron.buxbaum@example.com'), 'Aaron Buxbaum')
  t.equal(name('open to work\nhello@example.com'), null, 'lower case words the email does not name are no name')
  t.equal(name('Mihir PatilCOMPUTER SCIENCE FRESHMAN AT PURDUE\nmihir@example.com'), 'Mihir Patil', 'a name run into a line in capitals')
  t.equal(name('Jane MacDONALD\njane@example.com'), 'Jane MacDONALD', 'a surname in capitals after its prefix stays whole')
})

t.test("a school's name wrapped after its joining word goes on below", async (t) => {
  const schools = (...lines: string[]) =>
    (profile(['Jane Doe', 'jane@example.com', 'Education', ...lines].join('\n')).education ?? []).map((entry) => [
      entry.institution,
      entry.degree,
    ])
  t.same(schools('JAYPEE INSTITUTE OF', 'INFORMATION TECHNOLOGY', 'B.Tech in Computer Science 2019 - 2023'), [
    ['JAYPEE INSTITUTE OF INFORMATION TECHNOLOGY', 'B.Tech'],
  ])
  t.same(schools('Indian Institute of', 'Engineering Science and Technology, Shibpur', 'Bachelor of Technology 2018 - 2022'), [
    ['Indian Institute of Engineering Science and Technology', 'Bachelor of Technology'],
  ])
})

t.test("a site named after the candidate, its address only in the PDF's link annotation, is theirs; an employer's is not", async (t) => {
  const links = (text: string) => profile(text).links.map((link) => link.url)
  t.same(
    links(
      'Daniel Kei\ndaniel@example.com | Portfolio\nExperience\nAcme Corp\nEngineer Jan 2020 - Present\nhttps://danielkei.tech/\nhttps://acme.example/',
    ),
    ['https://danielkei.tech'],
  )
  t.same(
    links('Rustin Liu\nrustin@example.com\nExperience\nPingCAP\nEngineer Jan 2020 - Present\nhttps://hi-rustin.rs/\nhttps://pingcap.com/'),
    ['https://hi-rustin.rs'],
  )
  t.same(
    links('Grace Hopper\ngrace@example.com\nExperience\nGrace Health\nEngineer Jan 2020 - Present\nhttps://gracehealth.com/'),
    [],
    'a first name inside a longer name is no sign',
  )
})

t.test('an experience section that dates none of its roles: each employer and title over its bullets is a role', async (t) => {
  t.same(
    rolesUnder(
      'Advanced Navigation — Software Test Engineer Intern',
      '• Wrote test automation for navigation systems',
      'Software Developer - Cheetah Networks',
      '- Built network monitoring dashboards',
      'Projects',
      'Tetris Clone - Game Developer',
      '- Wrote a game',
    ),
    [
      ['Advanced Navigation', 'Software Test Engineer Intern', null],
      ['Cheetah Networks', 'Software Developer', null],
    ],
    'a project is no role',
  )
  t.same(
    rolesUnder('Acme Corp — Software Engineer Jan 2020 - Present', '• Built things', 'Platform Team — Tech Lead', '• Led the team'),
    [['Acme Corp', 'Software Engineer', '2020-01']],
    'beside dated roles an undated line is a part of one',
  )
  t.same(rolesUnder('Acme Corp — Software Engineer', 'Built things for customers.'), [], 'without bullets under it a line is no role')
})

t.test('section headings in French, Spanish, German, Italian and Dutch open their sections', async (t) => {
  const read = profile(
    [
      'Nicolas Roger',
      'nicolas@example.com',
      'EXPÉRIENCE',
      'Acme SA — Développeur 2019 - 2021',
      'FORMATION',
      'Université de Lyon, Master Informatique 2014 - 2019',
      'Compétences',
      'Python, Docker',
      "Centres d'intérêt",
      'Escalade, Photographie',
    ].join('\n'),
  )
  t.same(
    (read.work ?? []).map((job) => job.employer),
    ['Acme SA'],
  )
  t.same(
    (read.education ?? []).map((school) => school.institution),
    ['Université de Lyon'],
  )
  t.same(read.skills, ['Python', 'Docker'], 'interests are no skills')
  const headings = [
    'Experiencia Laboral',
    'Educación',
    'Idiomas',
    'Beruflicher Werdegang',
    'Bildung',
    'Projekte',
    'Esperienze Professionali',
    'Werkervaring',
    'Opleiding',
  ]
  t.same(
    headings.map((heading) => resumeLines(`Jane Doe\n${heading}\nx`)[1]!.heading),
    headings.map(() => true),
  )
})

t.test('dates with month names and "now" in French, Spanish, German, Italian and Dutch', async (t) => {
  const jobs = (...lines: string[]) =>
    workUnder(lines, ['Nicolas Roger', 'nicolas@example.com', 'Expérience']).map((job) => [job.start, job.end, job.current])
  t.same(jobs('Acme SA — Développeur', 'Janvier 2020 – Présent', 'Globex — Stagiaire', 'sept. 2018 à août 2019'), [
    ['2020-01', null, true],
    ['2018-09', '2019-08', false],
  ])
  t.same(
    ['Enero 2019 - Actualidad', 'März 2017 – Dezember 2018', 'maggio 2016 - oggi', 'mei 2018 - heden'].map((range) =>
      jobs(`Acme — Engineer ${range}`).map(([start, end]) => `${start}..${end ?? 'now'}`),
    ),
    [['2019-01..now'], ['2017-03..2018-12'], ['2016-05..now'], ['2018-05..now']],
  )
})

t.test('a known city or how the role was worked, beside its dates, is neither title nor employer', async (t) => {
  t.same(
    rolesUnder(
      'Sep 2024 – Present | Toronto',
      'Reimagine Health, Full Stack Developer',
      '• Built the patient portal',
      'May 2023 – Aug 2024 | Waterloo',
      'Shopify, Software Engineer Intern',
      '• Built checkout',
    ),
    [
      ['Reimagine Health', 'Full Stack Developer', '2024-09'],
      ['Shopify', 'Software Engineer Intern', '2023-05'],
    ],
  )
  t.same(
    rolesUnder(
      'Full Stack Web Developer',
      'Utopian Global',
      '06/2021 - Present Part-Time Remote Working',
      '• Built sites',
      'Web Developer',
      'Acme Corp',
      '01/2019 - 05/2021 Full-Time',
      '• Built more',
    ),
    [
      ['Utopian Global', 'Full Stack Web Developer', '2021-06'],
      ['Acme Corp', 'Web Developer', '2019-01'],
    ],
  )
})

t.test(
  'Word resumes from people’s own repositories: a postcode or flat number before the phone, an initial in a name in capitals, headings ruled with underscores',
  async (t) => {
    t.equal(profile('Amy McCabe\n1234 Main St, Oakdale, MN 55128.  651-295-5841  amy@umn.edu').phone, '651-295-5841')
    t.equal(profile('Daniel Cox\n105 W 39th St. #1226 412.532.6269\ndan@example.com').phone, '412.532.6269')
    t.equal(
      profile('Jan Lambert\njan@example.com\nCertificates\nCert. nr. VOL01.11.104.10.0101').phone,
      null,
      "a certificate's number is no phone",
    )
    t.equal(profile('LUIS F PELUYERA\nluis@example.com').name, 'Luis F Peluyera')
    t.equal(profile('JUSTIN M. JAMISON\njustin@example.com').name, 'Justin M. Jamison')
    const read = profile(
      [
        'Jane Doe',
        'jane@example.com',
        'EXPERIENCE_______',
        'Acme Corp, Engineer 2019 - 2021',
        'Related Experience',
        'Globex, Analyst 2017 - 2019',
        'SKILLS____',
        'Python, Go',
        'Continuing Education',
        'Harvard Extension School, Certificate in Data Science 2020',
      ].join('\n'),
    )
    t.same(
      (read.work ?? []).map((job) => job.employer),
      ['Acme Corp', 'Globex'],
    )
    t.same(read.skills, ['Python', 'Go'])
    t.same(
      (read.education ?? []).map((school) => school.institution),
      ['Harvard Extension School'],
    )
  },
)

t.test(
  'PDF resumes from people’s own repositories: years cut after an apostrophe, a bar between dates, headings that list or join sections, a heading beside a dated role',
  async (t) => {
    t.same(rolesUnder('Tracer Labs, Software Developer Intern, New York, NY Jun ‘19 – Aug ‘19'), [
      ['Tracer Labs', 'Software Developer Intern', '2019-06'],
    ])
    t.same(
      workUnder(['Acme Corp', 'Intern May 2017 | August 2017', 'Globex', 'Analyst Jan 2019 | Present']).map((job) => [
        job.start,
        job.end,
        job.current,
      ]),
      [
        ['2017-05', '2017-08', false],
        ['2019-01', null, true],
      ],
    )
    t.equal(profile('Liam Pack\n(732)·687·8712 | liam@example.com').phone, '(732)·687·8712')
    const headed = (heading: string) => workUnder(['Acme Corp, Engineer 2019 - 2021'], ['Jane Doe', 'jane@example.com', heading]).length
    t.same(
      ['WORK EXPERIENCE/ VOLUNTEERING', 'Project & Work Experience', 'RESEARCH-WORK EXPERIENCE'].map(headed),
      [1, 1, 1],
      'a heading that lists experience with another section, or joins words with a hyphen, reads its roles',
    )
    t.same(
      rolesUnder('EXPERIENCE Foreman/Lead Carpenter 07/2018-Present', 'Schuchart Corporation. Seattle, WA', '• Led crews'),
      [['Schuchart Corporation.', 'Foreman/Lead Carpenter', '2018-07']],
      'a heading in the margin beside a dated role',
    )
  },
)

t.test('a city of several words run into an employer or a school before its state is the place', async (t) => {
  const read = profile(
    [
      'Jane Doe',
      'jane@example.com',
      'Experience',
      'Wabtec Railway Electronics Cedar Rapids, Iowa',
      'Software Engineer Intern May 2019 - Aug 2019',
      'Bank of Boston, MA',
      'Teller Jan 2015 - Dec 2015',
      'Education',
      'University of Michigan Ann Arbor, MI',
      'B.S. in Computer Science 2016 - 2020',
    ].join('\n'),
  )
  t.same(
    (read.work ?? []).map((job) => job.employer),
    ['Wabtec Railway Electronics', 'Bank of Boston'],
  )
  t.same(
    (read.education ?? []).map((school) => school.institution),
    ['University of Michigan'],
  )
})

t.test(
  "a referee's email and phone are not the candidate's; digits in a web address are no phone; a name after its label in another language",
  async (t) => {
    const contact = (text: string) => {
      const read = profile(text)
      return [read.name, read.email, read.phone]
    }
    t.same(
      contact(
        'Hunter Kastner\nLawton, OK 73507 |C: 580-585-1082 | hunter@example.com\nExperience\nAcme, Cook 2019 - 2020\nReferences: Ann Edwards, Manager, Phone: (580)585-2621',
      ),
      ['Hunter Kastner', 'hunter@example.com', '580-585-1082'],
    )
    t.same(
      contact(
        'Henrique Pureza\nReferences\nAngelino Picone from InTheCode\nangelino@inthecode.com.au\nDetails\n0431311073\nhenrique.pureza13@gmail.com',
      ),
      ['Henrique Pureza', 'henrique.pureza13@gmail.com', '0431311073'],
    )
    t.same(contact('Jane Doe\njane@example.com\nReferences\nJohn Smith, Phone: (555) 123-4567'), ['Jane Doe', 'jane@example.com', null])
    t.same(contact('Omri Green\nhttps://www.linkedin.com/in/omri-green-880091240/\nomri@example.com'), [
      'Omri Green',
      'omri@example.com',
      null,
    ])
    t.equal(profile('CV\nNavn: Martin David Möller\nmartin@example.com\nKompetencer\nJava, IBM Websphere').name, 'Martin David Möller')
    t.equal(profile('Naam L.J.H. Timmerman\nlt@example.com').name, 'L.J.H. Timmerman')
    t.same(
      rolesUnder('Acme Corp', 'Engineer 2019 - 2021', 'Freelance', 'Globex', 'Designer 2017 - 2019'),
      [
        ['Acme Corp', 'Engineer', '2019'],
        ['Globex', 'Designer', '2017'],
      ],
      'a line "Freelance" among the roles is no heading',
    )
  },
)

t.test('how long a role lasted, in brackets after its dates, is neither title nor employer', async (t) => {
  t.same(rolesUnder('SDE at Amazon AWS, July 2015 - July 2018 (3 years)'), [['Amazon AWS', 'SDE', '2015-07']])
  t.same(
    rolesUnder(
      'Senior Software Engineer - Splunk',
      'August 2008 - Present (2 Years+)',
      '• Built search',
      'Software Engineer - Oracle',
      'June 2005 - July 2008 (1 yr 4 mos)',
      '• Built databases',
    ),
    [
      ['Splunk', 'Senior Software Engineer', '2008-08'],
      ['Oracle', 'Software Engineer', '2005-06'],
    ],
  )
})

t.test('several roles under one employer line: each role after the first is at that employer; a role of one’s own is not', async (t) => {
  t.same(
    rolesUnder(
      'The Home Depot - Atlanta, GA',
      'Software Engineering Intern May 2023 - Aug 2023',
      '• Built inventory tools',
      'Software Engineering Intern May 2022 - Aug 2022',
      '• Built dashboards',
      'Freelance Developer Jan 2021 - Apr 2022',
      '• Built sites',
      'Globex',
      'Analyst Jan 2020 - Dec 2020',
    ),
    [
      ['The Home Depot', 'Software Engineering Intern', '2023-05'],
      ['The Home Depot', 'Software Engineering Intern', '2022-05'],
      [null, 'Freelance Developer', '2021-01'],
      ['Globex', 'Analyst', '2020-01'],
    ],
  )
})

t.test('a sentence about a school, under an education entry, names no school', async (t) => {
  const schools = (...lines: string[]) =>
    (profile(['Jane Doe', 'jane@example.com', 'Education', ...lines].join('\n')).education ?? []).map((entry) => entry.institution)
  t.same(
    schools(
      'Stanford University, B.S. Computer Science 2017 - 2021',
      'Transferred to The Behrend College for a degree in Software Engineering.',
    ),
    ['Stanford University'],
  )
  t.same(
    schools(
      'Summer program that exposes high school students to university research 2016',
      'Stanford University, B.S. Computer Science 2017 - 2021',
    ),
    ['Stanford University'],
  )
})
