// Skills and certificates as real resumes typeset them: icon fonts mapped onto
// letters, a link or an address beside the list, durations after each skill,
// category labels in capitals, other labels inside a skills block, and
// certificates with a description under each.
import t from 'tap'
import { extractProfile } from '../src/pipeline/profile.ts'

const NOW = new Date('2025-06-15T12:00:00Z')
const read = (text: string) => extractProfile(text, NOW)

t.test('icon glyphs mapped onto letters and signs are not skills and separate them', async (t) => {
  t.same(read('Jane Doe\nSkills\n/ Meteor\nt Blaze\n0 Git\n/ Webstorm 0 SourceTree\n& Terminal ` Inkscape " Blender').skills, [
    'Meteor',
    'Blaze',
    'Git',
    'Webstorm',
    'SourceTree',
    'Terminal',
    'Inkscape',
    'Blender',
  ])
  t.same(read('Jane Doe\nSkills\nC, R, A, Go').skills, ['C', 'R', 'Go'], 'a lone letter counts only when it is a skill')
})

t.test('a link, an address or a page number beside a list is no skill', async (t) => {
  t.same(read('Jane Doe\nTechs: Meteor, Javascript, Mongo,. Bootstrap, Git info@example.com').skills, [
    'Meteor',
    'JavaScript',
    'MongoDB',
    'Bootstrap',
    'Git',
  ])
  t.same(read('Jane Doe\nSkills\nPython, Go\nhttps://github.com/\nhttps://doi.org/10.1234/abc.2023.1\n2/3').skills, ['Python', 'Go'])
})

t.test('durations after a skill and category labels are not part of it', async (t) => {
  t.same(read('Jane Doe\nSkills\nPython 5+ yrs\nAnsible 5+ yrs\nHtml/CSS 3+ yrs').skills, ['Python', 'Ansible', 'HTML', 'CSS'])
  t.same(read('Jane Doe\nSkills\nPROGRAMMING\nOver 5000 lines:\nJava • Shell • Python\nOver 1000 lines:\nC • C++').skills, [
    'Java',
    'Shell',
    'Python',
    'C',
    'C++',
  ])
})

t.test('a skills heading shared with awards: the awards are not skills', async (t) => {
  const profile = read(
    'Jane Doe\nSkills and Awards\n• Programming Languages: JavaScript, Python, Dart\n• Awards: 1st CorCTF 2024 ($1337), 3rd PicoCTF 2023\n• Interests: Classical Literature, Tetris',
  )
  t.same(profile.skills, ['JavaScript', 'Python', 'Dart'])
})

t.test('certificates: the description under each is not one', async (t) => {
  const profile = read(
    [
      'Jane Doe',
      'Certifications',
      'LPIC 1 - Linux administrator',
      'Certificate issued by the Linux',
      'professional institute to prove abilities.',
      'IBM InfoSphere DataStage Essentials',
      'Intense course about the ETL',
      'technologies and the use of IBM',
      'DataStage.',
      'Jump Start Program',
      'Two months full-time training in object oriented programming in Java SE/EE and modern web frameworks.',
    ].join('\n'),
  )
  t.same(profile.certificates, ['LPIC 1', 'IBM InfoSphere DataStage Essentials', 'Jump Start Program'])
})

t.test('what a candidate loves is not a skill', async (t) => {
  t.same(read('Jane Doe\nTech: Meteor, Git\nLoves: Global Game Jam, Sci-Fi series, Fitness').skills, ['Meteor', 'Git'])
})

t.test('headings set in a left margin open their section on its first line', async (t) => {
  const profile = read(
    [
      'Jane Doe',
      'LANGUAGES ■ English: Native language.',
      '■ Spanish: Fluent (speaking, reading, writing).',
      'SKILLS TEX, LATEX, MATLAB, Mathematica, Maple, R, Tableau,',
      'Microsoft Word, Microsoft Excel.',
      'INTERESTS Digital photography, typography, swimming.',
      'REFERENCES ■ Professor Jonathan Public',
      'First American University',
      'TRAINING Coordinator at Acme',
    ].join('\n'),
  )
  t.same(profile.languages, ['English (native)', 'Spanish (fluent)'])
  t.same(profile.skills, ['TeX', 'LaTeX', 'MATLAB', 'Mathematica', 'Maple', 'R', 'Tableau', 'Microsoft Word', 'Microsoft Excel'])
})

t.test('certificates end where a dated role shows the work history has begun', async (t) => {
  const profile = read(
    [
      'Jane Doe',
      'Certifications',
      'LPIC 1 - Linux administrator',
      '\f• NOVELL eDirectory',
      '• SLES11',
      'Systems Analyst Mar 14 - Jan 15',
      'Tidewater Travel',
      '• Git for configuration and documentation',
      'Skills',
      'Python, Git',
    ].join('\n'),
  )
  t.same(profile.certificates, ['LPIC 1', 'NOVELL eDirectory', 'SLES11'], 'what comes before the role cannot be told from certificates')
  t.same(
    profile.work!.map((entry) => [entry.title, entry.employer]),
    [['Systems Analyst', 'Tidewater Travel']],
  )
})

t.test('two skills joined by a slash are two; a skill whose name has a slash stays one', async (t) => {
  t.same(read('Jane Doe\nSkills\nHTML/CSS, C/C++, JavaScript/TypeScript').skills, ['HTML', 'CSS', 'C', 'C++', 'JavaScript', 'TypeScript'])
  t.same(read('Jane Doe\nSkills\nCI/CD, PL/SQL, TCP/IP, A/B testing').skills, ['CI/CD', 'SQL', 'Networking', 'A/B testing'])
  const profile = read('Jane Doe\nSkills\nHTML/CSS')
  t.same(
    profile.sources?.skills?.map((source) => source.written),
    ['HTML', 'CSS'],
    'each keeps its own words',
  )
})

t.test('the TeX logos as a PDF gives them are TeX, LaTeX and XeLaTeX', async (t) => {
  t.same(read('Jane Doe\nSkills\nTEX, LATEX, XƎLATEX, MATLAB').skills, ['TeX', 'LaTeX', 'XeLaTeX', 'MATLAB'])
  // The raised "A" of the LaTeX logo comes out on a line of its own.
  t.same(read('Jane Doe\nSkills\nJava • Shell\nA\nOCaml • LTEX').skills, ['Java', 'Shell', 'OCaml', 'LaTeX'])
})

t.test('certificates led by their year, with the issuer after a comma; an exam version stays', async (t) => {
  const text = [
    'Jane Doe',
    'Certificates',
    '2023 AWS Certified Advanced Networking Specialty , Amazon Web Services (AWS)',
    '2020 Certified Kubernetes Application Developer (CKAD), The Linux Foundation',
    '2024 HashiCorp Certified: Terraform Associate (003), HashiCorp',
    'Oracle Certified Professional (issued 2019)',
    'Education',
    'B.S. in Computer Science 2010 – 2014',
  ].join('\n')
  t.same(read(text).certificates, [
    'AWS Certified Advanced Networking Specialty',
    'Certified Kubernetes Application Developer (CKAD)',
    'HashiCorp Certified: Terraform Associate (003)',
    'Oracle Certified Professional',
  ])
})

t.test('skills ranked with " > " or " == " are each a skill; a template placeholder is none', async (t) => {
  t.same(read('Jane Doe\nSkills\n• Programming Languages: Rust == Go > Kotlin >> Java\n• Tools: Docker, xxx, YYY').skills, [
    'Rust',
    'Go',
    'Kotlin',
    'Java',
    'Docker',
  ])
})

t.test('a Miscellaneous heading ends the skills list above it', async (t) => {
  const profile = read('Jane Doe\nSkills\nPython, SQL\nMiscellaneous\n• Blog: https://jane.example.org\n• Languages: English - Fluent')
  t.same(profile.skills, ['Python', 'SQL'])
  t.same(profile.languages, ['English (fluent)'])
})

t.test('a skill group: its name and its level above its skills are neither; a level alone is no skill', async (t) => {
  const text = [
    'Jane Doe',
    'Skills',
    'Data Tooling',
    'Advanced',
    'Pandas, NumPy, dbt',
    'Cloud',
    'Intermediate',
    'Terraform, AWS',
    'Go',
    'Expert',
  ].join('\n')
  t.same(read(text).skills, ['pandas', 'NumPy', 'dbt', 'Terraform', 'AWS', 'Go'])
})

t.test('a certificate over its issuer over its year: the issuer is no certificate', async (t) => {
  const text = [
    'Jane Doe',
    'Certifications',
    'Cloud Native Foundations',
    'Linux Foundation',
    '2021',
    'Certified Kubernetes Administrator',
    'Cloud Native Computing Foundation',
    'Mar 2022',
    'Scrum Master Basics',
  ].join('\n')
  t.same(read(text).certificates, ['Cloud Native Foundations', 'Certified Kubernetes Administrator (CKA)', 'Scrum Master Basics'])
})

t.test("an issuer's line under a certificate, or beside the next one in a row of two, is no certificate", async (t) => {
  const listed = (...lines: string[]) => read(['Jane Doe', 'Certifications', ...lines].join('\n')).certificates
  t.same(listed('2020 Full-Stack Web Development', 'CodeAcademy', '2019 AWS Certified Developer', 'Amazon Web Services'), [
    'Full-Stack Web Development',
    'AWS Certified Developer',
  ])
  t.same(
    listed('Full-Stack Web Development', 'CodeAcademy 2020 AWS Certified Developer', 'Amazon Web Services 2019'),
    ['Full-Stack Web Development', 'AWS Certified Developer'],
    'two to a row: the left issuer and year, then the right name',
  )
  t.same(listed('Professional Scrum Master I', 'Issued by Scrum.org, Mar 2021', 'Machine Learning', 'Coursera (2019)'), [
    'Professional Scrum Master I (PSM I)',
    'Machine Learning',
  ])
  t.same(
    listed('Google Analytics Individual Qualification', 'Microsoft Office Specialist'),
    ['Google Analytics Individual Qualification', 'Microsoft Office Specialist'],
    "a certificate named after its issuer's products is one",
  )
})

t.test('a labelled line wrapped onto the next keeps its label there: what a candidate loves is still no skill', async (t) => {
  const skills = (...lines: string[]) => read(['Jane Doe', 'Skills', ...lines, 'Experience'].join('\n')).skills
  t.same(skills('Tech: Meteor, Git', 'Loves: Global Game Jam, Sci-Fi series, Stackover-', 'flow, Fitness and Martial Arts'), [
    'Meteor',
    'Git',
  ])
  t.same(skills('Tech: Meteor, Git', 'Loves: Global Game Jam, Fitness and Martial', 'Arts'), ['Meteor', 'Git'])
  t.same(skills('Tech: Meteor, Git', 'Loves: Global Game Jam and', 'running'), ['Meteor', 'Git'])
  // A list under a labelled line is a list of its own.
  t.same(skills('Languages: English, French', 'Python, Go, Kubernetes'), ['Python', 'Go', 'Kubernetes'])
})

t.test('a category set before its list without a colon is no part of the first skill', async (t) => {
  const skills = (...lines: string[]) => read(['Jane Doe', 'Skills', ...lines].join('\n')).skills
  t.same(skills('Languages Python, Java, C++', 'Developer Tools Git, Docker', 'Frameworks Spring Boot, React', 'Design – Figma, Sketch'), [
    'Python',
    'Java',
    'C++',
    'Git',
    'Docker',
    'Spring Boot',
    'React',
    'Figma',
    'Sketch',
  ])
  t.same(
    skills('Web Development, React', 'Data Science, Pandas'),
    ['Web development', 'React', 'Data science', 'pandas'],
    'a skill named with such a word stays whole',
  )
})

t.test('a "Languages" heading over programming languages heads skills; over spoken ones, languages', async (t) => {
  const both = (...lines: string[]) => {
    const profile = read(['Jane Doe', 'jane@example.com', ...lines].join('\n'))
    return [profile.skills, profile.languages]
  }
  t.same(both('Skills', 'Languages', 'Java, Python, SQL', 'Frameworks', 'React, Spring'), [
    ['Java', 'Python', 'SQL', 'React', 'Spring'],
    [],
  ])
  t.same(both('Skills', 'Languages', 'English, French'), [[], ['English', 'French']])
})

t.test('"Computer Knowledge" and "Languages and Technologies" head a list of tools', async (t) => {
  t.same(read('Jane Doe\njane@example.com\nCOMPUTER KNOWLEDGE\nExcel, AutoCAD, Python').skills, ['Microsoft Excel', 'AutoCAD', 'Python'])
  t.same(read('Jane Doe\njane@example.com\nLanguages and Technologies\nJava, Python, Docker').skills, ['Java', 'Python', 'Docker'])
})
