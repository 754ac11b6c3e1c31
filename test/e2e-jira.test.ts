// End to end through Jira: hireflow for real (routes, workers, Redis, embedded stores) against the fake Jira server.
import t from 'tap'
import { sourceEndToEnd } from './support/source-e2e.ts'
import { startFakeJira } from './support/fake-jira.ts'

sourceEndToEnd(t, async (t) => {
  const fake = await startFakeJira()
  t.teardown(() => fake.close())
  return fake
})
