// GET /health: every dependency this process needs, probed in parallel with a
// deadline each. 503 when any fails, so a load balancer takes the instance out.
// The route is open, so a failure is named with a short reason only; what
// went wrong in detail (paths, hosts, buckets) goes to the log.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyBaseLogger } from 'fastify'
import { Type } from 'typebox'
import { unavailableReason } from '../src/ports/unavailable.ts'

const PROBE_TIMEOUT_MS = 3_000

const Check = Type.Object({
  ok: Type.Boolean(),
  latencyMs: Type.Integer(),
  error: Type.Optional(
    Type.String({
      description: 'why the check failed, in a few words ("timed out", "disk full", "permission denied"); the log has the details',
    }),
  ),
})
const HealthReport = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('failing')]),
  checks: Type.Record(Type.String(), Check),
})

class ProbeTimeout extends Error {
  override name = 'ProbeTimeout'
}

/** A few words safe to show anyone: the kind of failure, never its message. */
export function shortReason(error: unknown): string {
  if (error instanceof ProbeTimeout) return 'timed out'
  // Ports wrap what failed (DependencyUnavailableError); the reason lies with the innermost cause.
  let cause = error
  for (let depth = 0; depth < 5 && cause instanceof Error && cause.cause !== undefined; depth++) cause = cause.cause
  const reason = unavailableReason(cause)
  return reason === 'unexpected error' ? 'unavailable' : reason
}

async function probe(dependency: string, run: () => Promise<unknown>, log: FastifyBaseLogger) {
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      run(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new ProbeTimeout(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS)
      }),
    ])
    return { ok: true, latencyMs: Math.round(performance.now() - started) }
  } catch (error) {
    log.warn({ dependency, err: error }, 'health check failed')
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: shortReason(error) }
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
        summary: 'Health of Redis, the candidate store, the resume store (a write and a delete) and the mailer',
        security: [],
        response: { 200: HealthReport, 503: HealthReport },
      },
    },
    async (request, reply) => {
      const probes = {
        redis: () => redis.ping(),
        candidateStore: () => services.candidates.ping(),
        // The resume store's ping writes and removes a small object: a full disk or a read-only bucket fails it.
        resumeStore: () => services.resumes.ping(),
        mailer: () => services.mailer.ping(),
      }
      const entries = await Promise.all(
        Object.entries(probes).map(async ([dependency, run]) => [dependency, await probe(dependency, run, request.log)] as const),
      )
      const checks = Object.fromEntries(entries)
      const ok = entries.every(([, result]) => result.ok)
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'failing', checks })
    },
  )
}

export default healthRoutes
