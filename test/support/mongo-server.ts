import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports';
import { waitFor } from './wait-for';

// Plain Node helpers shared with `npm run services`.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const services = require('../../scripts/local-services') as {
  privateMongoCommand(port: number, dir: string): { command: string; args: string[] };
  mongoAnswers(url: string): Promise<boolean>;
};

/**
 * A private Mongo-wire server (mongod if installed, else FerretDB) for a fault test that kills and
 * restarts its database (RELIABILITY F11); every other suite shares the one `npm test` starts.
 * Its data stays in its own folder across restarts.
 */
export class MongoServer {
  private process?: ChildProcess;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<MongoServer> {
    const server = new MongoServer(await freePort(), fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-mongo-')));
    await server.launch();
    return server;
  }

  /** The server's URL with `database` as the path. */
  url(database: string): string {
    return `mongodb://127.0.0.1:${this.port}/${database}`;
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

  private async launch(): Promise<void> {
    const { command, args } = services.privateMongoCommand(this.port, this.dir);
    this.process = spawn(command, args, { stdio: 'ignore' });
    let spawnError: Error | undefined;
    this.process.on('error', (error) => (spawnError = error));
    await waitFor(
      async () => {
        if (spawnError) throw new Error(`${command} could not start: ${spawnError.message}`);
        return services.mongoAnswers(this.url('admin'));
      },
      { what: `a Mongo-wire server on port ${this.port}`, timeoutMs: 30_000, intervalMs: 200 },
    );
  }
}
