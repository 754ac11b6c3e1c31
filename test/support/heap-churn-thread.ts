// A thread that makes old-generation garbage, as reading resumes does, and reports how many full
// collections (mark-compact) that took.
import { parentPort } from 'node:worker_threads'
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks'

let fullCollections = 0
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
    if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) fullCollections++
  }
})
observer.observe({ entryTypes: ['gc'] })

// 600 MB in arrays of 320 KB (large enough to be made in the old generation), a few alive at a time.
let live: number[][] = []
for (let i = 0; i < 1_920; i++) {
  live.push(new Array<number>(40_000).fill(i))
  if (live.length > 4) live = live.slice(1)
  if (i % 16 === 0) await new Promise((resolve) => setImmediate(resolve))
}
// GC entries are delivered asynchronously.
await new Promise((resolve) => setTimeout(resolve, 50))
observer.disconnect()
parentPort!.postMessage({ fullCollections, kept: live.length })
