import { API_PROCESS, WORKER_PROCESS, WorkerProcess } from '../../test/support/worker-process';
import { freePort } from '../../test/support/ports';

/** BENCH_CPU_PROF=<dir>: the apps write CPU profiles there when they exit (node --cpu-prof). */
const nodeArgs = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];

/** The built API as its own process on a free port, as production runs it. */
export async function startApi(env: NodeJS.ProcessEnv): Promise<{ url: string; process: WorkerProcess }> {
  const port = await freePort();
  const api = await WorkerProcess.start({ ...env, LOG_LEVEL: 'log', API_PORT: String(port) }, { ...API_PROCESS, nodeArgs });
  return { url: `http://127.0.0.1:${port}`, process: api };
}

/** The built worker as its own process. */
export function startWorker(env: NodeJS.ProcessEnv): Promise<WorkerProcess> {
  return WorkerProcess.start({ ...env, LOG_LEVEL: 'log' }, { ...WORKER_PROCESS, nodeArgs });
}

/** Stops an app: at once, or (profiling) with SIGTERM so it exits itself and writes its profile. */
export async function stopApp(app: WorkerProcess): Promise<void> {
  if (nodeArgs.length === 0) {
    await app.kill();
    return;
  }
  app.signal('SIGTERM');
  await app.exited;
}
