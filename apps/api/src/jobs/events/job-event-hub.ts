import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { JobProgress, JobTypeRegistry, errorField } from '@conveyor/contracts';
import { JOB_TYPE_REGISTRY, QueueRegistry } from '@conveyor/queueing';
import { Queue } from 'bull';

/** What Bull tells the API about one job: its progress, or that its state may have changed. */
export type JobSignal = { kind: 'progress'; progress: JobProgress } | { kind: 'changed' };
export type JobSignalListener = (signal: JobSignal) => void;

/** Bull's global events that mean "read the job again". Retries and API-side cancels publish none. */
const CHANGE_EVENTS = ['global:active', 'global:waiting', 'global:stalled', 'global:completed', 'global:failed'] as const;
const PROGRESS_EVENT = 'global:progress';
/** How long a stream waits for Bull's SUBSCRIBE to be confirmed before relying on its poll alone. */
const SUBSCRIBE_WAIT_MS = 2_000;

/**
 * The in-process fan-out of Bull's global events to job event streams. Each queue's global
 * events are subscribed to once per API process (on Bull's shared subscriber connection) when
 * the first stream opens, and dispatched by job id to that job's listeners; no stream opens a
 * Redis connection or a subscription of its own.
 */
@Injectable()
export class JobEventHub implements OnModuleDestroy {
  private readonly logger = new Logger(JobEventHub.name);
  private readonly listeners = new Map<string, Set<JobSignalListener>>();
  private attached?: Promise<void>;
  private readonly detachers: Array<() => void> = [];

  constructor(
    private readonly queues: QueueRegistry,
    @Inject(JOB_TYPE_REGISTRY) private readonly registry: JobTypeRegistry,
  ) {}

  /** Listens to one job's signals; resolves once Bull's events are subscribed (or waiting for that gave up). */
  async subscribe(jobId: string, listener: JobSignalListener): Promise<() => void> {
    let set = this.listeners.get(jobId);
    if (!set) this.listeners.set(jobId, (set = new Set()));
    set.add(listener);
    const unsubscribe = () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(jobId) === set) this.listeners.delete(jobId);
    };
    await this.attachAll();
    return unsubscribe;
  }

  /** Jobs with at least one listener (for tests and diagnostics). */
  get watchedJobs(): number {
    return this.listeners.size;
  }

  onModuleDestroy(): void {
    for (const detach of this.detachers.splice(0)) detach();
    this.listeners.clear();
  }

  /** The events of every queue that runs jobs (not Conveyor's own service queues); job ids are unique across queues. */
  private attachAll(): Promise<void> {
    this.attached ??= Promise.all(this.registry.queues().map((name) => this.listen(this.queues.get(name)))).then(() => undefined);
    return this.attached;
  }

  private async listen(queue: Queue): Promise<void> {
    const onProgress = (jobId: unknown, progress: unknown) =>
      this.dispatch(jobId, isProgress(progress) ? { kind: 'progress', progress } : { kind: 'changed' });
    const onChange = (jobId: unknown) => this.dispatch(jobId, { kind: 'changed' });
    const handlers: Array<[string, (...args: unknown[]) => void]> = [
      [PROGRESS_EVENT, onProgress],
      ...CHANGE_EVENTS.map((event): [string, (...args: unknown[]) => void] => [event, onChange]),
    ];
    this.detachers.push(() => {
      for (const [event, handler] of handlers) queue.removeListener(event, handler);
    });
    // Bull subscribes in Redis when a `global:*` listener is added and then emits
    // `registered:<event>`. One at a time: each registration before the connection is ready adds
    // listeners to it, so registering all at once trips Node's max-listeners warning.
    const deadline = Date.now() + SUBSCRIBE_WAIT_MS;
    let waiting = true;
    for (const [event, handler] of handlers) {
      const registered = new Promise<void>((resolve) => queue.once(`registered:${event}`, () => resolve()));
      queue.on(event, handler);
      if (waiting && !(await settlesWithin(registered, deadline - Date.now()))) {
        waiting = false;
        this.logger.warn(`Bull events of queue ${queue.name} not confirmed within ${SUBSCRIBE_WAIT_MS} ms; streams poll meanwhile`);
      }
    }
  }

  private dispatch(jobId: unknown, signal: JobSignal): void {
    const set = this.listeners.get(String(jobId));
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(signal);
      } catch (error) {
        this.logger.error(errorField(error), 'A job event listener threw');
      }
    }
  }
}

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, ms))));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function isProgress(value: unknown): value is JobProgress {
  if (typeof value !== 'object' || value === null) return false;
  const { percent, step } = value as Partial<JobProgress>;
  return typeof percent === 'number' && (step === null || step === undefined || typeof step === 'string');
}
