import { Injectable } from '@nestjs/common';
import { ConveyorError, ErrorCode, JobTypeDefinition, Owner } from '@conveyor/contracts';
import {
  FlowPort,
  JobTimeoutError,
  JobHandlerContract,
  PermanentJobError,
  ProgressSink,
  StepContext,
  StepGate,
} from '@conveyor/job-runtime';
import { FlowFanIn, FlowStarter } from '@conveyor/queueing';
import { CpuPool } from './cpu-pool';

export interface StepRun {
  jobId: string;
  /** The job's run (1 unless run again); default 1. */
  run?: number;
  attempt: number;
  payload: unknown;
  timeoutMs: number;
  /** Who submitted the job, when its envelope says. */
  owner?: Owner;
}

export interface StepHooks {
  onProgress: ProgressSink;
  /** Aborts the attempt from outside (cancellation); its reason becomes the attempt's error. */
  abort?: AbortSignal;
  /** Checked before every step. */
  beforeStep?: StepGate;
  /** Told when the handler fans out: the job is then the root or parent of a flow. */
  onFanOut?: () => void;
}

/**
 * Runs a handler under its job's timeout. On timeout or an outside abort the attempt fails at once;
 * the handler is told through the abort signal and cannot pass another step boundary
 * (RELIABILITY F13).
 */
@Injectable()
export class StepRunner {
  private readonly flows: FlowPort;

  constructor(
    private readonly cpu: CpuPool,
    starter: FlowStarter,
    fanIn: FlowFanIn,
  ) {
    this.flows = {
      // A child the handler described wrongly (unknown type, invalid data) is the handler's bug: no retry mends it.
      fanOut: (parentId, step, request) =>
        starter.fanOut(parentId, step, request).catch((error: unknown) => {
          if (error instanceof ConveyorError && (error.code === ErrorCode.ValidationFailed || error.code === ErrorCode.UnknownJobType)) {
            throw new PermanentJobError(`Fan-out from step ${step}: ${error.message}`);
          }
          throw error;
        }),
      childrenOf: (continuationId) => fanIn.childrenOf(continuationId),
    };
  }

  async run(definition: JobTypeDefinition, handler: JobHandlerContract<any>, run: StepRun, hooks: StepHooks): Promise<unknown> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new JobTimeoutError(run.timeoutMs)), run.timeoutMs);
    const signal = hooks.abort ? AbortSignal.any([timeout.signal, hooks.abort]) : timeout.signal;
    const onProgress = async (progress: Parameters<ProgressSink>[0]) => {
      if (!signal.aborted) await hooks.onProgress(progress);
    };
    const flows: FlowPort = hooks.onFanOut
      ? { ...this.flows, fanOut: (...args) => (hooks.onFanOut?.(), this.flows.fanOut(...args)) }
      : this.flows;
    const context = new StepContext(
      run.jobId,
      run.run ?? 1,
      run.attempt,
      run.payload,
      signal,
      definition.steps,
      onProgress,
      hooks.beforeStep,
      (task, input, taskSignal) => this.cpu.run(task, input, taskSignal),
      run.owner,
      flows,
    );
    try {
      signal.throwIfAborted();
      return await Promise.race([handler.run(context), rejectOnAbort(signal)]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
