// End to end through ClickUp: hireflow for real (routes, workers, Redis, embedded stores) against the fake ClickUp server.
import t from 'tap'
import { sourceEndToEnd } from './support/source-e2e.ts'
import { startFakeClickUp } from './support/fake-clickup.ts'

sourceEndToEnd(t, async (t) => {
  const fake = await startFakeClickUp()
  t.teardown(() => fake.close())
  return fake
})
