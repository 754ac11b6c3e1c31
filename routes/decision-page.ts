// The page a decision link in HR's email opens. Public: the signed token in the
// URL is the capability (src/mail/decision-links.ts). GET only shows the
// candidate and a form, since mail scanners and link previews open links on
// their own; the form's POST records the decision through the same code as
// POST /candidates/{id}/decision, once per link.
//
// Cross-site requests: a forged form elsewhere cannot know the token, so the
// token already stops classic CSRF. A leaked link could still be posted from
// another site through HR's browser; where the browser says where the form
// came from (Sec-Fetch-Site, Origin), a cross-site POST is refused. With
// `Referrer-Policy: no-referrer` a browser sends `Origin: null` on the page's
// own POST, so "null" tells nothing and is let through to the other checks.
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { acceptsHrDecision, type Candidate, type HrDecision, type HrDecisionOutcome } from '../src/domain/candidate.ts'
import { decisionLinkUsed, FinalDecisionNotQueuedError, notReadyMessage, recordHrDecision } from '../src/decisions/record-hr-decision.ts'
import { verifyDecisionToken, type DecisionLinkClaims, type DecisionLinkProblem } from '../src/mail/decision-links.ts'
import { candidateLabel, HR_OUTCOME_LABEL, RECOMMENDATION } from '../src/mail/hr-notification.ts'
import { BUNDLED_TEMPLATE_DIR, DirectoryTemplateSource, TemplateRenderer } from '../src/mail/templates.ts'

const REASON_MAX = 2000
const DECIDED_BY_MAX = 200
// The two fields at their longest, every character percent-encoded from three UTF-8 bytes, and room for the names.
const FORM_BODY_LIMIT = 32 * 1024
const PAGE = 'decide.html.eta'

// The page's templates ship with the code; unlike the emails they are not overridable (they are code, and public).
const pages = new TemplateRenderer(new DirectoryTemplateSource(join(BUNDLED_TEMPLATE_DIR, 'pages')))

type Tone = 'notice' | 'error' | 'done'

interface PageView {
  title: string
  message?: string
  tone?: Tone
  candidate?: { label: string; requisitionLabel: string; recommendation: string }
  outcome?: { value: HrDecisionOutcome; label: string }
  decision?: { heading: string; outcomeLabel: string; reasonLines: string[]; decidedBy: string; at: string }
  form?: { reasonLines: string[]; decidedBy: string; error: string | null; reasonMax: number; decidedByMax: number }
  expiresAt?: string
  /** What HR can do next. */
  next?: string
}

const PROBLEM: Record<DecisionLinkProblem, { status: number; title: string; next: string }> = {
  malformed: {
    status: 400,
    title: 'This link is damaged',
    next: 'Open the link from the email again, or copy the whole address if your mail program split it over lines.',
  },
  'bad-signature': {
    status: 403,
    title: 'This link is not valid',
    next: 'Use the link exactly as it came in the email. Links sent before the server changed its signing secret no longer work.',
  },
  expired: {
    status: 410,
    title: 'This link has expired',
    next: 'Record the decision through the hireflow API (POST /candidates/{id}/decision; the candidate id is in the email).',
  },
}

const PAGE_HEADERS = {
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex, nofollow',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
}

function csp(nonce: string): string {
  return `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`
}

async function sendPage(reply: FastifyReply, status: number, view: PageView): Promise<FastifyReply> {
  const nonce = randomBytes(16).toString('base64')
  const html = await pages.render(PAGE, { message: null, candidate: null, outcome: null, decision: null, form: null, ...view, nonce })
  return reply.code(status).headers(PAGE_HEADERS).header('content-security-policy', csp(nonce)).type('text/html; charset=utf-8').send(html)
}

// Lines are kept apart: a value put in the page is one line, and the reason may have several.
const linesOf = (text: string) => text.split(/\r\n|\r|\n/)

function decisionView(hrDecision: HrDecision, heading: string): NonNullable<PageView['decision']> {
  return {
    heading,
    outcomeLabel: HR_OUTCOME_LABEL[hrDecision.outcome],
    reasonLines: linesOf(hrDecision.reason),
    decidedBy: hrDecision.decidedBy,
    at: hrDecision.at,
  }
}

/** Refusal of a form sent from another site, when the browser says so; null when nothing says it is. */
function crossSite(request: FastifyRequest, publicUrl: string | undefined): string | null {
  if (request.headers['sec-fetch-site'] === 'cross-site') return 'the form was sent from another site'
  const origin = request.headers.origin
  if (!origin || origin === 'null') return null
  const allowed = new Set<string>()
  for (const base of [`${request.protocol}://${request.host}`, publicUrl]) {
    try {
      if (base) allowed.add(new URL(base).origin)
    } catch {
      // A Host header that is no host allows nothing.
    }
  }
  return allowed.has(origin) ? null : `the form was sent from ${origin}, not from this page`
}

/** The form's fields: the first value of each name. */
function formFields(body: unknown): { reason: string; decidedBy: string } {
  const fields = body instanceof URLSearchParams ? body : new URLSearchParams()
  // A browser sends a textarea's line breaks as CRLF; the API and the emails keep LF.
  return { reason: (fields.get('reason') ?? '').replace(/\r\n?/g, '\n'), decidedBy: fields.get('decidedBy') ?? '' }
}

function formProblem(reason: string, decidedBy: string): string | null {
  if (!reason) return 'Write the reason for this decision: it is kept with the decision and sent to HR.'
  if (reason.length > REASON_MAX) return `The reason is longer than ${REASON_MAX} characters; shorten it.`
  if (!decidedBy) return 'Say who decided: your name or email.'
  if (decidedBy.length > DECIDED_BY_MAX) return `"Decided by" is longer than ${DECIDED_BY_MAX} characters; shorten it.`
  return null
}

const decisionPageRoutes: FastifyPluginAsync = async (app) => {
  const { config, services, queues } = app.hiring
  const { candidates } = services

  // Only the page's own form is accepted, and only small: anything else is refused before a handler runs.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT }, (_request, body, done) =>
    done(null, new URLSearchParams(body as string)),
  )

  // Errors here are pages too: a person reads them, not a client.
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500
    if (status === 500) request.log.error({ err: error }, 'decision page failed')
    const message =
      status === 413
        ? 'The form is larger than this page accepts.'
        : status === 415
          ? 'This page accepts its own form only.'
          : status === 500
            ? `Something went wrong on our side (request ${request.id}); nothing was recorded unless a page said so. Try again shortly.`
            : error.message
    return sendPage(reply, status, { title: status === 500 ? 'Something went wrong' : 'This request was refused', message, tone: 'error' })
  })

  /** The token checked, or the page that says what is wrong with it. */
  async function claimsOf(token: string, reply: FastifyReply): Promise<DecisionLinkClaims | undefined> {
    if (!config.decisionLinkSecret) {
      await sendPage(reply, 404, {
        title: 'Decision links are not enabled',
        message: 'This hireflow does not accept decisions from email links.',
        tone: 'error',
        next: 'Record the decision through the hireflow API (POST /candidates/{id}/decision).',
      })
      return undefined
    }
    const check = verifyDecisionToken(config.decisionLinkSecret, token)
    if (check.ok) return check.claims
    const problem = PROBLEM[check.problem]
    await sendPage(reply, problem.status, {
      title: problem.title,
      message: `Nothing was recorded: ${check.message}.`,
      tone: 'error',
      next: problem.next,
    })
    return undefined
  }

  const unknownCandidatePage = (reply: FastifyReply) =>
    sendPage(reply, 404, {
      title: 'Candidate not found',
      message: 'hireflow holds no candidate for this link (it may have been erased). Nothing was recorded.',
      tone: 'error',
    })

  /** The candidate, or the page for an unknown one. */
  async function candidateOf(claims: DecisionLinkClaims, reply: FastifyReply): Promise<Candidate | undefined> {
    const candidate = await candidates.getCandidate(claims.candidateId)
    if (candidate && candidate.status !== 'erased') return candidate
    await unknownCandidatePage(reply)
    return undefined
  }

  async function candidateView(candidate: Candidate): Promise<NonNullable<PageView['candidate']>> {
    const requisition = candidate.requisitionId ? await candidates.getRequisition(candidate.requisitionId) : undefined
    return {
      label: candidateLabel(candidate),
      requisitionLabel: requisition?.title ?? (candidate.requisitionId ? candidate.requisitionId : 'no requisition'),
      recommendation: candidate.decision
        ? RECOMMENDATION[candidate.decision.outcome]
        : 'none: hireflow could not read the resume, so it made no recommendation.',
    }
  }

  const outcomeView = (outcome: HrDecisionOutcome) => ({ value: outcome, label: HR_OUTCOME_LABEL[outcome] })

  /** The page for a link that has recorded its decision: that decision, or the later one that replaced it. */
  async function usedPage(reply: FastifyReply, status: number, candidate: Candidate, claims: DecisionLinkClaims) {
    const current = candidate.hrDecision
    const own = current?.linkId === claims.linkId
    return sendPage(reply, status, {
      title: 'This decision is already recorded',
      message: own
        ? 'A decision was recorded through this link. A link records once: nothing more was changed and no email was sent.'
        : 'A decision was recorded through this link and has since been replaced by a later one. Nothing was changed.',
      tone: 'notice',
      candidate: await candidateView(candidate),
      outcome: outcomeView(claims.outcome),
      ...(current ? { decision: decisionView(current, own ? 'The decision recorded through this link' : "HR's current decision") } : {}),
      next: 'To change the decision, use another link from the email or the hireflow API.',
    })
  }

  async function notReadyPage(reply: FastifyReply, candidate: Candidate) {
    return sendPage(reply, 409, {
      title: 'Not ready for a decision',
      message: `Nothing was recorded: ${notReadyMessage(candidate)}.`,
      tone: 'error',
      candidate: await candidateView(candidate),
    })
  }

  async function formPage(
    reply: FastifyReply,
    status: number,
    candidate: Candidate,
    claims: DecisionLinkClaims,
    values: { reason: string; decidedBy: string; error: string | null },
  ) {
    const current = candidate.hrDecision
    return sendPage(reply, status, {
      title: `Confirm: ${HR_OUTCOME_LABEL[claims.outcome]} for ${candidateLabel(candidate)}`,
      ...(current
        ? { message: `HR has already decided ${HR_OUTCOME_LABEL[current.outcome]}; recording this changes the decision.`, tone: 'notice' }
        : {}),
      candidate: await candidateView(candidate),
      outcome: outcomeView(claims.outcome),
      ...(current ? { decision: decisionView(current, "HR's current decision") } : {}),
      form: {
        reasonLines: linesOf(values.reason),
        decidedBy: values.decidedBy,
        error: values.error,
        reasonMax: REASON_MAX,
        decidedByMax: DECIDED_BY_MAX,
      },
      expiresAt: claims.expiresAt.toISOString(),
    })
  }

  const schema = {
    // An HTML page for people, not part of the API: left out of the OpenAPI document.
    hide: true,
    params: Type.Object({ token: Type.String() }),
  }

  app.get<{ Params: { token: string } }>('/decide/:token', { schema }, async (request, reply) => {
    // Looking changes nothing: the form's POST records.
    const claims = await claimsOf(request.params.token, reply)
    if (!claims) return reply
    const candidate = await candidateOf(claims, reply)
    if (!candidate) return reply
    if (decisionLinkUsed(candidate, claims.linkId)) return usedPage(reply, 200, candidate, claims)
    if (!acceptsHrDecision(candidate)) return notReadyPage(reply, candidate)
    return formPage(reply, 200, candidate, claims, { reason: '', decidedBy: '', error: null })
  })

  app.post<{ Params: { token: string } }>('/decide/:token', { schema, bodyLimit: FORM_BODY_LIMIT }, async (request, reply) => {
    const claims = await claimsOf(request.params.token, reply)
    if (!claims) return reply
    const refused = crossSite(request, config.publicUrl)
    if (refused) {
      return sendPage(reply, 403, {
        title: 'This request was refused',
        message: `Nothing was recorded: ${refused}. Open the link from the email and submit the form there.`,
        tone: 'error',
      })
    }
    const candidate = await candidateOf(claims, reply)
    if (!candidate) return reply
    const fields = formFields(request.body)
    const reason = fields.reason.trim()
    const decidedBy = fields.decidedBy.trim()
    // A used link goes on to recordHrDecision whatever the form holds: it answers "used", and queues the email if it never was.
    if (!decisionLinkUsed(candidate, claims.linkId)) {
      if (!acceptsHrDecision(candidate)) return notReadyPage(reply, candidate)
      const error = formProblem(reason, decidedBy)
      if (error) return formPage(reply, 400, candidate, claims, { reason: fields.reason, decidedBy: fields.decidedBy, error })
    }

    let answer
    try {
      answer = await recordHrDecision(
        { candidates, queues },
        { candidateId: candidate.id, outcome: claims.outcome, reason, decidedBy, linkId: claims.linkId },
      )
    } catch (failure) {
      if (!(failure instanceof FinalDecisionNotQueuedError)) throw failure
      request.log.warn({ candidateId: candidate.id, err: { message: failure.message } }, 'final-decision email not queued')
      return sendPage(reply, 503, {
        title: 'Recorded, but HR is not emailed yet',
        message: 'The decision is recorded, but its email could not be queued. Submit the form again in a minute to send it.',
        tone: 'error',
      })
    }
    switch (answer.result) {
      case 'recorded':
        return sendPage(reply, 201, {
          title: 'Decision recorded',
          message: 'HR is emailed this decision. hireflow does not contact the candidate.',
          tone: 'done',
          candidate: await candidateView(answer.candidate),
          decision: decisionView(answer.candidate.hrDecision!, 'The decision'),
        })
      case 'unchanged':
        return sendPage(reply, 200, {
          title: 'Nothing changed',
          message: 'HR had already recorded this outcome with this reason: nothing was changed and no email was sent.',
          tone: 'notice',
          candidate: await candidateView(answer.candidate),
          decision: decisionView(answer.candidate.hrDecision!, "HR's current decision"),
        })
      case 'link-used':
        return usedPage(reply, 409, answer.candidate, claims)
      case 'not-ready':
        return notReadyPage(reply, answer.candidate)
      case 'unknown-candidate':
        return unknownCandidatePage(reply)
      case 'kept-moving':
        return sendPage(reply, 409, {
          title: 'Please submit again',
          message: "The candidate's record changed while the decision was written; nothing was recorded.",
          tone: 'error',
        })
    }
  })
}

export default decisionPageRoutes
