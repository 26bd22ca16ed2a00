import { FanInChild, FanOutRequest, JobProgress, StartedFanOut, Owner, StepDefinition, progressPercent } from '@conveyor/contracts';
import { CpuOffload, CpuTask } from './cpu-task';

/** What a handler sees of the job it runs. */
export interface JobContext<P = unknown> {
  readonly jobId: string;
  /** 1 unless the finished job was run again (a retry or a dead letter's requeue). */
  readonly run: number;
  /** 1 for the first attempt of the run. */
  readonly attempt: number;
  readonly payload: P;
  /** Who submitted the job; undefined only for a job enqueued before owners were carried. */
  readonly owner: Owner | undefined;
  /** Aborted when the attempt times out; pass it to I/O so work stops promptly. */
  readonly signal: AbortSignal;
  /**
   * Runs one declared step: records it as the current step (with progress), checks the abort
   * signal at the boundary, and returns what `work` returns.
   */
  step<T>(name: string, work: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Progress within the current step, 0–1, for long steps. */
  reportStepProgress(fraction: number): Promise<void>;
  /**
   * Runs CPU-bound work on a worker thread (see CpuTask): the event loop stays free, so the job's
   * lock is renewed however long it computes, and the thread is terminated if the attempt aborts.
   */
  offload<I, O>(task: CpuTask<I, O>, input: I): Promise<O>;
  /**
   * Starts child jobs from the current step (fan-out), and optionally a continuation that runs
   * once they have all ended (fan-in). Safe to repeat: a redelivered or retried attempt that
   * fans out from the same step again gets the same children, never new ones.
   */
  fanOut(request: FanOutRequest): Promise<StartedFanOut>;
  /** In a continuation: the children of the fan-out it follows, with their outcomes. */
  fanInChildren(): Promise<FanInChild[]>;
}

/** The worker's side of flows, as a handler's context reaches it. */
export interface FlowPort {
  fanOut(parentId: string, step: string, request: FanOutRequest): Promise<StartedFanOut>;
  childrenOf(continuationId: string): Promise<FanInChild[]>;
}

export type ProgressSink = (progress: JobProgress) => Promise<void>;

/** Runs before every step; throws to stop the job there (e.g. a cancel request). */
export type StepGate = () => Promise<void>;

/** The JobContext the step runner hands to handlers. */
export class StepContext<P> implements JobContext<P> {
  private currentIndex = -1;

  constructor(
    readonly jobId: string,
    readonly run: number,
    readonly attempt: number,
    readonly payload: P,
    readonly signal: AbortSignal,
    private readonly steps: readonly StepDefinition[],
    private readonly reportProgress: ProgressSink,
    private readonly gate: StepGate = async () => undefined,
    private readonly offloader?: CpuOffload,
    readonly owner: Owner | undefined = undefined,
    private readonly flows?: FlowPort,
  ) {}

  async step<T>(name: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const index = this.steps.findIndex((s) => s.name === name);
    if (index < 0)
      throw new Error(`Step "${name}" is not declared for this job type (declared: ${this.steps.map((s) => s.name).join(', ')})`);
    // The step boundary: a timed-out or cancelled attempt goes no further, even if its handler
    // ignores the signal.
    this.signal.throwIfAborted();
    await this.gate();
    this.signal.throwIfAborted();
    this.currentIndex = index;
    await this.reportProgress({ percent: progressPercent(this.steps, index), step: name });
    return work(this.signal);
  }

  async offload<I, O>(task: CpuTask<I, O>, input: I): Promise<O> {
    if (!this.offloader) throw new Error('This worker runs no CPU thread pool');
    this.signal.throwIfAborted();
    return this.offloader(task, input, this.signal);
  }

  async fanOut(request: FanOutRequest): Promise<StartedFanOut> {
    if (!this.flows) throw new Error('This worker runs no flows');
    if (this.currentIndex < 0) throw new Error('fanOut is called from inside a step (ctx.step), which names the fan-out');
    this.signal.throwIfAborted();
    return this.flows.fanOut(this.jobId, this.steps[this.currentIndex].name, request);
  }

  async fanInChildren(): Promise<FanInChild[]> {
    if (!this.flows) throw new Error('This worker runs no flows');
    return this.flows.childrenOf(this.jobId);
  }

  async reportStepProgress(fraction: number): Promise<void> {
    if (this.currentIndex < 0) return;
    this.signal.throwIfAborted();
    const step = this.steps[this.currentIndex];
    await this.reportProgress({ percent: progressPercent(this.steps, this.currentIndex, fraction), step: step.name });
  }
}
