// Per-requirement verdicts: the skill failure classes of real resumes (letter-spaced
// names, "I excel in", "Go Pass"), umbrella skills, recency, free-text criteria,
// minimum years and the documented 0-100.
import t, { type Test } from 'tap'
import type { Profile, RequirementAssessment, WorkEntry } from '../src/domain/candidate.ts'
import { overallScore, scoreResume, MISSING_MUST_HAVE_CAP, type ScoredRequisition } from '../src/pipeline/score.ts'
import { assessCriteria, stem } from '../src/pipeline/requirements/criteria.ts'
import { ResumeText } from '../src/pipeline/requirements/resume-text.ts'
import { lookupSkill, narrowerSkills, parseTaxonomy, taxonomySkills } from '../src/pipeline/taxonomy/index.ts'

const NOW = new Date('2025-06-15T12:00:00Z')

function assess(text: string, requisition: Partial<ScoredRequisition>, profile: Partial<Profile> | null = null): RequirementAssessment[] {
  const full = { mustHaveSkills: [], niceToHaveSkills: [], ...requisition }
  return scoreResume(text, full, profile as Profile | null, NOW).requirements!
}
const skill = (text: string, name: string) => assess(text, { mustHaveSkills: [name] })[0]!
const verdict = (text: string, name: string) => skill(text, name).verdict

/** Each case: the resume text, the skill asked for, the verdict it must get and why. */
type VerdictCase = [text: string, skill: string, expected: 'met' | 'not_met', why: string]
function expectVerdicts(t: Test, cases: VerdictCase[]) {
  for (const [text, name, expected, why] of cases) t.equal(verdict(text, name), expected, why)
}

function work(line: number, start: string, end: string | null, current = false): WorkEntry {
  return { employer: 'Acme', title: 'Engineer', start, end, current, kind: 'work', at: { page: 1, line, section: 'Experience' } }
}

// ---------------------------------------------------------------- taxonomy

t.test('the taxonomy: a few hundred skills, aliases, umbrellas that exist', async (t) => {
  t.ok([...taxonomySkills()].length >= 300, 'a few hundred skills')
  t.equal(lookupSkill('k8s')?.name, 'Kubernetes')
  t.equal(lookupSkill('js')?.name, 'JavaScript')
  t.equal(lookupSkill('Postgres')?.name, 'PostgreSQL')
  t.equal(lookupSkill('golang')?.name, 'Go')
  const sql = narrowerSkills('SQL').map((s) => s.name)
  for (const database of ['MySQL', 'PostgreSQL', 'SQLite', 'SQL Server', 'Oracle Database', 'TimescaleDB'])
    t.ok(sql.includes(database), database)
  const javascript = narrowerSkills('JavaScript').map((s) => s.name)
  for (const name of ['React', 'TypeScript', 'Next.js', 'Node.js']) t.ok(javascript.includes(name), `${name} is JavaScript`)
  t.notOk(narrowerSkills('Java').some((s) => s.name === 'JavaScript'))
  t.throws(() => parseTaxonomy(['Go | golang', 'Golang | golang']), /names both/, 'a term may name one skill only')
  t.throws(() => parseTaxonomy(['MySQL > SQL']), /umbrella "SQL" of MySQL is not a skill/)
})

// ---------------------------------------------------------------- failure classes

t.test('"R": a standalone token in a skills context, not a letter of a name or R&D', async (t) => {
  expectVerdicts(t, [
    ['J A R E D  S M I T H\nData analyst', 'R', 'not_met', 'a letter-spaced name'],
    ['J A R E D, Data Scientist', 'R', 'not_met', 'a letter-spaced name beside other words'],
    ['Head of R&D, 2019 - 2023', 'R', 'not_met', 'R&D'],
    ['Jane R. Doe', 'R', 'not_met', 'an initial'],
    ['Analysis in Python, R, SQL and Tableau', 'R', 'met', 'an item of a list line'],
    ['Skills\nPython, R, SQL', 'R', 'met', 'in a skills section'],
    ['Technical Skills\nStatistics in R', 'R', 'met', 'ending an item of a skills section'],
    ['Built forecasting models in RStudio', 'R', 'met', 'an alias that cannot be a letter'],
    ['Wrote R packages for survival analysis', 'R', 'met', 'programming context'],
  ])
  t.same(skill('Skills\nPython, R, SQL', 'R').evidence, { quote: 'Python, R, SQL', at: { page: 1, line: 2, section: 'Skills' } })
})

t.test('"Go": not Go Pass, go to, Go-getter; Golang, a skills list, or programming context', async (t) => {
  expectVerdicts(t, [
    ['Projects\nGo Pass: a ticketing app in Kotlin, Firebase', 'Go', 'not_met', 'a project named Go Pass'],
    ['Built Go Pass, a ticket app with Kotlin, Firebase and Stripe', 'Go', 'not_met', 'Go Pass on a list line'],
    ['Ready to go to the next level', 'Go', 'not_met', 'the verb'],
    ['Go to person for incidents', 'Go', 'not_met', 'the verb, capitalised'],
    ['A Go-getter with a passion for data', 'Go', 'not_met', 'Go-getter'],
    ['Golang microservices on Kubernetes', 'Go', 'met', 'Golang'],
    ['Languages: Go, Python, TypeScript', 'Go', 'met', 'a skills list'],
    ['Wrote Go microservices for payments', 'Go', 'met', 'followed by a programming word'],
    ['Services written in Go and Rust', 'Go', 'met', 'after "written in"'],
    ['Stack: Kotlin | Go | Postgres', 'Go', 'met', 'a list line'],
  ])
})

t.test('"Excel", "C", "Swift", "Rust": everyday words are not skills', async (t) => {
  expectVerdicts(t, [
    ['I excel in communication and teamwork', 'Excel', 'not_met', 'I excel in'],
    ['Excel in fast-paced environments', 'Excel', 'not_met', 'Excel as a verb at the start of a line'],
    ['Advanced Excel models for budgeting', 'Excel', 'met', 'Excel models'],
    ['Tools: Excel, Tableau, Power BI', 'Excel', 'met', 'a tools list'],
    ['Microsoft Excel (pivot tables, VLOOKUP)', 'Excel', 'met', 'Microsoft Excel is never a verb'],
    ['Moved to a C-level role; grade C in maths', 'C', 'not_met', 'C-level and a grade'],
    ['Skills: C, C++, Python', 'C', 'met', 'a skills list'],
    ['A swift learner who delivers Swift results', 'Swift', 'not_met', 'swift, the adjective'],
    ['iOS apps in Swift and SwiftUI', 'Swift', 'met', 'the language, beside its UI framework'],
    ['Removed rust from old bikes; Rust belt native', 'Rust', 'not_met', 'corrosion, and the Rust Belt'],
    ['Rust programming: async services with Tokio', 'Rust', 'met', 'programming context'],
  ])
})

// ---------------------------------------------------------------- umbrellas

t.test('an umbrella requirement is met by a narrower skill, quoting it', async (t) => {
  const sql = skill('Experience\nTuned MySQL replication for the billing team', 'SQL')
  t.equal(sql.verdict, 'met')
  t.equal(sql.evidence?.quote, 'Tuned MySQL replication for the billing team')
  t.equal(sql.note, 'as MySQL')
  t.equal(verdict('Used SQLite on device', 'SQL'), 'met')
  t.equal(verdict('Oracle 19c and MS SQL Server', 'SQL'), 'met')
  t.equal(skill('Skills: SQL, MySQL', 'SQL').note, null, 'the skill named as such is preferred')
  t.equal(verdict('Next.js storefront', 'JavaScript'), 'met', 'Next.js is React is JavaScript')
  t.equal(verdict('Kotlin services', 'Java'), 'not_met', 'a JVM language is not Java')
  t.equal(verdict('Ran EKS clusters', 'Kubernetes'), 'met', 'EKS is Kubernetes')
})

// ---------------------------------------------------------------- recency

t.test('recency: a skill only used in a role that ended more than 7 years ago is partly met', async (t) => {
  const text = [
    'Experience',
    'Staff Engineer, Globex, 2020 - Present',
    'Kubernetes platform in Go',
    'Developer, Initech, 2008 - 2014',
    'Perl and Oracle reporting',
    'Skills',
    'Go, Kubernetes',
  ].join('\n')
  const profile = { work: [work(2, '2020', null, true), work(4, '2008', '2014')] }
  const [perl, oracle, go] = assess(text, { mustHaveSkills: ['Perl', 'SQL', 'Go'] }, profile)
  t.match(perl, {
    verdict: 'partly',
    note: 'last used in 2014',
    evidence: { quote: 'Perl and Oracle reporting', at: { line: 5, section: 'Experience' } },
  })
  t.match(oracle, { verdict: 'partly', note: 'last used in 2014, as Oracle Database' })
  t.match(go, { verdict: 'met', note: null, evidence: { at: { line: 3 } } })

  const listed = assess(`${text}, Perl`, { mustHaveSkills: ['Perl'] }, profile)[0]!
  t.equal(listed.verdict, 'met', 'also listed under skills: not only in the old role')

  const recent = assess(text, { mustHaveSkills: ['Perl'] }, { work: [work(2, '2020', null, true), work(4, '2008', '2019')] })[0]!
  t.equal(recent.verdict, 'met', 'ended 6 years ago: recent enough')
  t.equal(assess(text, { mustHaveSkills: ['Perl'] }, null)[0]!.verdict, 'met', 'without a work history nothing is dated')
  const heading = assess(
    'Developer, Initech, 2008 - 2014\nPerl\nSkills\nPerl',
    { mustHaveSkills: ['Perl'] },
    { work: [work(1, '2008', '2014')] },
  )[0]!
  t.equal(heading.verdict, 'met', 'a heading closes the role: the skills section is not part of it')
})

// ---------------------------------------------------------------- years

t.test('minimum years: met, partly (half or more), not met, unknown', async (t) => {
  const text = 'Experience\nEngineer, Acme, 2019 - Present'
  const years = (profile: Partial<Profile> | null, minimum = 6) => assess(text, { minYearsExperience: minimum }, profile)[0]!
  const fromMonths = years({ monthsOfExperience: 78, yearsOfExperience: 2, work: [work(2, '2019-01', null, true)] })
  t.match(fromMonths, {
    kind: 'min_years',
    requirement: 'at least 6 years of experience',
    verdict: 'met',
    note: '6.5 years of experience',
    evidence: { quote: 'Engineer, Acme, 2019 - Present', at: { page: 1, line: 2, section: 'Experience' } },
  })
  t.match(years({ yearsOfExperience: 4 }), { verdict: 'partly', note: '4 years of the 6 years asked for', evidence: null })
  t.match(years({ yearsOfExperience: 3 }), { verdict: 'partly' }, 'exactly half')
  t.match(years({ yearsOfExperience: 2.9 }), { verdict: 'not_met', note: '2.9 years of the 6 years asked for' })
  t.match(years({ yearsOfExperience: null }), { verdict: 'not_met', note: 'years of experience not found in the resume' })
  t.match(years({ yearsOfExperience: null, statedYears: 8 }), { verdict: 'met' }, 'stated years when nothing else')
  t.equal(assess(text, { minYearsExperience: 0 }).length, 0, 'no minimum, no requirement')
})

// ---------------------------------------------------------------- criteria

t.test('free-text criteria: BM25 over the resume, the best passage quoted', async (t) => {
  const text = [
    'Summary',
    'Backend engineer.',
    '',
    'Experience',
    'Engineering Manager, MediCare Systems, 2019 - Present',
    'Leading a team of eight engineers building hospital scheduling software for healthcare providers.',
    'Software Engineer, Shopify, 2015 - 2019',
    'Built checkout services.',
    '\fEducation',
    'MSc Computer Science',
  ].join('\n')
  const [team, healthcare, aviation, partlyShown] = assessCriteria(new ResumeText(text), [
    'has led a team',
    'experience in healthcare',
    'worked in aviation safety',
    'led a team in aviation',
  ])
  t.match(team, {
    kind: 'criterion',
    requirement: 'has led a team',
    verdict: 'met',
    evidence: { quote: /Leading a team of eight engineers/, at: { page: 1, line: 6, section: 'Experience' } },
    note: null,
  })
  t.match(healthcare, { verdict: 'met', evidence: { quote: /healthcare providers/ } })
  t.match(aviation, { verdict: 'not_met', evidence: null })
  t.match(partlyShown, { verdict: 'partly', note: 'no mention of aviation' })
  t.equal(stem('leading'), stem('led'))
  t.equal(stem('leader'), stem('lead'))
  t.equal(stem('teams'), stem('team'))
  t.equal(stem('managed'), stem('management'))
  t.same(assessCriteria(new ResumeText(text), ['the and of']), [
    { kind: 'criterion', requirement: 'the and of', verdict: 'not_met', evidence: null, note: 'no words to look for' },
  ])
  const paged = assessCriteria(new ResumeText(text), ['MSc computer science'])[0]!
  t.match(paged.evidence?.at, { page: 2, section: 'Education' }, 'a form feed starts page 2')
})

// ---------------------------------------------------------------- 0-100

t.test('the overall 0-100: weights, partly as half, the must-have cap', async (t) => {
  const r = (kind: RequirementAssessment['kind'], v: RequirementAssessment['verdict']): RequirementAssessment => ({
    kind,
    requirement: `${kind} ${v}`,
    verdict: v,
    evidence: null,
    note: null,
  })
  t.equal(overallScore([]), 0, 'nothing asked, nothing scored')
  t.equal(overallScore([r('must_have', 'met'), r('nice_to_have', 'met'), r('min_years', 'met'), r('criterion', 'met')]), 100)
  // Must-haves 50 × 1/2 (one met, one partly: (1 + 0.5) / 2 = 0.75 → 37.5), nice 20 × 0, years 15 × 1, criteria 15 × 0.5: 37.5 + 15 + 7.5 = 60.
  t.equal(
    overallScore([
      r('must_have', 'met'),
      r('must_have', 'partly'),
      r('nice_to_have', 'not_met'),
      r('min_years', 'met'),
      r('criterion', 'partly'),
    ]),
    60,
  )
  // Only kinds the requisition has count: must-haves and years, 50 + 15 = 65 points; all met but years partly: (50 + 7.5) / 65.
  t.equal(overallScore([r('must_have', 'met'), r('min_years', 'partly')]), 88)
  t.equal(overallScore([r('nice_to_have', 'met'), r('nice_to_have', 'not_met')]), 50)
  // A must-have not met caps the score, whatever else the resume shows.
  const missing = [
    r('must_have', 'met'),
    r('must_have', 'met'),
    r('must_have', 'met'),
    r('must_have', 'not_met'),
    r('nice_to_have', 'met'),
    r('min_years', 'met'),
    r('criterion', 'met'),
  ]
  t.equal(overallScore(missing), MISSING_MUST_HAVE_CAP, 'without the cap it would be 88')
  t.equal(overallScore([r('must_have', 'not_met'), r('nice_to_have', 'met')]), 29, 'below the cap it stays')

  const score = scoreResume('Skills: TypeScript, MySQL', { mustHaveSkills: ['TypeScript', 'SQL'], niceToHaveSkills: ['Rust'] }, null, NOW)
  t.equal(score.value, Math.round((100 * (50 + 0)) / 70), 'must-haves all met, the one nice-to-have not')
  t.same(score.scorer, { name: 'lexical' })
  t.same(
    score.skills.map((s) => [s.skill, s.found, s.evidence?.matched ?? null]),
    [
      ['TypeScript', true, 'TypeScript'],
      ['SQL', true, 'MySQL'],
      ['Rust', false, null],
    ],
    'the skills view is kept for older readers',
  )
})
