// Request bodies must arrive in time. Node's request timeout is checked only
// every 30 s and Fastify's does not cover a body read after the handler
// starts, so a client trickling a byte at a time could hold a connection and
// a handler for as long as it liked. Here every request with a body gets a
// deadline (the whole body within REQUEST_TIMEOUT_MS of the request's start)
// and, after a grace period, a minimum average rate. A request that misses
// either is answered 408 naming the limit and its connection is closed; the
// body parser or handler reading it gets the 408 as an error, so nothing of a
// partial body is kept.
import { PassThrough } from 'node:stream'
import type { Socket } from 'node:net'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { HttpError } from './errors.ts'

export interface BodyLimits {
  /** The whole body within this many ms of the request's start (REQUEST_TIMEOUT_MS). */
  timeoutMs: number
  /** Slowest average rate accepted once the grace period is over; 0 turns the check off (MIN_BODY_BYTES_PER_SECOND). */
  minBytesPerSecond: number
}

/** Rates are judged only after this long (or a quarter of the deadline if that is shorter): TCP slow start, a phone waking its radio. */
const MAX_GRACE_MS = 5_000
/** Time given to a response after the limit is hit before the socket is destroyed regardless. */
const CLOSE_AFTER_MS = 1_000

export class BodyWatch {
  /** Set once a limit is missed: the 408 to answer with. */
  expired: HttpError | undefined
  readonly #listeners = new Set<(error: HttpError) => void>()

  /** Calls `listener` with the 408 when a limit is missed (at once if it already was); returns the unsubscribe. */
  onExpired(listener: (error: HttpError) => void): () => void {
    if (this.expired) {
      listener(this.expired)
      return () => {}
    }
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  expire(error: HttpError): void {
    if (this.expired) return
    this.expired = error
    for (const listener of this.#listeners) listener(error)
    this.#listeners.clear()
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Present while a request body is on its way; see body-deadline.ts. */
    bodyWatch: BodyWatch | null
  }
}

/** Whether the request announces a body arriving over a network socket (injected requests, in tests, have none to trickle). */
function announcesBody(request: FastifyRequest): boolean {
  const { headers, socket } = request.raw
  if (typeof socket?.bytesRead !== 'number') return false
  if (headers['transfer-encoding'] !== undefined) return true
  const length = Number(headers['content-length'] ?? 0)
  return Number.isFinite(length) && length > 0
}

const isMultipart = (request: FastifyRequest) => /^multipart\//i.test(request.headers['content-type'] ?? '')

/** Closes the connection once what was written has gone out; destroys it if the client does not let go. */
function closeConnection(socket: Socket | null): void {
  if (!socket || socket.destroyed) return
  socket.end()
  setTimeout(() => socket.destroy(), CLOSE_AFTER_MS).unref()
}

export function enforceBodyDeadline(app: FastifyInstance, limits: BodyLimits): void {
  const graceMs = Math.min(MAX_GRACE_MS, limits.timeoutMs / 4)
  const tickMs = Math.max(50, Math.min(500, limits.timeoutMs / 8))

  app.decorateRequest('bodyWatch', null)

  // Callback hooks, not async ones: they run on every request, and a webhook is acknowledged in well under a millisecond.
  app.addHook('onRequest', (request, reply, done) => {
    if (!announcesBody(request)) return done()
    // A body that came with the headers has been parsed once this turn of the event loop is over (the HTTP
    // parser hands it over after the request is announced, and after microtasks and ticks run): such a request
    // is complete then and needs no watch. That is most webhook deliveries and small JSON bodies, and it spares
    // them a timer, listeners and a guarding stream.
    setImmediate(() => {
      if (!request.raw.complete) watchBody(request, reply)
      done()
    })
  })

  function watchBody(request: FastifyRequest, reply: FastifyReply): void {
    const watch = new BodyWatch()
    request.bodyWatch = watch
    const raw = request.raw
    const socket = raw.socket
    const started = performance.now()
    const bytesAtStart = socket.bytesRead

    const ticker = setInterval(() => {
      if (raw.complete || socket.destroyed) return stop()
      const elapsedMs = performance.now() - started
      if (elapsedMs >= limits.timeoutMs) {
        return miss(`the request body did not arrive within ${limits.timeoutMs} ms (REQUEST_TIMEOUT_MS)`)
      }
      if (limits.minBytesPerSecond > 0 && elapsedMs >= graceMs) {
        const rate = ((socket.bytesRead - bytesAtStart) * 1000) / elapsedMs
        if (rate < limits.minBytesPerSecond) {
          return miss(
            `the request body arrived at ${Math.floor(rate)} bytes/s, below the minimum of ` +
              `${limits.minBytesPerSecond} bytes/s (MIN_BODY_BYTES_PER_SECOND)`,
          )
        }
      }
    }, tickMs)
    ticker.unref()

    function stop() {
      clearInterval(ticker)
      raw.off('end', stop)
      raw.off('close', stop)
    }
    raw.once('end', stop)
    raw.once('close', stop)

    function miss(message: string) {
      stop()
      request.log.info({ limit: message }, 'request body too slow; closing the connection')
      // Whatever answer is already out (a 401 while the body still trickles in) stands; the connection goes.
      if (reply.raw.headersSent) return closeConnection(socket)
      watch.expire(new HttpError(408, message))
      // The reader turns the error into the 408; if nothing is reading, the socket goes anyway.
      setTimeout(() => {
        if (!reply.raw.writableFinished) socket.destroy()
      }, CLOSE_AFTER_MS).unref()
    }
  }

  // JSON (and any other parsed body) is read through a stream the watch can break.
  app.addHook('preParsing', (request, _reply, payload, done) => {
    const watch = request.bodyWatch
    if (!watch || isMultipart(request)) return done(null, payload)
    const guarded = Object.assign(new PassThrough(), { receivedEncodedLength: 0 })
    payload.on('data', (chunk: Buffer) => void (guarded.receivedEncodedLength += chunk.length))
    payload.pipe(guarded)
    watch.onExpired((error) => {
      payload.unpipe(guarded)
      guarded.destroy(error)
    })
    done(null, guarded)
  })

  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.bodyWatch?.expired) reply.header('connection', 'close')
    done(null, payload)
  })

  app.addHook('onResponse', (request, _reply, done) => {
    if (request.bodyWatch?.expired) closeConnection(request.raw.socket)
    done()
  })
}

/**
 * For handlers that read the body themselves (multipart uploads): settles
 * with `reading`, or rejects with the 408 as soon as a body limit is missed.
 */
export function withinBodyDeadline<T>(request: FastifyRequest, reading: Promise<T>): Promise<T> {
  const watch = request.bodyWatch
  if (!watch) return reading
  return new Promise<T>((resolve, reject) => {
    const unsubscribe = watch.onExpired(reject)
    reading.then(
      (value) => {
        unsubscribe()
        resolve(value)
      },
      (error: unknown) => {
        unsubscribe()
        // A reader cut off by the closing connection fails too; the missed limit is the cause to report.
        reject(watch.expired ?? error)
      },
    )
  })
}
