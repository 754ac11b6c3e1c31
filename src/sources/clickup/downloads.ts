// Fetching a ClickUp attachment. Attachment URLs are unguessable and, with the
// Workspace setting "Private Attachment Links" off (ClickUp's default), open
// without credentials; with it on, the file host wants a logged-in user. So
// the first request carries no credentials, and only a refusal (401, 403 or a
// login page) from ClickUp's own hosts is asked again with the token. The
// token never goes to any other host, redirects included.
import { DownloadRefusedError, safeDownload, type Download, type DownloadPolicy } from '../../net/safe-download.ts'
import type { SourceAttachment } from '../../ports/intake-source.ts'

/** Hosts that may see the ClickUp token: the API's and ClickUp's own file hosts. */
export function isClickUpHost(url: URL, apiHost: string): boolean {
  const host = url.hostname.toLowerCase()
  return (
    host === apiHost.toLowerCase() || host === 'clickup.com' || host.endsWith('.clickup.com') || host.endsWith('.clickup-attachments.com')
  )
}

/** A login page instead of the file: what a private attachment link gives a request without a session. */
function isLoginPage(download: Download, attachment: SourceAttachment): boolean {
  const type = download.contentType?.toLowerCase() ?? ''
  return type.startsWith('text/html') && !(attachment.mediaType ?? '').toLowerCase().includes('html')
}

const isAccessRefusal = (error: unknown) =>
  error instanceof DownloadRefusedError && error.reason === 'bad_status' && (error.status === 401 || error.status === 403)

export interface FetchAttachmentOptions {
  policy: DownloadPolicy
  apiHost: string
  authorize: () => Promise<Record<string, string>>
}

export async function fetchAttachment(url: string, attachment: SourceAttachment, options: FetchAttachmentOptions): Promise<Buffer> {
  const { policy, apiHost, authorize } = options
  try {
    const open = await safeDownload(url, policy)
    if (!isLoginPage(open, attachment) || !isClickUpHost(new URL(open.finalUrl), apiHost)) return open.bytes
  } catch (error) {
    if (!isAccessRefusal(error) || !isClickUpHost(new URL(url), apiHost)) throw error
  }
  const credentials = await authorize()
  const signedIn = await safeDownload(url, policy, {
    headersFor: (target) => (isClickUpHost(target, apiHost) ? credentials : undefined),
  })
  return signedIn.bytes
}

/** The link may have expired (a private link, a moved file): worth one try with the URL the task has now. */
export const mayHaveExpired = (error: unknown) =>
  error instanceof DownloadRefusedError && error.reason === 'bad_status' && [401, 403, 404, 410].includes(error.status ?? 0)
