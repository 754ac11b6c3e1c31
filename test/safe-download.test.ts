// Attachment links come from task managers and mailboxes, so someone else
// chooses them: a download goes only to allow-listed hosts over https, never to
// a private, loopback or link-local address (unless the operator configured
// that exact host), re-checks every redirect, keeps credentials to the host
// they were meant for, and is bounded in size and time. Every server here
// listens on 127.0.0.1; host names reach it through the policy's resolver.
import t, { type Test } from 'tap'
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { Socket, type AddressInfo } from 'node:net'
import { getCACertificates, setDefaultCACertificates } from 'node:tls'
import { DownloadRefusedError, safeDownload, type DownloadPolicy, type Resolver } from '../src/net/safe-download.ts'
import { isPrivateAddress } from '../src/net/public-address.ts'

// A self-signed certificate for files.hiring.test and media.hiring.test (test fixture only, valid 2020-2120).
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgfEaAtK3hgSQkMhO3
1levBZQAg5zEsMvVE+07+5BtnMqhRANCAATOxN7Jc3330xEAEAVYEbonENHCUlBS
3ZYYpOLX0zRfAG8iZqNzQfhzXoehbqlD5dfjlNIrxw5GTU2zJep3Re6v
-----END PRIVATE KEY-----
`
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBjDCCATKgAwIBAgIBATAKBggqhkjOPQQDAjAcMRowGAYDVQQDDBFmaWxlcy5o
aXJpbmcudGVzdDAgFw0yMDAxMDEwMDAwMDBaGA8yMTIwMDEwMTAwMDAwMFowHDEa
MBgGA1UEAwwRZmlsZXMuaGlyaW5nLnRlc3QwWTATBgcqhkjOPQIBBggqhkjOPQMB
BwNCAATOxN7Jc3330xEAEAVYEbonENHCUlBS3ZYYpOLX0zRfAG8iZqNzQfhzXoeh
bqlD5dfjlNIrxw5GTU2zJep3Re6vo2MwYTAPBgNVHRMBAf8EBTADAQH/MC8GA1Ud
EQQoMCaCEWZpbGVzLmhpcmluZy50ZXN0ghFtZWRpYS5oaXJpbmcudGVzdDAdBgNV
HQ4EFgQUQ9vaYLpSHoJCc2tBS6z89a5o7fgwCgYIKoZIzj0EAwIDSAAwRQIgJ/Xu
kufgYSaaY5tW1zYdXqFVJIdrv3KmKC5gxcV1LpYCIQD6dQXcVl+h+QW8mOJMrs/R
G6tuRyLS/GLwLzxw3BGhjg==
-----END CERTIFICATE-----
`
setDefaultCACertificates([...getCACertificates('default'), TEST_CERT])

// Every connection this process opens is recorded, and one to anything but
// loopback or a reserved .test name is stopped before a packet leaves: a refusal that
// should happen before connecting is proved by no attempt being recorded.
const attempts: string[] = []
const originalConnect = Socket.prototype.connect
Socket.prototype.connect = function (this: Socket, ...args: unknown[]) {
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0]
  const host = String((first as { host?: string } | undefined)?.host ?? 'localhost')
  attempts.push(host)
  if (!/^(127\.0\.0\.1|localhost|[\w.-]+\.test\.?)$/i.test(host)) throw new Error(`test tried to connect to ${host}`)
  return originalConnect.apply(this, args as Parameters<typeof originalConnect>)
} as typeof originalConnect

const toLoopback: Resolver = async () => [{ address: '127.0.0.1', family: 4 }]

interface TestServer {
  port: number
  /** Requests received, in order. */
  requests: IncomingMessage[]
  /** TCP connections accepted. */
  connections: number
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void

async function serve(t: Test, handler: Handler, secure = false): Promise<TestServer> {
  const server: Server = secure ? createHttpsServer({ key: TEST_KEY, cert: TEST_CERT }) : createHttpServer()
  const state: TestServer = { port: 0, requests: [], connections: 0 }
  server.on('connection', () => state.connections++)
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    state.requests.push(request)
    handler(request, response)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.port = (server.address() as AddressInfo).port
  t.teardown(() => {
    server.closeAllConnections()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return state
}

function policy(overrides: Partial<DownloadPolicy> = {}): DownloadPolicy {
  return { allowedHosts: [], trustedHosts: ['127.0.0.1'], maxBytes: 64 * 1024, timeoutMs: 2000, ...overrides }
}

async function refusal(t: Test, download: Promise<unknown>): Promise<DownloadRefusedError> {
  const error = await download.then(
    () => undefined,
    (error: unknown) => error,
  )
  t.type(error, DownloadRefusedError, 'refused with a DownloadRefusedError')
  return error as DownloadRefusedError
}

const resume = Buffer.from('%PDF-1.7 resume of Ada Lovelace')

t.test('isPrivateAddress: only public unicast addresses pass', async (t) => {
  const notPublic = [
    '0.0.0.0',
    '0.1.2.3',
    '10.0.0.1',
    '10.255.255.255',
    '100.64.0.1',
    '100.127.255.254',
    '127.0.0.1',
    '127.255.255.255',
    '169.254.169.254',
    '169.254.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.0.0.8',
    '192.0.2.1',
    '192.168.1.1',
    '198.18.0.1',
    '198.51.100.7',
    '203.0.113.9',
    '224.0.0.1',
    '239.255.255.250',
    '240.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '[::1]',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe',
    '::ffff:10.1.2.3',
    '::127.0.0.1',
    '64:ff9b::10.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '64:ff9b:1::1',
    '2002:7f00:1::1',
    '2002:a9fe:a9fe::',
    'fc00::1',
    'fd12:3456:789a::1',
    'fe80::1',
    'fe80::1%eth0',
    'febf:ffff::1',
    'fec0::1',
    'ff02::1',
    'ff05::1:3',
    '100::1',
    '2001::1',
    '2001:db8::1',
    '2001:10::1',
    '3fff::1',
    'localhost',
    'not an address',
    '',
    '1.2.3',
    '256.1.1.1',
  ]
  for (const address of notPublic) t.equal(isPrivateAddress(address), true, `${address} is refused`)
  const publicAddresses = [
    '1.1.1.1',
    '8.8.8.8',
    '9.255.255.255',
    '11.0.0.0',
    '100.63.255.255',
    '100.128.0.0',
    '126.255.255.255',
    '128.0.0.0',
    '169.253.255.255',
    '169.255.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.167.255.255',
    '192.169.0.0',
    '223.255.255.255',
    '::ffff:8.8.8.8',
    '::ffff:808:808',
    '64:ff9b::8.8.8.8',
    '2002:808:808::1',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '2001:4860:4860::8888',
  ]
  for (const address of publicAddresses) t.equal(isPrivateAddress(address), false, `${address} is public`)
})

t.test('a trusted host is downloaded over http: bytes, type, filename and final URL', async (t) => {
  const server = await serve(t, (_request, response) => {
    response.writeHead(200, {
      'content-type': 'application/pdf',
      'content-disposition': `attachment; filename="cv.pdf"; filename*=UTF-8''Jos%C3%A9%20Garc%C3%ADa%20CV.pdf`,
    })
    response.end(resume)
  })
  const url = `http://127.0.0.1:${server.port}/attachments/42?token=signed`
  const download = await safeDownload(url, policy())
  t.same(download.bytes, resume)
  t.equal(download.contentType, 'application/pdf')
  t.equal(download.filename, 'José García CV.pdf', 'filename* wins over filename')
  t.equal(download.finalUrl, url)
})

t.test('a plain quoted filename is read; no Content-Disposition gives none', async (t) => {
  let disposition: string | undefined = 'inline; filename="Jane \\"JD\\" Doe.docx"'
  const server = await serve(t, (_request, response) => {
    response.writeHead(200, disposition ? { 'content-disposition': disposition } : {})
    response.end(resume)
  })
  const url = `http://127.0.0.1:${server.port}/cv`
  t.equal((await safeDownload(url, policy())).filename, 'Jane "JD" Doe.docx')
  disposition = undefined
  const download = await safeDownload(url, policy())
  t.equal(download.filename, undefined)
  t.equal(download.contentType, null)
})

t.test('https to an allowed host works, certificate checked against the host name', async (t) => {
  const server = await serve(t, (_request, response) => response.end(resume), true)
  const download = await safeDownload(`https://files.hiring.test:${server.port}/cv.pdf`, {
    ...policy({ trustedHosts: ['files.hiring.test'], resolve: toLoopback }),
  })
  t.same(download.bytes, resume)
  const mismatch = await refusal(
    t,
    safeDownload(`https://other.hiring.test:${server.port}/cv.pdf`, policy({ trustedHosts: ['other.hiring.test'], resolve: toLoopback })),
  )
  t.equal(mismatch.reason, 'network_error', 'a certificate for another name is a failure')
})

t.test('without trust, loopback is refused as a private address', async (t) => {
  const server = await serve(t, (_request, response) => response.end(resume))
  for (const url of [`http://127.0.0.1:${server.port}/`, `https://127.0.0.1:${server.port}/`]) {
    const before = attempts.length
    const error = await refusal(t, safeDownload(url, policy({ allowedHosts: ['127.0.0.1'], trustedHosts: [] })))
    t.equal(error.reason, 'private_address', url)
    t.equal(error.retryable, false)
    t.equal(attempts.length, before, 'no connection was attempted')
  }
  // localhost is a name: it is refused in the connection's own lookup, before any byte reaches the server.
  const error = await refusal(
    t,
    safeDownload(`https://localhost:${server.port}/`, policy({ allowedHosts: ['localhost'], trustedHosts: [] })),
  )
  t.equal(error.reason, 'private_address')
  t.equal(server.connections, 0, 'the server saw no connection')
  const insecure = await refusal(
    t,
    safeDownload(`http://localhost:${server.port}/`, policy({ allowedHosts: ['localhost'], trustedHosts: [] })),
  )
  t.equal(insecure.reason, 'insecure_scheme', 'http to a host that is only allowed is refused')
  t.equal(server.connections, 0)
})

t.test('literal private addresses in any spelling are refused before connecting, allow-listed or not', async (t) => {
  const urls = [
    'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
    'https://169.254.169.254/',
    'https://[::ffff:169.254.169.254]/',
    'https://[::ffff:a9fe:a9fe]/',
    'https://0xa9.0xfe.0xa9.0xfe/',
    'https://2130706433/',
    'https://0x7f.1/',
    'https://0/',
    'https://[::]/',
    'https://[::1]/',
    'https://[fe80::1]/',
    'https://[fd00::1]/',
    'https://10.0.0.5/',
    'https://192.168.0.1/',
    'https://172.20.0.1/',
    'https://100.100.100.200/',
  ]
  const allowedHosts = ['169.254.169.254', '127.0.0.1', '::1', '0.0.0.0', '::']
  for (const url of urls) {
    const before = attempts.length
    const error = await refusal(t, safeDownload(url, policy({ allowedHosts, trustedHosts: [] })))
    t.equal(error.reason, 'private_address', url)
    t.equal(attempts.length, before, `${url}: no connection was attempted`)
  }
})

t.test('a host name resolving to a private address is refused inside the connection', async (t) => {
  const cases: [string, string[]][] = [
    ['the metadata service', ['169.254.169.254']],
    ['a private address among public ones', ['93.184.215.14', '10.0.0.7']],
    ['an IPv4-mapped loopback', ['::ffff:127.0.0.1']],
    ['a unique-local address', ['fd00::5']],
    ['carrier-grade NAT', ['100.64.1.1']],
  ]
  for (const [what, addresses] of cases) {
    const asked: string[] = []
    const resolve: Resolver = async (hostname) => {
      asked.push(hostname)
      return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
    }
    const before = attempts.length
    const error = await refusal(
      t,
      safeDownload('https://files.hiring.test/cv.pdf', policy({ allowedHosts: ['files.hiring.test'], resolve })),
    )
    t.equal(error.reason, 'private_address', what)
    t.same(asked, ['files.hiring.test'], `${what}: resolved once, by the connection itself`)
    t.same(attempts.slice(before), ['files.hiring.test'], `${what}: the check ran inside the connect attempt`)
  }
})

t.test('allowed hosts: exact names and *. subdomains, case and trailing dot ignored', async (t) => {
  const allowed = policy({ allowedHosts: ['*.hiring.test', 'API.Example.test'], trustedHosts: [], resolve: toLoopback })
  // Passing the host check leads on to the address check, which refuses loopback: the reason tells them apart.
  for (const url of ['https://files.hiring.test/', 'https://a.b.hiring.test/', 'https://X.Hiring.Test./', 'https://api.example.test/']) {
    t.equal((await refusal(t, safeDownload(url, allowed))).reason, 'private_address', `${url} is allowed`)
  }
  for (const url of ['https://hiring.test/', 'https://evilhiring.test/', 'https://hiring.test.evil.test/', 'https://x.api.example.test/']) {
    const error = await refusal(t, safeDownload(url, allowed))
    t.equal(error.reason, 'host_not_allowed', `${url} is not allowed`)
    t.equal(error.retryable, false)
  }
})

t.test('bad URLs are refused', async (t) => {
  const allowed = policy({ allowedHosts: ['files.hiring.test'], resolve: toLoopback })
  for (const url of ['not a url', 'ftp://files.hiring.test/cv.pdf', 'file:///etc/passwd', 'https://user:secret@files.hiring.test/cv.pdf']) {
    t.equal((await refusal(t, safeDownload(url, allowed))).reason, 'bad_url', url)
  }
})

t.test('every redirect is judged like the first URL', async (t) => {
  const untrusted = await serve(t, (_request, response) => response.end('internal'))
  let location = ''
  const server = await serve(t, (_request, response) => {
    response.writeHead(302, { location })
    response.end()
  })
  const redirecting = policy({ allowedHosts: ['169.254.169.254', 'localhost', 'allowed.hiring.test'], resolve: undefined })
  const cases: [string, string][] = [
    ['http://169.254.169.254/latest/meta-data/', 'private_address'],
    ['https://169.254.169.254/latest/meta-data/', 'private_address'],
    [`https://localhost:${untrusted.port}/admin`, 'private_address'],
    [`http://allowed.hiring.test:${untrusted.port}/`, 'insecure_scheme'],
    ['https://attacker.example/', 'host_not_allowed'],
    ['file:///etc/passwd', 'bad_url'],
  ]
  for (const [target, reason] of cases) {
    location = target
    const error = await refusal(t, safeDownload(`http://127.0.0.1:${server.port}/cv`, redirecting))
    t.equal(error.reason, reason, `redirect to ${target}`)
  }
  t.equal(untrusted.connections, 0, 'no redirect target was contacted')
})

t.test('redirects are followed up to maxRedirects, then refused', async (t) => {
  const server = await serve(t, (request, response) => {
    const step = Number(new URL(request.url!, 'http://x').searchParams.get('step'))
    if (step >= 3) return void response.end(resume)
    response.writeHead([301, 303, 307, 308][step % 4]!, { location: `/cv?step=${step + 1}` })
    response.end()
  })
  const url = `http://127.0.0.1:${server.port}/cv?step=0`
  const download = await safeDownload(url, policy({ maxRedirects: 3 }))
  t.same(download.bytes, resume)
  t.equal(download.finalUrl, `http://127.0.0.1:${server.port}/cv?step=3`)
  const error = await refusal(t, safeDownload(url, policy({ maxRedirects: 2 })))
  t.equal(error.reason, 'too_many_redirects')
  t.equal(error.retryable, false)
  t.equal(server.requests.length, 4 + 3, 'the third redirect was not followed')
  t.equal((await refusal(t, safeDownload(url, policy({ maxRedirects: 0 })))).reason, 'too_many_redirects')
})

t.test('credentials go only to the original host, never to a redirect target elsewhere', async (t) => {
  const media = await serve(t, (_request, response) => response.end(resume), true)
  const api = await serve(
    t,
    (request, response) => {
      if (request.url === '/attachment') response.writeHead(302, { location: '/content' })
      else response.writeHead(302, { location: `https://media.hiring.test:${media.port}/blob?sig=abc` })
      response.end()
    },
    true,
  )
  const download = await safeDownload(
    `https://files.hiring.test:${api.port}/attachment`,
    policy({ trustedHosts: ['files.hiring.test', 'media.hiring.test'], resolve: toLoopback }),
    {
      headers: { Authorization: 'Bearer pk_secret', 'X-Atlassian-Token': 'no-check' },
      headersFor: (url) => (url.hostname === 'media.hiring.test' ? { 'x-media-ticket': 'ticket-1' } : undefined),
    },
  )
  t.same(download.bytes, resume)
  t.equal(download.finalUrl, `https://media.hiring.test:${media.port}/blob?sig=abc`)
  t.same(
    api.requests.map((request) => request.headers.authorization),
    ['Bearer pk_secret', 'Bearer pk_secret'],
    'the original host gets the credentials, on a same-origin redirect too',
  )
  t.equal(media.requests.length, 1)
  t.equal(media.requests[0]!.headers.authorization, undefined, 'the redirect target never sees Authorization')
  t.equal(media.requests[0]!.headers['x-atlassian-token'], undefined, 'nor any other original header')
  t.equal(media.requests[0]!.headers['x-media-ticket'], 'ticket-1', 'headersFor decides per URL')
  t.equal(api.requests[0]!.headers['x-media-ticket'], undefined)
})

t.test('the same host on another port is another origin: no credentials', async (t) => {
  const other = await serve(t, (_request, response) => response.end(resume))
  const server = await serve(t, (_request, response) => {
    response.writeHead(307, { location: `http://127.0.0.1:${other.port}/cv` })
    response.end()
  })
  await safeDownload(`http://127.0.0.1:${server.port}/cv`, policy(), { headers: { authorization: 'pk_secret' } })
  t.equal(server.requests[0]!.headers.authorization, 'pk_secret')
  t.equal(other.requests[0]!.headers.authorization, undefined)
})

/** Serves `total` bytes in 16 KiB writes; resolves `finished` with whether the whole body was written before the connection closed. */
function streamingServer(total: number, declareLength: boolean) {
  let finished!: (complete: boolean) => void
  const outcome = new Promise<boolean>((resolve) => (finished = resolve))
  const handler: Handler = (_request, response) => {
    response.writeHead(200, declareLength ? { 'content-length': String(total) } : {})
    let sent = 0
    response.on('close', () => finished(response.writableFinished))
    const pump = () => {
      if (response.destroyed) return
      if (sent >= total) return void response.end()
      const size = Math.min(16 * 1024, total - sent)
      sent += size
      if (response.write(Buffer.alloc(size, 0x41))) setImmediate(pump)
      else response.once('drain', pump)
    }
    pump()
  }
  return { handler, outcome }
}

t.test('a body over maxBytes is refused and the connection closed, with or without Content-Length', async (t) => {
  for (const declareLength of [true, false]) {
    const { handler, outcome } = streamingServer(20 * 1024 * 1024, declareLength)
    const server = await serve(t, handler)
    const error = await refusal(t, safeDownload(`http://127.0.0.1:${server.port}/cv`, policy({ maxBytes: 100 * 1024 })))
    t.equal(error.reason, 'too_large', declareLength ? 'declared too large' : 'found too large while reading')
    t.match(
      error.message,
      declareLength ? /20971520 bytes is more than 102400/ : /larger than 102400 bytes/,
      'judged up front when declared',
    )
    t.equal(error.retryable, false)
    t.equal(await outcome, false, 'the server was cut off before sending the whole body')
  }
})

t.test('a body of exactly maxBytes is accepted; one byte more is not', async (t) => {
  for (const declareLength of [true, false]) {
    const exact = streamingServer(40_000, declareLength)
    const server = await serve(t, exact.handler)
    t.equal((await safeDownload(`http://127.0.0.1:${server.port}/cv`, policy({ maxBytes: 40_000 }))).bytes.length, 40_000)
    t.equal(await exact.outcome, true)
    const over = streamingServer(40_001, declareLength)
    const overServer = await serve(t, over.handler)
    t.equal((await refusal(t, safeDownload(`http://127.0.0.1:${overServer.port}/cv`, policy({ maxBytes: 40_000 })))).reason, 'too_large')
  }
})

t.test('a slow server times out, whether it stalls before the headers or inside the body', { timeout: 5000 }, async (t) => {
  const silent = await serve(t, () => {})
  const trickling = await serve(t, (_request, response) => {
    response.writeHead(200, { 'content-length': '1000' })
    const timer = setInterval(() => response.write('x'), 50)
    response.on('close', () => clearInterval(timer))
  })
  for (const server of [silent, trickling]) {
    const started = Date.now()
    const error = await refusal(t, safeDownload(`http://127.0.0.1:${server.port}/cv`, policy({ timeoutMs: 300 })))
    const elapsed = Date.now() - started
    t.equal(error.reason, 'timeout')
    t.equal(error.retryable, true)
    t.ok(elapsed >= 280 && elapsed < 1500, `gave up after ${elapsed} ms`)
  }
})

t.test('the deadline covers redirects, and connecting has its own', { timeout: 5000 }, async (t) => {
  const server = await serve(t, (_request, response) => {
    setTimeout(() => {
      response.writeHead(302, { location: '/again' })
      response.end()
    }, 120)
  })
  const started = Date.now()
  const error = await refusal(t, safeDownload(`http://127.0.0.1:${server.port}/cv`, policy({ timeoutMs: 300, maxRedirects: 10 })))
  t.equal(error.reason, 'timeout')
  t.ok(Date.now() - started < 1000, 'one deadline for the whole chain, not one per request')
  const hanging: Resolver = () => new Promise(() => {})
  const stuck = await refusal(
    t,
    safeDownload('https://files.hiring.test/cv', policy({ trustedHosts: ['files.hiring.test'], resolve: hanging, connectTimeoutMs: 150 })),
  )
  t.equal(stuck.reason, 'timeout')
  t.match(stuck.message, /no connection within 150 ms/)
})

t.test('non-2xx answers are bad_status, retryable only for 5xx and 429', async (t) => {
  const server = await serve(t, (request, response) => {
    const status = Number(request.url!.slice(1))
    response.writeHead(status, {})
    response.end()
  })
  const cases: [number, boolean][] = [
    [404, false],
    [403, false],
    [410, false],
    [304, false],
    [429, true],
    [500, true],
    [503, true],
  ]
  for (const [status, retryable] of cases) {
    const error = await refusal(t, safeDownload(`http://127.0.0.1:${server.port}/${status}`, policy()))
    t.equal(error.reason, 'bad_status', `${status}`)
    t.equal(error.status, status)
    t.equal(error.retryable, retryable, `${status} retryable: ${retryable}`)
  }
  const noLocation = await refusal(t, safeDownload(`http://127.0.0.1:${server.port}/302`, policy()))
  t.equal(noLocation.reason, 'bad_status', 'a redirect without a location')
})

t.test('network failures are retryable and name the host, not the signed URL', async (t) => {
  const truncating = await serve(t, (_request, response) => {
    response.writeHead(200, { 'content-length': '1000' })
    response.write('only part of it')
    setTimeout(() => response.socket?.destroy(), 20)
  })
  const error = await refusal(t, safeDownload(`http://127.0.0.1:${truncating.port}/cv?signature=s3cr3t`, policy()))
  t.equal(error.reason, 'network_error', 'a body cut short')
  t.equal(error.retryable, true)
  t.notMatch(error.message, /s3cr3t|\/cv/, 'no path or query in the message')
  t.match(error.message, /127\.0\.0\.1/)
  // A port nothing listens on any more.
  const gone = createHttpServer()
  await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve))
  const port = (gone.address() as AddressInfo).port
  await new Promise<void>((resolve) => gone.close(() => resolve()))
  const refused = await refusal(t, safeDownload(`http://127.0.0.1:${port}/cv`, policy()))
  t.equal(refused.reason, 'network_error', 'connection refused')
  t.equal(refused.retryable, true)
})
