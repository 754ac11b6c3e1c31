// A requisition's JSON body is taken as sent: no type is coerced (true is not
// 1, "70" is not 70, a string is not a list) and blank text is not a title or
// a skill. Query strings, where every value arrives as text, still convert.
import t from 'tap'
import { AUTH } from './support/harness.ts'
import { fakeApp } from './support/fake-app.ts'

const { app, requisitions } = await fakeApp()
t.teardown(() => app.close())

const valid = {
  title: 'Platform Engineer',
  mustHaveSkills: ['Go'],
  niceToHaveSkills: ['Terraform'],
  minYearsExperience: 2,
  advanceAtOrAbove: 70,
  rejectBelow: 30,
}

const post = (payload: unknown) => app.inject({ method: 'POST', url: '/requisitions', headers: AUTH, payload: payload as object })

t.test('a valid requisition is created as sent', async (t) => {
  const response = await post(valid)
  t.equal(response.statusCode, 201, response.body)
  t.match(response.json(), { ...valid, mustHaveSkills: ['Go'] })
})

for (const [label, change, field] of [
  ['a boolean threshold', { rejectBelow: true }, 'rejectBelow'],
  ['a numeric string threshold', { advanceAtOrAbove: '70' }, 'advanceAtOrAbove'],
  ['a hexadecimal string threshold', { advanceAtOrAbove: '0x46' }, 'advanceAtOrAbove'],
  ['a numeric string for years', { minYearsExperience: '3' }, 'minYearsExperience'],
  ['null for years', { minYearsExperience: null }, 'minYearsExperience'],
  ['a string instead of a skill list', { mustHaveSkills: 'Go' }, 'mustHaveSkills'],
  ['a number as the title', { title: 42 }, 'title'],
  ['a number as a skill', { niceToHaveSkills: [7] }, 'niceToHaveSkills'],
  ['a blank title', { title: '   ' }, 'title'],
  ['a title of tabs and newlines', { title: '\t\n' }, 'title'],
  ['a blank must-have skill', { mustHaveSkills: ['Go', ' '] }, 'mustHaveSkills'],
  ['a blank nice-to-have skill', { niceToHaveSkills: ['\u00a0'] }, 'niceToHaveSkills'],
  ['a string instead of a criteria list', { criteria: 'has led a team' }, 'criteria'],
  ['a blank criterion', { criteria: ['has led a team', '  '] }, 'criteria'],
  ['a criterion of 301 characters', { criteria: ['x'.repeat(301)] }, 'criteria'],
  ['21 criteria', { criteria: Array.from({ length: 21 }, (_, i) => `criterion ${i}`) }, 'criteria'],
  ['a string for blind', { blind: 'true' }, 'blind'],
  ['a number for blind', { blind: 1 }, 'blind'],
] as const) {
  t.test(`${label}: 400 naming the field, nothing created`, async (t) => {
    const before = requisitions.size
    const response = await post({ ...valid, ...change })
    t.equal(response.statusCode, 400, response.body)
    t.match(response.json().message, new RegExp(`\\b${field}\\b`))
    t.equal(requisitions.size, before)
  })
}

t.test('criteria and blind screening are stored and returned', async (t) => {
  const response = await post({ ...valid, criteria: ['  has led a team ', 'worked in healthcare', 'Has led a team'], blind: true })
  t.equal(response.statusCode, 201, response.body)
  const created = response.json()
  t.same(created.criteria, ['has led a team', 'worked in healthcare'], 'trimmed, each once whatever its case')
  t.equal(created.blind, true)
  t.same(requisitions.get(created.id)?.criteria, ['has led a team', 'worked in healthcare'], 'stored with the requisition')
  const read = await app.inject({ method: 'GET', url: `/requisitions/${created.id}`, headers: AUTH })
  t.equal(read.statusCode, 200, read.body)
  t.match(read.json(), { criteria: ['has led a team', 'worked in healthcare'], blind: true })
})

t.test('without criteria or blind: none, and not blind', async (t) => {
  const response = await post(valid)
  t.equal(response.statusCode, 201, response.body)
  t.same(response.json().criteria, [])
  t.equal(response.json().blind, false)
})

t.test('a requisition stored before criteria and blind existed is still served', async (t) => {
  const old = { id: 'req-before', ...valid, createdAt: '2025-01-01T00:00:00.000Z' }
  requisitions.set(old.id, old)
  const read = await app.inject({ method: 'GET', url: `/requisitions/${old.id}`, headers: AUTH })
  t.equal(read.statusCode, 200, read.body)
  t.notOk('criteria' in read.json())
})

t.test('a title with spaces around it is stored trimmed', async (t) => {
  const response = await post({ ...valid, title: '  Data Engineer  ', mustHaveSkills: [' SQL '] })
  t.equal(response.statusCode, 201, response.body)
  t.equal(response.json().title, 'Data Engineer')
  t.same(response.json().mustHaveSkills, ['SQL'])
})

t.test('query strings still convert: limit=2 is the number 2', async (t) => {
  let asked: unknown
  const { app: listing } = await fakeApp({
    services: {
      candidates: {
        listRequisitions: async (query) => {
          asked = query
          return { items: [], nextCursor: null }
        },
      },
    },
  })
  t.teardown(() => listing.close())
  const response = await listing.inject({ method: 'GET', url: '/requisitions?limit=2', headers: AUTH })
  t.equal(response.statusCode, 200, response.body)
  t.same(asked, { limit: 2 })
  const bad = await listing.inject({ method: 'GET', url: '/requisitions?limit=two', headers: AUTH })
  t.equal(bad.statusCode, 400)
  t.match(bad.json().message, /limit/)
})
