// One error handler: a client error says what was wrong; a server error says
// nothing about internals, only the request id the log has them under.
import type { IntegrationMonitor } from '../src/monitor/integration-monitor.ts'
import { quietMonitoring } from './support/monitoring.ts'
import t from 'tap'
import pino from 'pino'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import type { Services } from '../src/services.ts'
import type { HiringQueues } from '../jobs/queues.ts'
import type { Redis } from 'ioredis'
import { API_KEY, AUTH } from './support/harness.ts'

t.test('a 500 does not leak the error', async (t) => {
  const logs: string[] = []
  const failing = {
    candidates: {
      getCandidate: async () => {
        throw new Error('SQLITE_IOERR: disk I/O error at /var/lib/hireflow/hireflow.sqlite')
      },
    },
  } as unknown as Services
  const app = await buildApp(
    {
      config: loadConfig({ API_KEYS: API_KEY }),
      services: failing,
      // The queue board takes the queues when it is registered: none here.
      queues: { all: () => [] } as unknown as HiringQueues,
      redis: {} as Redis,
      sources: new Map(),
      ...quietMonitoring(),
      integrations: {} as IntegrationMonitor,
    },
    pino({ level: 'error' }, { write: (line: string) => void logs.push(line) }),
  )
  t.teardown(() => app.close())
  const response = await app.inject({ method: 'GET', url: '/candidates/abc', headers: AUTH })
  t.equal(response.statusCode, 500)
  t.same(Object.keys(response.json()).sort(), ['error', 'message', 'statusCode'])
  t.match(response.json().message, /^internal error \(request req-\d+\)$/)
  t.notMatch(response.body, /SQLITE|\/var\/lib/)
  t.match(logs.join('\n'), /SQLITE_IOERR/, 'the log has the cause')

  const notFound = await app.inject({ method: 'GET', url: '/nowhere', headers: AUTH })
  t.equal(notFound.statusCode, 404)
  t.equal(notFound.json().message, 'no route GET /nowhere')
})
