// A server that accepts the connection and never answers must not hang an
// AWS call: each adapter's call rejects once its timeout and retries are spent.
import t from 'tap'
import { createServer, type Socket } from 'node:net'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { S3Client } from '@aws-sdk/client-s3'
import { SESClient } from '@aws-sdk/client-ses'
import { awsClientConfig } from '../src/aws/client-config.ts'
import { DynamoDbCandidateStore } from '../src/storage/dynamodb-candidate-store.ts'
import { S3ResumeStore } from '../src/storage/s3-resume-store.ts'
import { SesMailer } from '../src/mail/ses-mailer.ts'
import { emulatorCredentials } from './support/emulators.ts'

const sockets = new Set<Socket>()
let accepted = 0
const silent = createServer((socket) => {
  accepted++
  sockets.add(socket)
  socket.on('error', () => {})
})
silent.listen(0, '127.0.0.1')
await once(silent, 'listening')
const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`
t.teardown(() => {
  for (const socket of sockets) socket.destroy()
  silent.close()
})

const config = awsClientConfig({ region: 'us-east-1', endpoint, requestTimeoutMs: 300, maxAttempts: 2, credentials: emulatorCredentials })

t.test('DynamoDB', async (t) => {
  const client = new DynamoDBClient(config)
  t.teardown(() => client.destroy())
  const before = accepted
  await t.rejects(new DynamoDbCandidateStore(client, 'hireflow').getCandidate('x'))
  t.equal(accepted - before, 2, 'two attempts, then it gives up')
})

t.test('S3', async (t) => {
  const client = new S3Client({ ...config, forcePathStyle: true })
  t.teardown(() => client.destroy())
  const before = accepted
  await t.rejects(new S3ResumeStore({ client, bucket: 'b', serverSideEncryption: 'AES256' }).get('resumes/' + 'a'.repeat(64)))
  t.equal(accepted - before, 2, 'rejected by the timeout after two attempts, not before reaching the server')
})

t.test('SES', async (t) => {
  const client = new SESClient(config)
  t.teardown(() => client.destroy())
  const mailer = new SesMailer({ client, sendTimeoutMs: 300 })
  let before = accepted
  await t.rejects(
    mailer.send({
      from: 'a@acme.test',
      to: ['b@acme.test'],
      subject: 's',
      html: '<p>x</p>',
      text: 'x',
      attachments: [],
      messageId: 'm@hireflow',
    }),
  )
  t.equal(accepted - before, 1, 'a send is one attempt: SES may have accepted the first')
  before = accepted
  await t.rejects(mailer.ping())
  t.equal(accepted - before, 2, 'the quota probe is idempotent: two attempts, then it gives up')
})
