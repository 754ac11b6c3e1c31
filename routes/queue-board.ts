// /queues: the job queues on bull-board, for operators. Registered inside the
// API-key context, so every route of the board needs the key: its page, its
// JSON API and its static files. Read-only unless QUEUE_BOARD_WRITE=true:
// bull-board then answers 405 to retry, promote, clean, pause and the rest.
// Its routes are left out of the OpenAPI document (bull-board hides them):
// they are bull-board's own API, not hireflow's.
import { createBullBoard } from '@bull-board/api'
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter'
import { FastifyAdapter } from '@bull-board/fastify'
import type { FastifyPluginAsync } from 'fastify'

const queueBoardRoutes: FastifyPluginAsync = async (app) => {
  const { config, queues } = app.hiring
  const readOnlyMode = !config.queueBoardWrite
  const serverAdapter = new FastifyAdapter().setBasePath(app.prefix)
  createBullBoard({
    queues: queues.all().map((queue) => new BullMQAdapter(queue, { readOnlyMode })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'hireflow queues' } },
  })
  // bull-board sets an error handler of its own, which answers in another shape and puts an error's message on a 5xx;
  // a handler on each route takes precedence, so the board's errors (a refused key included) are answered like the API's.
  const apiErrors = app.errorHandler
  app.addHook('onRoute', (route) => {
    route.errorHandler = apiErrors
  })
  await app.register(serverAdapter.registerPlugin())
}

export default queueBoardRoutes
