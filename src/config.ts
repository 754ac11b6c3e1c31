// Configuration comes from the environment only. Every variable is declared
// once here, with its default and meaning; the README's table is checked
// against this list by a test, so the two cannot drift apart.
import { createHash } from 'node:crypto'
import { isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { availableParallelism } from 'node:os'

export interface VariableSpec {
  name: string
  default: string
  meaning: string
}

export const VARIABLES: VariableSpec[] = [
  {
    name: 'HOST',
    default: '0.0.0.0 (127.0.0.1 without API_KEYS)',
    meaning: 'Address the HTTP API listens on. Without API_KEYS it is forced to loopback.',
  },
  { name: 'PORT', default: '3000', meaning: 'HTTP port.' },
  { name: 'DATA_DIR', default: './data', meaning: 'Folder for the embedded defaults: SQLite database, resumes, mail outbox.' },
  { name: 'REDIS_URL', default: 'redis://127.0.0.1:6379', meaning: 'Redis for the job queues (needs maxmemory-policy noeviction).' },
  { name: 'QUEUE_PREFIX', default: 'hireflow', meaning: 'Key prefix of every queue in Redis.' },
  {
    name: 'API_KEYS',
    default: '(none)',
    meaning: 'Comma-separated API keys, each either the key itself (at least 16 characters) or `sha256:<hex of the key>`.',
  },
  { name: 'LOG_LEVEL', default: 'info', meaning: 'fatal, error, warn, info, debug or trace.' },
  {
    name: 'TRUST_PROXY',
    default: '(none)',
    meaning: 'Comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-* headers are trusted.',
  },
  {
    name: 'REQUEST_TIMEOUT_MS',
    default: '30000',
    meaning: 'Longest time a client may take to send one request, its body included (408 after it).',
  },
  {
    name: 'MIN_BODY_BYTES_PER_SECOND',
    default: '1024',
    meaning:
      'Slowest average rate a request body may arrive at, judged after the first 5 s (or a quarter of REQUEST_TIMEOUT_MS if shorter); slower clients get 408. 0 turns the check off.',
  },
  { name: 'MAX_RESUME_BYTES', default: '10485760', meaning: 'Largest resume accepted by upload (413 above it).' },
  { name: 'PUBLIC_URL', default: '(none)', meaning: 'Base URL of this API as HR reaches it, used for links in emails.' },
  { name: 'CANDIDATE_STORE', default: 'sqlite', meaning: '`sqlite` (file under DATA_DIR) or `dynamodb`.' },
  { name: 'SQLITE_PATH', default: '$DATA_DIR/hireflow.sqlite', meaning: 'SQLite database file.' },
  { name: 'DYNAMODB_TABLE', default: 'hireflow', meaning: 'DynamoDB table (design in this README).' },
  { name: 'DYNAMODB_ENDPOINT', default: '(AWS)', meaning: 'Endpoint override, e.g. a local DynamoDB.' },
  { name: 'RESUME_STORE', default: 'local', meaning: '`local` (folder under DATA_DIR) or `s3`.' },
  { name: 'RESUME_DIR', default: '$DATA_DIR/resumes', meaning: 'Folder of the local resume store.' },
  { name: 'S3_BUCKET', default: '(none)', meaning: 'Bucket for resumes; required with RESUME_STORE=s3.' },
  { name: 'S3_PREFIX', default: 'resumes/', meaning: 'Key prefix for resumes; the rest of the key is the sha256 of the file.' },
  { name: 'S3_ENDPOINT', default: '(AWS)', meaning: 'Endpoint override for S3 (resumes and templates).' },
  { name: 'S3_FORCE_PATH_STYLE', default: 'false', meaning: 'Path-style S3 addressing (needed by most local S3 servers).' },
  { name: 'S3_SSE', default: 'AES256', meaning: 'Server-side encryption requested for every resume: `AES256` or `aws:kms`.' },
  { name: 'S3_KMS_KEY_ID', default: '(none)', meaning: 'KMS key for S3_SSE=aws:kms (the bucket default key when empty).' },
  { name: 'MAILER', default: 'outbox', meaning: '`outbox` (.eml files under DATA_DIR) or `ses`.' },
  { name: 'OUTBOX_DIR', default: '$DATA_DIR/outbox', meaning: 'Folder the outbox mailer writes .eml files to.' },
  { name: 'SES_REGION', default: '$AWS_REGION', meaning: 'Region of SES.' },
  { name: 'SES_ENDPOINT', default: '(AWS)', meaning: 'Endpoint override for SES.' },
  { name: 'SES_CONFIGURATION_SET', default: '(none)', meaning: 'SES configuration set for sending events.' },
  {
    name: 'SES_ATTACHMENT_MAX_BYTES',
    default: '7340032',
    meaning: 'Largest resume attached to an HR email; above it the email carries a time-limited link.',
  },
  { name: 'RESUME_LINK_TTL_SECONDS', default: '259200', meaning: 'Validity of resume links in emails (at most 604800 for S3).' },
  { name: 'HR_EMAIL', default: 'hr@example.com', meaning: 'Comma-separated recipients of HR emails (required with MAILER=ses).' },
  { name: 'SENDER_EMAIL', default: 'hiring-automation@example.com', meaning: 'From address of HR emails (required with MAILER=ses).' },
  { name: 'REPLY_TO_EMAIL', default: 'hiring@example.com', meaning: 'Reply-To address of HR emails (required with MAILER=ses).' },
  { name: 'TEMPLATE_DIR', default: '(the templates/ folder of this package)', meaning: 'Folder of the email templates.' },
  { name: 'TEMPLATE_BUCKET', default: '(none)', meaning: 'S3 bucket whose templates override the bundled ones.' },
  { name: 'TEMPLATE_PREFIX', default: 'email-templates/', meaning: 'Key prefix of templates in TEMPLATE_BUCKET.' },
  { name: 'AWS_REGION', default: 'us-east-1', meaning: 'Region of every AWS client unless overridden.' },
  { name: 'AWS_TIMEOUT_MS', default: '10000', meaning: 'Timeout of each AWS request.' },
  { name: 'AWS_MAX_ATTEMPTS', default: '3', meaning: 'Attempts per AWS call (with exponential backoff).' },
  { name: 'TASK_MANAGER', default: '(none)', meaning: '`clickup`, `asana` or `jira`: the task manager resumes arrive in (unset: none).' },
  {
    name: 'TASK_MANAGER_BASE_URL',
    default: "(the provider's public API)",
    meaning:
      "Base URL of the task manager's API (`https://api.clickup.com/api/v2`, `https://app.asana.com/api/1.0`, `https://<site>.atlassian.net`).",
  },
  {
    name: 'TASK_MANAGER_TOKEN',
    default: '(none)',
    meaning: 'ClickUp personal token, Asana personal access token, or Jira API token (with TASK_MANAGER_USER).',
  },
  { name: 'TASK_MANAGER_USER', default: '(none)', meaning: 'Jira: the Atlassian account email the API token belongs to (basic auth).' },
  {
    name: 'TASK_MANAGER_TOKEN_ENDPOINT',
    default: '(none)',
    meaning: 'OAuth2 token endpoint; with it, the client id, secret and refresh token below replace TASK_MANAGER_TOKEN.',
  },
  { name: 'TASK_MANAGER_CLIENT_ID', default: '(none)', meaning: 'OAuth2 client id.' },
  { name: 'TASK_MANAGER_CLIENT_SECRET', default: '(none)', meaning: 'OAuth2 client secret.' },
  {
    name: 'TASK_MANAGER_REDIRECT_URI',
    default: '(none)',
    meaning: 'OAuth2 redirect URI of the app, sent with every refresh where the provider wants it (Asana).',
  },
  {
    name: 'TASK_MANAGER_REFRESH_TOKEN',
    default: '(none)',
    meaning: 'OAuth2 refresh token to start from; a rotated one is kept in the candidate store.',
  },
  {
    name: 'HIRING_PROJECT_ID',
    default: '(none)',
    meaning: 'ClickUp list id, Asana project gid or Jira project key whose tasks carry resumes (required with TASK_MANAGER).',
  },
  {
    name: 'TASK_MANAGER_TEAM_ID',
    default: '(none)',
    meaning: 'ClickUp workspace (team) id; looked up when unset and the token sees only one.',
  },
  {
    name: 'TASK_FILTER_LABELS',
    default: 'candidate,resume,hiring',
    meaning: 'Tasks carrying any of these tags or labels are taken in (comma-separated).',
  },
  {
    name: 'TASK_PROCESSED_LABEL',
    default: 'hireflow-processed',
    meaning: 'Tag or label hireflow adds to a task once its resumes are stored.',
  },
  { name: 'DEFAULT_REQUISITION_ID', default: '(none)', meaning: 'Requisition for resumes whose task or mail names none.' },
  { name: 'POLL_INTERVAL_SECONDS', default: '300', meaning: 'How often each source is reconciled with its provider (webhooks or not).' },
  { name: 'LOOKBACK_HOURS', default: '24', meaning: 'How far back the first reconciliation of a source looks.' },
  {
    name: 'TASK_MANAGER_WEBHOOK_SECRET',
    default: '(none)',
    meaning: 'Secret of a webhook registered by hand at the provider (e.g. a Jira admin webhook); registered webhooks keep their own.',
  },
  {
    name: 'TASK_MANAGER_ATTACHMENT_HOSTS',
    default: '(none)',
    meaning: "Comma-separated host names attachments may also be downloaded from, besides the provider's own.",
  },
  { name: 'MAILBOX', default: '(none)', meaning: '`graph` (Microsoft 365) or `imap`: the hiring mailbox resumes arrive in (unset: none).' },
  {
    name: 'GRAPH_TENANT_ID',
    default: '(none)',
    meaning: 'Microsoft Entra tenant id (directory id) of the app registration (required with MAILBOX=graph).',
  },
  { name: 'GRAPH_CLIENT_ID', default: '(none)', meaning: 'Application (client) id of the app registration (required with MAILBOX=graph).' },
  { name: 'GRAPH_CLIENT_SECRET', default: '(none)', meaning: 'Client secret of the app registration (or GRAPH_CLIENT_CERTIFICATE_PATH).' },
  {
    name: 'GRAPH_CLIENT_CERTIFICATE_PATH',
    default: '(none)',
    meaning: 'PEM file holding the certificate uploaded to the app registration and its private key (instead of a secret).',
  },
  {
    name: 'GRAPH_AUTHORITY',
    default: 'https://login.microsoftonline.com',
    meaning: 'Entra authority host (https); another host is trusted as a known authority (a sovereign cloud, a stand-in).',
  },
  { name: 'GRAPH_API_BASE', default: 'https://graph.microsoft.com/v1.0', meaning: 'Microsoft Graph API base URL (https).' },
  {
    name: 'GRAPH_SCOPES',
    default: 'https://graph.microsoft.com/.default',
    meaning: 'Scopes of the client-credentials token (comma-separated).',
  },
  { name: 'HIRING_MAILBOX', default: '(none)', meaning: 'Address (or user id) of the hiring mailbox (required with MAILBOX=graph).' },
  { name: 'MAILBOX_FOLDER', default: 'Inbox', meaning: 'Graph: mail folder id or well-known name (`Inbox`) resumes arrive in.' },
  {
    name: 'MAILBOX_PROCESSED_CATEGORY',
    default: 'hireflow: processed',
    meaning: 'Graph: category put on a mail once its resumes are stored (`hireflow: no resume` when it had none).',
  },
  {
    name: 'MAILBOX_MOVE_TO',
    default: '(none)',
    meaning: 'Folder processed mail is moved to (Graph: folder id or well-known name; IMAP: path).',
  },
  { name: 'IMAP_HOST', default: '(none)', meaning: 'IMAP server host (required with MAILBOX=imap).' },
  { name: 'IMAP_PORT', default: '993', meaning: 'IMAP server port.' },
  {
    name: 'IMAP_SECURE',
    default: 'true',
    meaning: 'Implicit TLS (port 993); false: plain connection upgraded with STARTTLS when offered.',
  },
  { name: 'IMAP_USER', default: '(none)', meaning: 'IMAP login (required with MAILBOX=imap).' },
  { name: 'IMAP_PASSWORD', default: '(none)', meaning: 'IMAP password or app password (required with MAILBOX=imap).' },
  { name: 'IMAP_FOLDER', default: 'INBOX', meaning: 'IMAP folder resumes arrive in.' },
  {
    name: 'HEALTH_INTERVAL_SECONDS',
    default: '60',
    meaning: 'How often every integration is probed (TaskManager, EmailServer, HREmail, ResumeStore, CandidateStore, Templates, Queue).',
  },
  { name: 'HEALTH_PROBE_TIMEOUT_MS', default: '10000', meaning: 'Deadline of one integration probe; a probe that hangs is unhealthy.' },
  {
    name: 'METRICS',
    default: 'prometheus',
    meaning: '`prometheus` (GET /metrics only) or `cloudwatch` (also PutMetricData: `Health` per integration, pipeline metrics).',
  },
  { name: 'CLOUDWATCH_ENDPOINT', default: '(AWS)', meaning: 'Endpoint override for CloudWatch.' },
  {
    name: 'METRICS_FLUSH_SECONDS',
    default: '60',
    meaning: 'How often buffered metrics go to CloudWatch (one batched PutMetricData per 1000).',
  },
  {
    name: 'METRICS_PORT',
    default: '(none)',
    meaning: 'Serve GET /metrics without an API key on this port, on loopback only (a worker process serves its own).',
  },
  { name: 'SNS_ENDPOINT', default: '(AWS)', meaning: 'Endpoint override for SNS (alerts, confirming the SES events subscription).' },
  { name: 'ALERT_TOPIC_ARN', default: '(none)', meaning: 'SNS topic alerts are published to.' },
  {
    name: 'ALERT_EMAIL',
    default: '(none)',
    meaning: 'Without ALERT_TOPIC_ARN: comma-separated addresses alerts are emailed to through MAILER.',
  },
  {
    name: 'ALERT_AFTER_FAILURES',
    default: '2',
    meaning: 'Consecutive failed probes before an integration is unhealthy and alerted on (one blip never pages).',
  },
  { name: 'ALERT_REPEAT_MINUTES', default: '60', meaning: 'Reminder interval while an integration stays unhealthy.' },
  {
    name: 'ALERT_FAILED_PERCENT',
    default: '20',
    meaning: 'Alert when more than this share of the candidates finished in the last hour failed (0 turns it off).',
  },
  {
    name: 'ALERT_FAILED_MIN_CANDIDATES',
    default: '5',
    meaning: 'Failed candidates needed in the last hour before the failure-rate alert can fire.',
  },
  {
    name: 'ALERT_OLDEST_JOB_MINUTES',
    default: '30',
    meaning: 'Alert when a job has waited longer than this to start (0 turns it off).',
  },
  {
    name: 'QUEUE_BOARD_WRITE',
    default: 'false',
    meaning: 'Let the queue board at /queues retry, promote and remove jobs (read-only otherwise).',
  },
  {
    name: 'DECISION_LINK_SECRET',
    default: '(none)',
    meaning:
      'Secret (at least 32 characters) signing the decision links in HR emails; every instance needs the same one. Without it (or PUBLIC_URL) emails carry no links.',
  },
  { name: 'DECISION_LINK_TTL_HOURS', default: '168', meaning: 'How long a decision link in an HR email stays valid.' },
  {
    name: 'SES_EVENTS_TOPIC_ARN',
    default: '(none)',
    meaning:
      'SNS topic of the SES_CONFIGURATION_SET events; POST /webhooks/ses accepts messages of this topic only (unset: the route answers 404).',
  },
  {
    name: 'SCORER',
    default: 'lexical',
    meaning: '`lexical` (deterministic, offline), or an LLM: `bedrock`, `openai` (any OpenAI-compatible endpoint) or `anthropic`.',
  },
  {
    name: 'LLM_MODEL',
    default: '(none)',
    meaning: 'Model id (Bedrock model or inference profile, OpenAI model, Azure deployment); required with an LLM scorer.',
  },
  {
    name: 'LLM_BASE_URL',
    default: "(the provider's public API)",
    meaning:
      'Base URL of an OpenAI-compatible or Anthropic API (`https://api.openai.com/v1`, `https://api.anthropic.com`, `http://127.0.0.1:11434/v1` for Ollama, an Azure OpenAI URL).',
  },
  {
    name: 'LLM_API_KEY',
    default: '(none)',
    meaning: 'API key of the OpenAI-compatible or Anthropic API; required unless LLM_BASE_URL is on loopback.',
  },
  {
    name: 'LLM_TIMEOUT_MS',
    default: '30000',
    meaning: 'Deadline of one LLM call; a model that does not answer in time is retried once, then the lexical scorer is used.',
  },
  {
    name: 'LLM_DAILY_TOKEN_BUDGET',
    default: '2000000',
    meaning: 'Tokens (input and output) the LLM scorer may use per UTC day, counted in Redis; past it the lexical scorer is used.',
  },
  { name: 'BEDROCK_REGION', default: '$AWS_REGION', meaning: 'Region of Amazon Bedrock.' },
  { name: 'BEDROCK_ENDPOINT', default: '(AWS)', meaning: 'Endpoint override for Amazon Bedrock runtime.' },
  { name: 'PROCESS_CONCURRENCY', default: '2', meaning: 'Resumes parsed and scored at once per worker process.' },
  {
    name: 'EXTRACT_THREADS',
    default: '(cores - 1, at least 1)',
    meaning: 'Worker threads that turn resumes into text, off the main thread.',
  },
  {
    name: 'OCR_CONCURRENCY',
    default: '1',
    meaning: 'Scanned resumes (images, PDFs without text) read by OCR at once per worker process, on a queue of their own.',
  },
  { name: 'OCR_MAX_PAGES', default: '3', meaning: 'Pages of a scanned PDF or a multi-page TIFF read by OCR; the rest are ignored.' },
  { name: 'JOB_ATTEMPTS', default: '8', meaning: 'Attempts per job before the candidate is marked failed.' },
  {
    name: 'JOB_BACKOFF_MS',
    default: '5000',
    meaning: 'First retry delay of a job (doubles each attempt: the defaults ride out about ten minutes of outage).',
  },
  { name: 'JOB_LOCK_MS', default: '30000', meaning: 'Lock of a running job; a job whose worker died is retried after about this long.' },
  { name: 'SHUTDOWN_GRACE_MS', default: '25000', meaning: 'On SIGTERM, time given to in-flight requests and jobs before exit.' },
]

export const TASK_MANAGERS = ['clickup', 'asana', 'jira'] as const
export type TaskManagerKind = (typeof TASK_MANAGERS)[number]

/** How hireflow authenticates to a task manager. */
export type TaskManagerAuth =
  | { kind: 'token'; token: string; user: string | undefined }
  | {
      kind: 'oauth2'
      tokenEndpoint: string
      clientId: string
      clientSecret: string
      refreshToken: string | undefined
      redirectUri: string | undefined
    }

export interface TaskManagerConfig {
  provider: TaskManagerKind
  /** Without a trailing slash; undefined: the provider's public API. */
  baseUrl: string | undefined
  auth: TaskManagerAuth
  projectId: string
  teamId: string | undefined
  filterLabels: string[]
  processedLabel: string
  webhookSecret: string | undefined
  attachmentHosts: string[]
}

export const MAILBOXES = ['graph', 'imap'] as const
export type MailboxKind = (typeof MAILBOXES)[number]

/** How hireflow authenticates to Microsoft Entra for Graph: a client secret, or a certificate with its private key. */
export type GraphCredential = { kind: 'secret'; secret: string } | { kind: 'certificate'; path: string }

export interface GraphMailboxConfig {
  provider: 'graph'
  tenantId: string
  clientId: string
  credential: GraphCredential
  /** Without a trailing slash, e.g. https://login.microsoftonline.com. */
  authority: string
  /** Without a trailing slash, e.g. https://graph.microsoft.com/v1.0. */
  apiBase: string
  scopes: string[]
  mailbox: string
  folder: string
  processedCategory: string
  moveTo: string | undefined
}

export interface ImapMailboxConfig {
  provider: 'imap'
  host: string
  port: number
  secure: boolean
  user: string
  password: string
  folder: string
  moveTo: string | undefined
}

export type MailboxConfig = GraphMailboxConfig | ImapMailboxConfig

export const SCORERS = ['lexical', 'bedrock', 'openai', 'anthropic'] as const
export type ScorerKind = (typeof SCORERS)[number]

export interface ScorerConfig {
  kind: ScorerKind
  /** Empty with the lexical scorer. */
  model: string
  /** Without a trailing slash; undefined: the provider's public API. */
  baseUrl: string | undefined
  apiKey: string | undefined
  timeoutMs: number
  dailyTokenBudget: number
  bedrockRegion: string
  bedrockEndpoint: string | undefined
}

export type CandidateStoreKind = 'sqlite' | 'dynamodb'
export type ResumeStoreKind = 'local' | 's3'
export type MailerKind = 'outbox' | 'ses'

export interface AwsSettings {
  region: string
  requestTimeoutMs: number
  maxAttempts: number
}

export interface Config {
  host: string
  /** True when no API key is configured: the API then listens on loopback only. */
  loopbackOnly: boolean
  port: number
  dataDir: string
  redisUrl: string
  queuePrefix: string
  /** sha256 digests of the accepted API keys. */
  apiKeyHashes: Buffer[]
  logLevel: string
  trustProxy: string[]
  requestTimeoutMs: number
  minBodyBytesPerSecond: number
  maxResumeBytes: number
  publicUrl: string | undefined
  candidateStore: CandidateStoreKind
  sqlitePath: string
  dynamodbTable: string
  dynamodbEndpoint: string | undefined
  resumeStore: ResumeStoreKind
  resumeDir: string
  s3Bucket: string | undefined
  /** Prefix of resume keys in the S3 bucket. */
  s3Prefix: string
  s3Endpoint: string | undefined
  s3ForcePathStyle: boolean
  s3Sse: 'AES256' | 'aws:kms'
  s3KmsKeyId: string | undefined
  mailer: MailerKind
  outboxDir: string
  sesRegion: string
  sesEndpoint: string | undefined
  sesConfigurationSet: string | undefined
  /** The task manager resumes arrive in; undefined when none is configured. */
  taskManager: TaskManagerConfig | undefined
  /** The hiring mailbox resumes arrive in; undefined when none is configured. */
  mailbox: MailboxConfig | undefined
  defaultRequisitionId: string | undefined
  pollIntervalSeconds: number
  lookbackHours: number
  sesAttachmentMaxBytes: number
  resumeLinkTtlSeconds: number
  hrEmail: string[]
  senderEmail: string
  replyToEmail: string
  templateDir: string
  templateBucket: string | undefined
  templatePrefix: string
  aws: AwsSettings
  /** How often integrations are probed, and each probe's deadline. */
  healthIntervalSeconds: number
  healthProbeTimeoutMs: number
  metrics: 'prometheus' | 'cloudwatch'
  cloudwatchEndpoint: string | undefined
  metricsFlushSeconds: number
  metricsPort: number | undefined
  snsEndpoint: string | undefined
  alerts: {
    topicArn: string | undefined
    email: string[]
    afterFailures: number
    repeatMinutes: number
    failedPercent: number
    failedMinCandidates: number
    oldestJobMinutes: number
  }
  queueBoardWrite: boolean
  decisionLinkSecret: string | undefined
  decisionLinkTtlHours: number
  sesEventsTopicArn: string | undefined
  /** Which scorer assesses resumes, and the LLM's settings when one does. */
  scorer: ScorerConfig
  processConcurrency: number
  extractThreads: number
  ocrConcurrency: number
  ocrMaxPages: number
  jobAttempts: number
  jobBackoffMs: number
  jobLockMs: number
  shutdownGraceMs: number
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

type Env = Record<string, string | undefined>

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost'])
const EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/

export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const errors: string[] = []
  const known = new Set(VARIABLES.map((v) => v.name))

  const str = (name: string): string | undefined => {
    if (!known.has(name)) throw new Error(`undeclared configuration variable ${name}`)
    const value = env[name]?.trim()
    return value === '' ? undefined : value
  }
  const int = (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = str(name)
    if (raw === undefined) return fallback
    const value = Number(raw)
    if (!Number.isInteger(value) || value < min || value > max) {
      errors.push(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`)
      return fallback
    }
    return value
  }
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = str(name)
    if (raw === undefined) return fallback
    if (!(allowed as readonly string[]).includes(raw)) {
      errors.push(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`)
      return fallback
    }
    return raw as T
  }
  const bool = (name: string): boolean => {
    const raw = str(name)
    if (raw === undefined) return false
    if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true
    if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false
    errors.push(`${name} must be true or false, got "${raw}"`)
    return false
  }
  const url = (name: string): string | undefined => {
    const raw = str(name)
    if (raw === undefined) return undefined
    try {
      const parsed = new URL(raw)
      if (!['http:', 'https:', 'redis:', 'rediss:'].includes(parsed.protocol)) throw new Error('protocol')
      return raw.replace(/\/+$/, '')
    } catch {
      errors.push(`${name} must be a URL, got "${raw}"`)
      return undefined
    }
  }
  const emails = (name: string, fallback: string): string[] => {
    const list = (str(name) ?? fallback)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
    for (const address of list) if (!EMAIL.test(address)) errors.push(`${name} has an invalid email address "${address}"`)
    return list
  }
  const path = (value: string) => (isAbsolute(value) ? value : resolve(cwd, value))

  const apiKeyHashes = (str('API_KEYS') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((key) => {
      if (key.startsWith('sha256:')) {
        const hex = key.slice('sha256:'.length)
        if (!/^[0-9a-fA-F]{64}$/.test(hex)) errors.push('API_KEYS has a sha256: entry that is not 64 hex digits')
        return Buffer.from(hex, 'hex')
      }
      if (key.length < 16) errors.push('API_KEYS entries must be at least 16 characters long')
      return createHash('sha256').update(key).digest()
    })

  const requestedHost = str('HOST')
  // Candidate data is personal data: without a key nobody off this machine may reach it.
  const loopbackOnly = apiKeyHashes.length === 0
  const host = loopbackOnly ? (requestedHost && LOOPBACK.has(requestedHost) ? requestedHost : '127.0.0.1') : (requestedHost ?? '0.0.0.0')

  const dataDir = path(str('DATA_DIR') ?? './data')
  const awsRegion = str('AWS_REGION') ?? 'us-east-1'
  const mailer = oneOf('MAILER', ['outbox', 'ses'] as const, 'outbox')
  const resumeStore = oneOf('RESUME_STORE', ['local', 's3'] as const, 'local')
  const candidateStore = oneOf('CANDIDATE_STORE', ['sqlite', 'dynamodb'] as const, 'sqlite')
  const s3Bucket = str('S3_BUCKET')
  if (resumeStore === 's3' && !s3Bucket) errors.push('S3_BUCKET is required with RESUME_STORE=s3')
  if (mailer === 'ses') {
    for (const name of ['HR_EMAIL', 'SENDER_EMAIL', 'REPLY_TO_EMAIL']) {
      if (!str(name)) errors.push(`${name} is required with MAILER=ses`)
    }
  }
  const s3Prefix = str('S3_PREFIX') ?? 'resumes/'
  const list = (name: string, fallback = ''): string[] =>
    (str(name) ?? fallback)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
  const taskManager = ((): TaskManagerConfig | undefined => {
    const provider = str('TASK_MANAGER')
    if (provider === undefined) return undefined
    if (!(TASK_MANAGERS as readonly string[]).includes(provider)) {
      errors.push(`TASK_MANAGER must be one of ${TASK_MANAGERS.join(', ')}, got "${provider}"`)
      return undefined
    }
    const projectId = str('HIRING_PROJECT_ID')
    if (!projectId) errors.push('HIRING_PROJECT_ID is required with TASK_MANAGER')
    const tokenEndpoint = url('TASK_MANAGER_TOKEN_ENDPOINT')
    let auth: TaskManagerAuth
    if (tokenEndpoint) {
      const clientId = str('TASK_MANAGER_CLIENT_ID')
      const clientSecret = str('TASK_MANAGER_CLIENT_SECRET')
      if (!clientId || !clientSecret) {
        errors.push('TASK_MANAGER_CLIENT_ID and TASK_MANAGER_CLIENT_SECRET are required with TASK_MANAGER_TOKEN_ENDPOINT')
      }
      auth = {
        kind: 'oauth2',
        tokenEndpoint,
        clientId: clientId ?? '',
        clientSecret: clientSecret ?? '',
        refreshToken: str('TASK_MANAGER_REFRESH_TOKEN'),
        redirectUri: url('TASK_MANAGER_REDIRECT_URI'),
      }
    } else {
      const token = str('TASK_MANAGER_TOKEN')
      if (!token)
        errors.push('TASK_MANAGER_TOKEN (or TASK_MANAGER_TOKEN_ENDPOINT with OAuth2 client settings) is required with TASK_MANAGER')
      const user = str('TASK_MANAGER_USER')
      if (provider === 'jira' && !user)
        errors.push('TASK_MANAGER_USER (the account email of the API token) is required with TASK_MANAGER=jira')
      auth = { kind: 'token', token: token ?? '', user }
    }
    const baseUrl = url('TASK_MANAGER_BASE_URL')
    if (provider === 'jira' && !baseUrl)
      errors.push('TASK_MANAGER_BASE_URL (https://<site>.atlassian.net) is required with TASK_MANAGER=jira')
    const labels = list('TASK_FILTER_LABELS', 'candidate,resume,hiring')
    if (labels.length === 0) errors.push('TASK_FILTER_LABELS must name at least one tag or label')
    return {
      provider: provider as TaskManagerKind,
      baseUrl,
      auth,
      projectId: projectId ?? '',
      teamId: str('TASK_MANAGER_TEAM_ID'),
      filterLabels: labels,
      processedLabel: str('TASK_PROCESSED_LABEL') ?? 'hireflow-processed',
      webhookSecret: str('TASK_MANAGER_WEBHOOK_SECRET'),
      attachmentHosts: list('TASK_MANAGER_ATTACHMENT_HOSTS').map((host) => host.toLowerCase()),
    }
  })()
  const mailbox = ((): MailboxConfig | undefined => {
    const provider = str('MAILBOX')
    if (provider === undefined) return undefined
    if (!(MAILBOXES as readonly string[]).includes(provider)) {
      errors.push(`MAILBOX must be one of ${MAILBOXES.join(', ')}, got "${provider}"`)
      return undefined
    }
    const required = (name: string, what: string): string => {
      const value = str(name)
      if (!value) errors.push(`${name} (${what}) is required with MAILBOX=${provider}`)
      return value ?? ''
    }
    const moveTo = str('MAILBOX_MOVE_TO')
    if (provider === 'imap') {
      return {
        provider: 'imap',
        host: required('IMAP_HOST', 'the IMAP server'),
        port: int('IMAP_PORT', 993, 1, 65535),
        secure: str('IMAP_SECURE') === undefined ? true : bool('IMAP_SECURE'),
        user: required('IMAP_USER', 'the IMAP login'),
        password: required('IMAP_PASSWORD', 'the IMAP password'),
        folder: str('IMAP_FOLDER') ?? 'INBOX',
        moveTo,
      }
    }
    const https = (name: string, fallback: string): string => {
      const value = url(name) ?? fallback
      if (!value.startsWith('https://'))
        errors.push(`${name} must be an https URL (Microsoft Entra and Graph are only reached over TLS), got "${value}"`)
      return value
    }
    const secret = str('GRAPH_CLIENT_SECRET')
    const certificate = str('GRAPH_CLIENT_CERTIFICATE_PATH')
    if (!secret && !certificate) errors.push('GRAPH_CLIENT_SECRET or GRAPH_CLIENT_CERTIFICATE_PATH is required with MAILBOX=graph')
    if (secret && certificate) errors.push('set GRAPH_CLIENT_SECRET or GRAPH_CLIENT_CERTIFICATE_PATH, not both')
    const scopes = list('GRAPH_SCOPES', 'https://graph.microsoft.com/.default')
    if (scopes.length === 0) errors.push('GRAPH_SCOPES must name at least one scope')
    return {
      provider: 'graph',
      tenantId: required('GRAPH_TENANT_ID', 'the Entra tenant id'),
      clientId: required('GRAPH_CLIENT_ID', 'the application id'),
      credential: certificate ? { kind: 'certificate', path: path(certificate) } : { kind: 'secret', secret: secret ?? '' },
      authority: https('GRAPH_AUTHORITY', 'https://login.microsoftonline.com'),
      apiBase: https('GRAPH_API_BASE', 'https://graph.microsoft.com/v1.0'),
      scopes,
      mailbox: required('HIRING_MAILBOX', 'the hiring mailbox address'),
      folder: str('MAILBOX_FOLDER') ?? 'Inbox',
      processedCategory: str('MAILBOX_PROCESSED_CATEGORY') ?? 'hireflow: processed',
      moveTo,
    }
  })()
  const templatePrefix = str('TEMPLATE_PREFIX') ?? 'email-templates/'
  const snsArn = (name: string): string | undefined => {
    const raw = str(name)
    if (raw !== undefined && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(raw)) {
      errors.push(`${name} must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>), got "${raw}"`)
      return undefined
    }
    return raw
  }
  const decisionLinkSecret = str('DECISION_LINK_SECRET')
  if (decisionLinkSecret !== undefined && decisionLinkSecret.length < 32)
    errors.push('DECISION_LINK_SECRET must be at least 32 characters long')

  const scorer = ((): ScorerConfig => {
    const kind = oneOf('SCORER', SCORERS, 'lexical')
    const model = str('LLM_MODEL') ?? ''
    const baseUrl = url('LLM_BASE_URL')
    const apiKey = str('LLM_API_KEY')
    if (kind !== 'lexical' && !model) errors.push(`LLM_MODEL is required with SCORER=${kind}`)
    // A model served on this machine (Ollama, vLLM) needs no key; resumes sent off the machine do.
    const local = baseUrl !== undefined && LOOPBACK.has(new URL(baseUrl).hostname.replace(/^\[|\]$/g, ''))
    if ((kind === 'openai' || kind === 'anthropic') && !apiKey && !local)
      errors.push(`LLM_API_KEY is required with SCORER=${kind} unless LLM_BASE_URL is on loopback`)
    return {
      kind,
      model,
      baseUrl,
      apiKey,
      timeoutMs: int('LLM_TIMEOUT_MS', 30_000, 100, 600_000),
      dailyTokenBudget: int('LLM_DAILY_TOKEN_BUDGET', 2_000_000, 0),
      bedrockRegion: str('BEDROCK_REGION') ?? awsRegion,
      bedrockEndpoint: url('BEDROCK_ENDPOINT'),
    }
  })()

  const config: Config = {
    host,
    loopbackOnly,
    port: int('PORT', 3000, 0, 65535),
    dataDir,
    redisUrl: url('REDIS_URL') ?? 'redis://127.0.0.1:6379',
    queuePrefix: str('QUEUE_PREFIX') ?? 'hireflow',
    apiKeyHashes,
    logLevel: oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    trustProxy: (str('TRUST_PROXY') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    requestTimeoutMs: int('REQUEST_TIMEOUT_MS', 30_000, 1_000),
    minBodyBytesPerSecond: int('MIN_BODY_BYTES_PER_SECOND', 1024, 0),
    maxResumeBytes: int('MAX_RESUME_BYTES', 10 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    publicUrl: url('PUBLIC_URL'),
    candidateStore,
    sqlitePath: path(str('SQLITE_PATH') ?? join(dataDir, 'hireflow.sqlite')),
    dynamodbTable: str('DYNAMODB_TABLE') ?? 'hireflow',
    dynamodbEndpoint: url('DYNAMODB_ENDPOINT'),
    resumeStore,
    resumeDir: path(str('RESUME_DIR') ?? join(dataDir, 'resumes')),
    s3Bucket,
    s3Prefix,
    s3Endpoint: url('S3_ENDPOINT'),
    s3ForcePathStyle: bool('S3_FORCE_PATH_STYLE'),
    s3Sse: oneOf('S3_SSE', ['AES256', 'aws:kms'] as const, 'AES256'),
    s3KmsKeyId: str('S3_KMS_KEY_ID'),
    mailer,
    outboxDir: path(str('OUTBOX_DIR') ?? join(dataDir, 'outbox')),
    sesRegion: str('SES_REGION') ?? awsRegion,
    sesEndpoint: url('SES_ENDPOINT'),
    sesConfigurationSet: str('SES_CONFIGURATION_SET'),
    taskManager,
    mailbox,
    defaultRequisitionId: str('DEFAULT_REQUISITION_ID'),
    pollIntervalSeconds: int('POLL_INTERVAL_SECONDS', 300, 10, 86_400),
    lookbackHours: int('LOOKBACK_HOURS', 24, 1, 24 * 365),
    sesAttachmentMaxBytes: int('SES_ATTACHMENT_MAX_BYTES', 7 * 1024 * 1024, 0, 30 * 1024 * 1024),
    resumeLinkTtlSeconds: int('RESUME_LINK_TTL_SECONDS', 72 * 3600, 60, 604_800),
    hrEmail: emails('HR_EMAIL', 'hr@example.com'),
    senderEmail: emails('SENDER_EMAIL', 'hiring-automation@example.com')[0] ?? '',
    replyToEmail: emails('REPLY_TO_EMAIL', 'hiring@example.com')[0] ?? '',
    templateDir: path(str('TEMPLATE_DIR') ?? fileURLToPath(new URL('../templates', import.meta.url))),
    templateBucket: str('TEMPLATE_BUCKET'),
    templatePrefix,
    aws: {
      region: awsRegion,
      requestTimeoutMs: int('AWS_TIMEOUT_MS', 10_000, 100),
      maxAttempts: int('AWS_MAX_ATTEMPTS', 3, 1, 10),
    },
    healthIntervalSeconds: int('HEALTH_INTERVAL_SECONDS', 60, 1, 3600),
    healthProbeTimeoutMs: int('HEALTH_PROBE_TIMEOUT_MS', 10_000, 100, 120_000),
    metrics: oneOf('METRICS', ['prometheus', 'cloudwatch'] as const, 'prometheus'),
    cloudwatchEndpoint: url('CLOUDWATCH_ENDPOINT'),
    metricsFlushSeconds: int('METRICS_FLUSH_SECONDS', 60, 1, 3600),
    metricsPort: str('METRICS_PORT') === undefined ? undefined : int('METRICS_PORT', 0, 0, 65535),
    snsEndpoint: url('SNS_ENDPOINT'),
    alerts: {
      topicArn: snsArn('ALERT_TOPIC_ARN'),
      email: str('ALERT_EMAIL') === undefined ? [] : emails('ALERT_EMAIL', ''),
      afterFailures: int('ALERT_AFTER_FAILURES', 2, 1, 100),
      repeatMinutes: int('ALERT_REPEAT_MINUTES', 60, 1, 10_080),
      failedPercent: int('ALERT_FAILED_PERCENT', 20, 0, 100),
      failedMinCandidates: int('ALERT_FAILED_MIN_CANDIDATES', 5, 1),
      oldestJobMinutes: int('ALERT_OLDEST_JOB_MINUTES', 30, 0, 10_080),
    },
    queueBoardWrite: bool('QUEUE_BOARD_WRITE'),
    decisionLinkSecret,
    decisionLinkTtlHours: int('DECISION_LINK_TTL_HOURS', 168, 1, 24 * 90),
    sesEventsTopicArn: snsArn('SES_EVENTS_TOPIC_ARN'),
    scorer,
    processConcurrency: int('PROCESS_CONCURRENCY', 2, 1, 64),
    extractThreads: int('EXTRACT_THREADS', Math.max(1, availableParallelism() - 1), 1, 64),
    ocrConcurrency: int('OCR_CONCURRENCY', 1, 1, 16),
    ocrMaxPages: int('OCR_MAX_PAGES', 3, 1, 20),
    jobAttempts: int('JOB_ATTEMPTS', 8, 1, 50),
    jobBackoffMs: int('JOB_BACKOFF_MS', 5_000, 10),
    jobLockMs: int('JOB_LOCK_MS', 30_000, 1_000),
    shutdownGraceMs: int('SHUTDOWN_GRACE_MS', 25_000, 0),
  }
  if (errors.length > 0) throw new ConfigError(`invalid configuration:\n  - ${errors.join('\n  - ')}`)
  return config
}
