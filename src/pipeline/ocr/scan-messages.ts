// What the scan thread is sent and answers, apart from both sides so neither imports the other.

export interface ScanLimits {
  maxPages: number
  /** Pixels a page image may have; a larger one is refused, not decoded further. */
  maxPixels: number
  timeoutMs: number
}

export interface ScanRequest {
  bytes: Uint8Array
  limits: ScanLimits
}

export type ScanReply = { ok: true; pages: Uint8Array[] } | { ok: false; unreadable: boolean; problem?: string; message: string }
