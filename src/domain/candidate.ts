// The candidate record: what we keep about one resume submitted for one requisition.
// hireflow recommends; people decide. `decision` is a recommendation for HR.

export const CANDIDATE_STATUSES = [
  'received',
  'stored',
  'parsed',
  'scored',
  'decided',
  'notified',
  'acknowledged',
  'failed',
  'erased',
] as const
export type CandidateStatus = (typeof CANDIDATE_STATUSES)[number]

/** Still on its way to HR: a step of the pipeline is due. */
export const UNFINISHED_STATUSES = ['received', 'stored', 'parsed', 'scored', 'decided'] as const satisfies readonly CandidateStatus[]
/** The states the process job works from (it resumes after a partial run). */
export const PROCESSABLE_STATUSES = ['stored', 'parsed', 'scored'] as const satisfies readonly CandidateStatus[]

export const PIPELINE_STEPS = ['intake', 'parse', 'score', 'decide', 'notify', 'acknowledge'] as const
export type PipelineStep = (typeof PIPELINE_STEPS)[number]

export const OUTCOMES = ['advance', 'review', 'reject'] as const
export type Outcome = (typeof OUTCOMES)[number]

export const SOURCES = ['upload', 'task-manager', 'mailbox'] as const
export type Source = (typeof SOURCES)[number]

export interface ResumeInfo {
  /** Name the submitter gave the file; shown to HR, never used as a storage key. */
  filename: string
  /** Media type decided from the file's magic bytes. */
  mediaType: string
  extension: string
  size: number
  sha256: string
  /** Key in the resume store (derived from sha256 only). */
  key: string
}

export interface ProfileLink {
  kind: 'linkedin' | 'github' | 'website'
  url: string
  /** Where it was read (absent on profiles read before provenance was kept). */
  at?: SourceSpan
}

/**
 * Where in the resume a field or a quote was found, so HR can check it:
 * the page (extracted text separates pages with a form feed, \f), the
 * 1-based line of the whole text, and the section heading above it.
 */
export interface SourceSpan {
  page: number
  line: number
  /** The heading of the section it sits in ("Experience", "Education"), null above the first heading. */
  section: string | null
}

/** Where a listed skill, language or certificate was read, and the resume's own words for it ("Golang" for Go). */
export interface ListedSource {
  name: string
  written: string
  at: SourceSpan
}

/** A role in the work history (JSON Resume `work`). Dates are `YYYY` or `YYYY-MM`. */
export interface WorkEntry {
  employer: string | null
  title: string | null
  start: string | null
  /** null with `current`, or when the text gives no end. */
  end: string | null
  current: boolean
  /** Student jobs, volunteering and memberships are kept but do not count as work experience. */
  kind: 'work' | 'volunteer' | 'student' | 'membership'
  at: SourceSpan
}

/** One line of education (JSON Resume `education`). */
export interface EducationEntry {
  institution: string | null
  /** The degree as written ("BSc", "Master of Science"). */
  degree: string | null
  field: string | null
  start: string | null
  end: string | null
  at: SourceSpan
}

export interface Profile {
  name: string | null
  email: string | null
  phone: string | null
  links: ProfileLink[]
  /** Years of experience stated or derived from date ranges; null when the text gives none. */
  yearsOfExperience: number | null
  /** Where name, email and phone were read (absent on profiles read before provenance was kept). */
  sources?: {
    name: SourceSpan | null
    email: SourceSpan | null
    phone: SourceSpan | null
    location?: SourceSpan | null
    /** One per entry of `skills`, `languages`, `certificates`, in the same order. */
    skills?: ListedSource[]
    languages?: ListedSource[]
    certificates?: ListedSource[]
  }
  location?: string | null
  work?: WorkEntry[]
  education?: EducationEntry[]
  /** Skills listed in the resume, named as the taxonomy names them ("Golang": Go); skills it does not know as written. */
  skills?: string[]
  /** Spoken languages, with the level on one scale: a CEFR code, or native, fluent, professional, advanced, intermediate, basic. */
  languages?: string[]
  /** Certificates, well-known ones named "Name (ACRONYM)" however the resume wrote them. */
  certificates?: string[]
  /** Months of work experience from the work entries, overlaps merged (volunteer, student, membership excluded). */
  monthsOfExperience?: number | null
  /** Years the resume states ("8 years of experience"), kept apart from the computed months. */
  statedYears?: number | null
}

/** How one requirement of the requisition fares against the resume. */
export type RequirementVerdict = 'met' | 'partly' | 'not_met'

export interface RequirementAssessment {
  kind: 'must_have' | 'nice_to_have' | 'min_years' | 'criterion'
  /** The requirement as the requisition words it ("Kubernetes", "5 years", a free-text criterion). */
  requirement: string
  verdict: RequirementVerdict
  /** The words of the resume that show it, and where; null when nothing does. */
  evidence: { quote: string; at: SourceSpan } | null
  /** Why partly or not met, in a few words ("last used in 2014", "3 of 5 years"). */
  note: string | null
}

/** Something in the resume aimed at the screener rather than the reader: removed before scoring, shown to HR. */
export interface IntegrityFlag {
  kind: 'hidden_text' | 'instructions'
  /** What was found, in a few words ("white text on page 1", "'ignore previous instructions'"). */
  detail: string
  at: SourceSpan | null
}

export interface SkillEvidence {
  /** 1-based line number in the extracted text. */
  line: number
  /** The line, trimmed and cut to a bounded length. */
  text: string
  /** The alias that matched, e.g. "k8s" for Kubernetes. */
  matched: string
}

export interface SkillMatch {
  skill: string
  required: boolean
  found: boolean
  evidence: SkillEvidence | null
}

export interface Score {
  /** 0..100 */
  value: number
  skills: SkillMatch[]
  /** Each requirement met, partly met or not, with its evidence (absent on scores made before requirements were assessed). */
  requirements?: RequirementAssessment[]
  /** Who scored: the deterministic `lexical` scorer, or an LLM with its model, prompt version and token counts. */
  scorer?: {
    name: string
    model?: string
    promptVersion?: string
    inputTokens?: number
    outputTokens?: number
    /** Why the lexical scorer stood in for the configured LLM (over the day's budget, the model failed). */
    note?: string
    /** Quotes the model gave that are not in the resume: each was dropped and its verdict lowered one step. */
    droppedQuotes?: number
  }
  /** Hidden text and instructions found in the resume; they were removed before scoring. */
  flags?: IntegrityFlag[]
}

export interface Decision {
  outcome: Outcome
  reasons: string[]
}

export interface Failure {
  /** Machine-readable, e.g. "unreadable_resume". */
  reason: string
  step: PipelineStep
  message: string
}

export interface Notification {
  kind: 'decision' | 'unreadable'
  messageId: string
  sentAt: string
}

/** Where a resume came from, for HR to find the original: the task or the mail it was attached to. */
export interface CandidateOrigin {
  /** The provider: `clickup`, `asana`, `jira`, `graph`, `imap`. */
  provider: string
  /** The item's id at the provider (a task id, a message id). */
  itemId: string
  /** A link a person can open, when the provider gives one. */
  url: string | null
  /** Who submitted it: the task's creator, the mail's sender. */
  sender: string | null
  /** The task's name or the mail's subject. */
  title: string | null
  /** Mail: when it was received (ISO 8601). */
  receivedAt?: string | null
  /** Mail: its Internet Message-ID. */
  messageId?: string | null
}

export interface Acknowledgement {
  at: string
  /** What the source item was told. */
  note: string
}

/** What HR decided, apart from hireflow's recommendation: `hold` keeps the candidate waiting, `hired` closes the search. */
export const HR_DECISION_OUTCOMES = ['advance', 'hold', 'reject', 'hired'] as const
export type HrDecisionOutcome = (typeof HR_DECISION_OUTCOMES)[number]

/** HR's final decision on a candidate. A new or changed decision gets a new id, and one email. */
export interface HrDecision {
  id: string
  outcome: HrDecisionOutcome
  reason: string
  decidedBy: string
  at: string
  /** The decision link from HR's email it was recorded through; absent when recorded through the API. */
  linkId?: string
}

/** The email about one HR decision, written right after it was sent; the comment on the source item, once made. */
export interface HrDecisionNotification {
  decisionId: string
  messageId: string
  sentAt: string
  commentedAt?: string | null
}

/** What SES reported about an HR email: `bounced`, `complained` and `rejected` mean HR may never have seen it. */
export const DELIVERY_STATUSES = ['delivered', 'delayed', 'bounced', 'complained', 'rejected'] as const
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number]

/** The HR emails about a candidate: the recommendation, the unreadable-resume notice, HR's final decision. */
export const HR_EMAILS = ['decision', 'unreadable', 'final-decision'] as const
export type HrEmail = (typeof HR_EMAILS)[number]

/** The delivery of the latest HR email SES reported on, from its configuration set's events (POST /webhooks/ses). */
export interface EmailDelivery {
  status: DeliveryStatus
  email: HrEmail
  /** SES's message id, as recorded in `notification` or `hrDecisionNotification`. */
  messageId: string
  /** When SES accepted the email. */
  sentAt: string
  /** When SES saw what `status` says. */
  at: string
  /** The recipients the status is about. */
  recipients: string[]
  /** What the receiving side said: the SMTP answer, a bounce's type and diagnostic, a complaint's feedback type. */
  detail: string | null
}

/** Which recommendation each of HR's outcomes agrees with: holding a candidate is what a `review` recommendation asks for. */
const AGREES_WITH: Record<HrDecisionOutcome, Outcome> = { advance: 'advance', hired: 'advance', hold: 'review', reject: 'reject' }

/** Whether HR's decision went the way hireflow recommended; null when there was no recommendation. */
export function agreesWithRecommendation(hrDecision: Pick<HrDecision, 'outcome'>, decision: Decision | null): boolean | null {
  return decision ? AGREES_WITH[hrDecision.outcome] === decision.outcome : null
}

/**
 * Where HR can record a final decision: the pipeline is done and HR has had
 * hireflow's email (an unreadable resume counts once HR was sent the file).
 */
export function acceptsHrDecision(candidate: Candidate): boolean {
  if (candidate.status === 'notified' || candidate.status === 'acknowledged') return true
  return candidate.status === 'failed' && candidate.failure?.reason === 'unreadable_resume' && candidate.notification !== null
}

export interface Transition {
  at: string
  from: CandidateStatus | null
  to: CandidateStatus
  /** Who or what made the change: "api", "worker:process", "hr:<name>". */
  by: string
  why: string | null
}

export interface Candidate {
  id: string
  source: Source
  /** Stable id of the item at its source (for an upload: "<requisitionId|none>/<sha256>"). */
  sourceItemId: string
  requisitionId: string | null
  /** The task or mail the resume came from; null for a direct upload (and records made before origins were kept). */
  origin?: CandidateOrigin | null
  status: CandidateStatus
  resume: ResumeInfo
  profile: Profile | null
  score: Score | null
  decision: Decision | null
  failure: Failure | null
  notification: Notification | null
  /** When the task or mail the resume came from was told the outcome (a comment); absent until then. */
  acknowledgement?: Acknowledgement | null
  /** HR's final decision; absent until HR records one. `decision` stays hireflow's recommendation. */
  hrDecision?: HrDecision | null
  /** The email (and source comment) about the latest HR decision; absent until one was sent. */
  hrDecisionNotification?: HrDecisionNotification | null
  /** What SES reported about the latest HR email; absent without SES events. */
  delivery?: EmailDelivery | null
  createdAt: string
  updatedAt: string
  history: Transition[]
}

/**
 * The fields a state transition may set besides status, updatedAt and history.
 * Stores build their update statements from this list only, so a key outside
 * it never reaches a query.
 */
export const CANDIDATE_PATCH_FIELDS = [
  'profile',
  'score',
  'decision',
  'failure',
  'notification',
  'acknowledgement',
  'hrDecision',
  'hrDecisionNotification',
  'delivery',
] as const satisfies readonly (keyof Candidate)[]
export type CandidatePatch = Partial<Pick<Candidate, (typeof CANDIDATE_PATCH_FIELDS)[number]>>
