import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { providersByType } from './providers-by-type';
import { JobOutcome, JobProgress, errorField } from '@conveyor/contracts';

/** How a run of a job ended (or an attempt of it, for `retried`), as the owner of its job type hears it. */
export interface RunEnded {
  jobId: string;
  type: string;
  /** The run that ended (1 unless the finished job was run again). */
  run: number;
  /** The payload, when the code that ended the run has it (a worker does; a settlement may not). */
  payload?: unknown;
  /** `retried`: the attempt failed and Bull runs the job again; the others end the run. */
  outcome: JobOutcome;
  /** Why, in words for the job type's own state. */
  message: string;
  /** Where the run had got to (the attempt's last progress, or the record's). */
  progress?: JobProgress;
  /** True when the worker running the attempt ended it; false for the API, an operator or the sweep. */
  byWorker: boolean;
}

/** A hook on the runs of one job type, for state of its own that follows them. */
export interface RunHook {
  runEnded(event: RunEnded): Promise<void>;
}

/** Marks a provider as the run hook of one job type: `@RunHookFor('<job type>')`. */
export const RunHookFor = DiscoveryService.createDecorator<string>();

/**
 * Run hooks by job type, found through @RunHookFor in whichever app runs them. A hook's error is
 * logged and never changes the job's outcome: the record is settled already.
 */
@Injectable()
export class RunHooks implements OnModuleInit {
  private readonly logger = new Logger(RunHooks.name);
  private byType = new Map<string, RunHook[]>();

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    this.byType = providersByType<RunHook>(this.discovery, RunHookFor);
  }

  async runEnded(event: RunEnded): Promise<void> {
    for (const hook of this.byType.get(event.type) ?? []) {
      try {
        await hook.runEnded(event);
      } catch (error) {
        this.logger.warn(errorField(error), `Run hook of ${event.type} failed for job ${event.jobId} (${event.outcome})`);
      }
    }
  }
}
