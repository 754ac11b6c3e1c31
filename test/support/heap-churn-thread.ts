// A thread that keeps 48 MB alive, as a heap that has grown while reading resumes does, and reports
// how many full collections (mark-compact) V8 ran to get there. GCProfiler records each collection
// synchronously, so the count does not depend on when GC events would be delivered.
import { parentPort } from 'node:worker_threads'
import { GCProfiler } from 'node:v8'

const profiler = new GCProfiler()
profiler.start()
// 150 arrays of 320 KB (large objects, promoted to the old generation as they survive), all kept.
const kept: number[][] = []
for (let i = 0; i < 150; i++) kept.push(new Array<number>(40_000).fill(i))
const { statistics } = profiler.stop()!
const fullCollections = statistics.filter((entry) => entry.gcType === 'MarkSweepCompact').length
parentPort!.postMessage({ fullCollections, kept: kept.length })
