import { Logger } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { stalledCountAtTake } from '../runtime/stalled-count-at-take';
import { passBySettledJobs } from './settled-pickups';

/** Bull's hook as a queue has it before the patch: it builds the job from the hash it was handed. */
function queueTaking(): { queue: Queue; take: (hash: Record<string, string>, jobId: string) => Promise<Job | null> } {
  const queue = {
    name: 'http',
    nextJobFromJobData: (hash: Record<string, string> | null, jobId?: string) => (hash ? ({ id: jobId } as Job) : null),
  };
  passBySettledJobs(queue as unknown as Queue, new Logger('test'));
  return { queue: queue as unknown as Queue, take: async (hash, jobId) => queue.nextJobFromJobData(hash, jobId) };
}

describe(passBySettledJobs.name, () => {
  it('notes the stalled count the taken hash carries, so a first delivery needs no read to be told from a redelivery', async () => {
    const { take } = queueTaking();
    const first = (await take({ timestamp: '1', processedOn: '2' }, 'a'))!;
    const redelivered = (await take({ timestamp: '1', processedOn: '3', stalledCounter: '2' }, 'b'))!;
    expect(stalledCountAtTake(first)).toBe(0);
    expect(stalledCountAtTake(redelivered)).toBe(2);
  });
});
