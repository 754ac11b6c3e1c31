// End to end through IMAP: hireflow's real workers against a real Dovecot.
// New mail is pushed over IDLE (held by one worker through a Redis lease)
// and every mail is also found by UID reconciliation.
import t from 'tap'
import { Redis } from 'ioredis'
import { startDovecotMailbox, type DovecotMailbox } from './support/dovecot.ts'
import { TEST_REDIS_URL, until, type TestHireflow } from './support/harness.ts'
import { mailboxEndToEnd, mailCandidates, outbox, resumeMail, startWithMailbox } from './support/mailbox-e2e.ts'

/** Resolves once a worker of `hireflow` holds the IDLE lease (and so watches the folder). */
async function idleHeld(hireflow: TestHireflow): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL)
  try {
    await until('the IDLE lease', async () => ((await redis.exists(`${hireflow.config.queuePrefix}:imap-idle-lease`)) ? true : undefined))
  } finally {
    redis.disconnect()
  }
  // The lease is taken before the folder is opened; give IDLE a moment to begin.
  await new Promise((resolve) => setTimeout(resolve, 500))
}

mailboxEndToEnd(t, startDovecotMailbox, { push: idleHeld, pushFromApi: false })

t.test('the IMAP connection dropped mid-IDLE: reconnected, and the mail that came meanwhile is taken in', async (t) => {
  const fake: DovecotMailbox = await startDovecotMailbox(t)
  const hireflow = await startWithMailbox(t, fake)
  await idleHeld(hireflow)
  const before = fake.acceptedConnections
  fake.dropConnections()
  await fake.setDown(true)
  await resumeMail(fake, 'Application: Ida Idle', 'Ida Idle')
  await new Promise((resolve) => setTimeout(resolve, 1_500))
  await fake.setDown(false)
  await mailCandidates(hireflow, 'Application: Ida Idle', 2, ['acknowledged'])
  t.ok(fake.acceptedConnections > before, 'hireflow connected again')
  t.equal((await outbox(hireflow)).length, 2)
  t.ok((await fake.mail('Application: Ida Idle')).marks.includes(fake.processedMark))
})
