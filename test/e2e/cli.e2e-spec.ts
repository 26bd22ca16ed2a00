import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Conveyor } from '../support/conveyor';
import { listen } from '../support/listen';
import { freePort } from '../support/ports';
import { ROOT } from '../support/paths';
import { waitFor } from '../support/wait-for';

/**
 * The `conveyor` CLI (packages/cli), run as a child process the way a user runs it, against the
 * real API on a loopback port and probe workers (test/probe): its output and exit codes, and the
 * checked-in client (packages/client) against the document the API serves.
 */

const CLI = path.join(ROOT, 'packages/cli/bin/conveyor.js');
const ADMIN_TOKEN = 'cli-e2e-admin-token-0123456789';
const USER = 'cli-user';

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A running `conveyor …`: its output so far, and its end. */
class CliRun {
  stdout = '';
  stderr = '';
  readonly finished: Promise<Finished>;
  private readonly child: ChildProcess;

  /** `via: 'npx'` runs it as the README does (`npx conveyor …` in the repository), else the bin file directly. */
  constructor(args: string[], env: Record<string, string>, via: 'node' | 'npx' = 'node') {
    // Only what the CLI needs: the developer's own CONVEYOR_* must not leak into the test.
    const [command, prefix] = via === 'npx' ? ['npx', ['--no-install', 'conveyor']] : [process.execPath, [CLI]];
    this.child = spawn(command, [...prefix, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME ?? os.tmpdir(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.finished = new Promise((resolve) => this.child.on('close', (code) => resolve({ code, stdout: this.stdout, stderr: this.stderr })));
  }

  async printed(pattern: RegExp, where: 'stdout' | 'stderr' = 'stderr'): Promise<void> {
    await waitFor(() => pattern.test(this[where]), { what: `the CLI to print ${pattern} on ${where}; so far: ${this[where]}` });
  }

  kill(): void {
    this.child.kill();
  }
}

describe('conveyor CLI and client', () => {
  let conveyor: Conveyor;
  let api: string;
  const runs: CliRun[] = [];
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-cli-'));

  beforeAll(async () => {
    conveyor = await Conveyor.start({ workers: 1, probe: true, env: { ADMIN_API_TOKEN: ADMIN_TOKEN } });
    api = await listen(conveyor.app);
  });

  afterEach(() => {
    for (const run of runs.splice(0)) run.kill();
  });

  afterAll(async () => {
    await conveyor?.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  const start = (args: string[], env: Record<string, string> = {}, via: 'node' | 'npx' = 'node') => {
    const run = new CliRun(args, { CONVEYOR_API_URL: api, CONVEYOR_USER: USER, ...env }, via);
    runs.push(run);
    return run;
  };
  const cli = (args: string[], env: Record<string, string> = {}) => start(args, env).finished;
  const admin = { CONVEYOR_TOKEN: ADMIN_TOKEN };
  /** A probe job submitted through the API, for the commands that read or act on one. */
  const probe = async (data: object, options: object = {}) => {
    const res = await conveyor.http().post('/api/v1/jobs').set('x-user-id', USER).send({ type: 'test.probe', data, options });
    expect(res.status).toBe(201);
    return res.body.data.jobId as string;
  };
  const jobIdIn = (text: string) => /Submitted job ([0-9a-f-]{36})/.exec(text)?.[1];

  it('runs the README’s own commands as written: npx conveyor submit http.request … --wait, then list', async () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Client and CLI'), readme.indexOf('## API overview'));
    // Each `npx conveyor …` line of the section's example, its comment dropped, pointed at this API.
    const commands = [...section.matchAll(/^npx conveyor (.+?)\s*(?:#.*)?$/gm)].map((line) =>
      shellWords(line[1]).map((word) => word.replaceAll('http://127.0.0.1:3000', api)),
    );
    const submit = commands.find((words) => words[0] === 'submit');
    const list = commands.find((words) => words[0] === 'list');
    expect(submit).toEqual(expect.arrayContaining(['http.request', '--data', '--wait']));

    const done = await start(submit!, {}, 'npx').finished;

    expect(done).toMatchObject({ code: 0 });
    const jobId = jobIdIn(done.stdout);
    expect(done.stdout).toContain(`Job ${jobId} completed`);
    const job = await conveyor.waitForJob(jobId!, USER, (j) => j.conveyorStatus === 'completed');
    expect(job.result).toMatchObject({ statusCode: 200 });
    const listed = await start(list!, {}, 'npx').finished;
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${jobId}\\s+http\\.request\\s+completed`, 'm'));
  });

  it('submits with --data @file and --wait, shows each step’s progress, and exits 0 when the job completes', async () => {
    const file = path.join(scratch, 'probe.json');
    // A pause in step 2, so progress is seen mid-way whatever the timing.
    fs.writeFileSync(file, JSON.stringify({ steps: 3, at: 2, fault: 'sleep', ms: 300 }));

    const done = await cli(['submit', 'test.probe', '--data', `@${file}`, '--priority', 'high', '--wait', '--progress', 'lines']);

    expect(done.code).toBe(0);
    const jobId = jobIdIn(done.stdout);
    expect(jobId).toBeDefined();
    expect(done.stdout).toMatch(new RegExp(`Job ${jobId} completed in \\d+\\.\\d s`));
    expect(done.stderr).toMatch(/^\s*\d+%\s+active\s+step-2$/m);
    expect(done.stderr).toMatch(/^100%\s+completed/m);
    const job = await conveyor.waitForJob(jobId!, USER, (j) => j.conveyorStatus === 'completed');
    expect(job.priority).toBe(3); // "high"
  });

  it('watch draws a cli-progress bar with the step name, and exits 0 on a completed job', async () => {
    const jobId = await probe({ steps: 2, at: 1, fault: 'sleep', ms: 1_500 });

    const done = await cli(['watch', jobId, '--progress', 'bar']);

    expect(done.code).toBe(0);
    expect(done.stderr).toMatch(/[█░]+ \d+% \| \w+ \| step-1/);
    expect(done.stderr).toMatch(/[█░]+ 100% \| completed/);
    expect(done.stdout).toContain(`Job ${jobId} completed`);
  });

  it('watch exits 1 when the job fails, printing its error; dead-letters (admin) lists it', async () => {
    const jobId = await probe({ at: 1, fault: 'throw' }, { attempts: 1 });

    const done = await cli(['watch', jobId]);

    expect(done.code).toBe(1);
    expect(done.stdout).toContain(`Job ${jobId} failed`);
    expect(done.stdout).toMatch(/^error: \S+: .+/m);

    const letters = await cli(['dead-letters', '--queue', 'http'], admin);
    expect(letters.code).toBe(0);
    expect(letters.stdout).toMatch(new RegExp(`^${jobId}\\s+test\\.probe\\s+http\\s+user:${USER}`, 'm'));
    const json = await cli(['dead-letters', '--json'], admin);
    expect(JSON.parse(json.stdout).items.map((d: { jobId: string }) => d.jobId)).toContain(jobId);
  });

  it('cancel stops a running job; its watch exits 2', async () => {
    const jobId = await probe({ at: 2, fault: 'sleep', ms: 60_000 });
    const watch = start(['watch', jobId, '--progress', 'lines']);
    await watch.printed(/step-2/);

    const cancelled = await cli(['cancel', jobId]);

    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toMatch(new RegExp(`^Job ${jobId}: (cancelling|cancelled)`));
    const done = await watch.finished;
    expect(done.code).toBe(2);
    expect(done.stdout).toContain(`Job ${jobId} cancelled`);
  });

  it('retry runs a failed job again', async () => {
    const jobId = await probe({ at: 1, fault: 'throw', untilRun: 1 }, { attempts: 1 });
    await conveyor.waitForJob(jobId, USER, (j) => j.conveyorStatus === 'failed');

    const retried = await cli(['retry', jobId]);

    expect(retried.code).toBe(0);
    expect(retried.stdout).toBe(`Job ${jobId}: waiting (run 2)\n`);
    expect((await cli(['watch', jobId])).code).toBe(0);
  });

  it('status and list print what the API says', async () => {
    const jobId = await probe({ steps: 1 });
    const job = await conveyor.waitForJob(jobId, USER, (j) => j.conveyorStatus === 'completed');

    const status = await cli(['status', jobId]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^job\\s+${jobId}$`, 'm'));
    expect(status.stdout).toMatch(/^status\s+completed$/m);
    expect(status.stdout).toMatch(/^progress\s+100%/m);
    const statusJson = await cli(['status', jobId, '--json']);
    expect(JSON.parse(statusJson.stdout)).toMatchObject({ jobId, conveyorStatus: 'completed', createdAt: job.createdAt });

    const list = await cli(['list', '--status', 'completed', '--limit', '100']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^JOB\s+TYPE\s+STATUS\s+PROGRESS\s+CREATED$/m);
    expect(list.stdout).toMatch(new RegExp(`^${jobId}\\s+test\\.probe\\s+completed\\s+100%`, 'm'));
    const listJson = await cli(['list', '--json', '--limit', '1']);
    const page = JSON.parse(listJson.stdout);
    const viaApi = await conveyor.http().get('/api/v1/jobs?limit=1').set('x-user-id', USER);
    expect(page.items.map((j: { jobId: string }) => j.jobId)).toEqual(viaApi.body.data.items.map((j: { jobId: string }) => j.jobId));
    expect(page.nextCursor).toBe(viaApi.body.data.nextCursor);
  });

  it('queues (admin) prints every queue the API lists', async () => {
    const viaApi = await conveyor.http().get('/api/v1/queues').set('authorization', `Bearer ${ADMIN_TOKEN}`);
    const names: string[] = viaApi.body.data.map((q: { name: string }) => q.name);

    const queues = await cli(['queues'], admin);

    expect(queues.code).toBe(0);
    expect(queues.stdout).toMatch(/^QUEUE\s+WAITING\s+ACTIVE\s+DELAYED\s+COMPLETED\s+FAILED\s+STATE\s+HEALTH$/m);
    for (const name of names) expect(queues.stdout).toMatch(new RegExp(`^${name}\\s+\\d+`, 'm'));
    const json = await cli(['queues', '--json', '--api-url', api], admin);
    expect(JSON.parse(json.stdout).map((q: { name: string }) => q.name)).toEqual(names);
  });

  it('prints the API’s error code and detail and exits 3: a bad token, a user on an admin route, an unknown job', async () => {
    const badToken = await cli(['queues', '--token', 'not-the-admin-token-0000']);
    expect(badToken.code).toBe(3);
    expect(badToken.stderr).toMatch(/^error: (UNAUTHENTICATED|FORBIDDEN) \(HTTP 40[13]\): \S/);

    const notAdmin = await cli(['queues']);
    expect(notAdmin.code).toBe(3);
    expect(notAdmin.stderr).toMatch(/^error: (UNAUTHENTICATED|FORBIDDEN) \(HTTP 40[13]\)/);

    const unknown = await cli(['status', randomUUID()]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(/^error: JOB_NOT_FOUND \(HTTP 404\): \S/);

    const invalid = await cli(['submit', 'http.request', '--data', '{"method":"GET"}']);
    expect(invalid.code).toBe(3);
    expect(invalid.stderr).toMatch(/^error: VALIDATION_FAILED \(HTTP 400\)/);
    expect(invalid.stderr).toMatch(/^ {2}data\.url: /m);
  });

  it('refuses bad flags and unreadable data with exit 4, and an unreachable API with exit 3', async () => {
    expect((await cli(['submit', 'test.probe', '--data', '{nope'])).code).toBe(4);
    expect((await cli(['watch', randomUUID(), '--progress', 'sideways'])).code).toBe(4);
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const down = await cli(['status', randomUUID()], { CONVEYOR_API_URL: nobody });
    expect(down.code).toBe(3);
    expect(down.stderr).toBe(`error: cannot reach the API at ${nobody}: ECONNREFUSED\n`);
  });

  it('watch resumes with Last-Event-ID when the stream drops before the final event', async () => {
    const jobId = await probe({ at: 2, fault: 'sleep', ms: 60_000 });
    const proxy = await CuttingProxy.start(api);
    try {
      const watch = start(['watch', jobId, '--progress', 'lines'], { CONVEYOR_API_URL: proxy.url });
      await watch.printed(/stream dropped; reconnecting \(attempt 1, after event \d+\)/);
      await conveyor.http().post(`/api/v1/jobs/${jobId}/cancel`).set('x-user-id', USER).expect(200);

      const done = await watch.finished;

      expect(done.code).toBe(2);
      expect(proxy.lastEventIds[0]).toBeUndefined();
      expect(Number(proxy.lastEventIds[1])).toBeGreaterThanOrEqual(1);
    } finally {
      await proxy.close();
    }
  });

  it('the checked-in client is generated from the document the built API serves (else: npm run client:generate)', async () => {
    // The built API, as production runs it (with the production catalog: this suite's in-process
    // API also serves the probe type, and Jest's transpile orders a few parameters differently).
    const built = await conveyor.startApiProcess();
    const served = await fetch(`${built.url}/docs-json`);
    expect(served.status).toBe(200);
    const checkedIn = JSON.parse(fs.readFileSync(path.join(ROOT, 'packages/client/openapi.json'), 'utf8'));
    expect(await served.json()).toEqual(checkedIn);
  });
});

/**
 * Passes requests to the API, but ends the first event stream as soon as its first event has
 * gone through: a connection that drops mid-stream. Records each stream's Last-Event-ID.
 */
class CuttingProxy {
  readonly lastEventIds: Array<string | undefined> = [];

  private constructor(private readonly server: http.Server) {}

  static async start(target: string): Promise<CuttingProxy> {
    const server = http.createServer((req, res) => {
      const streamNumber = proxy.lastEventIds.push(req.headers['last-event-id'] as string | undefined);
      const upstream = http.request(new URL(req.url!, target), { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        let seen = '';
        let cut = false;
        answer.on('data', (chunk: Buffer) => {
          if (cut) return;
          seen += chunk.toString();
          cut = streamNumber === 1 && /(^|\n)id: \d+\n[^]*?\n\n/.test(seen);
          // Once the event is on its way (a destroy drops unsent data): the connection breaks.
          res.write(chunk, () => {
            if (cut) {
              upstream.destroy();
              res.destroy();
            }
          });
        });
        answer.on('end', () => res.end());
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    const proxy = new CuttingProxy(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** A command line's words as a POSIX shell splits them, for the README's simple lines: bare words and '…' quoting. */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]);
}
