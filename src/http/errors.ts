import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyInstance } from 'fastify'
import { InvalidCursorError } from '../ports/candidate-store.ts'

/** An error whose message is written for the client (including on 503). */
export class HttpError extends Error {
  override name = 'HttpError'
  readonly statusCode: number
  constructor(statusCode: number, message: string) {
    super(message)
    this.statusCode = statusCode
  }
}

/** "body/rejectBelow must be integer": where in the request, and what is wrong there. */
function validationMessage(context: string, issues: NonNullable<FastifyError['validation']>): string {
  return issues
    .map((issue) => {
      const problem = issue.keyword === 'pattern' && issue.params.pattern === '\\S' ? 'must not be blank' : issue.message
      return `${context}${issue.instancePath} ${problem}`
    })
    .join('; ')
}

/**
 * One error handler for the whole API: client errors say what was wrong,
 * server errors say nothing about internals (the log has them, by request id).
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    let statusCode = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500
    let message = error.message
    if (error instanceof InvalidCursorError) {
      statusCode = 400
      message = 'cursor is not one this API returned'
    }
    if (error.validation) {
      statusCode = 400
      message = validationMessage(error.validationContext ?? 'request', error.validation)
    }
    if (statusCode >= 500 && !(error instanceof HttpError)) {
      request.log.error({ err: error }, 'request failed')
      message = `internal error (request ${request.id})`
    } else if (statusCode >= 500) {
      request.log.warn({ err: { type: error.name, message: error.message } }, 'request failed')
    }
    return reply.code(statusCode).send({ statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message })
  })
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
  )
}
