// Redis connections for the queues. Producers (the API) must fail fast while
// Redis is away, so a request answers 503 instead of hanging; workers must
// wait for Redis indefinitely (BullMQ requires maxRetriesPerRequest: null).
import { Redis } from 'ioredis'

export function producerConnection(url: string): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    // No auto-pipelining: each pipeline ioredis makes copies every BullMQ script onto itself, which cost more than
    // the writes it saved. A burst of webhook deliveries is already one command (HiringQueues.hintSourceItem).
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    commandTimeout: 5_000,
    connectionName: 'hireflow-producer',
  })
}

export function workerConnection(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    connectTimeout: 5_000,
    connectionName: 'hireflow-worker',
  })
}

/** One PING on a throwaway connection: used at start to say clearly that Redis is not there. */
export async function checkRedis(url: string, timeoutMs = 3_000): Promise<{ maxmemoryPolicy: string | undefined }> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  })
  redis.on('error', () => {})
  try {
    await redis.connect()
    await redis.ping()
    let maxmemoryPolicy: string | undefined
    try {
      const reply = (await redis.config('GET', 'maxmemory-policy')) as string[]
      maxmemoryPolicy = reply[1]
    } catch {
      // Managed Redis (e.g. ElastiCache) may forbid CONFIG; the policy is then the operator's to set.
    }
    return { maxmemoryPolicy }
  } finally {
    redis.disconnect()
  }
}

/**
 * Waits (at most `timeoutMs`) for a fail-fast connection that is still
 * connecting: before it is ready it refuses every command, which right after
 * start would read as Redis being down.
 */
export async function whenReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready' || !['connecting', 'connect', 'reconnecting', 'wait'].includes(redis.status)) return
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer)
      redis.off('ready', done)
      resolve()
    }
    const timer = setTimeout(done, timeoutMs)
    redis.once('ready', done)
  })
}
