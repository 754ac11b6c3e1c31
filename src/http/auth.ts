// Bearer API keys. Only sha256 digests are kept; the presented key is hashed
// and compared with every digest in constant time, so neither the key nor
// which digest matched leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { HttpError } from './errors.ts'

export function bearerAuth(keyHashes: Buffer[]) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    // Without configured keys the server listens on loopback only (see config).
    if (keyHashes.length === 0) return
    const header = request.headers.authorization ?? ''
    // The scheme name is case-insensitive (RFC 7235 section 2.1); the key is not.
    const match = /^bearer +([\x21-\x7e]{1,512})$/i.exec(header)
    let ok = false
    if (match) {
      const presented = createHash('sha256')
        .update(match[1] as string)
        .digest()
      for (const hash of keyHashes) ok = timingSafeEqual(presented, hash) || ok
    }
    if (!ok) {
      reply.header('www-authenticate', 'Bearer realm="hireflow"')
      throw new HttpError(401, match ? 'the API key is not valid' : 'send the API key as "Authorization: Bearer <key>"')
    }
  }
}
