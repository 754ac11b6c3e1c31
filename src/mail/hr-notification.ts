// The HR email about one candidate: the recommendation with its evidence, the
// news that the resume could not be read, or HR's own final decision. The templates get a view with
// everything already worded and formatted, so an override in S3 needs no
// knowledge of the candidate record's shape.
import {
  agreesWithRecommendation,
  type Candidate,
  type HrDecisionOutcome,
  type Outcome,
  type RequirementAssessment,
  type RequirementVerdict,
  type SkillMatch,
  type SourceSpan,
} from '../domain/candidate.ts'
import type { Requisition } from '../domain/requisition.ts'
import type { OutgoingMail } from '../ports/mailer.ts'
import { filenameForType } from '../domain/filename.ts'
import { decisionLinkUrl, EMAILED_OUTCOMES, linkableCandidateId, signDecisionToken } from './decision-links.ts'
import type { TemplateRenderer } from './templates.ts'

/** How much of the structured profile HR's email shows: the latest roles, the education. */
const LATEST_ROLES = 3
const EDUCATION_LINES = 2

/** " (2019 - present)", " (2014 - 2016)", or nothing when the resume gives no dates. */
function datesOf(start: string | null, end: string | null, current: boolean): string {
  if (!start && !end && !current) return ''
  return ` (${start ?? '?'} - ${current ? 'present' : (end ?? '?')})`
}

export type HrNotificationKind = 'decision' | 'unreadable' | 'final-decision'

/** How HR gets the resume file; the caller picks by size and store. */
export type ResumeDelivery = { bytes: Buffer } | { link: string; expiresAt?: Date | string } | { apiPath: string }

export interface HrNotificationInput {
  kind: HrNotificationKind
  candidate: Candidate
  requisition: Requisition | null
  resume: ResumeDelivery
  from: string
  to: string[]
  replyTo: string
  /** Base URL of the API as HR reaches it; without it the email carries no links to the API. */
  publicUrl?: string
  /** Signs links to the confirm page (with `publicUrl`); without it HR is told to decide through the API. */
  decisionLinks?: { secret: string; ttlHours: number }
  /** When the email is built: the decision links are valid for `ttlHours` from then. */
  now?: Date
  renderer: TemplateRenderer
}

export interface DecisionLinkView {
  outcome: HrDecisionOutcome
  label: string
  url: string
}

export interface SkillView {
  skill: string
  found: boolean
  evidence: { line: number; text: string; matched: string } | null
}

/** One requirement of the requisition, as HR reads it: the verdict, the resume's words that show it and where they are. */
export interface RequirementView {
  kind: RequirementAssessment['kind']
  requirement: string
  verdict: RequirementVerdict
  /** "met", "partly met", "not met". */
  verdictLabel: string
  /** The resume's words, quoted; null when nothing shows it. */
  quote: string | null
  /** "page 2, section Experience"; for scores recorded before pages and sections were kept, "line 14". */
  where: string | null
  /** Why partly or not met, or which narrower skill shows it ("last used in 2014", "as MySQL"). */
  note: string | null
}

export interface RequirementGroupView {
  /** "Must-have skills", "Nice-to-have skills", "Years of experience", "Criteria". */
  title: string
  items: RequirementView[]
}

/** Something in the resume that was not meant for a reader (hidden text, words aimed at the screener), taken out before scoring. */
export interface IntegrityFlagView {
  kind: 'hidden_text' | 'instructions'
  /** "Hidden text", "Instructions to the screener". */
  kindLabel: string
  detail: string
  /** "page 1, section Skills"; null when the flag has no place. */
  where: string | null
}

export interface ProfileLinkView {
  kind: string
  url: string
  /** Only http(s) links are clickable: a resume could carry a javascript: URL. */
  href: string | null
}

/** What every template receives as `it`. */
export interface HrNotificationView {
  kind: HrNotificationKind
  outcome: Outcome | null
  outcomeLabel: string | null
  /** One sentence: what hireflow recommends, stated as a recommendation. */
  recommendation: string | null
  /** Name if the resume gave one, otherwise the file name. */
  candidateLabel: string
  candidate: {
    id: string
    name: string | null
    email: string | null
    phone: string | null
    links: ProfileLinkView[]
    yearsOfExperience: number | null
    source: string
    receivedAt: string
    /** The latest roles of the work history (at most three), and the education, each on one line. */
    roles: string[]
    education: string[]
  }
  /** The task or mail the resume came from; null for a direct upload. */
  origin: {
    label: string
    title: string | null
    sender: string | null
    url: string | null
    href: string | null
    /** Mail: when it arrived, and its Message-ID (to find it in any mail client). */
    receivedAt: string | null
    messageId: string | null
  } | null
  requisition: { id: string; title: string } | null
  requisitionLabel: string
  score: { value: number; outOf: number } | null
  /** Kept for templates written before requirements: the skills alone, with their line. */
  mustHave: SkillView[]
  niceToHave: SkillView[]
  /** Every requirement of the requisition with its verdict and evidence, in groups; empty groups left out. */
  requirements: RequirementGroupView[]
  reasons: string[]
  /** What was taken out of the resume before it was scored, for HR to judge. */
  integrity: IntegrityFlagView[]
  resume: { filename: string; size: number; sizeLabel: string; mediaType: string }
  delivery:
    | { kind: 'attached' }
    | { kind: 'link'; url: string; expiresAt: string | null }
    | { kind: 'api'; method: 'GET'; path: string; url: string | null }
  failure: { reason: string; step: string; message: string } | null
  /** HR's final decision, for the `final-decision` email; null otherwise. */
  hrDecision: {
    outcome: HrDecisionOutcome
    outcomeLabel: string
    reason: string
    decidedBy: string
    at: string
    /** Whether it went the way hireflow recommended; null when there was no recommendation. */
    agreesWithRecommendation: boolean | null
    /** That comparison as a sentence. */
    agreement: string
  } | null
  /** `<publicUrl>/candidates/<id>`, when a public URL is configured. */
  candidateUrl: string | null
  /**
   * How HR records its decision, in the emails that ask for one (not the final-decision email):
   * a signed link per outcome when DECISION_LINK_SECRET and PUBLIC_URL are set (empty otherwise), and the API.
   */
  decide: {
    links: DecisionLinkView[]
    /** When the links stop working; null without links. */
    linksExpireAt: string | null
    api: { method: 'POST'; path: string; url: string | null }
  } | null
}

// What HR calls the place a resume came from.
const ORIGIN_LABEL: Record<string, string> = {
  clickup: 'ClickUp task',
  asana: 'Asana task',
  jira: 'Jira issue',
  graph: 'Microsoft 365 mail',
  imap: 'mail',
}

const OUTCOME_LABEL: Record<Outcome, string> = { advance: 'Advance', review: 'Review', reject: 'Reject' }
export const HR_OUTCOME_LABEL: Record<HrDecisionOutcome, string> = { advance: 'Advance', hold: 'Hold', reject: 'Reject', hired: 'Hired' }
export const RECOMMENDATION: Record<Outcome, string> = {
  advance: 'hireflow recommends advancing this candidate to the next step.',
  review: 'hireflow recommends that a person reviews this candidate before deciding.',
  reject: 'hireflow recommends not advancing this candidate.',
}

export async function buildHrNotification(input: HrNotificationInput): Promise<OutgoingMail> {
  const view = hrNotificationView(input)
  const rendered = await input.renderer.renderEmail(input.kind, view)
  const { candidate } = input
  const attachments =
    'bytes' in input.resume
      ? [
          {
            filename: resumeFilename(candidate),
            content: input.resume.bytes,
            contentType: candidate.resume.mediaType,
          },
        ]
      : []
  return {
    from: input.from,
    to: input.to,
    replyTo: input.replyTo,
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    attachments,
    messageId: hrMessageId(candidate.id, input.kind, input.kind === 'final-decision' ? candidate.hrDecision?.id : undefined),
  }
}

/**
 * Stable per candidate and kind (and per HR decision: each one is an email of
 * its own), so a re-send of the same email is recognisable as such.
 */
export function hrMessageId(candidateId: string, kind: HrNotificationKind, hrDecisionId?: string): string {
  // Ids are 32 hex characters; the bound keeps any other id within a header line.
  const safe = (id: string) => id.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 100)
  return `${safe(candidateId)}.${kind}${hrDecisionId ? `.${safe(hrDecisionId)}` : ''}@hireflow`
}

/**
 * The name HR gets the resume under, in the email and as the attachment: the
 * extension is the detected type's, so "Resume.bat" holding text opens as text.
 */
export function resumeFilename(candidate: Pick<Candidate, 'resume'>): string {
  return filenameForType(candidate.resume.filename, candidate.resume.extension)
}

export function hrNotificationView(input: HrNotificationInput): HrNotificationView {
  const { kind, candidate, requisition } = input
  const decision = candidate.decision
  if (kind === 'decision' && !decision) throw new Error(`candidate ${candidate.id} has no decision to report`)
  const hrDecision = candidate.hrDecision ?? null
  if (kind === 'final-decision' && !hrDecision) throw new Error(`candidate ${candidate.id} has no HR decision to report`)
  // The final-decision email restates the recommendation next to HR's decision.
  const outcome = kind !== 'unreadable' && decision ? decision.outcome : null
  const profile = candidate.profile
  const skills = candidate.score?.skills ?? []
  const base = input.publicUrl?.replace(/\/+$/, '')
  const filename = resumeFilename(candidate)
  const candidatePath = `/candidates/${encodeURIComponent(candidate.id)}`

  return {
    kind,
    outcome,
    outcomeLabel: outcome ? OUTCOME_LABEL[outcome] : null,
    recommendation: outcome ? RECOMMENDATION[outcome] : null,
    candidateLabel: candidateLabel(candidate),
    candidate: {
      id: candidate.id,
      name: profile?.name ?? null,
      email: profile?.email ?? null,
      phone: profile?.phone ?? null,
      links: (profile?.links ?? []).map((link) => ({
        kind: link.kind,
        url: link.url,
        href: /^https?:\/\//i.test(link.url) ? link.url : null,
      })),
      yearsOfExperience: profile?.yearsOfExperience ?? null,
      source: candidate.source,
      receivedAt: candidate.createdAt,
      roles: (profile?.work ?? [])
        .filter((entry) => entry.kind === 'work')
        .slice(0, LATEST_ROLES)
        .map((entry) => [entry.title, entry.employer].filter(Boolean).join(', ') + datesOf(entry.start, entry.end, entry.current)),
      education: (profile?.education ?? [])
        .slice(0, EDUCATION_LINES)
        .map(
          (entry) =>
            [[entry.degree, entry.field].filter(Boolean).join(' '), entry.institution].filter(Boolean).join(', ') +
            datesOf(entry.start, entry.end, false),
        ),
    },
    origin: candidate.origin
      ? {
          label: ORIGIN_LABEL[candidate.origin.provider] ?? candidate.origin.provider,
          title: candidate.origin.title,
          sender: candidate.origin.sender,
          url: candidate.origin.url,
          href: candidate.origin.url && /^https:\/\//i.test(candidate.origin.url) ? candidate.origin.url : null,
          receivedAt: candidate.origin.receivedAt ?? null,
          messageId: candidate.origin.messageId ?? null,
        }
      : null,
    requisition: requisition ? { id: requisition.id, title: requisition.title } : null,
    requisitionLabel: requisition ? requisition.title : 'no requisition',
    score: candidate.score ? { value: Math.round(candidate.score.value), outOf: 100 } : null,
    mustHave: skills.filter((s) => s.required).map(skillView),
    niceToHave: skills.filter((s) => !s.required).map(skillView),
    requirements: requirementGroups(candidate.score),
    reasons: kind !== 'unreadable' ? (decision?.reasons ?? []) : [],
    integrity: (candidate.score?.flags ?? []).map((flag) => ({
      kind: flag.kind,
      kindLabel: INTEGRITY_LABEL[flag.kind],
      detail: flag.detail,
      where: flag.at ? whereLabel(flag.at) : null,
    })),
    resume: {
      filename,
      size: candidate.resume.size,
      sizeLabel: formatSize(candidate.resume.size),
      mediaType: candidate.resume.mediaType,
    },
    delivery: deliveryView(input.resume, base),
    failure: candidate.failure
      ? { reason: candidate.failure.reason, step: candidate.failure.step, message: candidate.failure.message }
      : null,
    hrDecision: kind === 'final-decision' && hrDecision ? hrDecisionView(hrDecision, decision) : null,
    candidateUrl: base ? `${base}${candidatePath}` : null,
    decide: kind === 'final-decision' ? null : decideView(input, candidatePath, base),
  }
}

/** What HR calls the candidate: the name the resume gave, otherwise the file name. */
export function candidateLabel(candidate: Pick<Candidate, 'profile' | 'resume'>): string {
  return candidate.profile?.name?.trim() || resumeFilename(candidate)
}

function decideView(input: HrNotificationInput, candidatePath: string, base: string | undefined): HrNotificationView['decide'] {
  const path = `${candidatePath}/decision`
  const api = { method: 'POST' as const, path, url: base ? `${base}${path}` : null }
  if (!input.decisionLinks || !base || !linkableCandidateId(input.candidate.id)) return { links: [], linksExpireAt: null, api }
  const { secret, ttlHours } = input.decisionLinks
  const expiresAt = new Date((input.now ?? new Date()).getTime() + ttlHours * 3_600_000)
  const links = EMAILED_OUTCOMES.map((outcome) => ({
    outcome,
    label: HR_OUTCOME_LABEL[outcome],
    url: decisionLinkUrl(base, signDecisionToken(secret, { candidateId: input.candidate.id, outcome, expiresAt })),
  }))
  // The token keeps whole seconds: the page says the same time the email does.
  return { links, linksExpireAt: new Date(Math.floor(expiresAt.getTime() / 1000) * 1000).toISOString(), api }
}

function hrDecisionView(
  hrDecision: NonNullable<Candidate['hrDecision']>,
  decision: Candidate['decision'],
): HrNotificationView['hrDecision'] {
  const agrees = agreesWithRecommendation(hrDecision, decision)
  return {
    outcome: hrDecision.outcome,
    outcomeLabel: HR_OUTCOME_LABEL[hrDecision.outcome],
    reason: hrDecision.reason,
    decidedBy: hrDecision.decidedBy,
    at: hrDecision.at,
    agreesWithRecommendation: agrees,
    agreement:
      agrees === null
        ? 'hireflow made no recommendation for this candidate.'
        : agrees
          ? "HR's decision agrees with hireflow's recommendation."
          : "HR's decision differs from hireflow's recommendation.",
  }
}

function deliveryView(resume: ResumeDelivery, base: string | undefined): HrNotificationView['delivery'] {
  if ('bytes' in resume) return { kind: 'attached' }
  if ('link' in resume) {
    const expiresAt = resume.expiresAt === undefined ? null : new Date(resume.expiresAt).toISOString()
    return { kind: 'link', url: resume.link, expiresAt }
  }
  return { kind: 'api', method: 'GET', path: resume.apiPath, url: base ? `${base}${resume.apiPath}` : null }
}

function skillView(match: SkillMatch): SkillView {
  return {
    skill: match.skill,
    found: match.found,
    evidence: match.found && match.evidence ? { ...match.evidence } : null,
  }
}

const REQUIREMENT_GROUPS: { kind: RequirementAssessment['kind']; title: string }[] = [
  { kind: 'must_have', title: 'Must-have skills' },
  { kind: 'nice_to_have', title: 'Nice-to-have skills' },
  { kind: 'min_years', title: 'Years of experience' },
  { kind: 'criterion', title: 'Criteria' },
]
const VERDICT_LABEL: Record<RequirementVerdict, string> = { met: 'met', partly: 'partly met', not_met: 'not met' }

function requirementGroups(score: Candidate['score']): RequirementGroupView[] {
  if (!score) return []
  const views = score.requirements ? score.requirements.map(requirementView) : score.skills.map(legacyRequirementView)
  return REQUIREMENT_GROUPS.map(({ kind, title }) => ({ title, items: views.filter((v) => v.kind === kind) })).filter(
    (group) => group.items.length > 0,
  )
}

function requirementView(r: RequirementAssessment): RequirementView {
  return {
    kind: r.kind,
    requirement: r.requirement,
    verdict: r.verdict,
    verdictLabel: VERDICT_LABEL[r.verdict],
    quote: r.evidence?.quote ?? null,
    where: r.evidence ? whereLabel(r.evidence.at) : null,
    note: r.note,
  }
}

const INTEGRITY_LABEL: Record<IntegrityFlagView['kind'], string> = {
  hidden_text: 'Hidden text',
  instructions: 'Instructions to the screener',
}

/** "page 1, section Skills", or "page 1" above the first heading. */
export function whereLabel(at: SourceSpan): string {
  return at.section ? `page ${at.page}, section ${at.section}` : `page ${at.page}`
}

/** A score recorded before requirements were assessed: its skills, with the line they were found on. */
function legacyRequirementView(match: SkillMatch): RequirementView {
  const evidence = match.found ? match.evidence : null
  return {
    kind: match.required ? 'must_have' : 'nice_to_have',
    requirement: match.skill,
    verdict: match.found ? 'met' : 'not_met',
    verdictLabel: VERDICT_LABEL[match.found ? 'met' : 'not_met'],
    quote: evidence?.text ?? null,
    where: evidence ? `line ${evidence.line}` : null,
    note: evidence && evidence.matched.toLowerCase() !== match.skill.toLowerCase() ? `as "${evidence.matched}"` : null,
  }
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`
}
