/**
 * A CPU-bound function run on a worker thread (JobContext.offload), so a long computation never
 * blocks the worker's event loop: Bull's lock renewal keeps running and a healthy long step is
 * never taken for stalled (RELIABILITY L6).
 *
 * The function is the default export of a module of its own, whose compiled file the thread loads:
 * declare the task in that module, with a type-only import so the thread loads nothing else:
 *
 *   import type { CpuTask } from '@conveyor/job-runtime';
 *   export default function score(input: Input): Output { … }
 *   export const scoreTask: CpuTask<Input, Output> = { filename: __filename };
 *
 * Input and output cross threads by structured clone (plain data, no class instances).
 */
export interface CpuTask<I, O> {
  readonly filename: string;
  /** Carries the types only; never set. */
  readonly types?: (input: I) => O;
}

/** Runs a task on a thread; aborting the signal terminates the thread (the work really stops). */
export type CpuOffload = <I, O>(task: CpuTask<I, O>, input: I, signal: AbortSignal) => Promise<O>;
