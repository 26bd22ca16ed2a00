import { Injectable } from '@nestjs/common';
import { isTerminal } from '@conveyor/contracts';
import { Caller } from '@conveyor/http';
import { JobResponse } from '../dto/job.response';
import { JobReads } from '../job-reads.service';
import { JobEventHub } from './job-event-hub';
import { POLL_INTERVAL_MS } from './job-event-stream.service';

/**
 * `Prefer: wait=N`: a job's final state if it finishes within N seconds. Driven by Bull's events
 * (JobEventHub): the job is read again when Bull says its state changed, so a result is answered
 * moments after the worker records it. A read every POLL_INTERVAL_MS is the safety net for what
 * Bull announces nowhere (a cancel made by another request) and for missed events.
 */
@Injectable()
export class JobOutcomeWaiter {
  constructor(
    private readonly jobs: JobReads,
    private readonly hub: JobEventHub,
  ) {}

  async wait(caller: Caller, jobId: string, seconds: number, signal?: AbortSignal): Promise<JobResponse | undefined> {
    // The wait counts from the request, not from the subscription (the first in a process waits
    // for Bull to confirm its subscriptions).
    const deadline = Date.now() + seconds * 1000;
    let wake: () => void = () => undefined;
    let changed = false;
    // Subscribed before the first read, so a change published after it is never missed.
    const unsubscribe = await this.hub.subscribe(jobId, (event) => {
      if (event.kind !== 'changed') return;
      changed = true;
      wake();
    });
    const stop = () => wake();
    signal?.addEventListener('abort', stop);
    try {
      for (;;) {
        if (signal?.aborted) return undefined;
        changed = false;
        const job = await this.jobs.get(caller, jobId);
        if (isTerminal(job.conveyorStatus)) return job;
        const left = deadline - Date.now();
        if (left <= 0 || signal?.aborted) return undefined;
        if (changed) continue; // it changed while being read: read again at once
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(POLL_INTERVAL_MS, left));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = () => undefined;
      }
    } finally {
      signal?.removeEventListener('abort', stop);
      unsubscribe();
    }
  }
}
