// GET /requisitions/:id/report: how screening went for one requisition —
// hireflow's recommendations, HR's decisions and how often the two agree,
// and why candidates failed. Counts only: no protected attribute (age,
// gender, nationality, ...) is inferred, stored or reported.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { agreesWithRecommendation, CANDIDATE_STATUSES, HR_DECISION_OUTCOMES, OUTCOMES, type Candidate } from '../src/domain/candidate.ts'
import { HttpError } from '../src/http/errors.ts'
import { errorResponses, IdParams } from '../src/http/schemas.ts'

/** A report reads at most this many candidates; a larger requisition says its counts are partial. */
const MAX_CANDIDATES = 50_000
const PAGE = 100

const Share = Type.Object({
  count: Type.Integer(),
  rate: Type.Union([Type.Number(), Type.Null()], { description: 'share of the base, 0..1' }),
})
const counts = (names: readonly string[]) => Type.Object(Object.fromEntries(names.map((name) => [name, Share])))

const Report = Type.Object({
  requisitionId: Type.String(),
  title: Type.String(),
  generatedAt: Type.String(),
  candidates: Type.Integer({ description: 'candidates screened against this requisition' }),
  partial: Type.Boolean({
    description: `true when the requisition has more than ${MAX_CANDIDATES} candidates and only that many were read`,
  }),
  byStatus: Type.Record(Type.String(), Type.Integer()),
  recommendations: Type.Object({
    total: Type.Integer({ description: 'candidates hireflow made a recommendation for (the base of the rates)' }),
    byOutcome: counts(OUTCOMES),
  }),
  hrDecisions: Type.Object({
    total: Type.Integer({ description: 'candidates HR recorded a decision for (the base of the rates)' }),
    byOutcome: counts(HR_DECISION_OUTCOMES),
    agreement: Type.Object({
      compared: Type.Integer({ description: 'decisions on candidates that also had a recommendation' }),
      agreed: Type.Integer(),
      disagreed: Type.Integer(),
      rate: Type.Union([Type.Number(), Type.Null()], { description: 'agreed / compared' }),
    }),
  }),
  failures: Type.Object({
    total: Type.Integer(),
    byReason: Type.Record(Type.String(), Type.Integer(), { description: 'machine-readable failure reasons (unreadable_resume, ...)' }),
  }),
})

const share = (count: number, base: number) => ({ count, rate: base === 0 ? null : Math.round((count / base) * 1000) / 1000 })

export function requisitionReport(candidates: readonly Candidate[]) {
  const byStatus: Record<string, number> = Object.fromEntries(CANDIDATE_STATUSES.map((status) => [status, 0]))
  const recommended = Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0])) as Record<string, number>
  const decided = Object.fromEntries(HR_DECISION_OUTCOMES.map((outcome) => [outcome, 0])) as Record<string, number>
  const byReason: Record<string, number> = {}
  let recommendations = 0
  let decisions = 0
  let compared = 0
  let agreed = 0
  let failures = 0
  for (const candidate of candidates) {
    byStatus[candidate.status] = (byStatus[candidate.status] ?? 0) + 1
    if (candidate.decision) {
      recommendations++
      recommended[candidate.decision.outcome] = (recommended[candidate.decision.outcome] ?? 0) + 1
    }
    if (candidate.hrDecision) {
      decisions++
      decided[candidate.hrDecision.outcome] = (decided[candidate.hrDecision.outcome] ?? 0) + 1
      const agrees = agreesWithRecommendation(candidate.hrDecision, candidate.decision)
      if (agrees !== null) {
        compared++
        if (agrees) agreed++
      }
    }
    if (candidate.status === 'failed' && candidate.failure) {
      failures++
      byReason[candidate.failure.reason] = (byReason[candidate.failure.reason] ?? 0) + 1
    }
  }
  return {
    byStatus,
    recommendations: {
      total: recommendations,
      byOutcome: Object.fromEntries(OUTCOMES.map((outcome) => [outcome, share(recommended[outcome]!, recommendations)])),
    },
    hrDecisions: {
      total: decisions,
      byOutcome: Object.fromEntries(HR_DECISION_OUTCOMES.map((outcome) => [outcome, share(decided[outcome]!, decisions)])),
      agreement: { compared, agreed, disagreed: compared - agreed, rate: share(agreed, compared).rate },
    },
    failures: { total: failures, byReason },
  }
}

const requisitionReportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { candidates } = app.hiring.services
  app.get(
    '/requisitions/:id/report',
    {
      schema: {
        tags: ['requisitions'],
        summary: "Recommendations, HR's decisions and how often they agree, and failure reasons, for one requisition",
        description: 'Counts and rates only. No protected attribute is inferred or reported.',
        params: IdParams,
        response: { 200: Report, 401: errorResponses[401], 404: errorResponses[404] },
      },
    },
    async (request) => {
      const requisition = await candidates.getRequisition(request.params.id)
      if (!requisition) throw new HttpError(404, `no requisition ${request.params.id}`)
      const read: Candidate[] = []
      let cursor: string | undefined
      do {
        const page = await candidates.listCandidates({ requisitionId: requisition.id, limit: PAGE, ...(cursor ? { cursor } : {}) })
        read.push(...page.items)
        cursor = page.nextCursor ?? undefined
      } while (cursor && read.length < MAX_CANDIDATES)
      return {
        requisitionId: requisition.id,
        title: requisition.title,
        generatedAt: new Date().toISOString(),
        candidates: read.length,
        partial: !!cursor,
        ...requisitionReport(read),
      }
    },
  )
}

export default requisitionReportRoutes
