// A hiring mailbox on any IMAP server (Gmail, Dovecot, Fastmail, ...) as an
// intake source. Reconciliation lists mail by UID from a cursor of
// UIDVALIDITY and the last UID seen; a mail is found again by its
// Message-ID, in the hiring folder or where it was moved to. A processed
// mail gets the keyword $HireflowProcessed (and $HireflowNoResume when it
// held no resume) and is optionally moved; hireflow never writes to the
// sender. New mail is noticed by IDLE (idle.ts), which only starts a
// reconciliation: there are no webhooks.
import type { Readable } from 'node:stream'
import type { FastifyBaseLogger } from 'fastify'
import { ImapFlow, type MailboxObject, type MessageAddressObject, type SearchObject } from 'imapflow'
import { simpleParser, type Attachment as ParsedAttachment } from 'mailparser'
import type { ImapMailboxConfig } from '../../config.ts'
import type { WebhookRegistration } from '../../domain/source-state.ts'
import { DownloadRefusedError } from '../../net/safe-download.ts'
import {
  PermanentSourceError,
  type ChangePage,
  type CursorPage,
  type IntakeSource,
  type ItemOutcome,
  type SourceAttachment,
  type SourceItem,
  type SourceItemChange,
  type WebhookVerdict,
} from '../../ports/intake-source.ts'
import type { MailboxSourceContext } from '../context.ts'
import { requisitionFromMail } from '../mail-requisition.ts'
import { clientOptions, describeImapError, endSession, isMissingFolder, withSession } from './connection.ts'
import {
  formatCursor,
  formatPageToken,
  itemIdFor,
  parseCursor,
  parseItemId,
  parsePageToken,
  usableMessageId,
  type ListingRange,
} from './ids.ts'
import { attachmentParts, likelyDecodedSize, smallestDecodedSize, type OpaqueMessage, type PartAttachment } from './structure.ts'

/** The keyword every mail hireflow took in gets. */
export const PROCESSED_KEYWORD = '$HireflowProcessed'
/** The keyword a processed mail without any resume gets as well. */
export const NO_RESUME_KEYWORD = '$HireflowNoResume'
/** Mails listed per page of a sync. */
export const SYNC_PAGE_SIZE = 200
/** A download may take this long (an 8 MB file over a slow link), where other operations get a minute. */
const DOWNLOAD_DEADLINE_MS = 5 * 60_000
/** A probe is a health check: it answers within this, or says the mailbox cannot be used. */
const PROBE_DEADLINE_MS = 15_000
/**
 * A forwarded mail the server could not open is read whole to list its
 * files: at most this much (to fetch one of its files, twice that file's
 * maxBytes if that is more).
 */
const FORWARDED_MAIL_MAX_BYTES = 64 * 1024 * 1024
/** SEARCH SINCE compares dates only, in the server's idea of the day: it is asked a day early and the exact time decides. */
const DAY_MS = 86_400_000

const ATTACHMENT_PART = /^\d{1,4}(?:\.\d{1,4}){0,8}$/
const FORWARDED_ATTACHMENT = /^(\d{1,4}(?:\.\d{1,4}){0,8})#(\d{1,4})$/

/** The mail an item id names, where it is now. */
interface FoundMail {
  folder: string
  /** Its UID there; the lowest when several copies carry the same Message-ID. */
  uid: number
  /** Every copy in that folder (the same mail delivered twice). */
  uids: number[]
  mailbox: MailboxObject
}

const toDate = (value: Date | string | undefined): Date | null => {
  if (value === undefined) return null
  const date = value instanceof Date ? value : new Date(value)
  return Number.isNaN(date.getTime()) ? null : date
}

const hasKeyword = (flags: Iterable<string>, keyword: string) => [...flags].some((flag) => flag.toLowerCase() === keyword.toLowerCase())

function senderOf(from: MessageAddressObject[] | undefined): string | null {
  const first = from?.[0]
  if (!first?.address) return first?.name || null
  return first.name ? `${first.name} <${first.address}>` : first.address
}

/** Files mailparser found in a forwarded mail, in its order: a mail forwarded inside it is not opened (one level only). */
function parsedFiles(attachments: ParsedAttachment[]): ParsedAttachment[] {
  return attachments.filter((attachment) => !attachment.contentType.toLowerCase().startsWith('message/'))
}

async function readAll(stream: Readable, maxBytes: number, refuse: () => DownloadRefusedError): Promise<Buffer> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of stream) {
    total += (chunk as Buffer).length
    if (total > maxBytes) {
      stream.destroy()
      throw refuse()
    }
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks, total)
}

/** The highest UID in the open folder: from UIDNEXT, which every server sends on SELECT, or else from its last mail. */
async function highestUid(client: ImapFlow, mailbox: MailboxObject): Promise<number> {
  if (Number.isSafeInteger(mailbox.uidNext) && mailbox.uidNext > 0) return mailbox.uidNext - 1
  if (mailbox.exists === 0) return 0
  const last = await client.fetchOne('*', { uid: true })
  return last ? last.uid : 0
}

export class ImapSource implements IntakeSource {
  readonly provider = 'imap'
  readonly source = 'mailbox' as const
  readonly #settings: ImapMailboxConfig
  readonly #log: FastifyBaseLogger
  /** The hiring mailbox's own address, when the login is one: only its plus-addresses name a requisition. */
  readonly #address: string | null
  /** Where a mail may be: the hiring folder, then the folder processed mail is moved to. */
  readonly #folders: string[]

  constructor(context: MailboxSourceContext<ImapMailboxConfig>) {
    this.#settings = context.settings
    this.#log = context.log
    this.#address = context.settings.user.includes('@') ? context.settings.user : null
    const { folder, moveTo } = context.settings
    this.#folders = moveTo && moveTo !== folder ? [folder, moveTo] : [folder]
  }

  async syncChanges(cursor: string | null, lookback: Date, page: string | null): Promise<CursorPage> {
    return this.#session('sync', async (client) => {
      const lock = await client.getMailboxLock(this.#settings.folder, { readOnly: true })
      try {
        const mailbox = client.mailbox as MailboxObject
        const uidValidity = mailbox.uidValidity.toString()
        const highest = await highestUid(client, mailbox)
        const stored = parseCursor(cursor)
        let range = parsePageToken(page)
        // A page of another UIDVALIDITY names UIDs that mean nothing now: the listing starts over.
        if (!range || range.uidValidity !== uidValidity) {
          range =
            stored && stored.uidValidity === uidValidity
              ? { uidValidity, from: stored.lastUid + 1, to: highest, since: null, resynced: false }
              : // No cursor yet, or one the folder no longer honours: what arrived in the look-back window, never the whole folder.
                { uidValidity, from: 1, to: highest, since: lookback.getTime(), resynced: cursor !== null }
          if (range.resynced) {
            const why = stored
              ? `its UIDVALIDITY changed from ${stored.uidValidity} to ${uidValidity}`
              : 'the stored cursor is not an IMAP one'
            this.#log.warn({ folder: this.#settings.folder }, `listing the folder's mail from the look-back time: ${why}`)
          }
        }
        const { changes, next } = await this.#listRange(client, range)
        if (next) return { changes, nextPage: formatPageToken(next), cursor: null, resynced: range.resynced }
        // The cursor never goes back: a listing that began before mail arrived leaves that mail to the next run.
        const lastUid = Math.max(range.to, stored?.uidValidity === uidValidity ? stored.lastUid : 0)
        return { changes, nextPage: null, cursor: formatCursor({ uidValidity, lastUid }), resynced: range.resynced }
      } finally {
        lock.release()
      }
    })
  }

  async listChanges(since: Date, page: string | null): Promise<ChangePage> {
    return this.#session('list', async (client) => {
      const lock = await client.getMailboxLock(this.#settings.folder, { readOnly: true })
      try {
        const mailbox = client.mailbox as MailboxObject
        const uidValidity = mailbox.uidValidity.toString()
        let range = parsePageToken(page)
        if (!range || range.uidValidity !== uidValidity) {
          range = { uidValidity, from: 1, to: await highestUid(client, mailbox), since: since.getTime(), resynced: false }
        }
        const { changes, next } = await this.#listRange(client, range)
        return { changes, nextPage: next ? formatPageToken(next) : null }
      } finally {
        lock.release()
      }
    })
  }

  async getItem(itemId: string): Promise<SourceItem | undefined> {
    if (!parseItemId(itemId)) return undefined
    return this.#session('get mail', async (client) => {
      const found = await this.#withMail(client, itemId, true, async (mail) => {
        const message = await client.fetchOne(
          String(mail.uid),
          { uid: true, envelope: true, flags: true, internalDate: true, bodyStructure: true },
          { uid: true },
        )
        if (!message) return undefined
        const envelope = message.envelope ?? {}
        const flags = message.flags ?? new Set<string>()
        const received = toDate(message.internalDate) ?? toDate(envelope.date) ?? new Date()
        const subject = envelope.subject?.trim() ? envelope.subject : null
        const recipients = [...(envelope.to ?? []), ...(envelope.cc ?? [])].flatMap((address) => (address.address ? [address.address] : []))
        const attachments: SourceAttachment[] = []
        for (const entry of attachmentParts(message.bodyStructure)) {
          if (entry.kind === 'part') attachments.push(partAttachment(entry))
          else attachments.push(...(await this.#forwardedAttachments(client, mail, entry)))
        }
        const item: SourceItem = {
          id: itemId,
          url: null,
          title: subject,
          sender: senderOf(envelope.from),
          receivedAt: received.toISOString(),
          messageId: usableMessageId(envelope.messageId),
          labels: [...flags].filter((flag) => !flag.startsWith('\\')),
          updatedAt: received.toISOString(),
          // The folder is the scope: everything in it is an application.
          inScope: true,
          processed: hasKeyword(flags, PROCESSED_KEYWORD) || hasKeyword(flags, NO_RESUME_KEYWORD),
          requisitionId: requisitionFromMail(subject, recipients, this.#address),
          attachments,
        }
        return item
      })
      return found ?? undefined
    })
  }

  async downloadAttachment(item: SourceItem, attachment: SourceAttachment, options: { maxBytes: number }): Promise<Buffer> {
    const { maxBytes } = options
    const part = ATTACHMENT_PART.test(attachment.id) ? attachment.id : null
    const forwarded = FORWARDED_ATTACHMENT.exec(attachment.id)
    if (!part && !forwarded) throw new PermanentSourceError(`imap: "${attachment.id.slice(0, 40)}" is not an attachment id hireflow gave`)
    const tooLarge = (what: string) =>
      new DownloadRefusedError('too_large', `download refused: ${what} is larger than ${maxBytes} bytes`, {
        host: this.#settings.host,
        retryable: false,
      })
    const bytes = await this.#session(
      'download',
      async (client) =>
        this.#withMail(client, item.id, true, async (mail) => {
          const message = await client.fetchOne(String(mail.uid), { uid: true, bodyStructure: true }, { uid: true })
          if (!message) return null
          const entries = attachmentParts(message.bodyStructure)
          if (part) {
            const entry = entries.find((candidate): candidate is PartAttachment => candidate.kind === 'part' && candidate.part === part)
            if (!entry) return null
            // Certainly too large by what the server declares: refused before a byte is fetched.
            if (smallestDecodedSize(entry.encodedSize, entry.encoding) > maxBytes) throw tooLarge(`the attachment ${attachment.filename}`)
            // One byte more than allowed is asked for, so a file over the limit shows itself while it is read.
            const download = await client.download(String(mail.uid), entry.part, { uid: true, maxBytes: maxBytes + 1, decodeText: false })
            if (!download.content) return null
            return readAll(download.content, maxBytes, () => tooLarge(`the attachment ${attachment.filename}`))
          }
          const [, container, index] = forwarded!
          const entry = entries.find(
            (candidate): candidate is OpaqueMessage => candidate.kind === 'message' && candidate.part === container,
          )
          if (!entry) return null
          const files = await this.#readForwarded(client, mail, entry, Math.max(FORWARDED_MAIL_MAX_BYTES, 2 * maxBytes))
          const file = files[Number(index)]
          if (!file) return null
          if (file.content.length > maxBytes) throw tooLarge(`the attachment ${attachment.filename}`)
          return file.content
        }),
      DOWNLOAD_DEADLINE_MS,
    )
    if (!bytes) throw new PermanentSourceError(`imap: the attachment ${attachment.id} of mail ${item.id} is gone`)
    return bytes
  }

  async markProcessed(item: SourceItem, outcome: ItemOutcome): Promise<void> {
    const keywords = outcome.noResume ? [PROCESSED_KEYWORD, NO_RESUME_KEYWORD] : [PROCESSED_KEYWORD]
    const { folder, moveTo } = this.#settings
    const done = await this.#session('mark processed', async (client) => {
      if (moveTo && moveTo !== folder) await this.#ensureFolder(client, moveTo)
      return this.#withMail(client, item.id, false, async (mail) => {
        // PERMANENTFLAGS lists the keywords a folder keeps, and \* that it takes new ones; a server that says nothing is trusted.
        const permanent = mail.mailbox.permanentFlags
        const takesKeywords = !permanent || hasKeyword(permanent, '\\*') || keywords.every((keyword) => hasKeyword(permanent, keyword))
        if (takesKeywords) {
          // Adding a keyword a mail has already changes nothing, so a retry is harmless.
          if (!(await client.messageFlagsAdd(mail.uids, keywords, { uid: true }))) {
            throw new Error(`imap: the server did not store the processed keyword on mail ${item.id}`)
          }
        } else if (!moveTo) {
          throw new PermanentSourceError(
            `imap: the folder ${mail.folder} does not take keywords (PERMANENTFLAGS), so processed mail cannot be marked; set MAILBOX_MOVE_TO`,
          )
        } else {
          this.#log.warn({ folder: mail.folder }, 'the folder does not take keywords; processed mail is only moved')
        }
        if (moveTo && mail.folder !== moveTo) {
          if (!(await client.messageMove(mail.uids, moveTo, { uid: true })))
            throw new Error(`imap: the server did not move mail ${item.id} to ${moveTo}`)
        }
        return true
      })
    })
    if (!done) throw new PermanentSourceError(`imap: mail ${item.id} is no longer in ${this.#folders.join(' or ')}`)
  }

  async comment(itemId: string, text: string): Promise<void> {
    // A mailbox has no place for notes, and hireflow never writes to a candidate: the note is logged.
    this.#log.info({ itemId, note: text }, 'mail processed')
  }

  verifyWebhook(): WebhookVerdict {
    return { kind: 'rejected', reason: 'IMAP has no webhooks; it is watched with IDLE' }
  }

  async registerWebhook(): Promise<WebhookRegistration> {
    throw new Error('imap: IMAP has no webhooks; new mail is noticed with IDLE and reconciliation, so there is nothing to register')
  }

  async listWebhooks(): Promise<WebhookRegistration[]> {
    return []
  }

  async deleteWebhook(): Promise<void> {
    // There are none to delete.
  }

  async probe(): Promise<void> {
    const { folder } = this.#settings
    // One attempt under a short deadline: a health check reports, it does not wait for the server to come back.
    const client = new ImapFlow(clientOptions(this.#settings))
    // Heard so that a late connection error cannot end the process; the failure itself comes from connect().
    client.on('error', () => {})
    let expired = false
    const deadline = setTimeout(() => {
      expired = true
      client.close()
    }, PROBE_DEADLINE_MS)
    try {
      await client.connect()
      // STATUS reads the folder without selecting it.
      const status = await client.status(folder, { messages: true })
      if (!status) throw Object.assign(new Error(`folder ${folder} not found`), { mailboxMissing: true })
    } catch (error) {
      const reason = expired
        ? `${this.#settings.host}:${this.#settings.port} did not answer within ${PROBE_DEADLINE_MS} ms`
        : isMissingFolder(error)
          ? `folder ${folder} not found`
          : describeImapError(error, this.#settings)
      throw new Error(`imap: ${reason}`, { cause: error })
    } finally {
      clearTimeout(deadline)
      await endSession(client)
    }
  }

  #session<T>(what: string, work: (client: ImapFlow) => Promise<T>, deadlineMs?: number): Promise<T> {
    return withSession(this.#settings, this.#log, { what, ...(deadlineMs ? { deadlineMs } : {}) }, work)
  }

  /**
   * Finds the mail `itemId` names (its Message-ID in the hiring folder,
   * then in the folder processed mail goes to; a fallback id in the hiring
   * folder only) and runs `use` with that folder open. Undefined when the
   * mail is in neither.
   */
  async #withMail<T>(client: ImapFlow, itemId: string, readOnly: boolean, use: (mail: FoundMail) => Promise<T>): Promise<T | undefined> {
    const ref = parseItemId(itemId)
    if (!ref) return undefined
    const folders = ref.kind === 'uid' ? [this.#settings.folder] : this.#folders
    for (const folder of folders) {
      let lock
      try {
        lock = await client.getMailboxLock(folder, { readOnly })
      } catch (error) {
        // The folder for processed mail exists only once something was moved there.
        if (folder !== this.#settings.folder && isMissingFolder(error)) continue
        throw error
      }
      try {
        const mailbox = client.mailbox as MailboxObject
        let uids: number[]
        if (ref.kind === 'uid') {
          if (mailbox.uidValidity.toString() !== ref.uidValidity) return undefined
          uids = await this.#search(client, { uid: String(ref.uid) })
        } else {
          // SEARCH HEADER matches substrings, and case-insensitively on most servers: the exact Message-ID decides.
          const candidates = await this.#search(client, { header: { 'message-id': ref.messageId } })
          uids = []
          if (candidates.length > 0) {
            for await (const message of client.fetch(candidates.join(','), { uid: true, envelope: true }, { uid: true })) {
              if (usableMessageId(message.envelope?.messageId) === ref.messageId) uids.push(message.uid)
            }
          }
        }
        uids.sort((a, b) => a - b)
        if (uids.length > 0) return await use({ folder, uid: uids[0]!, uids, mailbox })
      } finally {
        lock.release()
      }
    }
    return undefined
  }

  async #search(client: ImapFlow, query: SearchObject): Promise<number[]> {
    const found = await client.search(query, { uid: true })
    if (!Array.isArray(found)) throw new Error('imap: the server refused a search')
    return found
  }

  /** One page of the mail in `range`: the next range when more is left. Mail with the processed keyword is left out. */
  async #listRange(client: ImapFlow, range: ListingRange): Promise<{ changes: SourceItemChange[]; next: ListingRange | null }> {
    // "UID 5:3" would mean 3:5 to the server: an empty range is never sent.
    if (range.from > range.to) return { changes: [], next: null }
    const query: SearchObject = { uid: `${range.from}:${range.to}`, unKeyword: PROCESSED_KEYWORD }
    if (range.since !== null) query.since = new Date(range.since - DAY_MS)
    const uids = (await this.#search(client, query)).sort((a, b) => a - b)
    const taken = uids.slice(0, SYNC_PAGE_SIZE)
    const next = uids.length > SYNC_PAGE_SIZE ? { ...range, from: uids[SYNC_PAGE_SIZE]! } : null
    const changes: SourceItemChange[] = []
    if (taken.length > 0) {
      for await (const message of client.fetch(taken.join(','), { uid: true, envelope: true, internalDate: true }, { uid: true })) {
        const received = toDate(message.internalDate)
        if (range.since !== null && received && received.getTime() < range.since) continue
        changes.push({
          id: itemIdFor(message.envelope?.messageId, range.uidValidity, message.uid),
          updatedAt: (received ?? new Date()).toISOString(),
        })
      }
    }
    return { changes, next }
  }

  /** The files of a forwarded mail the server could not open, as attachments with ids `<part>#<index>`. */
  async #forwardedAttachments(client: ImapFlow, mail: FoundMail, entry: OpaqueMessage): Promise<SourceAttachment[]> {
    try {
      const files = await this.#readForwarded(client, mail, entry, FORWARDED_MAIL_MAX_BYTES)
      return files.map((file, index) => ({
        id: `${entry.part}#${index}`,
        filename: file.filename?.trim() || `attachment-${entry.part}-${index + 1}`,
        size: file.size ?? file.content.length,
        mediaType: file.contentType || null,
        externalUrl: null,
      }))
    } catch (error) {
      if (!(error instanceof DownloadRefusedError)) throw error
      this.#log.warn({ part: entry.part, reason: error.message }, 'a forwarded mail is too large to open; its attachments are not listed')
      return []
    }
  }

  async #readForwarded(client: ImapFlow, mail: FoundMail, entry: OpaqueMessage, maxBytes: number): Promise<ParsedAttachment[]> {
    const refuse = () =>
      new DownloadRefusedError('too_large', `download refused: the forwarded mail is larger than ${maxBytes} bytes`, {
        host: this.#settings.host,
        retryable: false,
      })
    if (smallestDecodedSize(entry.encodedSize, entry.encoding) > maxBytes) throw refuse()
    const download = await client.download(String(mail.uid), entry.part, { uid: true, maxBytes: maxBytes + 1, decodeText: false })
    if (!download.content) return []
    const raw = await readAll(download.content, maxBytes, refuse)
    const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true })
    return parsedFiles(parsed.attachments)
  }

  /** Creates the folder processed mail goes to, unless it exists. */
  async #ensureFolder(client: ImapFlow, path: string): Promise<void> {
    try {
      await client.mailboxCreate(path)
    } catch (error) {
      // Servers that do not say ALREADYEXISTS: the folder is there if STATUS can read it.
      const exists = await client.status(path, { messages: true }).catch(() => false)
      if (!exists) throw error
    }
  }
}

function partAttachment(entry: PartAttachment): SourceAttachment {
  return {
    id: entry.part,
    filename: entry.filename,
    size: likelyDecodedSize(entry.encodedSize, entry.encoding),
    mediaType: entry.mediaType,
    externalUrl: null,
  }
}
