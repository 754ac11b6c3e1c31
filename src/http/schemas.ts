// TypeBox schemas of the HTTP API. They validate requests, shape responses
// (fields not listed here are never serialised) and generate the OpenAPI document.
import { Type, type Static, type TSchema } from 'typebox'
import {
  CANDIDATE_STATUSES,
  DELIVERY_STATUSES,
  HR_DECISION_OUTCOMES,
  HR_EMAILS,
  OUTCOMES,
  PIPELINE_STEPS,
  SOURCES,
} from '../domain/candidate.ts'

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

export const ErrorResponse = Type.Object(
  {
    statusCode: Type.Integer(),
    error: Type.String(),
    message: Type.String(),
  },
  { $id: 'ErrorResponse', description: 'Every error: the HTTP status, its name and what was wrong.' },
)

export const errorResponses = {
  400: Type.Ref('ErrorResponse'),
  401: Type.Ref('ErrorResponse'),
  404: Type.Ref('ErrorResponse'),
  408: Type.Ref('ErrorResponse'),
  500: Type.Ref('ErrorResponse'),
  503: Type.Ref('ErrorResponse'),
}

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })
const Timestamp = Type.String({ format: 'date-time' })
// Text that is only spaces is no skill or title; the routes store it trimmed.
const NOT_BLANK = '\\S'
const Skill = Type.String({ minLength: 1, maxLength: 60, pattern: NOT_BLANK })
const Criterion = Type.String({ minLength: 1, maxLength: 300, pattern: NOT_BLANK })
const Cursor = Type.String({ minLength: 1, maxLength: 2048, description: 'nextCursor of the previous page' })
const Limit = Type.Integer({ minimum: 1, maximum: 100, default: 20 })

export const RequisitionInput = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200, pattern: NOT_BLANK }),
    mustHaveSkills: Type.Array(Skill, { maxItems: 50, default: [] }),
    niceToHaveSkills: Type.Array(Skill, { maxItems: 50, default: [] }),
    minYearsExperience: Type.Number({ minimum: 0, maximum: 60, default: 0 }),
    advanceAtOrAbove: Type.Integer({ minimum: 0, maximum: 100, description: 'score at or above which the recommendation is advance' }),
    rejectBelow: Type.Integer({ minimum: 0, maximum: 100, description: 'score below which the recommendation is reject' }),
    criteria: Type.Array(Criterion, {
      maxItems: 20,
      default: [],
      description:
        'free-text criteria ("has led a team", "worked in healthcare"), each assessed against the resume as met, partly met or not met',
    }),
    blind: Type.Boolean({
      default: false,
      description: 'blind screening: name, photo, pronouns, age, marital status, nationality and address are removed before scoring',
    }),
  },
  { additionalProperties: false },
)
export type RequisitionInput = Static<typeof RequisitionInput>

export const Requisition = Type.Object(
  {
    id: Type.String(),
    title: Type.String(),
    mustHaveSkills: Type.Array(Type.String()),
    niceToHaveSkills: Type.Array(Type.String()),
    minYearsExperience: Type.Number(),
    advanceAtOrAbove: Type.Integer(),
    rejectBelow: Type.Integer(),
    // Optional: requisitions opened before criteria and blind screening have neither.
    criteria: Type.Optional(Type.Array(Type.String())),
    blind: Type.Optional(Type.Boolean()),
    createdAt: Timestamp,
  },
  { $id: 'Requisition' },
)

export const RequisitionPage = Type.Object({
  items: Type.Array(Type.Ref('Requisition')),
  nextCursor: Nullable(Type.String()),
})

export const IdParams = Type.Object({ id: Id })
export const PageQuery = Type.Object({ limit: Limit, cursor: Type.Optional(Cursor) }, { additionalProperties: false })

export const CandidateQuery = Type.Object(
  {
    status: Type.Optional(Type.Union(CANDIDATE_STATUSES.map((s) => Type.Literal(s)))),
    requisitionId: Type.Optional(Id),
    limit: Limit,
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
)

const Evidence = Type.Object({ line: Type.Integer(), text: Type.String(), matched: Type.String() })
const SourceSpan = Type.Object(
  { page: Type.Integer(), line: Type.Integer(), section: Nullable(Type.String()) },
  { description: 'where in the resume: page, 1-based line of the extracted text, the section heading above it' },
)
const ListedSource = Type.Object(
  {
    name: Type.String({ description: 'the entry as listed in the profile' }),
    written: Type.String({ description: "the resume's own words for it" }),
    at: SourceSpan,
  },
  { description: 'where a skill, language or certificate was read' },
)
const REQUIREMENT_KINDS = ['must_have', 'nice_to_have', 'min_years', 'criterion'] as const
const REQUIREMENT_VERDICTS = ['met', 'partly', 'not_met'] as const

export const Candidate = Type.Object(
  {
    id: Type.String(),
    source: Type.Union(SOURCES.map((s) => Type.Literal(s))),
    sourceItemId: Type.String(),
    requisitionId: Nullable(Type.String()),
    origin: Type.Optional(
      Nullable(
        Type.Object(
          {
            provider: Type.String({ description: 'clickup, asana, jira, graph, imap' }),
            itemId: Type.String({ description: "the task's or message's id at the provider" }),
            url: Nullable(Type.String({ description: 'a link to the task or message' })),
            sender: Nullable(Type.String({ description: "the task's creator or the mail's sender" })),
            title: Nullable(Type.String({ description: "the task's name or the mail's subject" })),
          },
          { description: 'The task or mail the resume came from; null for a direct upload.' },
        ),
      ),
    ),
    status: Type.Union(CANDIDATE_STATUSES.map((s) => Type.Literal(s))),
    resume: Type.Object({
      filename: Type.String(),
      mediaType: Type.String(),
      extension: Type.String(),
      size: Type.Integer(),
      sha256: Type.String(),
    }),
    profile: Nullable(
      Type.Object({
        name: Nullable(Type.String()),
        email: Nullable(Type.String()),
        phone: Nullable(Type.String()),
        links: Type.Array(
          Type.Object({
            kind: Type.Union([Type.Literal('linkedin'), Type.Literal('github'), Type.Literal('website')]),
            url: Type.String(),
            at: Type.Optional(SourceSpan),
          }),
        ),
        yearsOfExperience: Nullable(Type.Number()),
        sources: Type.Optional(
          Type.Object(
            {
              name: Nullable(SourceSpan),
              email: Nullable(SourceSpan),
              phone: Nullable(SourceSpan),
              location: Type.Optional(Nullable(SourceSpan)),
              skills: Type.Optional(Type.Array(ListedSource, { description: 'one per entry of skills, in order' })),
              languages: Type.Optional(Type.Array(ListedSource, { description: 'one per entry of languages, in order' })),
              certificates: Type.Optional(Type.Array(ListedSource, { description: 'one per entry of certificates, in order' })),
            },
            { description: 'where the name, email, phone and location, and each skill, language and certificate were read' },
          ),
        ),
        location: Type.Optional(Nullable(Type.String())),
        work: Type.Optional(
          Type.Array(
            Type.Object({
              employer: Nullable(Type.String()),
              title: Nullable(Type.String()),
              start: Nullable(Type.String({ description: 'YYYY or YYYY-MM' })),
              end: Nullable(Type.String()),
              current: Type.Boolean(),
              kind: Type.Union([Type.Literal('work'), Type.Literal('volunteer'), Type.Literal('student'), Type.Literal('membership')], {
                description: 'volunteer, student and membership roles do not count as work experience',
              }),
              at: SourceSpan,
            }),
            { description: 'the work history, as read' },
          ),
        ),
        education: Type.Optional(
          Type.Array(
            Type.Object({
              institution: Nullable(Type.String()),
              degree: Nullable(Type.String()),
              field: Nullable(Type.String()),
              start: Nullable(Type.String()),
              end: Nullable(Type.String()),
              at: SourceSpan,
            }),
          ),
        ),
        skills: Type.Optional(
          Type.Array(Type.String(), { description: "named as the skills taxonomy names them ('Golang': Go); unknown skills as written" }),
        ),
        languages: Type.Optional(
          Type.Array(Type.String(), {
            description:
              "spoken languages with a level on one scale: 'German (C1)', 'English (native)'; levels are CEFR codes or native, fluent, professional, advanced, upper intermediate, intermediate, basic",
          }),
        ),
        certificates: Type.Optional(
          Type.Array(Type.String(), { description: "well-known credentials as 'Name (ACRONYM)' however the resume wrote them" }),
        ),
        monthsOfExperience: Type.Optional(Nullable(Type.Integer({ description: 'months of work from the work history, overlaps merged' }))),
        statedYears: Type.Optional(Nullable(Type.Number({ description: 'years of experience the resume states, kept apart' }))),
      }),
    ),
    score: Nullable(
      Type.Object({
        value: Type.Integer({ minimum: 0, maximum: 100 }),
        skills: Type.Array(
          Type.Object({ skill: Type.String(), required: Type.Boolean(), found: Type.Boolean(), evidence: Nullable(Evidence) }),
        ),
        requirements: Type.Optional(
          Type.Array(
            Type.Object({
              kind: Type.Union(REQUIREMENT_KINDS.map((k) => Type.Literal(k))),
              requirement: Type.String({ description: 'as the requisition words it' }),
              verdict: Type.Union(REQUIREMENT_VERDICTS.map((v) => Type.Literal(v))),
              evidence: Nullable(
                Type.Object({
                  quote: Type.String({ description: "the resume's words that show it" }),
                  at: SourceSpan,
                }),
              ),
              note: Nullable(
                Type.String({ description: 'why partly or not met ("last used in 2014"), or the narrower skill that showed it' }),
              ),
            }),
            { description: 'Each requirement of the requisition met, partly met or not met, with its evidence; absent on older scores.' },
          ),
        ),
        scorer: Type.Optional(
          Type.Object({
            name: Type.String({ description: 'lexical, bedrock, openai or anthropic' }),
            model: Type.Optional(Type.String()),
            promptVersion: Type.Optional(Type.String()),
            inputTokens: Type.Optional(Type.Integer()),
            outputTokens: Type.Optional(Type.Integer()),
            note: Type.Optional(Type.String({ description: 'why the lexical scorer stood in for the configured one' })),
            droppedQuotes: Type.Optional(Type.Integer()),
          }),
        ),
        flags: Type.Optional(
          Type.Array(
            Type.Object({
              kind: Type.Union([Type.Literal('hidden_text'), Type.Literal('instructions')]),
              detail: Type.String({
                description: 'what was found, e.g. \'asks to ignore instructions: "ignore all previous instructions"\'',
              }),
              at: Nullable(SourceSpan),
            }),
            { description: 'text aimed at the screener rather than the reader: removed before scoring, shown to HR' },
          ),
        ),
      }),
    ),
    decision: Nullable(
      Type.Object(
        {
          outcome: Type.Union(OUTCOMES.map((o) => Type.Literal(o))),
          reasons: Type.Array(Type.String()),
        },
        { description: 'A recommendation to HR; people decide.' },
      ),
    ),
    failure: Nullable(
      Type.Object({
        reason: Type.String({ description: 'machine-readable, e.g. unreadable_resume' }),
        step: Type.Union(PIPELINE_STEPS.map((s) => Type.Literal(s))),
        message: Type.String(),
      }),
    ),
    notification: Nullable(
      Type.Object({
        kind: Type.Union([Type.Literal('decision'), Type.Literal('unreadable')]),
        messageId: Type.String(),
        sentAt: Timestamp,
      }),
    ),
    hrDecision: Nullable(
      Type.Object(
        {
          id: Type.String({ description: 'a new id for each new or changed decision' }),
          outcome: Type.Union(HR_DECISION_OUTCOMES.map((o) => Type.Literal(o))),
          reason: Type.String(),
          decidedBy: Type.String(),
          at: Timestamp,
          notifiedAt: Nullable(Type.String({ format: 'date-time', description: 'when HR was emailed this decision' })),
          agreesWithRecommendation: Nullable(
            Type.Boolean({
              description: 'hold agrees with review, advance and hired with advance, reject with reject; null without a recommendation',
            }),
          ),
        },
        { description: "HR's final decision (POST /candidates/{id}/decision); `decision` stays hireflow's recommendation." },
      ),
    ),
    delivery: Type.Optional(
      Nullable(
        Type.Object(
          {
            status: Type.Union(DELIVERY_STATUSES.map((s) => Type.Literal(s))),
            email: Type.Union(
              HR_EMAILS.map((e) => Type.Literal(e)),
              {
                description: 'the recommendation (decision), the unreadable-resume notice, or the final-decision email',
              },
            ),
            messageId: Type.String({ description: "SES's message id" }),
            sentAt: Timestamp,
            at: Type.String({ format: 'date-time', description: 'when SES saw it delivered, delayed, bounced, complained of or rejected' }),
            recipients: Type.Array(Type.String()),
            detail: Nullable(Type.String({ description: "the receiving server's answer, a bounce's type and diagnostic" })),
          },
          {
            description:
              'What SES reported about the latest HR email (SES_EVENTS_TOPIC_ARN); bounced, complained and rejected mean HR may not have seen it.',
          },
        ),
      ),
    ),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    history: Type.Array(
      Type.Object({
        at: Timestamp,
        from: Nullable(Type.String()),
        to: Type.String(),
        by: Type.String(),
        why: Nullable(Type.String()),
      }),
    ),
  },
  { $id: 'Candidate' },
)

export const CandidatePage = Type.Object({
  items: Type.Array(Type.Ref('Candidate')),
  nextCursor: Nullable(Type.String()),
})

export const UploadAccepted = Type.Object({
  id: Type.String(),
  status: Type.String(),
  duplicate: Type.Boolean({ description: 'true when this file was already uploaded for this requisition' }),
})

export const UploadForm = Type.Object({
  resume: Type.String({ format: 'binary', description: 'PDF, DOCX or plain text' }),
  requisitionId: Type.Optional(Id),
})

/** Schemas referenced by $id; added to the app once. */
export const sharedSchemas = [ErrorResponse, Requisition, Candidate]
