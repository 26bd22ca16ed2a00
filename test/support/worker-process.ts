import { ChildProcess, spawn } from 'node:child_process';
import { WORKER_MAIN } from './paths';
import { waitFor } from './wait-for';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The built worker (dist/) as a real child process, as it runs in production. */
export class WorkerProcess {
  private output = '';
  readonly exited: Promise<Exit>;

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  static async start(env: NodeJS.ProcessEnv): Promise<WorkerProcess> {
    const worker = new WorkerProcess(spawn(process.execPath, [WORKER_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
    await waitFor(
      () => {
        if (worker.child.exitCode !== null) throw new Error(`worker exited during start:\n${worker.output}`);
        return worker.output.includes('Worker started');
      },
      { what: 'the worker to start', timeoutMs: 20_000 },
    );
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
