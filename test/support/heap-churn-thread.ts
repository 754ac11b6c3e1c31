// A thread that keeps 48 MB alive, as a heap that has grown while reading resumes does, and reports
// how many full collections V8 started to get there: marking begun on the old generation (incremental
// marking, finished later by helper threads) or a mark-compact run at once. Both begin synchronously when
// an allocation reaches the heap's limit, and GCProfiler records them as they begin, so the count depends
// neither on the machine's load nor on when GC events would be delivered.
import { parentPort } from 'node:worker_threads'
import { GCProfiler } from 'node:v8'

const profiler = new GCProfiler()
profiler.start()
// 150 arrays of 320 KB (large objects, promoted to the old generation as they survive), all kept.
const kept: number[][] = []
for (let i = 0; i < 150; i++) kept.push(new Array<number>(40_000).fill(i))
const { statistics } = profiler.stop()!
const fullCollections = statistics.filter((entry) => entry.gcType === 'IncrementalMarking' || entry.gcType === 'MarkSweepCompact').length
parentPort!.postMessage({ fullCollections, kept: kept.length })
