// A local HTTP server that records every request it answers: the stand-in
// API and token endpoint of the provider-client tests.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'

export interface Seen {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: string
  /** The body read as a form (token requests). */
  readonly form: URLSearchParams
}

export type Handler = (request: IncomingMessage, response: ServerResponse, seen: Seen, count: number) => void | Promise<void>

export async function serve(test: { teardown(fn: () => void): void }, handler: Handler) {
  const seen: Seen[] = []
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    const entry: Seen = { method: request.method!, url: request.url!, headers: request.headers, body, form: new URLSearchParams(body) }
    seen.push(entry)
    await handler(request, response, entry, seen.length)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  test.teardown(() => {
    server.closeAllConnections()
    server.close()
  })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server }
}

export function json(response: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers })
  response.end(JSON.stringify(value))
}
