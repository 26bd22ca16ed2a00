import type { CpuTask } from '@conveyor/job-runtime';

/** Busy-waits for `ms` on whatever thread runs it; answers how many loops it made. */
export default function spin({ ms }: { ms: number }): number {
  const until = Date.now() + ms;
  let loops = 0;
  while (Date.now() < until) loops++;
  return loops;
}

/** The spin on a worker thread (JobContext.offload): the event loop, and the job's lock, stay alive. */
export const spinTask: CpuTask<{ ms: number }, number> = { filename: __filename };
