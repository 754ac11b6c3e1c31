// A place resumes arrive in: a task manager's hiring project, a hiring
// mailbox. One client class per provider implements this port; everything
// else (webhook routes, reconciliation, intake, marking items processed) is
// shared and knows providers only through it.
//
// Webhooks are hints and the provider's API is the truth: a delivery only
// names items to look at again, and getItem() says what they hold now.
import type { Source } from '../domain/candidate.ts'
import type { WebhookRegistration } from '../domain/source-state.ts'

/** An item that changed at the source, as a listing names it. */
export interface SourceItemChange {
  id: string
  /** The provider's last-modified time of the item (ISO 8601). */
  updatedAt: string
}

export interface ChangePage {
  changes: SourceItemChange[]
  /** Pass back to list the next page; null on the last one. */
  nextPage: string | null
}

/** A page of changes from a source that keeps its own cursor (Graph's delta link, IMAP's UIDVALIDITY and last UID). */
export interface CursorPage extends ChangePage {
  /** On the last page: where the next run starts. Null on every other page. */
  cursor: string | null
  /** The stored cursor was no longer valid and the listing started again from the look-back time (a resync). */
  resynced: boolean
}

/** What the intake made of an item, for its processed mark. */
export interface ItemOutcome {
  /** The candidates its attachments became (new or already known). */
  candidateIds: string[]
  /** No attachment was a resume (and none was a link to one kept elsewhere). */
  noResume: boolean
}

export interface SourceAttachment {
  /** The provider's id of the attachment. */
  id: string
  /** The name the sender gave the file. */
  filename: string
  /** Bytes, when the provider says. */
  size: number | null
  /** The provider's claim of the type; the intake judges the bytes themselves. */
  mediaType: string | null
  /**
   * Set for a file that lives elsewhere (a Drive, Dropbox or OneDrive link):
   * HR is told of it, and it is never fetched.
   */
  externalUrl: string | null
}

export interface SourceItem {
  id: string
  /** A link a person can open (the task, the message). */
  url: string | null
  /** The task's name, the mail's subject. */
  title: string | null
  /** The task's creator, the mail's sender. */
  sender: string | null
  /** Mail: when it was received (ISO 8601). */
  receivedAt?: string | null
  /** Mail: its Internet Message-ID, which stays the same in every mailbox and folder. */
  messageId?: string | null
  /** Tags or labels (task managers), categories (mail). */
  labels: string[]
  updatedAt: string
  /** Whether hireflow should take this item in at all (its project and filter labels). */
  inScope: boolean
  /** The item already carries hireflow's processed mark. */
  processed: boolean
  /** The requisition the item names by the provider's documented rule, if any. */
  requisitionId: string | null
  attachments: SourceAttachment[]
}

/** One webhook call as it arrived: the signature is checked on these exact bytes. */
export interface WebhookDelivery {
  /** Header names in lower case. */
  headers: Record<string, string | undefined>
  query: Record<string, string | undefined>
  rawBody: Buffer
  receivedAt: Date
}

export type WebhookVerdict =
  /** Authentic: look at these items again. `deliveryId` where the provider names its deliveries. */
  | { kind: 'accepted'; itemIds: string[]; deliveryId: string | null }
  /** Not authentic, or not for us: answered 401, nothing is queued. `reason` goes to the log only. */
  | { kind: 'rejected'; reason: string }
  /**
   * A provider's set-up call (Asana's X-Hook-Secret, Graph's validationToken):
   * answered as given; `secret`, when set, is remembered for the webhook being
   * registered.
   */
  | { kind: 'handshake'; status: number; headers: Record<string, string>; body: string | null; secret: string | null }

/** A provider's notice about a webhook itself (Graph's lifecycle notifications), verified like a delivery. */
export type LifecycleVerdict =
  | { kind: 'accepted'; events: Array<{ webhookId: string; event: string }> }
  | Extract<WebhookVerdict, { kind: 'rejected' } | { kind: 'handshake' }>

/** What keeping a source's webhook alive did. `resync`: notifications may have been lost meanwhile; reconcile now. */
export interface WebhookUpkeep {
  outcome: 'created' | 'renewed' | 'recreated' | 'reauthorized' | 'resync' | 'ignored'
  registration: WebhookRegistration | null
  resync: boolean
}

export interface IntakeSource {
  /** `clickup`, `asana`, `jira`, `graph`, `imap`: the name in routes, state and logs. */
  readonly provider: string
  readonly source: Source

  /** Items changed at or after `since`, page by page. */
  listChanges(since: Date, page: string | null): Promise<ChangePage>
  /**
   * Sources with a cursor of their own implement this instead of being
   * listed by time: the changes after `cursor` (null on the first run, or
   * when the provider no longer knows it: then everything since `lookback`),
   * page by page; the last page gives the cursor to store.
   */
  syncChanges?(cursor: string | null, lookback: Date, page: string | null): Promise<CursorPage>
  /** The item as it is now, or undefined when it is gone. */
  getItem(itemId: string): Promise<SourceItem | undefined>
  /**
   * The attachment's bytes, read under `maxBytes` (more is refused while
   * reading) from the provider's own hosts or those the operator allowed.
   */
  downloadAttachment(item: SourceItem, attachment: SourceAttachment, options: { maxBytes: number }): Promise<Buffer>
  /**
   * Puts hireflow's processed mark on the item (a tag, a label, a mail
   * category or keyword, with the candidate ids where the provider can hold
   * them); doing it twice changes nothing.
   */
  markProcessed(item: SourceItem, outcome: ItemOutcome): Promise<void>
  /**
   * Leaves a note on the item for the people who work there (a task
   * comment). Mailboxes have no such place and never write to the sender:
   * their note goes to the log only.
   */
  comment(itemId: string, text: string): Promise<void>

  /**
   * Checks a delivery against the secrets of the registered webhooks (and
   * any configured by hand), in constant time, on the raw bytes.
   */
  verifyWebhook(delivery: WebhookDelivery, registrations: readonly WebhookRegistration[]): WebhookVerdict
  /**
   * Registers `callbackUrl` for the events that can bring a resume.
   * `handshakeSecret` resolves with the secret a handshake delivered while the
   * registration was in flight (Asana), or null when none came.
   */
  registerWebhook(callbackUrl: string, handshakeSecret: () => Promise<string | null>): Promise<WebhookRegistration>
  /** The webhooks the provider has for this source, as the provider reports them (secrets may be absent). */
  listWebhooks(): Promise<WebhookRegistration[]>
  /** Deletes the provider's webhook; one already gone is not an error. */
  deleteWebhook(id: string): Promise<void>

  /** A cheap authenticated call: throws with a short reason when the provider cannot be used. */
  probe(): Promise<void>

  /**
   * Sources whose webhooks expire (Graph subscriptions, at most 4,230
   * minutes): creates the webhook for `callbackUrl` when there is none,
   * renews it when there is, and recreates it when the provider lost it.
   */
  keepWebhook?(callbackUrl: string): Promise<WebhookUpkeep>
  /** Checks a lifecycle notice (the provider's word about the webhook itself) as verifyWebhook checks deliveries. */
  verifyLifecycle?(delivery: WebhookDelivery, registrations: readonly WebhookRegistration[]): LifecycleVerdict
  /** Acts on one verified lifecycle event (reauthorize, recreate, or ask for a resync). */
  handleLifecycle?(event: { webhookId: string; event: string }, callbackUrl: string): Promise<WebhookUpkeep>
}

/** Retrying cannot help (the item is gone, access was revoked for it, the file is refused). */
export class PermanentSourceError extends Error {
  override name = 'PermanentSourceError'
}
