// Certificates for the stand-ins that are only reached over TLS (Microsoft
// Entra ID and Graph): a throw-away test CA, a server certificate it signs for
// localhost and 127.0.0.1, and a self-signed client certificate for the
// certificate credential of an app registration. They are made with the
// openssl CLI at run time, once per process, so no key is ever committed.
//
// In production an operator who needs another CA (a TLS-inspecting proxy, a
// sovereign cloud's chain) sets NODE_EXTRA_CA_CERTS; Node reads that only at
// start, so tests add the test CA to the default trust store instead.
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import tls from 'node:tls'
import { promisify } from 'node:util'
import { X509Certificate } from 'node:crypto'

const run = promisify(execFile)

export interface TestTls {
  /** The test CA's certificate: what a client must trust. */
  caPem: string
  /** The server certificate (CN and SAN localhost, SAN IP 127.0.0.1), signed by the CA. */
  certPem: string
  keyPem: string
}

export interface TestClientCertificate {
  /** A self-signed RSA certificate, as uploaded to an app registration. */
  certPem: string
  /** Its private key (PKCS#8 PEM). */
  keyPem: string
  /** Hex SHA-1 and SHA-256 thumbprints of the certificate's DER bytes, upper case without colons (as Entra shows them). */
  thumbprintSha1: string
  thumbprintSha256: string
}

async function inTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'hireflow-tls-'))
  try {
    return await work(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function openssl(dir: string, args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir })
}

let serverTls: Promise<TestTls> | undefined

/** The test CA and a server certificate it signed; made once per process. */
export function testTls(): Promise<TestTls> {
  serverTls ??= inTempDir(async (dir) => {
    // EC keys: generating them is instant, and TLS with them is what a modern server offers.
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
    await openssl(dir, [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=hireflow test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ])
    await openssl(dir, ['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'])
    await writeFile(
      join(dir, 'server.ext'),
      [
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=serverAuth',
      ].join('\n'),
    )
    await openssl(dir, [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.pem',
      '-days',
      '2',
      '-extfile',
      'server.ext',
    ])
    const [caPem, certPem, keyPem] = await Promise.all(
      ['ca.pem', 'server.pem', 'server.key'].map((name) => readFile(join(dir, name), 'utf8')),
    )
    return { caPem: caPem!, certPem: certPem!, keyPem: keyPem! }
  })
  return serverTls
}

const clientCertificates = new Map<string, Promise<TestClientCertificate>>()

/**
 * A self-signed RSA certificate and key, with `subject` as its common name: the app registration's certificate
 * credential, or an SNS signing certificate. Made once per process and subject.
 */
export function testClientCertificate(subject = 'hireflow test app'): Promise<TestClientCertificate> {
  let made = clientCertificates.get(subject)
  if (made) return made
  made = inTempDir(async (dir) => {
    // RSA, because Entra client assertions are signed RS256 or PS256, and SNS signs its messages with RSA.
    await openssl(dir, [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'client.key',
      '-out',
      'client.pem',
      '-days',
      '2',
      '-subj',
      `/CN=${subject}`,
    ])
    const [certPem, keyPem] = await Promise.all(['client.pem', 'client.key'].map((name) => readFile(join(dir, name), 'utf8')))
    const certificate = new X509Certificate(certPem!)
    const hex = (fingerprint: string) => fingerprint.replaceAll(':', '').toUpperCase()
    return {
      certPem: certPem!,
      keyPem: keyPem!,
      thumbprintSha1: hex(certificate.fingerprint),
      thumbprintSha256: hex(certificate.fingerprint256),
    }
  })
  clientCertificates.set(subject, made)
  return made
}

/**
 * Adds `caPem` to the CAs this process trusts by default: global fetch
 * (undici), node:https and everything built on them (msal-node) then accept
 * the stand-ins' certificate. Adding the same CA again changes nothing.
 */
export function trustTestCa(caPem: string): void {
  const current = tls.getCACertificates('default')
  const wanted = new X509Certificate(caPem).fingerprint256
  if (current.some((pem) => new X509Certificate(pem).fingerprint256 === wanted)) return
  tls.setDefaultCACertificates([...current, caPem])
}
