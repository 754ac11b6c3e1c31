// What every fake task-manager server in test/ offers the tests: each is
// built from its provider's documented contract (paths, JSON shapes,
// signatures computed the provider's way, paging, rate limits) and driven
// through hireflow's real client, routes and workers. The fields here are
// only how a test seeds and inspects it.

export interface FakeAttachment {
  filename: string
  bytes: Buffer
  mediaType?: string
  /** A file kept elsewhere (Drive, Dropbox): listed on the task, not downloadable from the provider. */
  externalUrl?: string
  /** Serve the download from this URL instead of the fake's own attachment host (to test refused downloads). */
  downloadUrl?: string
}

export interface FakeTaskInput {
  title?: string
  /** Tags (ClickUp, Asana) or labels (Jira). */
  labels?: string[]
  attachments?: FakeAttachment[]
  creator?: string
  /** False puts the task in another list/project than HIRING_PROJECT_ID. */
  inProject?: boolean
}

export interface FakeTaskView {
  id: string
  labels: string[]
  /** Comment texts, oldest first. */
  comments: string[]
}

export interface FakeWebhook {
  id: string
  callbackUrl: string
}

export interface FakeProvider {
  /** `clickup`, `asana`, `jira`. */
  readonly provider: string
  /** The environment that points hireflow at this fake: TASK_MANAGER, TASK_MANAGER_BASE_URL, token, HIRING_PROJECT_ID, ... */
  readonly env: Record<string, string>
  addTask(input: FakeTaskInput): Promise<FakeTaskView>
  addAttachment(taskId: string, attachment: FakeAttachment): Promise<void>
  task(taskId: string): FakeTaskView
  /** Webhooks registered with the fake. */
  webhooks(): FakeWebhook[]
  /**
   * Sends a delivery about the task to every registered webhook, signed the
   * provider's way; resolves with the HTTP statuses hireflow answered.
   */
  deliver(taskId: string, options?: { tamper?: boolean; unsigned?: boolean }): Promise<number[]>
  /** While true, every API call answers 503. */
  setDown(down: boolean): void
  /** The next `count` API calls answer 429 with the provider's rate-limit headers. */
  rateLimitNext(count: number): void
  /** API calls served so far, as `METHOD /path` (no query string). */
  calls(): string[]
  close(): Promise<void>
}
