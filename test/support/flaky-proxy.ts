// An HTTP proxy in front of a local stand-in that can fail or hang the next
// requests on purpose: how tests make a remote call fail.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo, Socket } from 'node:net'

export interface FlakyProxy {
  endpoint: string
  /** Answer the next n requests with this status and body instead of forwarding them. */
  failNext(n: number, status: number, body: string): void
  /** Hold the next request without answering; resolves when it has arrived. */
  hangNext(): Promise<void>
  /** Hold the next request until `release()`, then forward it. */
  holdNext(): { arrived: Promise<void>; release(): void }
  /** Requests seen (besides GetSendQuota), including failed and held ones. */
  seen: number
  /** The SES Action of every request that reached the proxy, GetSendQuota included, in order. */
  actions: string[]
  /** GetSendQuota calls the proxy answered itself (SES never saw them). */
  quotaAnswered: number
  close(): Promise<void>
}

/**
 * aws-ses-v2-local does not implement GetSendQuota (hireflow's SES health
 * probe); the proxy answers it the way SES does, so the emulator is complete.
 */
const SEND_QUOTA =
  '<GetSendQuotaResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><GetSendQuotaResult>' +
  '<SentLast24Hours>0.0</SentLast24Hours><Max24HourSend>200.0</Max24HourSend><MaxSendRate>1.0</MaxSendRate>' +
  '</GetSendQuotaResult><ResponseMetadata><RequestId>quota</RequestId></ResponseMetadata></GetSendQuotaResponse>'

export async function startFlakyProxy(target: string): Promise<FlakyProxy> {
  let failures: { left: number; status: number; body: string } = { left: 0, status: 500, body: '' }
  let hang: (() => void) | undefined
  let hold: { arrived: () => void; released: Promise<void> } | undefined
  const sockets = new Set<Socket>()

  async function forward(request: IncomingMessage, response: ServerResponse, body: Buffer) {
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k)),
    ) as Record<string, string>
    const upstream = await fetch(`${target}${request.url}`, {
      method: request.method ?? 'GET',
      headers,
      ...(body.length > 0 ? { body } : {}),
    })
    response.writeHead(upstream.status, Object.fromEntries(upstream.headers))
    response.end(Buffer.from(await upstream.arrayBuffer()))
  }

  const proxy: FlakyProxy = {
    endpoint: '',
    seen: 0,
    actions: [],
    quotaAnswered: 0,
    failNext(n, status, body) {
      failures = { left: n, status, body }
    },
    hangNext() {
      return new Promise((resolve) => {
        hang = resolve
      })
    },
    holdNext() {
      let release!: () => void
      const released = new Promise<void>((resolve) => {
        release = resolve
      })
      const arrived = new Promise<void>((resolve) => {
        hold = { arrived: resolve, released }
      })
      return { arrived, release }
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      server.close()
    },
  }

  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const action = new URLSearchParams(body.toString('latin1')).get('Action') ?? ''
    proxy.actions.push(action)
    if (action === 'GetSendQuota') {
      proxy.quotaAnswered++
      response.writeHead(200, { 'content-type': 'text/xml' })
      response.end(SEND_QUOTA)
      return
    }
    proxy.seen++
    if (hang) {
      const arrived = hang
      hang = undefined
      arrived()
      return // never answered
    }
    if (hold) {
      const held = hold
      hold = undefined
      held.arrived()
      await held.released
    }
    if (failures.left > 0) {
      failures.left--
      response.writeHead(failures.status, { 'content-type': 'text/xml' })
      response.end(failures.body)
      return
    }
    try {
      await forward(request, response, body)
    } catch (error) {
      response.writeHead(502)
      response.end(String(error))
    }
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return proxy
}

export const SES_UNAVAILABLE =
  '<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Receiver</Type>' +
  '<Code>ServiceUnavailable</Code><Message>Service is unavailable</Message></Error><RequestId>1</RequestId></ErrorResponse>'
