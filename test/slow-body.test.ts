// A client that trickles its request body cannot hold a connection: the whole
// body must arrive within REQUEST_TIMEOUT_MS of the request's start, and after
// a short grace period at no less than MIN_BODY_BYTES_PER_SECOND on average.
// Either way the answer is 408 naming the limit, the connection is closed, and
// nothing of the partial body is kept.
import t from 'tap'
import { connect, type AddressInfo } from 'node:net'
import { API_KEY, multipartBody } from './support/harness.ts'
import { fakeApp } from './support/fake-app.ts'

interface Trickled {
  /** Everything the server wrote back. */
  response: string
  /** Milliseconds from the first byte sent to the socket closing. */
  closedAfterMs: number
  bytesSent: number
}

/**
 * Sends `head` at once, then `body` in `chunkSize` pieces every `everyMs`,
 * until the body is sent or the server closes the connection.
 */
function trickle(
  port: number,
  head: string,
  body: Buffer,
  { chunkSize, everyMs, giveUpAfterMs }: { chunkSize: number; everyMs: number; giveUpAfterMs: number },
) {
  return new Promise<Trickled>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const started = Date.now()
    let response = ''
    let sent = 0
    let timer: NodeJS.Timeout | undefined
    const giveUp = setTimeout(() => {
      socket.destroy()
      reject(new Error(`the server kept the connection open for ${giveUpAfterMs} ms (${sent} of ${body.length} body bytes sent)`))
    }, giveUpAfterMs)
    socket.setEncoding('latin1')
    socket.on('data', (data: string) => void (response += data))
    socket.on('error', () => {}) // a reset while writing is one way of being cut off
    socket.on('close', () => {
      clearInterval(timer)
      clearTimeout(giveUp)
      resolve({ response, closedAfterMs: Date.now() - started, bytesSent: sent })
    })
    socket.on('connect', () => {
      socket.write(head)
      timer = setInterval(() => {
        if (sent >= body.length || socket.destroyed) return clearInterval(timer)
        socket.write(body.subarray(sent, sent + chunkSize))
        sent += chunkSize
      }, everyMs)
    })
  })
}

function requestHead(path: string, contentType: string, length: number): string {
  return (
    `POST ${path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${API_KEY}\r\n` +
    `Content-Type: ${contentType}\r\nContent-Length: ${length}\r\n\r\n`
  )
}

const statusOf = (response: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1])
const bodyOf = (response: string) => JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4))

async function listening(env: Record<string, string>) {
  const puts: string[] = []
  const fake = await fakeApp({
    env,
    services: {
      resumes: {
        keyFor: (sha256: string) => sha256,
        put: async (key: string) => void puts.push(key),
      },
    },
  })
  await fake.app.listen({ host: '127.0.0.1', port: 0 })
  return { ...fake, puts, port: (fake.app.server.address() as AddressInfo).port }
}

const requisition = Buffer.from(
  JSON.stringify({
    title: 'Site Reliability Engineer',
    mustHaveSkills: ['Linux'],
    advanceAtOrAbove: 70,
    rejectBelow: 30,
    minYearsExperience: 1,
  }),
)

t.test('a JSON body trickled past REQUEST_TIMEOUT_MS: 408 and the connection closed', async (t) => {
  const { app, port, requisitions } = await listening({ REQUEST_TIMEOUT_MS: '1000', MIN_BODY_BYTES_PER_SECOND: '0' })
  t.teardown(() => app.close())
  const result = await trickle(port, requestHead('/requisitions', 'application/json', requisition.length), requisition, {
    chunkSize: 1,
    everyMs: 50,
    giveUpAfterMs: 5_000,
  })
  t.equal(statusOf(result.response), 408, result.response)
  t.match(bodyOf(result.response).message, /REQUEST_TIMEOUT_MS/)
  t.match(bodyOf(result.response).message, /1000 ms/)
  t.ok(result.closedAfterMs < 2_500, `closed after ${result.closedAfterMs} ms`)
  t.ok(result.bytesSent < requisition.length, 'cut off before the body was complete')
  t.equal(requisitions.size, 0, 'nothing created')
})

t.test('an upload trickled past REQUEST_TIMEOUT_MS: 408, connection closed, nothing stored', async (t) => {
  const { app, port, puts, logs } = await listening({ REQUEST_TIMEOUT_MS: '1000', MIN_BODY_BYTES_PER_SECOND: '0' })
  t.teardown(() => app.close())
  const form = multipartBody({}, { filename: 'slow.txt', content: Buffer.from('Sloane Slow\nPython developer\n'.repeat(20)) })
  const result = await trickle(port, requestHead('/candidates', form.headers['content-type']!, form.payload.length), form.payload, {
    chunkSize: 8,
    everyMs: 50,
    giveUpAfterMs: 5_000,
  })
  t.equal(statusOf(result.response), 408, result.response)
  t.match(bodyOf(result.response).message, /REQUEST_TIMEOUT_MS/)
  t.ok(result.closedAfterMs < 2_500, `closed after ${result.closedAfterMs} ms`)
  t.ok(result.bytesSent < form.payload.length, 'cut off before the body was complete')
  t.same(puts, [], 'nothing stored')
  // The upload handler ends with the 408 rather than erroring after the reply.
  await new Promise((resolve) => setTimeout(resolve, 200))
  const troubles = logs.map((line) => JSON.parse(line)).filter((entry) => entry.level >= 40)
  t.same(troubles, [], 'no warning or error logged')
})

t.test('a body still trickling after an early answer (401): the connection is closed at the deadline', async (t) => {
  const { app, port } = await listening({ REQUEST_TIMEOUT_MS: '1000', MIN_BODY_BYTES_PER_SECOND: '0' })
  t.teardown(() => app.close())
  const head = requestHead('/requisitions', 'application/json', requisition.length).replace(/Authorization: [^\r]+\r\n/, '')
  const result = await trickle(port, head, requisition, { chunkSize: 1, everyMs: 50, giveUpAfterMs: 5_000 })
  t.equal(statusOf(result.response), 401, result.response)
  t.ok(result.closedAfterMs < 2_500, `closed after ${result.closedAfterMs} ms`)
  t.ok(result.bytesSent < requisition.length, 'cut off before the body was complete')
})

t.test('an upload slower than MIN_BODY_BYTES_PER_SECOND: 408 before the deadline', async (t) => {
  // The grace period is a quarter of REQUEST_TIMEOUT_MS here (under 5 s): 1.5 s.
  const { app, port, puts } = await listening({ REQUEST_TIMEOUT_MS: '6000', MIN_BODY_BYTES_PER_SECOND: '2000' })
  t.teardown(() => app.close())
  const form = multipartBody({}, { filename: 'slow.txt', content: Buffer.from('Sloane Slow\nPython developer\n'.repeat(100)) })
  // 40 bytes every 50 ms: 800 bytes/s, a steady trickle that would finish only after about 4 s.
  const result = await trickle(port, requestHead('/candidates', form.headers['content-type']!, form.payload.length), form.payload, {
    chunkSize: 40,
    everyMs: 50,
    giveUpAfterMs: 8_000,
  })
  t.equal(statusOf(result.response), 408, result.response)
  t.match(bodyOf(result.response).message, /MIN_BODY_BYTES_PER_SECOND/)
  t.match(bodyOf(result.response).message, /2000 bytes/)
  t.ok(result.closedAfterMs < 3_500, `closed after ${result.closedAfterMs} ms, well before the 6 s deadline`)
  t.same(puts, [], 'nothing stored')
})

t.test('a body that arrives in good time is not disturbed', async (t) => {
  const { app, port, requisitions } = await listening({ REQUEST_TIMEOUT_MS: '2000', MIN_BODY_BYTES_PER_SECOND: '100' })
  t.teardown(() => app.close())
  // In two halves 300 ms apart: slow to start, well within both limits.
  const half = Math.ceil(requisition.length / 2)
  const result = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let response = ''
    socket.setEncoding('latin1')
    socket.on('data', (data: string) => {
      response += data
      if (response.includes('\r\n\r\n') && response.trimEnd().endsWith('}')) {
        socket.end()
        resolve(response)
      }
    })
    socket.on('error', reject)
    socket.on('connect', () => {
      socket.write(requestHead('/requisitions', 'application/json', requisition.length))
      socket.write(requisition.subarray(0, half))
      setTimeout(() => socket.write(requisition.subarray(half)), 300)
    })
  })
  t.equal(statusOf(result), 201, result)
  t.equal(requisitions.size, 1)
  // And the connection stays usable afterwards (keep-alive): nothing was torn down.
  const after = await fetch(`http://127.0.0.1:${port}/requisitions`, { headers: { authorization: `Bearer ${API_KEY}` } })
  t.not(after.status, 408)
})
