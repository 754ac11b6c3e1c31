// What every mailbox stand-in in test/ offers the tests: the Graph stand-in
// (built from Microsoft Graph's documented contract) and a real Dovecot
// server for IMAP. The fields here are only how a test seeds and inspects
// the mailbox; hireflow reaches it through its real client.
import type { FakeAttachment } from './fake-provider.ts'

export interface FakeMailInput {
  subject?: string
  /** `Jane Doe <jane@example.com>` or a bare address. */
  from?: string
  /** The address the mail was sent to (the hiring mailbox, or a plus-address of it). */
  to?: string
  body?: string
  attachments?: FakeAttachment[]
  /** A mail attached to this one (a forwarded message), with attachments of its own. */
  forwarded?: { subject?: string; from?: string; attachments?: FakeAttachment[] }
}

export interface FakeMailView {
  /** Categories (Graph) or keywords (IMAP) the mail carries now. */
  marks: string[]
  /** The folder it is in now (Graph: display name; IMAP: path). */
  folder: string
}

export interface FakeMailbox {
  /** `graph` or `imap`. */
  readonly provider: string
  /** The environment that points hireflow at this mailbox: MAILBOX and its provider's settings. */
  readonly env: Record<string, string>
  /** The processed mark and the no-resume mark, as this provider shows them. */
  readonly processedMark: string
  readonly noResumeMark: string
  /** A mail arrives in the hiring folder. */
  deliver(mail: FakeMailInput): Promise<void>
  /** The mail with this subject, wherever it is now; throws when there is none. */
  mail(subject: string): Promise<FakeMailView>
  /** While true, hireflow cannot reach the mailbox (connections refused or 503). */
  setDown(down: boolean): Promise<void>
  close(): Promise<void>
}
