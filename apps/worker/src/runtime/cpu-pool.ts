import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { CpuTask } from '@conveyor/job-runtime';
import { Piscina } from 'piscina';

/** A thread nobody used for this long is ended; the next task starts one again. */
const IDLE_THREAD_MS = 30_000;

/**
 * The worker's thread pool for JobContext.offload (piscina: pooled threads, queueing, and abort by
 * terminating the thread, which a hand-rolled worker_threads wrapper would have to redo). Threads
 * start on first use, at most WORKER_CPU_THREADS at once; tasks beyond that wait their turn.
 */
@Injectable()
export class CpuPool implements OnModuleDestroy {
  private pool?: Piscina;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  run<I, O>(task: CpuTask<I, O>, input: I, signal: AbortSignal): Promise<O> {
    this.pool ??= new Piscina({ minThreads: 0, maxThreads: this.config.worker.cpuThreads, idleTimeout: IDLE_THREAD_MS });
    return this.pool.run(input, { filename: task.filename, signal }) as Promise<O>;
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool?.destroy();
  }
}
