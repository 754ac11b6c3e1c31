import { randomUUID } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Requisition } from '../src/domain/requisition.ts'
import { HttpError } from '../src/http/errors.ts'
import { errorResponses, IdParams, PageQuery, RequisitionInput, RequisitionPage } from '../src/http/schemas.ts'

const tags = ['requisitions']

/** Skills and criteria: trimmed, and each asked once whatever its case, in the words it was first given. */
function uniqueItems(items: string[]): string[] {
  const seen = new Map<string, string>()
  for (const item of items) if (!seen.has(item.trim().toLowerCase())) seen.set(item.trim().toLowerCase(), item.trim())
  return [...seen.values()]
}

const requisitionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { candidates } = app.hiring.services

  app.post(
    '/requisitions',
    {
      schema: {
        tags,
        summary: 'Open a requisition (a job candidates are screened against): skills, minimum years, free-text criteria, blind screening',
        body: RequisitionInput,
        response: { 201: Type.Ref('Requisition'), 400: errorResponses[400], 401: errorResponses[401], 408: errorResponses[408] },
      },
    },
    async (request, reply) => {
      const input = request.body
      if (input.rejectBelow > input.advanceAtOrAbove) {
        throw new HttpError(400, `rejectBelow (${input.rejectBelow}) must not be above advanceAtOrAbove (${input.advanceAtOrAbove})`)
      }
      const requisition: Requisition = {
        id: randomUUID(),
        title: input.title.trim(),
        mustHaveSkills: uniqueItems(input.mustHaveSkills),
        niceToHaveSkills: uniqueItems(input.niceToHaveSkills),
        minYearsExperience: input.minYearsExperience,
        advanceAtOrAbove: input.advanceAtOrAbove,
        rejectBelow: input.rejectBelow,
        criteria: uniqueItems(input.criteria),
        blind: input.blind,
        createdAt: new Date().toISOString(),
      }
      await candidates.createRequisition(requisition)
      reply.header('location', `/requisitions/${requisition.id}`)
      return reply.code(201).send(requisition)
    },
  )

  app.get(
    '/requisitions/:id',
    {
      schema: {
        tags,
        summary: 'One requisition',
        params: IdParams,
        response: { 200: Type.Ref('Requisition'), 401: errorResponses[401], 404: errorResponses[404] },
      },
    },
    async (request) => {
      const requisition = await candidates.getRequisition(request.params.id)
      if (!requisition) throw new HttpError(404, `no requisition ${request.params.id}`)
      return requisition
    },
  )

  app.get(
    '/requisitions',
    {
      schema: {
        tags,
        summary: 'Requisitions, newest first',
        querystring: PageQuery,
        response: { 200: RequisitionPage, 400: errorResponses[400], 401: errorResponses[401] },
      },
    },
    async (request) =>
      candidates.listRequisitions({ limit: request.query.limit, ...(request.query.cursor ? { cursor: request.query.cursor } : {}) }),
  )
}

export default requisitionRoutes
