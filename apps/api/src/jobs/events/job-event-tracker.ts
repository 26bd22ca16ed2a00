import { JobProgress, JobStatus, isTerminal } from '@conveyor/contracts';
import { JobResponse } from '../dto/job.response';
import { FlowProgressResponse } from '../flows/job-flow.response';

/**
 * The event names a job's stream can carry, in the order a client meets them. The final event is
 * named by the job's status word: `completed`, `failed` or `cancelled`, or its type's own word
 * (StatusVocabulary, e.g. `succeeded`).
 */
export type JobEventName =
  'snapshot' | 'status' | 'progress' | 'flow' | JobStatus.Completed | JobStatus.Failed | JobStatus.Cancelled | (string & {});

/** What a `progress` event carries. */
export interface JobProgressEvent {
  jobId: string;
  percent: number;
  step: string | null;
}

/** What a `flow` event carries: the flow under the job, as in the job view's `flow`. */
export interface JobFlowEvent extends FlowProgressResponse {
  jobId: string;
}

export interface JobStreamEvent {
  id: number;
  event: JobEventName;
  data: JobResponse | JobProgressEvent | JobFlowEvent;
}

/**
 * Turns what one stream learns about a job (views read through JobReads.get, progress
 * published by the worker) into the events its client sees. Pure: no I/O, no clock.
 *
 * Event ids are integers, strictly increasing on a stream, starting above the client's
 * `Last-Event-ID`. Every reconnect starts above the last id the client saw, so across all of a
 * client's connections to the job the ids only grow, and the final event always has the highest.
 *
 * - `snapshot`: the job view, first on every connection.
 * - `status`: the view, when the status or the attempt (run, attemptsMade) changes.
 * - `progress`: `{ jobId, percent, step }` when the percent or the step of an active job changes.
 * - `flow`: `{ jobId, status, counts, total, progress }` when the flow under a job that fanned out
 *   changes (views carry it as `flow` too).
 * - `completed` | `failed` | `cancelled`: the final view, last; the stream then ends. A job that
 *   fanned out often ends before the flow under it: its own end is then a `status` event, and the
 *   final event waits for the flow to end, so a stream on a flow's root follows the whole flow.
 */
export class JobEventTracker {
  private nextId: number;
  private status?: JobStatus;
  private attempt?: string;
  private progress?: JobProgress;
  private flow?: string;
  private finished = false;

  constructor(
    private readonly jobId: string,
    lastEventId = 0,
  ) {
    this.nextId = lastEventId + 1;
  }

  /** True once the final event has been produced: nothing follows it. */
  get done(): boolean {
    return this.finished;
  }

  /** The first events of a connection: the snapshot, and the final event at once if the job already ended. */
  snapshot(view: JobResponse): JobStreamEvent[] {
    this.remember(view);
    const events = [this.event('snapshot', view)];
    if (hasEnded(view)) events.push(this.final(view));
    return events;
  }

  /**
   * A fresh read of the job. `fresh` is false when progress was published while the read was in
   * flight: that progress is newer than (or equal to) the view's, so the view's is not reported.
   */
  view(view: JobResponse, fresh = true): JobStreamEvent[] {
    if (this.finished) return [];
    if (hasEnded(view)) return [this.final(view)];
    const attempt = attemptOf(view);
    const events: JobStreamEvent[] = [];
    if (view.conveyorStatus !== this.status || attempt !== this.attempt) {
      this.status = view.conveyorStatus;
      this.attempt = attempt;
      events.push(this.event('status', view));
    }
    const flow = flowKey(view);
    if (view.flow && flow !== this.flow) {
      this.flow = flow;
      events.push(this.event('flow', { jobId: this.jobId, ...view.flow }));
    }
    // Bull keeps the last attempt's progress until the next attempt reports its own, so an
    // unchanged value at a new attempt is not news; waiting and delayed jobs make none.
    if (fresh && view.conveyorStatus === JobStatus.Active) events.push(...this.progressed(view.progress));
    return events;
  }

  /** Progress the worker published (Bull's `global:progress`). */
  progressed(progress: JobProgress): JobStreamEvent[] {
    if (this.finished) return [];
    if (this.progress && this.progress.percent === progress.percent && this.progress.step === progress.step) return [];
    this.progress = { percent: progress.percent, step: progress.step };
    return [this.event('progress', { jobId: this.jobId, percent: progress.percent, step: progress.step })];
  }

  private final(view: JobResponse): JobStreamEvent {
    this.finished = true;
    return this.event(view.status, view);
  }

  private remember(view: JobResponse): void {
    this.status = view.conveyorStatus;
    this.attempt = attemptOf(view);
    this.progress = { percent: view.progress.percent, step: view.progress.step };
    this.flow = flowKey(view);
  }

  private event(event: JobEventName, data: JobStreamEvent['data']): JobStreamEvent {
    return { id: this.nextId++, event, data };
  }
}

/** The job has ended, and so has the flow under it if it fanned out. */
function hasEnded(view: JobResponse): boolean {
  return isTerminal(view.conveyorStatus) && view.flow?.status !== 'running';
}

/** What a `flow` event reports, as one comparable string (counts in a fixed order). */
function flowKey(view: JobResponse): string | undefined {
  if (!view.flow) return undefined;
  const { status, total, progress, counts } = view.flow;
  const sorted = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([status, total, progress, sorted]);
}

/** The attempt, and the status word where it says more than Conveyor's (`stalled`): a change of either is news. */
function attemptOf(view: JobResponse): string {
  return `${view.run}:${view.attemptsMade}:${view.status}`;
}

/** `Last-Event-ID` as sent by EventSource; anything but a plain non-negative integer is ignored. */
export function parseLastEventId(header: string | undefined): number {
  if (header === undefined || !/^\d{1,15}$/.test(header.trim())) return 0;
  return Number(header.trim());
}

/** One event in the text/event-stream format. */
export function formatEvent({ id, event, data }: JobStreamEvent): string {
  // JSON never contains a raw newline, so the data fits on one `data:` line.
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
