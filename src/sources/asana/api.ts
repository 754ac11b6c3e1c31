// Asana's wire format as hireflow uses it (developers.asana.com, generated
// from Asana's OpenAPI spec): every answer is `{data}`, lists add
// `next_page`, ids are strings of digits.

export const ASANA_API = 'https://app.asana.com/api/1.0'

/** Asana refuses more per page; without a limit it truncates at about 1,000 objects and sends no next_page. */
export const PAGE_LIMIT = 100

/**
 * Where Asana serves the bytes of files it stores (host "asana"). Asana
 * documents none by name: s3.amazonaws.com is the spec's example; the others
 * are observed in real answers (UNCONFIRMED). Their URLs are pre-signed, so no
 * Asana credential is ever sent to them. Another region's bucket can be added
 * with TASK_MANAGER_ATTACHMENT_HOSTS.
 */
export const ASANA_ATTACHMENT_HOSTS = [
  'asanausercontent.com',
  '*.asanausercontent.com',
  'asana-user-private-us-east-1.s3.amazonaws.com',
  'asana-user-private-us-west-2.s3.amazonaws.com',
  'asana-user-private-eu-west-1.s3.amazonaws.com',
  's3.amazonaws.com',
  's3.us-east-1.amazonaws.com',
] as const

export const TASK_FIELDS = 'name,modified_at,permalink_url,tags.name,projects.name,created_by.name'
export const ATTACHMENT_FIELDS = 'name,host,download_url,size,resource_subtype,view_url,permanent_url'
export const WEBHOOK_FIELDS = 'resource,target,active,created_at'

export interface Envelope<T> {
  data: T
}

export interface ListEnvelope<T> {
  data: T[]
  next_page?: { offset: string; path?: string; uri?: string } | null
}

export interface Compact {
  gid: string
  name?: string | null
}

export interface AsanaTask {
  gid: string
  name?: string | null
  modified_at?: string | null
  permalink_url?: string | null
  tags?: Compact[]
  projects?: Compact[]
  created_by?: Compact | null
}

export interface AsanaAttachment {
  gid: string
  name?: string | null
  /** `asana` for files Asana stores; dropbox, gdrive, onedrive, box, vimeo, external otherwise. */
  host?: string | null
  /** Valid for about two minutes from when it was read; null for Box and Vimeo. */
  download_url?: string | null
  /** Only for host `asana`. */
  size?: number | null
  view_url?: string | null
  permanent_url?: string | null
}

export interface AsanaProject {
  gid: string
  name?: string | null
  workspace?: Compact | null
}

export interface AsanaWebhook {
  gid: string
  resource?: Compact | null
  target?: string | null
  active?: boolean
  created_at?: string | null
}

/** The 201 of POST /webhooks carries the handshake secret next to `data`. */
export interface CreatedWebhook extends Envelope<AsanaWebhook> {
  'X-Hook-Secret'?: string
}

export interface AsanaTag {
  gid: string
  name?: string | null
}

export const isGid = (value: string) => /^\d{1,30}$/.test(value)
