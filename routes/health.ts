// GET /health: every dependency this process needs, probed in parallel with a
// deadline each. 503 when any fails, so a load balancer takes the instance out.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'

const PROBE_TIMEOUT_MS = 3_000

const Check = Type.Object({
  ok: Type.Boolean(),
  latencyMs: Type.Integer(),
  error: Type.Optional(Type.String()),
})
const HealthReport = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('failing')]),
  checks: Type.Record(Type.String(), Check),
})

async function probe(run: () => Promise<unknown>) {
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      run(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS)
      }),
    ])
    return { ok: true, latencyMs: Math.round(performance.now() - started) }
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: (error as Error).message || (error as Error).name }
  } finally {
    clearTimeout(timer)
  }
}

const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { services, redis } = app.hiring
  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Health of Redis, the candidate store, the resume store and the mailer',
        security: [],
        response: { 200: HealthReport, 503: HealthReport },
      },
    },
    async (_request, reply) => {
      const names = ['redis', 'candidateStore', 'resumeStore', 'mailer'] as const
      const results = await Promise.all([
        probe(() => redis.ping()),
        probe(() => services.candidates.ping()),
        probe(() => services.resumes.ping()),
        probe(() => services.mailer.ping()),
      ])
      const checks = Object.fromEntries(names.map((name, i) => [name, results[i]]))
      const ok = results.every((r) => r.ok)
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'failing', checks })
    },
  )
}

export default healthRoutes
