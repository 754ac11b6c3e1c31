// End to end through Asana: hireflow for real (routes, workers, Redis, embedded stores) against the fake Asana server.
import t from 'tap'
import { sourceEndToEnd } from './support/source-e2e.ts'
import { startFakeAsana } from './support/fake-asana.ts'

sourceEndToEnd(t, async (t) => {
  const fake = await startFakeAsana()
  t.teardown(() => fake.close())
  return fake
})
