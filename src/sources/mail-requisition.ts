// The requisition a mail names, by one documented rule for every mailbox:
// a subject tag `[req:<id>]` (or `[requisition:<id>]`), else a plus-address
// of the hiring mailbox (`hiring+<id>@example.com`). Ids are the API's
// requisition ids: letters, digits, `.`, `_` and `-`, at most 64.

const SUBJECT_TAG = /\[(?:req|requisition):\s*([A-Za-z0-9._-]{1,64})\s*\]/i
const PLUS_ADDRESS = /^([^@+\s]+)\+([A-Za-z0-9._-]{1,64})@([^@\s]+)$/

/**
 * `recipients`: the mail's To and Cc addresses. `mailbox`: the hiring
 * mailbox's address when known; only its plus-addresses count then, so a
 * candidate's own plus-address in Cc names nothing.
 */
export function requisitionFromMail(subject: string | null, recipients: readonly string[], mailbox: string | null): string | null {
  const tagged = subject ? SUBJECT_TAG.exec(subject) : null
  if (tagged) return tagged[1]!
  const [mailboxLocal, mailboxDomain] = mailbox?.includes('@') ? mailbox.toLowerCase().split('@') : [null, null]
  for (const recipient of recipients) {
    const plus = PLUS_ADDRESS.exec(recipient.trim())
    if (!plus) continue
    if (mailboxLocal && (plus[1]!.toLowerCase() !== mailboxLocal || plus[3]!.toLowerCase() !== mailboxDomain)) continue
    return plus[2]!
  }
  return null
}
