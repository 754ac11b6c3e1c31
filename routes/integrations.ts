// The task manager's webhooks, registered and inspected by operators (API key
// required). Registration needs PUBLIC_URL: the provider calls back
// PUBLIC_URL/webhooks/<provider>.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { HttpError } from '../src/http/errors.ts'
import { errorResponses } from '../src/http/schemas.ts'
import { ProviderHttpError, ProviderNetworkError } from '../src/net/http-client.ts'
import { deleteSourceWebhooks, listSourceWebhooks, registerSourceWebhook, WebhookSetupError } from '../src/sources/webhook-registrations.ts'

const Webhook = Type.Object({
  id: Type.String(),
  callbackUrl: Type.String(),
  resource: Type.String(),
  createdAt: Type.String(),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  stored: Type.Boolean({ description: 'hireflow keeps its secret and verifies its deliveries' }),
  atProvider: Type.Boolean({ description: 'the provider lists it' }),
})

const Deliveries = Type.Object({
  accepted: Type.Integer(),
  rejected: Type.Integer(),
  duplicates: Type.Integer(),
})

const integrationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { config, sources, services } = app.hiring
  const tags = ['integrations']

  function taskManager() {
    const provider = config.taskManager?.provider
    const source = provider ? sources.get(provider) : undefined
    if (!source) throw new HttpError(404, 'no task manager is configured (set TASK_MANAGER)')
    return source
  }

  /** The provider's refusal or absence, worded for the operator; never its credentials. */
  function providerError(error: unknown): never {
    if (error instanceof WebhookSetupError) throw new HttpError(409, error.message)
    if (error instanceof ProviderHttpError)
      throw new HttpError(502, `the task manager answered ${error.status} to ${error.method} ${error.path}`)
    if (error instanceof ProviderNetworkError) throw new HttpError(504, `the task manager did not answer (${error.code})`)
    throw error
  }

  app.post(
    '/integrations/task-manager/webhooks',
    {
      schema: {
        tags,
        summary: "Register the task manager's webhook for the hiring project (idempotent; no body)",
        response: {
          201: Webhook,
          401: errorResponses[401],
          404: errorResponses[404],
          409: Type.Ref('ErrorResponse'),
          502: Type.Ref('ErrorResponse'),
          504: Type.Ref('ErrorResponse'),
        },
      },
    },
    async (_request, reply) => {
      const webhook = await registerSourceWebhook(taskManager(), services.candidates, config.publicUrl).catch(providerError)
      return reply.code(201).send(webhook)
    },
  )

  app.get(
    '/integrations/task-manager/webhooks',
    {
      schema: {
        tags,
        summary: "The task manager's webhooks, as stored and as the provider lists them, and the deliveries this process saw",
        response: {
          200: Type.Object({ provider: Type.String(), webhooks: Type.Array(Webhook), deliveries: Deliveries }),
          401: errorResponses[401],
          404: errorResponses[404],
          502: Type.Ref('ErrorResponse'),
          504: Type.Ref('ErrorResponse'),
        },
      },
    },
    async () => {
      const source = taskManager()
      const webhooks = await listSourceWebhooks(source, services.candidates).catch(providerError)
      const deliveries = app.webhookCounters.get(source.provider) ?? { accepted: 0, rejected: 0, duplicates: 0 }
      return { provider: source.provider, webhooks, deliveries }
    },
  )

  app.delete(
    '/integrations/task-manager/webhooks',
    {
      schema: {
        tags,
        summary: "Delete hireflow's webhooks at the task manager and forget their secrets",
        response: {
          200: Type.Object({ deleted: Type.Array(Type.String()) }),
          401: errorResponses[401],
          404: errorResponses[404],
          502: Type.Ref('ErrorResponse'),
          504: Type.Ref('ErrorResponse'),
        },
      },
    },
    async () => ({ deleted: await deleteSourceWebhooks(taskManager(), services.candidates, config.publicUrl).catch(providerError) }),
  )
}

export default integrationRoutes
