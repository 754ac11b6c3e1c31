// The one place intake sources are registered. A provider is one folder
// under src/sources/ exporting a factory; adding one means adding its line
// here (and its contract test), nothing else.
import type { FastifyBaseLogger } from 'fastify'
import type { Config, TaskManagerConfig, TaskManagerKind } from '../config.ts'
import type { CandidateStore } from '../ports/candidate-store.ts'
import type { IntakeSource } from '../ports/intake-source.ts'
import type { AuthProvider } from '../net/http-client.ts'
import { OAuth2TokenSource, StaticTokenSource } from '../net/oauth2.ts'
import { readSourceState, updateSourceState } from './state.ts'
import type { TaskManagerSourceFactory } from './context.ts'
import { createImapSource } from './imap/index.ts'
import { createGraphSource } from './graph/index.ts'
import { createJiraSource } from './jira/index.ts'
import { createAsanaSource } from './asana/index.ts'
import { createClickUpSource } from './clickup/index.ts'

const TASK_MANAGER_SOURCES: Record<TaskManagerKind, TaskManagerSourceFactory> = {
  jira: createJiraSource,
  asana: createAsanaSource,
  clickup: createClickUpSource,
}

/**
 * The credentials of a task manager: a personal token as the provider wants
 * it presented, or OAuth2 whose rotated refresh token is kept in the
 * candidate store (the configured one is only where it starts).
 */
export function taskManagerAuth(settings: TaskManagerConfig, candidates: CandidateStore): AuthProvider {
  const { auth, provider } = settings
  if (auth.kind === 'token') return StaticTokenSource.forProvider(provider, auth.token, auth.user)
  return new OAuth2TokenSource({
    provider,
    tokenEndpoint: auth.tokenEndpoint,
    clientId: auth.clientId,
    clientSecret: auth.clientSecret,
    ...(auth.redirectUri ? { redirectUri: auth.redirectUri } : {}),
    loadRefreshToken: async () => (await readSourceState(candidates, provider)).refreshToken ?? auth.refreshToken,
    onRefreshToken: async (refreshToken) => {
      await updateSourceState(candidates, provider, (state) => ({ ...state, refreshToken }))
    },
  })
}

/** The configured intake sources by provider name; empty when resumes only come by upload. */
export function createSources(config: Config, candidates: CandidateStore, log: FastifyBaseLogger): Map<string, IntakeSource> {
  const sources = new Map<string, IntakeSource>()
  const settings = config.taskManager
  if (settings) {
    const factory = TASK_MANAGER_SOURCES[settings.provider]
    const source = factory({
      settings,
      auth: taskManagerAuth(settings, candidates),
      candidates,
      log: log.child({ source: settings.provider }),
    })
    sources.set(source.provider, source)
  }
  const mailbox = config.mailbox
  if (mailbox) {
    const context = { candidates, log: log.child({ source: mailbox.provider }) }
    const source =
      mailbox.provider === 'imap'
        ? createImapSource({ ...context, settings: mailbox })
        : createGraphSource({ ...context, settings: mailbox })
    sources.set(source.provider, source)
  }
  return sources
}
