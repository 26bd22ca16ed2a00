import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from './wait-for';

/** How to run a server and how to tell it answers. */
export interface ServerCommand {
  command: string;
  args: string[];
  /** Resolves true once the server answers (throwing counts as not yet). */
  answers: () => Promise<boolean>;
  /** For messages: "redis-server on port 41234". */
  what: string;
}

/**
 * A server a test suite runs as its own child process, with its data in its own folder, so fault
 * tests can SIGKILL and restart it (RELIABILITY §1) without touching the machine's shared one.
 */
export class ServerProcess {
  private process?: ChildProcess;
  readonly dir: string;

  constructor(
    prefix: string,
    private readonly command: (dir: string) => ServerCommand | Promise<ServerCommand>,
  ) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  }

  async launch(): Promise<void> {
    const { command, args, answers, what } = await this.command(this.dir);
    this.process = spawn(command, args, { stdio: 'ignore' });
    let spawnError: Error | undefined;
    this.process.on('error', (error) => (spawnError = error));
    await waitFor(
      async () => {
        if (spawnError)
          throw new Error(`${command} could not start (npm run services installs what the tests need): ${spawnError.message}`);
        return answers();
      },
      { what, timeoutMs: 30_000, intervalMs: 100 },
    );
  }

  /** SIGKILL, as a crash or an OOM kill would. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.process = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  async destroy(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
