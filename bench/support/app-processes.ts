import { API_PROCESS, WorkerProcess } from '../../test/support/worker-process';
import { freePort } from '../../test/support/ports';

/** The built API as its own process on a free port, as production runs it. */
export async function startApi(env: NodeJS.ProcessEnv): Promise<{ url: string; process: WorkerProcess }> {
  const port = await freePort();
  const api = await WorkerProcess.start({ ...env, LOG_LEVEL: 'log', API_PORT: String(port) }, API_PROCESS);
  return { url: `http://127.0.0.1:${port}`, process: api };
}

/** The built worker as its own process. */
export function startWorker(env: NodeJS.ProcessEnv): Promise<WorkerProcess> {
  return WorkerProcess.start({ ...env, LOG_LEVEL: 'log' });
}
