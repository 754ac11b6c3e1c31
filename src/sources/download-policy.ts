// Where a task manager's attachments may be downloaded from, the same rule
// for every provider: the provider's documented file hosts, its API host and
// the operator's TASK_MANAGER_ATTACHMENT_HOSTS. Plain http and private
// addresses are allowed only for hosts the operator named: those extra hosts,
// and the API host when TASK_MANAGER_BASE_URL was set (a self-hosted server,
// a proxy, a test fake), never a provider's public API.
import type { TaskManagerConfig } from '../config.ts'
import type { DownloadPolicy } from '../net/safe-download.ts'

export type AttachmentPolicy = Omit<DownloadPolicy, 'maxBytes'>

/** A resume of MAX_RESUME_BYTES on a slow link still fits; a stalled host does not hold a job for longer. */
const DOWNLOAD_TIMEOUT_MS = 120_000
const CONNECT_TIMEOUT_MS = 10_000

export function attachmentPolicy(settings: TaskManagerConfig, apiBaseUrl: URL, providerHosts: readonly string[]): AttachmentPolicy {
  const apiHost = apiBaseUrl.hostname.toLowerCase()
  return {
    allowedHosts: [...providerHosts, apiHost, ...settings.attachmentHosts],
    trustedHosts: [...settings.attachmentHosts, ...(settings.baseUrl ? [apiHost] : [])],
    timeoutMs: DOWNLOAD_TIMEOUT_MS,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
  }
}
