import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { HIGHEST_PRIORITY, LOWEST_PRIORITY, QueueName, defineJobType } from '@conveyor/contracts';
import { JobContext, JobHandler, JobHandlerContract } from '@conveyor/job-runtime';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsInt, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import type { Connection } from 'mongoose';
import { setTimeout as sleep } from 'node:timers/promises';
import spin, { spinTask } from './probe-spin.task';

/**
 * The probe: a job type only the test harness registers (RELIABILITY's oracle). Every step it runs
 * appends `{ jobId, run, attempt, step, pid, at }` to the insert-only `probe_steps`; its last step
 * inserts the unique `{ jobId, run }` commit into `probe_commits`. Options make one step slow, spin
 * the CPU, crash the process or throw, on chosen attempts.
 */
export const PROBE_STEPS = ['step-1', 'step-2', 'step-3', 'step-4', 'step-5'] as const;
export const PROBE_COMMIT = 'commit';
export const PROBE_STEPS_COLLECTION = 'probe_steps';
export const PROBE_COMMITS_COLLECTION = 'probe_commits';

export class ProbePayload {
  /** Work steps before the commit (1–5). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(PROBE_STEPS.length)
  steps?: number;

  /** The step (1–5) the options below act on. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(PROBE_STEPS.length)
  at?: number;

  /**
   * What happens at step `at`: wait (stopped by the attempt's abort signal), stall (a wait that
   * ignores it, like a zombie handler; it records `<step>-stall-ended` when it wakes), spin the CPU
   * (blocking the event loop, or on a thread with `offload`),
   * SIGKILL the worker, or throw.
   */
  @IsOptional()
  @IsIn(['sleep', 'stall', 'spin', 'crash', 'throw'])
  fault?: 'sleep' | 'stall' | 'spin' | 'crash' | 'throw';

  /** How long a `sleep` or `spin` lasts. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(60_000)
  ms?: number;

  /** A `spin` runs on a worker thread (JobContext.offload) instead of the event loop. */
  @IsOptional()
  @IsBoolean()
  offload?: boolean;

  /** The fault happens only in the first execution to reach step `at` (stalled re-runs keep their attempt number). */
  @IsOptional()
  @IsBoolean()
  once?: boolean;

  /** The fault happens on attempts up to this one (default: every attempt). */
  @IsOptional()
  @IsInt()
  @Min(1)
  untilAttempt?: number;

  /** The fault happens in runs up to this one (default: every run): a retried job then succeeds. */
  @IsOptional()
  @IsInt()
  @Min(1)
  untilRun?: number;

  /** Flows: at step 1, start these probes as children (keys c1, c2…) of a fan-out from that step. */
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ProbePayload)
  children?: ProbePayload[];

  /** …and this probe once they have all ended; it returns the children's outcomes it read. */
  @IsOptional()
  @ValidateNested()
  @Type(() => ProbePayload)
  continueWith?: ProbePayload;

  @IsOptional()
  @IsIn(['fail', 'continue'])
  onChildFailure?: 'fail' | 'continue';

  /** Fan out after step 1's fault (a stall, say) instead of before it. */
  @IsOptional()
  @IsBoolean()
  fanOutLast?: boolean;

  /** As a child or a continuation: the priority its parent's fan-out asks for (default: the parent's). */
  @IsOptional()
  @IsInt()
  @Min(HIGHEST_PRIORITY)
  @Max(LOWEST_PRIORITY)
  priority?: number;

  /** The children's and the continuation's attempts (default: the queue's). */
  @IsOptional()
  @IsInt()
  @Min(1)
  childAttempts?: number;
}

export const probeJob = defineJobType({
  type: 'test.probe',
  queue: QueueName.Http,
  description: 'Test probe: records every step it runs and commits once per run',
  payload: ProbePayload,
  anonymousSessions: false,
  steps: [...PROBE_STEPS.map((name) => ({ name, weight: 1 })), { name: PROBE_COMMIT, weight: 1 }],
});

export interface ProbeResult {
  committed: boolean;
  /** A continuation: `<key>:<status>` of each child it followed. */
  fanIn?: string[];
}

export interface ProbeStepRow {
  jobId: string;
  run: number;
  attempt: number;
  step: string;
  pid: number;
  at: Date;
}

@JobHandler()
@Injectable()
export class ProbeHandler implements JobHandlerContract<ProbePayload, ProbeResult> {
  readonly definition = probeJob;

  constructor(@InjectConnection() private readonly connection: Connection) {}

  /** Every execution that ends (not killed) records `exit` last, so tests know when it is over. */
  async run(ctx: JobContext<ProbePayload>): Promise<ProbeResult> {
    try {
      return await this.execute(ctx);
    } finally {
      await this.record(ctx, 'exit').catch(() => undefined);
    }
  }

  private async execute(ctx: JobContext<ProbePayload>): Promise<ProbeResult> {
    const { steps = 3, children, continueWith, onChildFailure, childAttempts, fanOutLast } = ctx.payload;
    const fanOut = async () => {
      if (!children) return;
      await ctx.fanOut({
        children: children.map((data, c) => ({
          key: `c${c + 1}`,
          type: probeJob.type,
          data,
          priority: data.priority,
          attempts: childAttempts,
        })),
        ...(continueWith
          ? { continuation: { type: probeJob.type, data: continueWith, priority: continueWith.priority, attempts: childAttempts } }
          : {}),
        onChildFailure,
      });
    };
    for (let i = 1; i <= steps; i++) {
      await ctx.step(PROBE_STEPS[i - 1], async (signal) => {
        await this.record(ctx, PROBE_STEPS[i - 1]);
        if (i === 1 && !fanOutLast) await fanOut();
        await this.fault(ctx, i, signal);
        if (i === 1 && fanOutLast) await fanOut();
      });
    }
    // A continuation returns what it read of the children it follows.
    const fanIn = (await ctx.fanInChildren()).map((c) => `${c.key}:${c.status}`);
    return ctx.step(PROBE_COMMIT, async () => {
      await this.record(ctx, PROBE_COMMIT);
      try {
        await this.connection.collection(PROBE_COMMITS_COLLECTION).insertOne({
          _id: `${ctx.jobId}:${ctx.run}` as never,
          jobId: ctx.jobId,
          run: ctx.run,
          attempt: ctx.attempt,
          pid: process.pid,
          at: new Date(),
        });
        return { committed: true, ...(fanIn.length > 0 ? { fanIn } : {}) };
      } catch (error) {
        if ((error as { code?: number }).code !== 11000) throw error;
        // The run was committed before: the oracle counts this as a duplicate execution.
        await this.record(ctx, 'commit-duplicate');
        return { committed: false, ...(fanIn.length > 0 ? { fanIn } : {}) };
      }
    });
  }

  /** Step `i`'s fault, if the payload puts one there. */
  private async fault(ctx: JobContext<ProbePayload>, i: number, signal: AbortSignal): Promise<void> {
    const { at, fault, ms = 0, untilAttempt, untilRun, offload, once } = ctx.payload;
    if (i !== at || !fault || (untilAttempt !== undefined && ctx.attempt > untilAttempt)) return;
    if (untilRun !== undefined && ctx.run > untilRun) return;
    if (once && (await this.executionsReaching(ctx, PROBE_STEPS[i - 1])) > 1) return;
    if (fault === 'sleep') await sleep(ms, undefined, { signal });
    if (fault === 'stall') {
      await sleep(ms);
      await this.record(ctx, `${PROBE_STEPS[i - 1]}-stall-ended`);
    }
    if (fault === 'spin') await (offload ? ctx.offload(spinTask, { ms }) : spin({ ms }));
    if (fault === 'crash') process.kill(process.pid, 'SIGKILL');
    if (fault === 'throw') throw new Error(`Probe fault at step ${i}, attempt ${ctx.attempt}`);
  }

  private executionsReaching(ctx: JobContext<ProbePayload>, step: string): Promise<number> {
    return this.connection.collection(PROBE_STEPS_COLLECTION).countDocuments({ jobId: ctx.jobId, run: ctx.run, step });
  }

  private async record(ctx: JobContext<ProbePayload>, step: string): Promise<void> {
    const row: ProbeStepRow = { jobId: ctx.jobId, run: ctx.run, attempt: ctx.attempt, step, pid: process.pid, at: new Date() };
    await this.connection.collection(PROBE_STEPS_COLLECTION).insertOne(row);
  }
}
