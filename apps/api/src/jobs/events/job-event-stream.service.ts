import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ConveyorError, ErrorCode, ownerKey, errorField } from '@conveyor/contracts';
import type { Response } from 'express';
import { Caller } from '@conveyor/http';
import { JobResponse } from '../dto/job.response';
import { JobReads } from '../job-reads.service';
import { FlowReads } from '../flows/flow-reads';
import { JobEventHub, JobSignal } from './job-event-hub';
import { JobEventTracker, JobStreamEvent, formatEvent } from './job-event-tracker';
import { StreamSlot, StreamSlots } from './stream-slots';

/** The safety net under Bull's events: retries and API-side cancels publish none. */
export const POLL_INTERVAL_MS = 1_000;
/** A comment line this often keeps proxies from closing an idle stream, and refreshes the slot. */
export const HEARTBEAT_INTERVAL_MS = 15_000;
/** The longest one stream stays open; the client then reconnects with Last-Event-ID. */
const MAX_STREAM_LIFETIME_MS = 30 * 60_000;
/** EventSource's reconnection delay, sent once per stream. */
const RECONNECT_DELAY_MS = 3_000;

/**
 * Server-Sent Events for one job (GET /api/v1/jobs/:jobId/events).
 *
 * Everything that can fail with an error envelope (ownership → 404, the per-caller cap → 429)
 * happens before the first byte of the stream, so those answers are ordinary JSON errors.
 *
 * Sources: Bull's global events, fanned out in-process by JobEventHub, give immediacy; each
 * `changed` signal and a poll every POLL_INTERVAL_MS re-read the job through JobReads.get, so a
 * state Bull announces nowhere (a retry's delay, a waiting job the API cancelled) is still seen
 * within a second. Signals are handled one at a time, in arrival order. A job that fanned out is
 * read with the flow under it (FlowReads.withFlow), whose changes the poll picks up: its stream
 * lasts until the flow has ended too.
 *
 * Resume: event ids grow strictly on a stream and start above `Last-Event-ID` (JobEventTracker),
 * and every connection starts with a fresh snapshot, followed at once by the final event when the
 * job has ended. So a client that lost its connection before the final event gets it on
 * reconnecting, with an id above every id it saw before: the terminal event is never lost.
 */
@Injectable()
export class JobEventStreamService implements OnModuleDestroy {
  private readonly open = new Set<JobEventStream>();

  constructor(
    private readonly jobs: JobReads,
    private readonly flows: FlowReads,
    private readonly hub: JobEventHub,
    private readonly slots: StreamSlots,
  ) {}

  /**
   * Checks access and the cap, then starts streaming to `res` and returns; the stream runs until
   * the job ends or the client goes away. Throws (before any header is sent) for 404 and 429.
   */
  async start(caller: Caller, jobId: string, lastEventId: number, res: Response): Promise<void> {
    const state: { stream?: JobEventStream; clientGone: boolean } = { clientGone: false };
    res.once('close', () => {
      state.clientGone = true;
      void state.stream?.end();
    });
    const early: JobSignal[] = [];
    // Subscribed before the first read, so nothing published after that read is missed.
    const unsubscribe = await this.hub.subscribe(jobId, (signal) => (state.stream ? state.stream.signal(signal) : early.push(signal)));
    let view: JobResponse;
    let slot: StreamSlot;
    const readFrom = early.length; // the signals before the read are answered by it
    try {
      view = await this.read(caller, jobId);
      slot = await this.slots.acquire(ownerKey(caller.owner));
    } catch (error) {
      unsubscribe();
      throw error;
    }
    const stream = new JobEventStream(
      jobId,
      new JobEventTracker(jobId, lastEventId),
      res,
      () => this.read(caller, jobId),
      slot,
      () => {
        unsubscribe();
        this.open.delete(stream);
      },
    );
    state.stream = stream;
    this.open.add(stream);
    if (state.clientGone) await stream.end();
    else stream.begin(view, early.slice(readFrom));
  }

  /** The job's view, with the flow under it when it fanned out. */
  private read(caller: Caller, jobId: string): Promise<JobResponse> {
    return this.flows.withFlow(jobId, this.jobs.get(caller, jobId));
  }

  /** Streams open in this process. */
  get openStreams(): number {
    return this.open.size;
  }

  /**
   * On shutdown every stream ends with a `reconnect` event (no id, so the client's Last-Event-ID
   * stays the last job event it saw): it reconnects to another instance and resumes there.
   */
  async endAll(): Promise<void> {
    await Promise.all([...this.open].map((stream) => stream.end({ reconnect: true })));
  }

  async onModuleDestroy(): Promise<void> {
    await this.endAll();
  }
}

/** One open stream: its timers, its signal queue and its writes. */
class JobEventStream {
  private readonly logger = new Logger('JobEventStream');
  private readonly pending: Array<JobSignal & { arrival: number }> = [];
  /** Progress signals received so far; those received before a read began are superseded by it. */
  private arrivals = 0;
  private supersededUpTo = 0;
  private refreshQueued = false;
  private draining = false;
  private readFailing = false;
  private ended?: Promise<void>;
  private poll?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private lifetime?: NodeJS.Timeout;
  /** Slot writes in order, so a release never precedes a heartbeat's refresh. */
  private slotWork: Promise<void> = Promise.resolve();

  constructor(
    private readonly jobId: string,
    private readonly tracker: JobEventTracker,
    private readonly res: Response,
    private readonly read: () => Promise<JobResponse>,
    private readonly slot: StreamSlot,
    private readonly onEnd: () => void,
  ) {}

  /** Sends the headers and the first events; `early` are the signals that arrived before. (Its owner ends it on `close`.) */
  begin(view: JobResponse, early: JobSignal[]): void {
    this.res.status(200);
    this.res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    this.res.setHeader('Cache-Control', 'no-cache, no-transform');
    this.res.setHeader('Connection', 'keep-alive');
    this.res.setHeader('X-Accel-Buffering', 'no'); // nginx: do not buffer the stream
    this.res.flushHeaders();
    this.res.write(`retry: ${RECONNECT_DELAY_MS}\n\n`);
    if (!this.send(this.tracker.snapshot(view))) return;
    this.poll = setInterval(() => this.signal({ kind: 'changed' }), POLL_INTERVAL_MS);
    this.heartbeat = setInterval(() => this.ping(), HEARTBEAT_INTERVAL_MS);
    // A job may stay delayed for days: streams are closed after a while and the client resumes
    // with Last-Event-ID, so no stream polls forever.
    this.lifetime = setTimeout(() => void this.end(), MAX_STREAM_LIFETIME_MS);
    for (const signal of early) this.signal(signal);
  }

  signal(signal: JobSignal): void {
    if (this.ended) return;
    if (signal.kind === 'changed') {
      // One queued read answers every change signalled before it starts.
      if (this.refreshQueued) return;
      this.refreshQueued = true;
    }
    this.pending.push({ ...signal, arrival: signal.kind === 'progress' ? ++this.arrivals : this.arrivals });
    void this.drain();
  }

  /** Ends the stream once: timers, the hub subscription and the slot are released. */
  end({ reconnect = false }: { reconnect?: boolean } = {}): Promise<void> {
    this.ended ??= (async () => {
      clearInterval(this.poll);
      clearInterval(this.heartbeat);
      clearTimeout(this.lifetime);
      this.pending.length = 0;
      this.onEnd();
      if (reconnect && !this.res.writableEnded) {
        this.res.write(
          `event: reconnect\ndata: ${JSON.stringify({ reason: 'This API instance is shutting down; reconnect with Last-Event-ID' })}\n\n`,
        );
      }
      if (!this.res.writableEnded) this.res.end();
      this.slotWork = this.slotWork.then(() => this.slot.release());
      await this.slotWork.catch((error: unknown) => this.logger.warn(errorField(error), 'Stream slot not released (it expires by itself)'));
    })();
    return this.ended;
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let next = this.pending.shift(); next && !this.ended; next = this.pending.shift()) {
        if (next.kind === 'changed') {
          this.refreshQueued = false;
          await this.refresh();
        } else if (next.arrival > this.supersededUpTo) {
          this.send(this.tracker.progressed(next.progress));
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async refresh(): Promise<void> {
    const readFrom = this.arrivals;
    let view: JobResponse;
    try {
      view = await this.read();
    } catch (error) {
      if (error instanceof ConveyorError && error.code === ErrorCode.JobNotFound) {
        await this.end(); // the record is gone: nothing more will happen to this job
        return;
      }
      // The next poll tries again; log once per outage.
      if (!this.readFailing) this.logger.warn(errorField(error), `Job ${this.jobId} could not be read for its event stream`);
      this.readFailing = true;
      return;
    }
    this.readFailing = false;
    this.supersededUpTo = readFrom;
    this.send(this.tracker.view(view, this.arrivals === readFrom));
  }

  /** Writes events; after the final one the stream ends. Returns false once the stream is over. */
  private send(events: JobStreamEvent[]): boolean {
    if (this.ended) return false;
    for (const event of events) this.res.write(formatEvent(event));
    if (this.tracker.done) {
      void this.end();
      return false;
    }
    return true;
  }

  private ping(): void {
    if (this.ended) return;
    this.res.write(': ping\n\n');
    this.slotWork = this.slotWork
      .then(async () => {
        // A slot lost during a stall ends the stream; the client reconnects within the cap.
        if (!(await this.slot.refresh())) void this.end();
      })
      .catch((error: unknown) => this.logger.warn(errorField(error), 'Stream slot not refreshed'));
  }
}
