import { Injectable } from '@nestjs/common';
import { JobTypeDefinition } from '@conveyor/contracts';
import { JobTimeoutError } from './job-errors';
import { JobHandlerContract } from './job-handler';
import { ProgressSink, StepContext } from './job-context';

export interface StepRun {
  jobId: string;
  attempt: number;
  payload: unknown;
  timeoutMs: number;
}

/**
 * Runs a handler under its job's timeout. On timeout the attempt fails at once; the handler is
 * told through the abort signal and cannot pass another step boundary (RELIABILITY F13).
 */
@Injectable()
export class StepRunner {
  async run(definition: JobTypeDefinition, handler: JobHandlerContract, run: StepRun, onProgress: ProgressSink): Promise<unknown> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new JobTimeoutError(run.timeoutMs)), run.timeoutMs);
    const context = new StepContext(run.jobId, run.attempt, run.payload, controller.signal, definition.steps, async (progress) => {
      if (!controller.signal.aborted) await onProgress(progress);
    });
    try {
      return await Promise.race([handler.run(context), rejectOnAbort(controller.signal)]);
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
