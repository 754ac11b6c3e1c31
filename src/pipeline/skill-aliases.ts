// Names the same skill goes by. A requisition naming any of them is satisfied
// by a resume naming any other.

export interface SkillTerm {
  term: string
  /**
   * Matched only as written. For abbreviations and names that are also
   * ordinary words ("Go", "Node", "React", "REST"), lower case is usually the
   * word, not the skill.
   */
  exactCase: boolean
}

const exact = (term: string): SkillTerm => ({ term, exactCase: true })
const anyCase = (term: string): SkillTerm => ({ term, exactCase: false })

export const SKILL_ALIASES: readonly (readonly SkillTerm[])[] = [
  [anyCase('JavaScript'), exact('JS'), anyCase('ECMAScript')],
  [anyCase('TypeScript'), exact('TS')],
  [anyCase('Kubernetes'), anyCase('k8s')],
  [anyCase('PostgreSQL'), anyCase('Postgres')],
  [anyCase('Node.js'), anyCase('NodeJS'), anyCase('Node JS'), exact('Node')],
  // "Go" exists only in this group, so the bare word is looked for only when
  // a requisition asks for Go or Golang, and then only capitalised.
  [exact('Go'), anyCase('Golang')],
  [anyCase('AWS'), anyCase('Amazon Web Services')],
  [anyCase('GCP'), anyCase('Google Cloud Platform'), anyCase('Google Cloud')],
  [anyCase('Azure'), anyCase('Microsoft Azure')],
  [exact('ML'), anyCase('machine learning')],
  [exact('AI'), anyCase('artificial intelligence')],
  [exact('NLP'), anyCase('natural language processing')],
  [exact('React'), anyCase('React.js'), anyCase('ReactJS')],
  [anyCase('Vue'), anyCase('Vue.js'), anyCase('VueJS')],
  [anyCase('Angular'), anyCase('AngularJS')],
  [
    anyCase('CI/CD'),
    anyCase('CICD'),
    anyCase('CI-CD'),
    anyCase('continuous integration'),
    anyCase('continuous delivery'),
    anyCase('continuous deployment'),
  ],
  [anyCase('C#'), anyCase('C Sharp'), anyCase('CSharp')],
  [anyCase('C++'), anyCase('CPP')],
  [anyCase('.NET'), anyCase('dotnet')],
  [anyCase('MongoDB'), anyCase('Mongo')],
  [anyCase('Elasticsearch'), anyCase('Elastic Search')],
  [anyCase('SQL Server'), anyCase('MSSQL'), anyCase('MS SQL')],
  [anyCase('Ruby on Rails'), anyCase('Rails'), anyCase('RoR')],
  [exact('REST'), anyCase('RESTful'), anyCase('REST API')],
  [anyCase('GitHub Actions'), anyCase('GH Actions')],
  [anyCase('Terraform'), exact('TF')],
]

const GROUP_BY_KEY = new Map<string, readonly SkillTerm[]>()
for (const group of SKILL_ALIASES) {
  for (const { term } of group) GROUP_BY_KEY.set(aliasKey(term), group)
}

function aliasKey(term: string): string {
  return term.trim().toLowerCase().replace(/\s+/g, ' ')
}

// Free-text skills this short ("R", "C", "Qt") are matched as written: in any
// case they collide with initials, units and ordinary letters.
const SHORT_SKILL = 2

/** Every term to look for when a requisition asks for `skill`, longest first. */
export function termsForSkill(skill: string): SkillTerm[] {
  const group = GROUP_BY_KEY.get(aliasKey(skill))
  const terms = group ? [...group] : [{ term: skill.trim(), exactCase: skill.trim().length <= SHORT_SKILL }]
  // At one position the first alternative wins, so "Google Cloud Platform" must come before "Google Cloud".
  return terms.sort((a, b) => b.term.length - a.term.length)
}
