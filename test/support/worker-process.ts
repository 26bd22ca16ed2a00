import { ChildProcess, spawn } from 'node:child_process';
import { API_MAIN, WORKER_MAIN } from './paths';
import { waitFor } from './wait-for';

export const WORKER_PROCESS = { main: WORKER_MAIN, readyText: 'Worker started' };
/** The API process; it logs this once it listens. */
export const API_PROCESS = { main: API_MAIN, readyText: 'Listening on' };

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The built worker (or API) from dist/ as a real child process, as it runs in production. */
export class WorkerProcess {
  private output = '';
  readonly exited: Promise<Exit>;

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** `app.nodeArgs`: options for node itself (the benchmark's --cpu-prof, which NODE_OPTIONS refuses). */
  static async start(
    env: NodeJS.ProcessEnv,
    app: { main: string; readyText: string; nodeArgs?: string[] } = WORKER_PROCESS,
  ): Promise<WorkerProcess> {
    const args = [...(app.nodeArgs ?? []), app.main];
    const worker = new WorkerProcess(spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] }));
    let started = false;
    // An exit before the ready line fails the start at once, with everything the process said.
    const exitedEarly = worker.exited.then((exit) => {
      if (!started) throw new Error(`${app.main} exited (${exit.code ?? exit.signal}) during start:\n${worker.output}`);
    });
    exitedEarly.catch(() => undefined); // reported through the race below, or not at all once started
    try {
      await Promise.race([
        waitFor(() => worker.output.includes(app.readyText), { what: `${app.main} to start`, timeoutMs: 20_000 }),
        exitedEarly,
      ]);
    } catch (error) {
      worker.signal('SIGKILL');
      throw new Error(`${(error as Error).message}\n${app.main} said:\n${worker.output.slice(-3000)}`);
    }
    started = true;
    return worker;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  logs(): string {
    return this.output;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGKILL, and wait until the process is gone. */
  async kill(): Promise<Exit> {
    this.signal('SIGKILL');
    return this.exited;
  }
}
