// One contract for every intake source: each provider's test runs it with
// its fake server, built from that provider's public documentation. The
// source under test is built exactly as the service builds it (createSources
// from the environment), so configuration and credentials are exercised too.
import type tap from 'tap'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import pino from 'pino'
import { loadConfig } from '../../src/config.ts'
import type { CandidateStore } from '../../src/ports/candidate-store.ts'
import type { IntakeSource, WebhookDelivery, WebhookVerdict } from '../../src/ports/intake-source.ts'
import { readSourceState, updateSourceState } from '../../src/sources/state.ts'
import { createSources } from '../../src/sources/registry.ts'
import { SqliteCandidateStore } from '../../src/storage/sqlite-candidate-store.ts'
import type { FakeProvider } from './fake-provider.ts'

// The type tap gives a subtest's `t`.
type Tap = Parameters<Parameters<typeof tap.test>[0]>[0]

export interface OpenedSource {
  source: IntakeSource
  fake: FakeProvider
  candidates: CandidateStore
}

/** Builds the configured source against `fake`, with an in-memory candidate store for its state. */
export function openSource(fake: FakeProvider, env: Record<string, string> = {}): OpenedSource {
  const config = loadConfig({ ...fake.env, ...env })
  const candidates = new SqliteCandidateStore(':memory:')
  const source = createSources(config, candidates, pino({ level: 'silent' })).get(fake.provider)
  if (!source) throw new Error(`no source was built for ${fake.provider}`)
  return { source, fake, candidates }
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n')

/** Every delivery the fake sends lands here, so the contract can check it with verifyWebhook. */
export interface DeliveryCatcher {
  url: string
  deliveries: WebhookDelivery[]
}

export function intakeSourceContract(t: Tap, startFake: (t: Tap) => Promise<FakeProvider>): void {
  const open = async (t: Tap) => {
    const fake = await startFake(t)
    const opened = openSource(fake)
    t.teardown(() => opened.candidates.close())
    return opened
  }

  t.test('listChanges names a task changed after `since`, and not one from before', async (t) => {
    const { source, fake } = await open(t)
    const before = await fake.addTask({ title: 'Old', labels: ['candidate'] })
    // Taken in already: a source may also list in-scope tasks it has not marked yet (ClickUp fires no event for a new attachment).
    await source.markProcessed((await source.getItem(before.id))!, { candidateIds: [], noResume: false })
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    const since = new Date()
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    const after = await fake.addTask({ title: 'New', labels: ['candidate'] })
    const ids: string[] = []
    let page: string | null = null
    do {
      const result = await source.listChanges(since, page)
      ids.push(...result.changes.map((change) => change.id))
      page = result.nextPage
    } while (page)
    t.ok(ids.includes(after.id), 'the new task is listed')
    t.notOk(ids.includes(before.id), 'the task unchanged since is not')
  })

  t.test('getItem: labels, attachments and scope as the provider has them', async (t) => {
    const { source, fake } = await open(t)
    const task = await fake.addTask({
      title: 'Jane Doe',
      labels: ['candidate', 'senior'],
      attachments: [{ filename: 'jane.pdf', bytes: PDF, mediaType: 'application/pdf' }],
    })
    const item = await source.getItem(task.id)
    t.ok(item, 'found')
    t.equal(item!.id, task.id)
    t.equal(item!.title, 'Jane Doe')
    t.ok(item!.inScope, 'in the hiring project with a filter label')
    t.notOk(item!.processed)
    t.same(
      item!.attachments.map((a) => a.filename),
      ['jane.pdf'],
    )
    t.same((await source.downloadAttachment(item!, item!.attachments[0]!, { maxBytes: 1_000_000 })).toString('hex'), PDF.toString('hex'))

    const unlabelled = await source.getItem((await fake.addTask({ title: 'Lunch order', labels: ['misc'] })).id)
    t.equal(unlabelled?.inScope, false, 'no filter label: out of scope')
    const elsewhere = await source.getItem((await fake.addTask({ title: 'Other list', labels: ['candidate'], inProject: false })).id)
    t.equal(elsewhere?.inScope, false, 'another project: out of scope')
  })

  t.test('downloadAttachment refuses more than maxBytes', async (t) => {
    const { source, fake } = await open(t)
    const task = await fake.addTask({ labels: ['resume'], attachments: [{ filename: 'big.pdf', bytes: Buffer.alloc(50_000, 0x41) }] })
    const item = (await source.getItem(task.id))!
    await t.rejects(source.downloadAttachment(item, item.attachments[0]!, { maxBytes: 10_000 }), { name: 'DownloadRefusedError' })
  })

  t.test('markProcessed adds the processed mark once; comment leaves a note', async (t) => {
    const { source, fake } = await open(t)
    const task = await fake.addTask({ labels: ['hiring'] })
    const item = (await source.getItem(task.id))!
    await source.markProcessed(item, { candidateIds: ['c1'], noResume: false })
    await source.markProcessed((await source.getItem(task.id))!, { candidateIds: ['c1'], noResume: false })
    t.equal(fake.task(task.id).labels.filter((label) => label === 'hireflow-processed').length, 1)
    t.equal((await source.getItem(task.id))?.processed, true)
    await source.comment(task.id, 'hireflow: candidate abc screened')
    t.same(fake.task(task.id).comments, ['hireflow: candidate abc screened'])
  })

  t.test('probe passes while the provider answers and fails while it is down', async (t) => {
    const { source, fake } = await open(t)
    await t.resolves(source.probe())
    fake.setDown(true)
    await t.rejects(source.probe())
    fake.setDown(false)
  })

  t.test('a 429 with the provider headers is waited out, not failed', async (t) => {
    const { source, fake } = await open(t)
    const task = await fake.addTask({ labels: ['candidate'] })
    fake.rateLimitNext(1)
    t.equal((await source.getItem(task.id))?.id, task.id)
  })

  t.test('getItem of a task that does not exist is undefined', async (t) => {
    const { source } = await open(t)
    t.equal(await source.getItem('does-not-exist-0'), undefined)
  })
}

export interface HookRoute {
  url: string
  verdicts: WebhookVerdict[]
  deliveries: WebhookDelivery[]
}

/**
 * What the webhook route does, reduced to the source's part: raw bytes to
 * verifyWebhook with the stored registrations, a handshake's secret kept in
 * the source state and its header echoed, 200 or 401. For provider tests that
 * check signatures the way the provider's fake sends them.
 */
export async function hookRoute(t: Tap, { source, candidates }: OpenedSource): Promise<HookRoute> {
  const verdicts: WebhookVerdict[] = []
  const deliveries: WebhookDelivery[] = []
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const headers: Record<string, string | undefined> = {}
    for (const [name, value] of Object.entries(request.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value
    const delivery: WebhookDelivery = { headers, query: {}, rawBody: Buffer.concat(chunks), receivedAt: new Date() }
    deliveries.push(delivery)
    const verdict = source.verifyWebhook(delivery, (await readSourceState(candidates, source.provider)).webhooks)
    verdicts.push(verdict)
    if (verdict.kind === 'handshake') {
      const secret = verdict.secret
      if (secret)
        await updateSourceState(candidates, source.provider, (state) => ({ ...state, handshake: { secret, at: new Date().toISOString() } }))
      response.writeHead(verdict.status, verdict.headers)
      return response.end(verdict.body ?? undefined)
    }
    response.writeHead(verdict.kind === 'accepted' ? 200 : 401)
    response.end()
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => {
    server.closeAllConnections()
    server.close()
  })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/${source.provider}`, verdicts, deliveries }
}
