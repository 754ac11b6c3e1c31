// A ClickUp task as hireflow sees it: in scope when its home List is the
// hiring list (HIRING_PROJECT_ID) and it carries a filter tag, processed when
// it carries the processed tag, and naming its requisition with a tag
// `requisition:<id>`. Tags are compared without case: whether ClickUp keeps
// the case of a tag name is not documented.
import type { SourceAttachment, SourceItem } from '../../ports/intake-source.ts'
import { isoFromMillis, tagNames, type ClickUpAttachment, type ClickUpTask } from './api.ts'

const REQUISITION_TAG = /^requisition:\s*([A-Za-z0-9_-]{1,64})\s*$/i

/**
 * Cloud-drive links attached to a task (ClickUp lets people attach Google
 * Drive, Dropbox, Box and OneDrive files by link): shown to HR, never fetched.
 */
const DRIVE_HOSTS = [
  'drive.google.com',
  'docs.google.com',
  'dropbox.com',
  'www.dropbox.com',
  'dl.dropboxusercontent.com',
  'app.box.com',
  'box.com',
  'onedrive.live.com',
  '1drv.ms',
]
const DRIVE_SUFFIXES = ['.sharepoint.com', '.box.com', '.dropbox.com']

export interface ClickUpScope {
  listId: string
  filterLabels: readonly string[]
  processedLabel: string
}

export interface ClickUpAttachmentRef {
  attachment: SourceAttachment
  /** Where ClickUp serves the file; null when the attachment has no URL. */
  url: string | null
}

const lower = (names: readonly string[]) => new Set(names.map((name) => name.toLowerCase()))

export function hasAnyTag(task: ClickUpTask, wanted: readonly string[]): boolean {
  const want = lower(wanted)
  return tagNames(task).some((name) => want.has(name.toLowerCase()))
}

export function isInScope(task: ClickUpTask, scope: ClickUpScope): boolean {
  return task.list != null && String(task.list.id) === scope.listId && hasAnyTag(task, scope.filterLabels)
}

export const isProcessed = (task: ClickUpTask, scope: ClickUpScope): boolean => hasAnyTag(task, [scope.processedLabel])

/** The first `requisition:<id>` tag names the requisition. */
export function requisitionOf(task: ClickUpTask): string | null {
  for (const name of tagNames(task)) {
    const match = REQUISITION_TAG.exec(name)
    if (match) return match[1]!
  }
  return null
}

export function isDriveLink(url: string): boolean {
  let host: string
  try {
    host = new URL(url).hostname.toLowerCase()
  } catch {
    return false
  }
  return DRIVE_HOSTS.includes(host) || DRIVE_SUFFIXES.some((suffix) => host.endsWith(suffix))
}

function attachmentRef(attachment: ClickUpAttachment): ClickUpAttachmentRef {
  const url = attachment.url_w_host || attachment.url || null
  const size = Number(attachment.size)
  const extension = attachment.extension ? `.${attachment.extension}` : ''
  return {
    attachment: {
      id: attachment.id,
      filename: attachment.title || `${attachment.id}${attachment.id.endsWith(extension) ? '' : extension}`,
      size: attachment.size != null && Number.isFinite(size) && size >= 0 ? size : null,
      mediaType: attachment.mimetype || null,
      externalUrl: url && isDriveLink(url) ? url : null,
    },
    url,
  }
}

/** The task's files: deleted ones and folders left out. */
export function attachmentsOf(task: ClickUpTask): ClickUpAttachmentRef[] {
  return (task.attachments ?? [])
    .filter((attachment) => attachment && typeof attachment.id === 'string' && !attachment.deleted && !attachment.is_folder)
    .map(attachmentRef)
}

export function toSourceItem(task: ClickUpTask, scope: ClickUpScope, attachments: ClickUpAttachmentRef[]): SourceItem {
  const creator = task.creator
  return {
    id: task.id,
    url: task.url ?? null,
    title: task.name ?? null,
    sender: creator?.email || creator?.username || null,
    labels: tagNames(task),
    updatedAt: isoFromMillis(task.date_updated) ?? new Date(0).toISOString(),
    inScope: isInScope(task, scope),
    processed: isProcessed(task, scope),
    requisitionId: requisitionOf(task),
    attachments: attachments.map((ref) => ref.attachment),
  }
}
