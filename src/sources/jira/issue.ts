// Jira's issue JSON (REST v3 IssueBean) read into the port's SourceItem.
// Only the fields hireflow asks for are read, and every one is treated as
// possibly missing or of the wrong type: the answer comes from another
// system, and one odd issue must not stop the others.
import type { SourceAttachment, SourceItem } from '../../ports/intake-source.ts'

/** The fields getItem asks for; Jira returns only the fields named. */
export const ITEM_FIELDS = ['summary', 'labels', 'updated', 'attachment', 'reporter', 'creator', 'project'] as const

export interface JiraIssue {
  id?: unknown
  key?: unknown
  fields?: Record<string, unknown>
}

export interface ItemRules {
  /** HIRING_PROJECT_ID: the project key (or its numeric id). */
  projectId: string
  filterLabels: readonly string[]
  processedLabel: string
}

/** An id Jira sends as a string or, in some examples, a number; normalised to its decimal string. */
export function jiraId(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value)
  if (typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value)) return value
  return undefined
}

/** Jira writes `2023-06-24T19:24:50.000+0000` (offset without a colon, often the user's zone, not UTC). */
export function parseJiraDate(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined
  const normalised = value.trim().replace(/([+-]\d{2})(\d{2})$/, '$1:$2')
  const at = Date.parse(normalised)
  return Number.isNaN(at) ? undefined : new Date(at)
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null)

function person(value: unknown): string | null {
  if (!value || typeof value !== 'object') return null
  const user = value as { displayName?: unknown; emailAddress?: unknown }
  // The email "may be returned as null" under the user's privacy settings; the name is then what HR can use.
  const name = text(user.displayName)
  const email = text(user.emailAddress)
  if (name && email) return `${name} <${email}>`
  return email ?? name
}

function attachmentsOf(value: unknown): SourceAttachment[] {
  if (!Array.isArray(value)) return []
  const attachments: SourceAttachment[] = []
  for (const entry of value as Array<Record<string, unknown> | null>) {
    const id = jiraId(entry?.id)
    if (!entry || !id) continue
    const size = typeof entry.size === 'number' && Number.isFinite(entry.size) && entry.size >= 0 ? entry.size : null
    attachments.push({
      id,
      filename: text(entry.filename) ?? `attachment-${id}`,
      size,
      mediaType: text(entry.mimeType),
      // Jira keeps every attachment itself; links to other stores are text in the description, not attachments.
      externalUrl: null,
    })
  }
  return attachments
}

const REQUISITION_PREFIX = 'requisition:'

/** The documented rule: a label `requisition:<id>` (prefix in any case) names the requisition; the first one wins. */
export function requisitionOf(labels: readonly string[]): string | null {
  for (const label of labels) {
    if (label.toLowerCase().startsWith(REQUISITION_PREFIX)) {
      const id = label.slice(REQUISITION_PREFIX.length).trim()
      if (id) return id
    }
  }
  return null
}

function inProject(project: unknown, projectId: string): boolean {
  if (!project || typeof project !== 'object') return false
  const { key, id } = project as { key?: unknown; id?: unknown }
  const wanted = projectId.trim().toLowerCase()
  return (typeof key === 'string' && key.toLowerCase() === wanted) || jiraId(id) === projectId.trim()
}

/** The issue as the port describes items; undefined when the answer has no usable id. */
export function toSourceItem(issue: JiraIssue, rules: ItemRules, siteUrl: string | null): SourceItem | undefined {
  const id = jiraId(issue.id)
  if (!id) return undefined
  const fields = issue.fields ?? {}
  const labels = Array.isArray(fields.labels) ? fields.labels.filter((label): label is string => typeof label === 'string') : []
  const lower = new Set(labels.map((label) => label.toLowerCase()))
  const key = typeof issue.key === 'string' && /^[A-Za-z][A-Za-z0-9_]*-\d+$/.test(issue.key) ? issue.key : null
  return {
    id,
    url: siteUrl && key ? `${siteUrl}/browse/${key}` : null,
    title: text(fields.summary),
    sender: person(fields.creator) ?? person(fields.reporter),
    labels,
    updatedAt: (parseJiraDate(fields.updated) ?? new Date(0)).toISOString(),
    inScope: inProject(fields.project, rules.projectId) && rules.filterLabels.some((label) => lower.has(label.toLowerCase())),
    processed: lower.has(rules.processedLabel.toLowerCase()),
    requisitionId: requisitionOf(labels),
    attachments: attachmentsOf(fields.attachment),
  }
}
