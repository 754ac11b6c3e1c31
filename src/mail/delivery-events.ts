// What SES says happened to an HR email after it accepted it: the events of
// SES_CONFIGURATION_SET (event publishing names the type `eventType`) or an
// identity's feedback notifications (`notificationType`), as published to
// SNS. This file reads them, matches them to the email recorded on a
// candidate, decides what the candidate's `delivery` becomes, and words the
// alert for an email HR never got.
import type { Candidate, DeliveryStatus, EmailDelivery, HrEmail } from '../domain/candidate.ts'
import type { Alert } from '../ports/alerts.ts'

/** An SES event about one sent email, in the terms the candidate record keeps. */
export interface DeliveryEvent {
  status: DeliveryStatus
  /** SES's message id of the email. */
  messageId: string
  /** When SES accepted the email (`mail.timestamp`). */
  sentAt: string
  /** When the event happened. */
  at: string
  recipients: string[]
  detail: string | null
  /** The X-Hireflow-Message-Id header the email was sent with, when SES passed the headers on. */
  hireflowMessageId: string | null
  /** For a bounce: Permanent, Transient or Undetermined. */
  bounceType: string | null
}

export type DeliveryEventReading = { kind: 'event'; event: DeliveryEvent } | { kind: 'ignored'; reason: string }

/** The SNS message is signed by SNS, but its content is not an SES event hireflow can read. */
export class UnreadableSesEventError extends Error {
  override name = 'UnreadableSesEventError'
}

const STATUS_OF: Record<string, DeliveryStatus> = {
  Delivery: 'delivered',
  DeliveryDelay: 'delayed',
  Bounce: 'bounced',
  Complaint: 'complained',
  Reject: 'rejected',
}

type Fields = Record<string, unknown>

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value)
const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null)
const objects = (value: unknown): Fields[] => (Array.isArray(value) ? value.filter(isObject) : [])

/** One line per recipient: the address, then what its server said. */
function recipientLines(entries: Fields[], ...fields: string[]): { recipients: string[]; lines: string[] } {
  const recipients: string[] = []
  const lines: string[] = []
  for (const entry of entries) {
    const address = text(entry.emailAddress)
    if (!address) continue
    recipients.push(address)
    const said = fields.map((field) => text(entry[field])).filter((value) => value !== null)
    lines.push(said.length > 0 ? `${address}: ${said.join(' ')}` : address)
  }
  return { recipients, lines }
}

/** Reads the `Message` of an SNS notification published by SES. Throws UnreadableSesEventError when it is not one. */
export function readDeliveryEvent(message: string): DeliveryEventReading {
  let parsed: unknown
  try {
    parsed = JSON.parse(message)
  } catch {
    throw new UnreadableSesEventError('the notification is not an SES event: its Message is not JSON')
  }
  if (!isObject(parsed)) throw new UnreadableSesEventError('the notification is not an SES event: its Message is not a JSON object')
  const type = text(parsed.eventType) ?? text(parsed.notificationType)
  if (!type) throw new UnreadableSesEventError('the notification is not an SES event: it has neither eventType nor notificationType')
  const status = STATUS_OF[type]
  // Send, Open, Click, Rendering Failure, Subscription, and SES's AmazonSnsSubscriptionSucceeded test message.
  if (!status) return { kind: 'ignored', reason: `SES event ${type} says nothing about delivery` }
  const mail = parsed.mail
  if (!isObject(mail) || !text(mail.messageId) || !text(mail.timestamp)) {
    throw new UnreadableSesEventError(`the SES ${type} event has no mail.messageId and mail.timestamp`)
  }
  const header = objects(mail.headers).find((entry) => text(entry.name)?.toLowerCase() === 'x-hireflow-message-id')
  const base = {
    status,
    messageId: mail.messageId as string,
    sentAt: mail.timestamp as string,
    hireflowMessageId: text(header?.value),
    bounceType: null,
  }
  // The event's own object is named after it: bounce, complaint, delivery, deliveryDelay, reject.
  const details = parsed[type.charAt(0).toLowerCase() + type.slice(1)]
  const body = isObject(details) ? details : {}
  const at = text(body.timestamp) ?? base.sentAt
  switch (type) {
    case 'Delivery': {
      const recipients = Array.isArray(body.recipients) ? body.recipients.filter((entry): entry is string => typeof entry === 'string') : []
      return { kind: 'event', event: { ...base, at, recipients, detail: text(body.smtpResponse) } }
    }
    case 'Bounce': {
      const bounceType = text(body.bounceType) ?? 'Undetermined'
      const { recipients, lines } = recipientLines(objects(body.bouncedRecipients), 'status', 'diagnosticCode')
      const kind = `${bounceType}${text(body.bounceSubType) ? ` (${String(body.bounceSubType)})` : ''} bounce`
      return { kind: 'event', event: { ...base, at, recipients, bounceType, detail: [kind, ...lines].join('; ') } }
    }
    case 'Complaint': {
      const { recipients } = recipientLines(objects(body.complainedRecipients))
      const feedback = text(body.complaintFeedbackType)
      return { kind: 'event', event: { ...base, at, recipients, detail: feedback ? `complaint feedback type: ${feedback}` : null } }
    }
    case 'DeliveryDelay': {
      const { recipients, lines } = recipientLines(objects(body.delayedRecipients), 'status', 'diagnosticCode')
      const delay = text(body.delayType)
      const until = text(body.expirationTime)
      const head = `${delay ?? 'delayed'}${until ? `; SES retries until ${until}` : ''}`
      return { kind: 'event', event: { ...base, at, recipients, detail: [head, ...lines].join('; ') } }
    }
    default: {
      // Reject: SES did not send it at all (a virus found); it names no recipient and no time of its own.
      const destination = Array.isArray(mail.destination)
        ? mail.destination.filter((entry): entry is string => typeof entry === 'string')
        : []
      return { kind: 'event', event: { ...base, at, recipients: destination, detail: text(body.reason) } }
    }
  }
}

/** The parts of an X-Hireflow-Message-Id (see hrMessageId): `<candidateId>.<email>[.<hrDecisionId>]@hireflow`. */
export function parseHireflowMessageId(value: string): { candidateId: string; email: HrEmail } | undefined {
  const match = /^([A-Za-z0-9_-]{1,100})\.(decision|unreadable|final-decision)(?:\.[A-Za-z0-9._-]{1,100})?@hireflow$/.exec(value.trim())
  return match ? { candidateId: match[1]!, email: match[2] as HrEmail } : undefined
}

/** Which of the candidate's HR emails SES's message id is; undefined when it is none of those recorded. */
export function recordedEmail(candidate: Candidate, messageId: string): HrEmail | undefined {
  if (candidate.notification?.messageId === messageId) return candidate.notification.kind
  if (candidate.hrDecisionNotification?.messageId === messageId) return 'final-decision'
  return undefined
}

// For one email, the status shown is the worst heard of: with several HR recipients one can bounce while another
// receives it, and a late delay notice must not hide a delivery.
const SEVERITY: Record<DeliveryStatus, number> = { delayed: 0, delivered: 1, complained: 2, rejected: 3, bounced: 3 }

/** The candidate's `delivery` after `event`, or undefined when it stays as it is (the history still records the event). */
export function nextDelivery(current: EmailDelivery | null | undefined, event: DeliveryEvent, email: HrEmail): EmailDelivery | undefined {
  const incoming: EmailDelivery = {
    status: event.status,
    email,
    messageId: event.messageId,
    sentAt: event.sentAt,
    at: event.at,
    recipients: event.recipients,
    detail: event.detail,
  }
  if (!current) return incoming
  // Another email: the one sent later is the one HR is waiting on now.
  if (current.messageId !== event.messageId) return Date.parse(event.sentAt) >= Date.parse(current.sentAt) ? incoming : undefined
  if (SEVERITY[event.status] < SEVERITY[current.status]) return undefined
  if (event.status !== current.status) return incoming
  return { ...incoming, recipients: [...new Set([...current.recipients, ...event.recipients])] }
}

const EMAIL_LABEL: Record<HrEmail, string> = {
  decision: 'recommendation email',
  unreadable: 'unreadable-resume email',
  'final-decision': 'final-decision email',
}

/** The alert for an email HR may not have seen (bounced, complained of, rejected), or undefined for one that arrived or is on its way. */
export function deliveryAlert(candidateId: string, email: HrEmail, event: DeliveryEvent): Alert | undefined {
  const what = `the ${EMAIL_LABEL[email]} about candidate ${candidateId}`
  const facts = [
    `SES message ${event.messageId}, sent ${event.sentAt}, reported ${event.at}.`,
    ...(event.detail ? [`SES says: ${event.detail}`] : []),
    `The candidate: GET /candidates/${candidateId} (the resume at /candidates/${candidateId}/resume).`,
  ]
  const retell = 'Until it is fixed, tell HR about this candidate another way.'
  switch (event.status) {
    case 'bounced': {
      const check =
        event.bounceType === 'Permanent'
          ? 'Check that every address in HR_EMAIL exists and accepts mail from SENDER_EMAIL. SES puts an address that bounced ' +
            'permanently on its suppression list: remove it there (SES console, Suppression list) once the address is fixed, or later emails to it are dropped.'
          : "The receiving server refused it for now (a full mailbox, a size limit, a policy) and SES stopped retrying: check HR's mailbox quota and " +
            'size limit (the resume is attached up to SES_ATTACHMENT_MAX_BYTES) and whether it filters SENDER_EMAIL.'
      return {
        key: `bounce:${candidateId}`,
        kind: 'bounce',
        subject: `HR email about candidate ${candidateId} bounced`,
        message: [`SES could not deliver ${what}: HR has not seen this candidate's email.`, ...facts, check, retell].join('\n'),
      }
    }
    case 'complained':
      return {
        key: `bounce:${candidateId}`,
        kind: 'bounce',
        subject: `HR email about candidate ${candidateId} marked as spam`,
        message: [
          `HR's mail system reported ${what} as spam: it may sit in a junk folder, unread.`,
          ...facts,
          'Ask HR to mark SENDER_EMAIL as a trusted sender and to look in the junk folder. SES counts complaints against the ' +
            'sending account: a complaint rate above 0.1 % puts the account under review.',
        ].join('\n'),
      }
    case 'rejected':
      return {
        key: `bounce:${candidateId}`,
        kind: 'bounce',
        subject: `HR email about candidate ${candidateId} rejected by SES`,
        message: [
          `SES refused to send ${what} (it scans every message for viruses): HR never got it.`,
          ...facts,
          'Check the resume file before anyone opens it, then tell HR about the candidate another way.',
        ].join('\n'),
      }
    default:
      return undefined
  }
}
