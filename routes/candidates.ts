import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { agreesWithRecommendation, HR_DECISION_OUTCOMES, type Candidate as CandidateRecord } from '../src/domain/candidate.ts'
import { FinalDecisionNotQueuedError, notReadyMessage, recordHrDecision } from '../src/decisions/record-hr-decision.ts'
import { uploadItemId } from '../src/domain/candidate-id.ts'
import { attachmentDisposition, filenameForType, sanitizeFilename } from '../src/domain/filename.ts'
import { HttpError } from '../src/http/errors.ts'
import { withinBodyDeadline } from '../src/http/body-deadline.ts'
import { CandidatePage, CandidateQuery, errorResponses, IdParams, UploadAccepted, UploadForm } from '../src/http/schemas.ts'
import { ResumeNotFoundError } from '../src/ports/resume-store.ts'
import { SUPPORTED_RESUME_TYPES } from '../src/pipeline/detect.ts'
import { intakeResume, NotAResumeError, ResumeStoreUnavailableError, resumeTypeOf, sha256Of } from '../src/intake/resume-intake.ts'
import { candidateReceived } from '../src/monitor/pipeline-metrics.ts'
import { queueNextStep } from '../jobs/recover.ts'

const tags = ['candidates']
const REQUISITION_ID = /^[A-Za-z0-9_-]{1,64}$/

/** RFC 2046: a boundary is 1 to 70 characters; the parser would otherwise fail on it with an error of its own. */
function multipartBoundary(contentType: string | undefined): string | undefined {
  const match = /;\s*boundary=(?:"([^"]*)"|([^;\s]*))/i.exec(contentType ?? '')
  const boundary = match?.[1] ?? match?.[2]
  return boundary && boundary.length <= 70 ? boundary : undefined
}

/** The multipart parser's errors, worded for the client: limits, a bad boundary, a body that ends early. */
function uploadError(error: unknown, maxResumeBytes: number, sawPart: boolean): unknown {
  const message = (error as Error).message ?? ''
  if (/Boundary not found|Boundary required/i.test(message)) {
    return new HttpError(400, 'the Content-Type has no multipart boundary: send multipart/form-data; boundary=...')
  }
  if (/unexpected end of multipart data/i.test(message)) {
    return new HttpError(
      400,
      sawPart
        ? 'the multipart body ended early: it is truncated or lacks its closing boundary'
        : 'the multipart body has no part with the boundary named in Content-Type: wrong boundary, or the body is truncated',
    )
  }
  switch ((error as { code?: string }).code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new HttpError(413, `the resume is larger than the limit of ${maxResumeBytes} bytes (MAX_RESUME_BYTES)`)
    case 'FST_FILES_LIMIT':
      return new HttpError(413, 'send one resume per upload')
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new HttpError(413, 'too many form fields: send "resume" and optionally "requisitionId"')
    default:
      return error
  }
}

/** What the intake refused, as the client should hear it. */
function intakeError(error: unknown): never {
  if (error instanceof NotAResumeError) {
    throw error.detected === null ? new HttpError(400, 'the file in "resume" is empty') : new HttpError(415, error.message)
  }
  if (error instanceof ResumeStoreUnavailableError) {
    throw new HttpError(503, 'the resume store is unavailable; nothing was saved, try again shortly')
  }
  throw error
}

// Text that is only spaces is no reason and no name; both are stored trimmed.
const NOT_BLANK = '\\S'

const HrDecisionInput = Type.Object(
  {
    outcome: Type.Union(HR_DECISION_OUTCOMES.map((o) => Type.Literal(o))),
    reason: Type.String({ minLength: 1, maxLength: 2000, pattern: NOT_BLANK, description: 'why HR decided so' }),
    decidedBy: Type.String({ minLength: 1, maxLength: 200, pattern: NOT_BLANK, description: 'who decided: a name or an email' }),
  },
  { additionalProperties: false },
)

/** HR's decision as shown, with whether it agrees with the recommendation and whether its email went out. */
function withHrDecision(candidate: CandidateRecord) {
  const { hrDecisionNotification, ...rest } = candidate
  const hrDecision = candidate.hrDecision
    ? {
        ...candidate.hrDecision,
        notifiedAt: hrDecisionNotification?.decisionId === candidate.hrDecision.id ? hrDecisionNotification.sentAt : null,
        agreesWithRecommendation: agreesWithRecommendation(candidate.hrDecision, candidate.decision),
      }
    : null
  return { ...rest, hrDecision }
}

// Typed as what the handlers return: the enum unions above are built from lists, which TypeBox cannot narrow.
const CandidateWithHrDecision = Type.Unsafe<ReturnType<typeof withHrDecision>>(Type.Ref('Candidate'))

const candidateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { config, services, queues } = app.hiring
  const { candidates, resumes } = services

  app.post(
    '/candidates',
    {
      schema: {
        tags,
        summary: 'Upload a resume',
        description:
          `multipart/form-data with the file in the field "resume" (${SUPPORTED_RESUME_TYPES.join(', ')}; ` +
          `at most MAX_RESUME_BYTES) and optionally "requisitionId". Answers at once; processing follows. ` +
          'The same file uploaded again for the same requisition returns the first candidate (200, duplicate: true).',
        consumes: ['multipart/form-data'],
        body: UploadForm,
        response: {
          200: UploadAccepted,
          202: UploadAccepted,
          400: errorResponses[400],
          401: errorResponses[401],
          408: errorResponses[408],
          413: Type.Ref('ErrorResponse'),
          415: Type.Ref('ErrorResponse'),
          503: errorResponses[503],
        },
      },
      // The multipart body is read by the handler under its own limits; the schema above documents it.
      validatorCompiler: () => () => true,
    },
    async (request, reply) => {
      if (!request.isMultipart()) {
        throw new HttpError(415, 'send the resume as multipart/form-data in the field "resume"')
      }
      if (!multipartBoundary(request.headers['content-type'])) {
        throw new HttpError(
          400,
          'the Content-Type has no valid multipart boundary (1 to 70 characters): send multipart/form-data; boundary=...',
        )
      }
      let sawPart = false
      const parts = request.parts({
        limits: { fileSize: config.maxResumeBytes, files: 1, fields: 4, fieldSize: 1024, parts: 5 },
      })
      const readParts = async () => {
        let file: { filename: string; bytes: Buffer } | undefined
        let requisitionId: string | null = null
        for await (const part of parts) {
          sawPart = true
          if (part.type === 'file') {
            if (part.fieldname !== 'resume')
              throw new HttpError(400, `unexpected file field "${part.fieldname}": the resume goes in "resume"`)
            file = { filename: sanitizeFilename(part.filename ?? ''), bytes: await part.toBuffer() }
          } else if (part.fieldname === 'requisitionId') {
            const value = String(part.value).trim()
            if (!REQUISITION_ID.test(value)) throw new HttpError(400, 'requisitionId is not a valid id')
            requisitionId = value
          } else {
            throw new HttpError(400, `unknown field "${part.fieldname}": expected "resume" and optionally "requisitionId"`)
          }
        }
        return { file, requisitionId }
      }
      let form: Awaited<ReturnType<typeof readParts>>
      try {
        // A body that misses REQUEST_TIMEOUT_MS or the minimum rate ends the read with a 408; nothing is kept.
        form = await withinBodyDeadline(request, readParts())
      } catch (error) {
        throw uploadError(error, config.maxResumeBytes, sawPart)
      }
      const { file, requisitionId } = form
      if (!file) throw new HttpError(400, 'no file: send the resume in the multipart field "resume"')
      if (file.bytes.length === 0) throw new HttpError(400, 'the file in "resume" is empty')

      // The type is judged before the requisition is looked up: a 415 says more than a 400 about a wrong file.
      const type = await resumeTypeOf(file.bytes).catch(intakeError)
      if (requisitionId && !(await candidates.getRequisition(requisitionId))) {
        throw new HttpError(400, `no requisition ${requisitionId}`)
      }

      const sha256 = sha256Of(file.bytes)
      const outcome = await intakeResume(services, {
        source: 'upload',
        sourceItemId: uploadItemId(requisitionId, sha256),
        origin: null,
        requisitionId,
        filename: file.filename,
        bytes: file.bytes,
        by: 'api',
        why: 'uploaded',
        known: { type, sha256 },
      }).catch((error: unknown) => {
        if (error instanceof ResumeStoreUnavailableError) request.log.error({ err: error }, 'resume store failed')
        return intakeError(error)
      })
      const { candidate } = outcome
      const id = candidate.id
      if (outcome.created) candidateReceived(app.hiring.metrics, candidate)
      if (!outcome.created && outcome.restored) {
        request.log.warn({ candidateId: id }, 'stored resume was missing; restored from a repeated upload')
      }
      if (outcome.created || outcome.requeue) {
        try {
          // A new candidate is `stored` and goes straight to processing; one put back to `received` is checked by the intake job first.
          await queueNextStep(queues, candidate)
        } catch (error) {
          // The resume and the candidate are saved; recovery re-queues unfinished candidates.
          request.log.warn(
            { candidateId: id, err: { message: (error as Error).message } },
            'next step not queued; recovery will pick it up',
          )
        }
      }
      if (!outcome.created) return reply.code(200).send({ id, status: candidate.status, duplicate: true })
      reply.header('location', `/candidates/${id}`)
      return reply.code(202).send({ id, status: candidate.status, duplicate: false })
    },
  )

  app.get(
    '/candidates/:id',
    {
      schema: {
        tags,
        summary: 'A candidate: status, resume, profile, score, recommendation and history',
        params: IdParams,
        response: { 200: CandidateWithHrDecision, 401: errorResponses[401], 404: errorResponses[404] },
      },
    },
    async (request) => {
      const candidate = await candidates.getCandidate(request.params.id)
      if (!candidate) throw new HttpError(404, `no candidate ${request.params.id}`)
      return withHrDecision(candidate)
    },
  )

  app.post(
    '/candidates/:id/decision',
    {
      schema: {
        tags,
        summary: "Record HR's final decision",
        description:
          "HR's own decision (advance, hold, reject or hired), with why and who decided, kept apart from hireflow's recommendation. " +
          'Accepted once the pipeline is done: status notified or acknowledged, or failed as unreadable_resume after HR was emailed. ' +
          'A new or changed decision answers 201 and emails HR once; the same outcome and reason again answers 200 and sends nothing. ' +
          "The candidate's status does not change.",
        params: IdParams,
        body: HrDecisionInput,
        response: {
          200: CandidateWithHrDecision,
          201: CandidateWithHrDecision,
          400: errorResponses[400],
          401: errorResponses[401],
          404: errorResponses[404],
          409: Type.Ref('ErrorResponse'),
          503: errorResponses[503],
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params
      const { outcome, reason, decidedBy } = request.body
      const answer = await recordHrDecision({ candidates, queues }, { candidateId: id, outcome, reason, decidedBy }).catch(
        (error: unknown) => {
          // The decision is saved; the same request again queues its email (and records nothing new).
          if (error instanceof FinalDecisionNotQueuedError)
            throw new HttpError(503, 'the decision is recorded but its email could not be queued; send the same decision again shortly')
          throw error
        },
      )
      switch (answer.result) {
        case 'unknown-candidate':
          throw new HttpError(404, `no candidate ${id}`)
        case 'not-ready':
          throw new HttpError(409, notReadyMessage(answer.candidate))
        case 'unchanged':
          return reply.code(200).send(withHrDecision(answer.candidate))
        case 'recorded':
          return reply.code(201).send(withHrDecision(answer.candidate))
        // Only a decision link can be used up; the API sends no link id.
        case 'link-used':
        case 'kept-moving':
          throw new HttpError(409, `candidate ${id} changed status while the decision was recorded; send it again`)
      }
    },
  )

  app.get(
    '/candidates/:id/resume',
    {
      schema: {
        tags,
        summary: 'The resume file as uploaded',
        params: IdParams,
        produces: ['application/octet-stream'],
        response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }), 401: errorResponses[401], 404: errorResponses[404] },
      },
    },
    async (request, reply) => {
      const candidate = await candidates.getCandidate(request.params.id)
      if (!candidate || candidate.status === 'erased') throw new HttpError(404, `no candidate ${request.params.id}`)
      // A candidate whose attachment was refused before download has nothing stored.
      if (!candidate.resume.key)
        throw new HttpError(
          404,
          `no resume is stored for candidate ${candidate.id}: ${candidate.failure?.message ?? 'it was never received'}`,
        )
      const bytes = await resumes.get(candidate.resume.key).catch((error: unknown) => {
        if (error instanceof ResumeNotFoundError) throw new HttpError(404, `the resume of candidate ${candidate.id} is no longer stored`)
        throw error
      })
      return (
        reply
          .header('content-type', candidate.resume.mediaType === 'text/plain' ? 'text/plain; charset=utf-8' : candidate.resume.mediaType)
          // Offered under the detected type's extension: "Resume.bat" holding text downloads as "Resume.txt".
          .header('content-disposition', attachmentDisposition(filenameForType(candidate.resume.filename, candidate.resume.extension)))
          .header('x-content-type-options', 'nosniff')
          // An HTML resume opened in the browser anyway runs no script and reaches nothing: a sandboxed, inert page.
          .header('content-security-policy', "sandbox; default-src 'none'")
          .header('cache-control', 'no-store')
          .send(bytes)
      )
    },
  )

  app.get(
    '/candidates',
    {
      schema: {
        tags,
        summary: 'Candidates, newest first, filtered by status and/or requisition',
        querystring: CandidateQuery,
        response: { 200: CandidatePage, 400: errorResponses[400], 401: errorResponses[401] },
      },
    },
    async (request) => {
      const { status, requisitionId, limit, cursor } = request.query
      const page = await candidates.listCandidates({
        limit,
        ...(status ? { status } : {}),
        ...(requisitionId ? { requisitionId } : {}),
        ...(cursor ? { cursor } : {}),
      })
      return { ...page, items: page.items.map(withHrDecision) }
    },
  )
}

export default candidateRoutes
