import { Injectable, Logger } from '@nestjs/common';
import { SystemTask, SystemTaskProvider } from '@conveyor/job-runtime';
import { ViralRunStarter } from '../runs/viral-run-starter';

/** Re-runs started per run of the schedule; the rest wait for the next one. */
const RERUNS_PER_RUN = 100;

/**
 * Starts the due re-runs of viral-ideas entries: completed, auto re-run on, `next_scheduled_run`
 * passed, and no run of theirs still queued or running. Each is claimed and enqueued like any
 * start (ViralRunStarter), so a re-run never overlaps another run of its entry.
 */
@SystemTaskProvider()
@Injectable()
export class ViralIdeasRerunsTask implements SystemTask {
  private readonly logger = new Logger(ViralIdeasRerunsTask.name);

  readonly schedule = {
    name: 'viral-ideas-reruns',
    cron: '*/10 * * * *',
    description: 'Starts the due automatic re-runs of viral-ideas analyses (next_scheduled_run passed)',
  };

  constructor(private readonly starter: ViralRunStarter) {}

  async run(): Promise<object> {
    const outcomes = await this.starter.startDueReruns(RERUNS_PER_RUN);
    const started = outcomes.flatMap((o) => ('started' in o ? [{ queueId: o.entry._id, jobId: o.started.jobId }] : []));
    const refused = outcomes.flatMap((o) => ('error' in o ? [{ queueId: o.entry._id, error: o.error.code }] : []));
    if (outcomes.length > 0) this.logger.log(`Viral-ideas re-runs: ${started.length} started, ${refused.length} refused`);
    // A refused enqueue (queue full, Redis down) fails the run so Bull retries it.
    if (refused.length > 0 && started.length === 0) throw new Error(`Every due re-run was refused: ${refused[0].error}`);
    return { started, refused };
  }
}
