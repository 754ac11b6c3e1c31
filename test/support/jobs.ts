// Jobs of one candidate on a queue: each enqueue is a job of its own, so a
// test finds them by the candidate in their payload.
import type { Job, Queue } from 'bullmq'

export async function jobsOfCandidate(queue: Queue, candidateId: string): Promise<Job[]> {
  const jobs = await queue.getJobs(['completed', 'failed', 'active', 'waiting', 'delayed'])
  return jobs.filter((job) => job?.data?.candidateId === candidateId)
}
