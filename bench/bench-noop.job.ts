import { Injectable } from '@nestjs/common';
import { QueueName, defineJobType } from '@conveyor/contracts';
import { IsInt, IsOptional } from 'class-validator';
import { JobContext, JobHandler, JobHandlerContract } from '@conveyor/job-runtime';

/** A job type only the benchmark registers: one step that does nothing. */
export class BenchNoopPayload {
  @IsOptional()
  @IsInt()
  seq?: number;
}

export const BENCH_NOOP = 'bench.noop';

export const benchNoopJob = defineJobType({
  type: BENCH_NOOP,
  queue: QueueName.Http,
  description: 'Benchmark no-op',
  payload: BenchNoopPayload,
  steps: [{ name: 'noop', weight: 1 }],
});

/** Called as each no-op job's handler starts (pickup latency); the benchmark sets it. */
export const noopStarts: { listener?: (seq: number | undefined) => void } = {};

@JobHandler()
@Injectable()
export class BenchNoopHandler implements JobHandlerContract<BenchNoopPayload, { seq?: number }> {
  readonly definition = benchNoopJob;

  run(ctx: JobContext<BenchNoopPayload>) {
    noopStarts.listener?.(ctx.payload.seq);
    return ctx.step('noop', async () => ({ seq: ctx.payload.seq }));
  }
}
