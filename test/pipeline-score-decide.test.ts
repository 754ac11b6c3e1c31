import t from 'tap'
import type { Profile, RequirementAssessment, Score } from '../src/domain/candidate.ts'
import type { Requisition } from '../src/domain/requisition.ts'
import { decide } from '../src/pipeline/decide.ts'
import { extractProfile } from '../src/pipeline/profile.ts'
import { scoreResume } from '../src/pipeline/score.ts'
import { termsForSkill } from '../src/pipeline/taxonomy/index.ts'
import { sampleResumeLines } from './support/resumes.ts'

const NOW = new Date('2025-06-15T12:00:00Z')

function requisition(overrides: Partial<Requisition> = {}): Requisition {
  return {
    id: 'req-1',
    title: 'Backend Engineer',
    mustHaveSkills: ['TypeScript', 'Kubernetes'],
    niceToHaveSkills: ['Go', 'Terraform'],
    minYearsExperience: 0,
    advanceAtOrAbove: 75,
    rejectBelow: 40,
    createdAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  }
}

const skillsOnly = (must: string[], nice: string[] = []) => ({ mustHaveSkills: must, niceToHaveSkills: nice })
const found = (text: string, skill: string) => scoreResume(text, skillsOnly([skill])).skills[0]!

// ---------------------------------------------------------------- profile

t.test('profile of a realistic resume', async (t) => {
  const profile = extractProfile(sampleResumeLines('Jane Doe').join('\n'), NOW)
  // The contact fields and years; test/pipeline-profile.test.ts checks the rest of the profile.
  t.has(profile, {
    name: 'Jane Doe',
    email: 'jane-doe@example.com',
    phone: '+44 20 7946 0958',
    links: [
      { kind: 'linkedin', url: 'https://www.linkedin.com/in/jane-doe' },
      { kind: 'github', url: 'https://github.com/jane-doe' },
      { kind: 'website', url: 'https://jane-doe.dev' },
    ],
    // Mar 2014 - Jan 2019 (three overlapping jobs merged) is 58 months,
    // Jan 2020 - Jun 2025 is 66: 124 months. The stated "8+" is lower.
    yearsOfExperience: 10.3,
  })
})

t.test('name: the first plausible line', async (t) => {
  const name = (text: string) => extractProfile(text, NOW).name
  t.equal(name('Curriculum Vitae\n\nJohn Smith\njohn@example.com'), 'John Smith')
  t.equal(name('RESUME\nMARÍA JOSÉ GARCÍA LÓPEZ\nSoftware Engineer'), 'María José García López', 'shouted names are title-cased')
  t.equal(name("Seán O'Neil-McDonald | Staff Engineer"), "Seán O'Neil-McDonald")
  t.equal(name('Name: Priya Raman\nPhone: 555 0100 200'), 'Priya Raman')
  t.equal(name('jane@example.com\n+1 555 010 0200\nSenior Software Engineer\nJane Roe'), 'Jane Roe', 'contact lines and titles are skipped')
  t.equal(name('Summary\nExperienced engineer building things.'), null)
  t.equal(name('Professional Summary\nWork Experience'), null, 'headings are not names')
  t.equal(name('Jane'), null, 'one word is not enough')
})

t.test('email and phone', async (t) => {
  const profile = (text: string) => extractProfile(text, NOW)
  t.equal(profile('Contact: <Jane.Doe+jobs@Mail.Example.co.uk>').email, 'jane.doe+jobs@mail.example.co.uk')
  t.equal(profile('mailto:someone@example.org.').email, 'someone@example.org')
  t.equal(profile('not an email: jane@localhost, @handle').email, null)

  t.equal(profile('Phone: (555) 123-4567').phone, '(555) 123-4567')
  t.equal(profile('Tel +49 30 901820').phone, '+49 30 901820')
  t.equal(profile('+1-202-555-0143 | jane@example.com').phone, '+1-202-555-0143')
  t.equal(profile('Mobile: 07700 900123').phone, '07700 900123')
  t.equal(profile('Acme, 2016 - 2019\nBorn 1990-04-12\nEmployee ID 12345').phone, null, 'years, dates and short numbers are not phones')
  t.equal(profile('Call 555-12').phone, null, 'fewer than 7 digits')
  t.equal(profile('2015 - 2020\n+44 20 7946 0958').phone, '+44 20 7946 0958')
})

t.test('links: classified, normalised to https, deduplicated', async (t) => {
  const text = [
    'Jane Doe — jane@janedoe.com',
    'LinkedIn: http://uk.linkedin.com/in/Jane-Doe/?trk=profile | www.linkedin.com/in/jane-doe',
    'GitHub: github.com/JaneDoe/ledger (and https://github.com/janedoe)',
    'Portfolio: https://www.jane.dev/work/ | blog http://janes.blog/posts?id=1#top',
    'Skills: Node.js, ASP.NET, Socket.IO, socket.io, setup.py, README.md, e.g. Vue.js; done.Then',
    'Email domain alone: janedoe.com',
    'https://github.com/features/actions and linkedin.com/company/acme',
  ].join('\n')
  t.same(
    extractProfile(text, NOW).links.map((link) => [link.kind, link.url, link.at?.line]),
    [
      ['linkedin', 'https://www.linkedin.com/in/jane-doe', 2],
      ['github', 'https://github.com/janedoe', 3],
      ['website', 'https://www.jane.dev/work', 4],
      ['website', 'https://janes.blog/posts', 4],
    ],
  )
})

t.test('years of experience', async (t) => {
  const years = (text: string) => extractProfile(text, NOW).yearsOfExperience
  t.equal(years('Nothing about dates here.'), null)
  t.equal(years('Over 12+ years of experience in payments.'), 12)
  t.equal(years('7 years of professional experience'), 7)
  t.equal(years('5 yrs experience'), 5)
  t.equal(years('Spent 3 years at Acme'), null, 'a bare duration is not a statement of total experience')
  t.equal(years('Acme, 2015 – 2020'), 5)
  t.equal(years('Acme, 03/2019 – 06/2021'), 2.3, 'March 2019 through June 2021 is 28 months')
  t.equal(years('Acme, Jan 2018 - Present'), 7.5, 'present is the `now` given')
  t.equal(years('Acme, September 2024 to current'), 0.8)
  t.equal(years('Acme 2010 - 2015\nGlobex 2013 - 2018'), 8, 'overlapping ranges are merged, not added')
  t.equal(years('Acme 2010 - 2012\nGlobex 2016 - 2018'), 4, 'gaps do not count')
  t.equal(years('3+ years of experience\nAcme 2010 - 2020'), 10, 'derived from the dated work')
  t.equal(years('20+ years of experience\nAcme 2020 - 2022'), 2, 'dated work outweighs a stated figure')
  t.equal(years('Education\nBSc Physics, Leeds, 2005 - 2009\nExperience\nAcme, 2020 - 2022'), 2, 'study is not experience')
  t.equal(years('Acme, 2030 - 2035'), null, 'future ranges are ignored')
  t.equal(years('Acme, Jan 2024 - Dec 2030'), 1.5, 'ranges are cut at now')
})

// ---------------------------------------------------------------- score

t.test('aliases apply both ways', async (t) => {
  t.same(found('Five years of JS and ES modules', 'JavaScript').evidence?.matched, 'JS')
  t.same(found('Wrote JavaScript daily', 'JS').evidence?.matched, 'JavaScript')
  t.same(found('Ran k8s clusters', 'Kubernetes').evidence?.matched, 'k8s')
  t.same(found('Ran Kubernetes clusters', 'K8s').evidence?.matched, 'Kubernetes')
  t.same(found('Postgres tuning', 'PostgreSQL').evidence?.matched, 'Postgres')
  t.same(found('NodeJS services', 'Node.js').evidence?.matched, 'NodeJS')
  t.same(found('Services in Node and Deno', 'node.js').evidence?.matched, 'Node')
  t.same(found('Golang microservices', 'Go').evidence?.matched, 'Golang')
  t.same(found('Microservices in Go.', 'Golang').evidence?.matched, 'Go')
  t.same(found('Amazon  Web Services certified', 'AWS').evidence?.matched, 'Amazon  Web Services')
  t.same(found('Deployed on Google Cloud Platform', 'GCP').evidence?.matched, 'Google Cloud Platform')
  t.same(found('Applied machine-learning to fraud', 'ML').evidence?.matched, 'machine-learning')
  t.same(found('React.js front ends', 'React').evidence?.matched, 'React.js')
  t.same(found('Vue.js dashboards', 'Vue').evidence?.matched, 'Vue.js')
  t.same(found('continuous integration with Jenkins', 'CI/CD').evidence?.matched, 'continuous integration')
  t.same(termsForSkill('Flibbertigibbet'), [{ term: 'Flibbertigibbet', rule: 'any' }], 'a skill the taxonomy does not know is itself')
  t.same(termsForSkill('Qx'), [{ term: 'Qx', rule: 'exact' }], 'an unknown two-letter skill matches only as written')
})

t.test('symbols in skill names', async (t) => {
  t.ok(found('Modern C++17 and some C#', 'C++').found)
  t.ok(found('Modern C++17 and some C#', 'C#').found)
  t.notOk(found('Modern C++17 and some C#', 'C').found, 'C is not C++ or C#')
  t.ok(found('Embedded C, then C++', 'C').found)
  t.ok(found('Built APIs on .NET 8 and ASP.NET Core', '.NET').found)
  t.notOk(found('Built APIs on ASP.NET Core', 'ASP').found, 'ASP is not ASP.NET')
  t.ok(found('Pipelines (CI/CD) on GitLab', 'CI/CD').found)
  t.ok(found('Backend: Node.js, Express', 'Node.js').found)
  t.equal(
    found('Backend: Node.js, Express', 'JS').evidence?.matched,
    'Node.js',
    'the "js" of Node.js is no match; Node.js itself is JavaScript',
  )
  t.notOk(found('Backend: Node.js, Express', 'JS').evidence?.text.startsWith('js'))
  t.ok(found('Skills: node.js', 'Node.js').found, 'case-insensitive unless the alias is an everyday word')
  t.ok(found('Used R (tidyverse) for analysis', 'R').found)
  t.notOk(found('Led R&D for years; r is a letter', 'R').found, 'short skills match as written, and not in R&D')
})

t.test('no false positives inside words or in ordinary English', async (t) => {
  t.notOk(found('JavaScript, TypeScript', 'Java').found, 'Java is not in JavaScript')
  t.notOk(found('A good team player who likes to go hiking', 'Go').found, 'Go is not good, nor the verb')
  t.notOk(found('Reacted quickly; we react to incidents', 'React').found)
  t.notOk(found('Every node in the cluster', 'Node.js').found)
  t.notOk(found('Took a rest day', 'REST').found)
  t.notOk(found('Scala and Kotlin', 'Scal').found)
  t.ok(found('Java 17, Spring', 'Java').found)
})

t.test('evidence: line, trimmed and bounded quote, alias, page and section', async (t) => {
  const text = 'Jane Doe\r\n\r\n   Skills: Rust, k8s, Terraform   \nExperience'
  const score = scoreResume(text, skillsOnly(['Kubernetes'], ['Terraform']))
  t.same(score.skills, [
    { skill: 'Kubernetes', required: true, found: true, evidence: { line: 3, text: 'Skills: Rust, k8s, Terraform', matched: 'k8s' } },
    { skill: 'Terraform', required: false, found: true, evidence: { line: 3, text: 'Skills: Rust, k8s, Terraform', matched: 'Terraform' } },
  ])
  t.same(score.requirements![0]!.evidence, { quote: 'Skills: Rust, k8s, Terraform', at: { page: 1, line: 3, section: 'Skills' } })

  const long = `${'filler '.repeat(100)}Kubernetes${' more'.repeat(100)}`
  const evidence = found(`first line\n${long}`, 'Kubernetes').evidence!
  t.equal(evidence.line, 2)
  t.ok(evidence.text.length <= 162, 'capped near 160 characters')
  t.match(evidence.text, /^….*Kubernetes.*…$/, 'the window shows the match')

  t.equal(found('Kubernetes in line one\nk8s in line two', 'k8s').evidence?.line, 1, 'the first occurrence is the evidence')
  const paged = scoreResume('Summary\nBackend engineer\n\fExperience\nAcme\nRan Kubernetes', skillsOnly(['Kubernetes']))
  t.same(paged.requirements![0]!.evidence!.at, { page: 2, line: 5, section: 'Experience' }, 'page = form feeds before the line + 1')
})

t.test('a requisition asking twice, or nothing', async (t) => {
  const text = 'TypeScript, Go, AWS'
  t.same(scoreResume(text, skillsOnly([], [])), { value: 0, skills: [], requirements: [], scorer: { name: 'lexical' } })
  t.same(scoreResume(text, skillsOnly(['  '], [''])).requirements, [], 'blank skills are not skills')
  const twice = scoreResume(text, skillsOnly(['JavaScript', 'TypeScript'], ['JS', 'typescript']))
  t.same(
    twice.skills.map((skill) => [skill.skill, skill.required]),
    [
      ['JavaScript', true],
      ['TypeScript', true],
    ],
    'a skill asked twice, under any alias, counts once as must-have',
  )
  t.equal(scoreResume(text, skillsOnly(['TypeScript'])).scorer?.name, 'lexical')
})

t.test('scoring stays linear on hostile text', async (t) => {
  const hostile = `${'a'.repeat(200_000)}\n${'C+'.repeat(50_000)}\n${'1 '.repeat(50_000)}\n${'x@'.repeat(50_000)}\n${'R, '.repeat(50_000)}\n${'Go '.repeat(50_000)}`
  const started = Date.now()
  scoreResume(
    hostile,
    {
      ...skillsOnly(['C++', 'Machine Learning', 'Ruby on Rails', 'Go', 'SQL', 'R'], ['CI/CD', '.NET', 'Node.js', 'JavaScript']),
      criteria: ['has led a team of engineers'],
    },
    null,
    NOW,
  )
  extractProfile(hostile, NOW)
  t.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`)
})

// ---------------------------------------------------------------- decide

const profile = (yearsOfExperience: number | null): Profile => ({
  name: 'Jane Doe',
  email: null,
  phone: null,
  links: [],
  yearsOfExperience,
})

const met = (requirement: string, kind: RequirementAssessment['kind'] = 'must_have'): RequirementAssessment => ({
  kind,
  requirement,
  verdict: 'met',
  evidence: { quote: requirement, at: { page: 1, line: 1, section: 'Skills' } },
  note: null,
})
const notMet = (requirement: string, kind: RequirementAssessment['kind'] = 'must_have'): RequirementAssessment => ({
  kind,
  requirement,
  verdict: 'not_met',
  evidence: null,
  note: 'not found in the resume',
})

function scoreOf(value: number, missingMustHaves: string[] = [], more: RequirementAssessment[] = []): Score {
  const requirements = [met('TypeScript'), ...missingMustHaves.map((skill) => notMet(skill)), ...more]
  return {
    value,
    skills: requirements
      .filter((r) => r.kind === 'must_have' || r.kind === 'nice_to_have')
      .map((r) => ({ skill: r.requirement, required: r.kind === 'must_have', found: r.verdict !== 'not_met', evidence: null })),
    requirements,
  }
}

t.test('thresholds, at their boundaries', async (t) => {
  const req = requisition({ advanceAtOrAbove: 75, rejectBelow: 40 })
  const outcome = (value: number) => decide({ score: scoreOf(value), profile: profile(10), requisition: req }).outcome
  t.equal(outcome(100), 'advance')
  t.equal(outcome(75), 'advance', 'at the advance threshold')
  t.equal(outcome(74), 'review')
  t.equal(outcome(40), 'review', 'at the reject threshold')
  t.equal(outcome(39), 'reject')
  t.equal(outcome(0), 'reject')

  const advance = decide({ score: scoreOf(80), profile: profile(10), requisition: req })
  t.equal(advance.reasons[0], 'The resume meets the one requirement, a score of 80 out of 100, at or above the advance threshold of 75.')
  const review = decide({ score: scoreOf(60), profile: profile(10), requisition: req })
  t.match(review.reasons[0], /score of 60 .*below the advance threshold of 75 and at or above the reject threshold of 40\./)
  const reject = decide({ score: scoreOf(10), profile: profile(10), requisition: req })
  t.match(reject.reasons[0], /score of 10 .*below the reject threshold of 40\./)
})

t.test('reasons speak of requirements: missing, partly shown, criteria', async (t) => {
  const req = requisition()
  const one = decide({ score: scoreOf(90, ['Kubernetes']), profile: profile(10), requisition: req })
  t.equal(one.outcome, 'review')
  t.match(one.reasons[0], /^The resume meets 1 of the 2 requirements, a score of 90/)
  t.ok(
    one.reasons.includes('Missing must-have: Kubernetes; the resume cannot be recommended for advance without it.'),
    one.reasons.join(' | '),
  )
  t.match(one.reasons.at(-1), /score alone would recommend advance/)

  const three = decide({ score: scoreOf(90, ['Kubernetes', 'Go', 'Rust']), profile: profile(10), requisition: req })
  t.ok(three.reasons.includes('Missing must-haves: Kubernetes, Go and Rust; the resume cannot be recommended for advance without them.'))

  const low = decide({ score: scoreOf(10, ['Kubernetes']), profile: profile(10), requisition: req })
  t.equal(low.outcome, 'reject', 'the cap never raises an outcome')

  const stale: RequirementAssessment = { ...met('Java'), verdict: 'partly', note: 'last used in 2014' }
  const partly = decide({ score: scoreOf(90, [], [stale]), profile: profile(10), requisition: req })
  t.equal(partly.outcome, 'review', 'a must-have only partly shown caps at review')
  t.match(partly.reasons[0], /meets 1 of the 2 requirements and partly meets 1 more/)
  t.ok(partly.reasons.includes('Must-have only partly shown: Java (last used in 2014); a person should judge it.'))

  const criterion = decide({
    score: scoreOf(90, [], [met('Terraform', 'nice_to_have'), notMet('has led a team', 'criterion')]),
    profile: profile(10),
    requisition: req,
  })
  t.equal(criterion.outcome, 'advance', 'a criterion not met lowers the score only')
  t.ok(criterion.reasons.includes('Not shown by the resume: "has led a team".'))
})

t.test('a score recorded before requirements is read from its skills', async (t) => {
  const legacy: Score = {
    value: 90,
    skills: [
      { skill: 'TypeScript', required: true, found: true, evidence: { line: 1, text: 'TypeScript', matched: 'TypeScript' } },
      { skill: 'Kubernetes', required: true, found: false, evidence: null },
    ],
  }
  const decision = decide({ score: legacy, profile: profile(10), requisition: requisition() })
  t.equal(decision.outcome, 'review')
  t.ok(decision.reasons.includes('Missing must-have: Kubernetes; the resume cannot be recommended for advance without it.'))
})

t.test('experience below the minimum, or unknown, caps at review', async (t) => {
  const req = requisition({ minYearsExperience: 5 })
  const short = decide({ score: scoreOf(95), profile: profile(3.5), requisition: req })
  t.equal(short.outcome, 'review')
  t.ok(
    short.reasons.includes(
      'The resume shows 3.5 years of experience, fewer than the 5 years the requisition asks for, so it cannot be recommended for advance.',
    ),
  )

  const unknown = decide({ score: scoreOf(95), profile: profile(null), requisition: req })
  t.equal(unknown.outcome, 'review')
  t.match(unknown.reasons.join(' '), /could not be determined from the resume, and the requisition asks for at least 5 years/)

  const enough = decide({ score: scoreOf(95), profile: profile(5), requisition: req })
  t.equal(enough.outcome, 'advance', 'exactly the minimum is enough')
  t.match(enough.reasons.join(' '), /shows 5 years of experience, meeting the 5 years/)

  const fromMonths = decide({ score: scoreOf(95), profile: { ...profile(9), monthsOfExperience: 42 }, requisition: req })
  t.equal(fromMonths.outcome, 'review', 'months of work from the work history come before the derived years')
  t.match(fromMonths.reasons.join(' '), /shows 3\.5 years of experience, fewer than the 5 years/)

  const none = decide({ score: scoreOf(95), profile: profile(null), requisition: requisition({ minYearsExperience: 0 }) })
  t.equal(none.outcome, 'advance', 'unknown experience matters only when some is required')
  t.equal(
    decide({ score: scoreOf(95), profile: profile(1), requisition: requisition({ minYearsExperience: 2 }) }).reasons[1],
    'The resume shows 1 year of experience, fewer than the 2 years the requisition asks for, so it cannot be recommended for advance.',
  )
})

t.test('no requisition, or one without skills or criteria', async (t) => {
  const none = decide({ score: { value: 0, skills: [] }, profile: profile(10), requisition: null })
  t.same(none, { outcome: 'review', reasons: ['No requisition given: the resume was scored against nothing, so a person must review it.'] })

  const req = requisition({ mustHaveSkills: [], niceToHaveSkills: [], minYearsExperience: 3 })
  const empty = decide({ score: scoreResume('TypeScript', req, profile(null), NOW), profile: profile(null), requisition: req })
  t.equal(empty.outcome, 'review')
  t.equal(empty.reasons[0], 'The requisition lists no skills or criteria, so the resume could not be scored and a person must review it.')
  t.match(empty.reasons[1], /at least 3 years/)
})

t.test('reasons are whole sentences with no placeholders', async (t) => {
  const cases = [
    decide({ score: scoreOf(90, ['Kubernetes']), profile: profile(null), requisition: requisition({ minYearsExperience: 4 }) }),
    decide({ score: scoreOf(50), profile: profile(2), requisition: requisition({ minYearsExperience: 4 }) }),
    decide({ score: scoreOf(5), profile: profile(9), requisition: requisition() }),
    decide({
      score: scoreOf(90, [], [notMet('has led a team', 'criterion'), { ...met('Java'), verdict: 'partly', note: null }]),
      profile: profile(9),
      requisition: requisition(),
    }),
    decide({ score: { value: 0, skills: [] }, profile: profile(null), requisition: null }),
  ]
  for (const decision of cases) {
    t.ok(decision.reasons.length > 0)
    for (const reason of decision.reasons) {
      t.match(reason, /^[A-Z].*\.$/, reason)
      t.notMatch(reason, /undefined|null|NaN|\$\{|TODO|\bXX+\b/, reason)
    }
  }
})

t.test('end to end on the sample resume', async (t) => {
  const text = sampleResumeLines('Jane Doe').join('\n')
  const req = requisition({
    mustHaveSkills: ['TypeScript', 'Kubernetes', 'PostgreSQL'],
    niceToHaveSkills: ['Golang', 'C#', 'Rust'],
    minYearsExperience: 6,
    criteria: ['led a migration to Kubernetes'],
  })
  const profile = extractProfile(text, NOW)
  const score = scoreResume(text, req, profile, NOW)
  t.same(
    score.requirements!.map((r) => [r.kind, r.requirement, r.verdict]),
    [
      ['must_have', 'TypeScript', 'met'],
      ['must_have', 'Kubernetes', 'met'],
      ['must_have', 'PostgreSQL', 'met'],
      ['nice_to_have', 'Golang', 'met'],
      ['nice_to_have', 'C#', 'partly'],
      ['nice_to_have', 'Rust', 'not_met'],
      ['min_years', 'at least 6 years of experience', 'met'],
      ['criterion', 'led a migration to Kubernetes', 'met'],
    ],
  )
  t.equal(score.requirements![4]!.note, 'last used in 2016', 'C# appears only in the role that ended in 2016')
  // Must-haves 50 × 1, nice-to-haves 20 × (1 + 0.5 + 0) / 3, years 15 × 1, criteria 15 × 1, over 100.
  t.equal(score.value, 90)
  t.match(score.requirements![7]!.evidence, { quote: /Led the migration of the ledger service/, at: { section: 'Experience' } })
  const decision = decide({ score, profile, requisition: req })
  t.equal(decision.outcome, 'advance')
  t.match(decision.reasons[0], /meets 6 of the 8 requirements and partly meets 1 more, a score of 90 out of 100/)
})
