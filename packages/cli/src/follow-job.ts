import { ConveyorClient, JobFinalEvent, JobView, ServerSentEvent, isFinalEvent, isProgressEvent, isViewEvent } from '../../client/src';
import { ExitCode } from './exit-codes';
import { brief, printJson, printLine, printNote } from './output';
import { ProgressDisplay, ProgressMode, progressDisplay } from './progress-display';

export interface FollowOptions {
  json?: boolean;
  progress: ProgressMode;
}

/**
 * Follows a job's event stream to its end (`watch`, `submit --wait`), showing its progress, and
 * returns the exit code its outcome means. A dropped stream is resumed with Last-Event-ID.
 */
export async function followJob(client: ConveyorClient, jobId: string, options: FollowOptions): Promise<number> {
  const display = options.json ? undefined : progressDisplay(options.progress);
  const state = { status: '', step: null as string | null, percent: 0 };
  const onEvent = (event: ServerSentEvent) => (display ? show(event, state, display) : printJson(event));
  const onReconnect = (attempt: number, lastEventId: string | undefined) =>
    printNote(`stream dropped; reconnecting (attempt ${attempt}, after event ${lastEventId ?? 'none'})`);
  let final: JobFinalEvent;
  try {
    final = await client.watchJob(jobId, onEvent, { onReconnect });
  } finally {
    display?.stop();
  }
  if (display) printOutcome(final.data);
  return exitCodeOf(final.data);
}

function show(event: ServerSentEvent, state: { status: string; step: string | null; percent: number }, display: ProgressDisplay): void {
  if (isProgressEvent(event)) {
    state.percent = event.data.percent;
    state.step = event.data.step;
  } else if (isViewEvent(event) || isFinalEvent(event)) {
    state.status = event.data.status;
    state.percent = event.data.progress.percent;
    state.step = event.data.progress.step;
  } else {
    return;
  }
  display.update(state.percent, state.status, state.step);
}

function printOutcome(job: JobView): void {
  const took = job.processingTime === null ? '' : ` in ${(job.processingTime / 1000).toFixed(1)} s`;
  printLine(`Job ${job.jobId} ${job.status}${took}`);
  if (job.error) printLine(`error: ${job.error.code}: ${job.error.message}`);
  if (job.conveyorStatus === 'completed' && job.result !== null && job.result !== undefined) printLine(`result: ${brief(job.result)}`);
}

/** completed → 0, failed → 1, cancelled → 2 (by Conveyor's status word, whatever the type calls it). */
export function exitCodeOf(job: JobView): number {
  if (job.conveyorStatus === 'failed') return ExitCode.JobFailed;
  if (job.conveyorStatus === 'cancelled') return ExitCode.JobCancelled;
  return ExitCode.Ok;
}
