import t from 'tap'
import { startDynalite, startS3rver, startSes } from './support/emulators.ts'

t.test('emulators start and stop', async (t) => {
  const d = await startDynalite()
  const s = await startS3rver(['b'])
  const e = await startSes()
  t.match(d.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.same(await e.emails(), [])
  await Promise.all([d.close(), s.close(), e.close()])
})
