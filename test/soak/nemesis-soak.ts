import { getConnectionToken } from '@nestjs/mongoose';
import { QueueName } from '@conveyor/contracts';
import { conveyorKeys } from '@conveyor/queueing';
import type { Connection } from 'mongoose';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Conveyor } from '../support/conveyor';
import { MongoServer } from '../support/mongo-server';
import { ProbeOracle, ProbeVerdict } from '../support/probe-oracle';
import { waitFor } from '../support/wait-for';

/** How hard a soak pushes: RELIABILITY L1's full run, or the shorter one `npm test` includes. */
export interface SoakProfile {
  submits: number;
  concurrency: number;
  seconds: number;
  workers: number;
  /** A worker is SIGKILLed (and a new one started) this often. */
  killEveryMs: number;
  /** When Redis (AOF) is SIGKILLed, and for how long it stays down. */
  redisDownAtMs: number;
  redisDownForMs: number;
  /** When the Mongo-wire server is SIGKILLed, and for how long it stays down. */
  mongoDownAtMs: number;
  mongoDownForMs: number;
}

export const SOAK_PROFILES: Record<'full' | 'short', SoakProfile> = {
  full: {
    submits: 2_000,
    concurrency: 40,
    seconds: 90,
    workers: 2,
    killEveryMs: 15_000,
    redisDownAtMs: 35_000,
    redisDownForMs: 3_000,
    mongoDownAtMs: 55_000,
    mongoDownForMs: 5_000,
  },
  short: {
    submits: 600,
    concurrency: 40,
    seconds: 60,
    workers: 2,
    killEveryMs: 15_000,
    redisDownAtMs: 22_000,
    redisDownForMs: 3_000,
    mongoDownAtMs: 38_000,
    mongoDownForMs: 5_000,
  },
};

export interface SoakReport {
  profile: SoakProfile;
  acknowledged: number;
  /** Submits answered 503 while Redis or the database was down (allowed). */
  refusedDuringOutage: number;
  /** Any other 5xx, or a 503 outside an outage (not allowed). */
  serverErrors: Array<{ status: number; at: number; body: string }>;
  submitP95Ms: number;
  submitP99Ms: number;
  submitsPerSecond: number;
  workersKilled: number;
  verdict: ProbeVerdict;
  /** Commits run again after a worker died between its commit and its return (absorbed by the commit's key). */
  absorbedRedeliveries: number;
  /** What the first duplicated jobs ran, where and when (pid/attempt/step@mm:ss.mmm). */
  duplicatedSteps: string[];
  /** Whether two reconcile sweeps ran after the load (the agreement check means little without them). */
  swept: boolean;
  /** Acknowledged jobs whose record and Bull job disagree after two sweeps. */
  disagreements: Array<{ jobId: string; record: string; bull: string }>;
  seconds: number;
}

/** A submit unanswered for this long counts as a server error (a hung request is one). */
const SUBMIT_TIMEOUT_MS = 30_000;

/** Progress on stderr as it happens (Jest holds console output until the test ends). */
function say(what: string): void {
  process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${what}\n`);
}

/** The probe's work: three short steps, the first a little slow, so kills land mid-run. */
const PROBE_JOB = { type: 'test.probe', data: { steps: 3, at: 1, fault: 'sleep', ms: 150 }, options: { attempts: 5 } };

/**
 * RELIABILITY L1, the nemesis soak: paced submits from `concurrency` clients while a nemesis
 * SIGKILLs a worker every `killEveryMs` (a supervisor starts another), kills the AOF Redis once
 * and the Mongo-wire server once. Afterwards every acknowledged job must have committed exactly
 * once (the probe's oracle) and, after two more sweeps, every record must agree with Bull.
 */
export async function runSoak(profile: SoakProfile): Promise<SoakReport> {
  const started = Date.now();
  const mongo = await MongoServer.start();
  let conveyor: Conveyor | undefined;
  try {
    conveyor = await Conveyor.start({
      probe: true,
      workers: profile.workers,
      redisAppendOnly: true,
      env: {
        MONGO_URL: mongo.url(`conveyor_soak_${randomBytes(4).toString('hex')}`),
        RECONCILE_INTERVAL_MS: '1000',
        RECONCILE_GRACE_MS: '3000',
        // A job may be hit by more than one kill; the soak is about loss and duplicates, not stall limits.
        BULL_MAX_STALLED_COUNT: '10',
        QUEUE_BACKLOG_LIMIT: '100000',
        THROTTLE_SUBMIT_LIMIT: '10000000',
        THROTTLE_SUBMIT_IP_LIMIT: '10000000',
        THROTTLE_READ_LIMIT: '10000000',
        THROTTLE_IP_LIMIT: '10000000',
      },
    });
    await conveyor.app.listen(0, '127.0.0.1');
    const { port } = conveyor.app.getHttpServer().address() as { port: number };
    const outages: Array<{ from: number; to: number }> = [];
    const nemesis = new Nemesis(conveyor, mongo, profile, outages);
    say(`load: ${profile.submits} submits over ${profile.seconds} s`);
    const nemesisDone = nemesis.run();
    const load = await submitLoad(`http://127.0.0.1:${port}/api/v1/jobs`, profile, outages);
    say(`load done: ${load.acknowledged.length} acknowledged`);
    await nemesisDone;
    say('nemesis done; waiting for every acknowledged job to commit');

    const connection = conveyor.app.get<Connection>(getConnectionToken());
    const oracle = new ProbeOracle(connection);
    await waitFor(async () => (await oracle.verdict(load.acknowledged, nemesis.killedAt)).lost.length === 0, {
      what: 'every acknowledged job to commit',
      timeoutMs: 120_000,
      intervalMs: 500,
    }).catch(() => undefined); // reported below as lost
    say('waiting for two more sweeps');
    const swept = await twoMoreSweeps(conveyor);
    say('checking records against Bull');
    const verdict = await oracle.verdict(load.acknowledged, nemesis.killedAt);
    return {
      profile,
      acknowledged: load.acknowledged.length,
      refusedDuringOutage: load.refusedDuringOutage,
      serverErrors: load.serverErrors,
      submitP95Ms: percentile(load.latencies, 0.95),
      submitP99Ms: percentile(load.latencies, 0.99),
      submitsPerSecond: load.latencies.length / load.seconds,
      workersKilled: nemesis.killed,
      verdict,
      absorbedRedeliveries: (await oracle.redeliveredAfterCommit(nemesis.killedAt)).filter((r) => r.committerKilled).length,
      duplicatedSteps: await Promise.all(
        verdict.duplicated
          .slice(0, 3)
          .map(async (jobId) =>
            (await oracle.steps(jobId)).map((r) => `${r.pid}/a${r.attempt}/${r.step}@${r.at.toISOString().slice(14, 23)}`).join(' '),
          ),
      ),
      swept,
      disagreements: await disagreements(conveyor, load.acknowledged),
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await conveyor?.close();
    await mongo.destroy();
  }
}

export function describeSoak(report: SoakReport): string {
  const { verdict } = report;
  return [
    `nemesis soak: ${report.profile.submits} submits at concurrency ${report.profile.concurrency} over ${report.profile.seconds} s, ${report.profile.workers} workers`,
    `  acknowledged ${report.acknowledged}, refused 503 during outages ${report.refusedDuringOutage}, workers killed ${report.workersKilled}`,
    `  lost ${verdict.lost.length}, duplicated ${verdict.duplicated.length}, unexpected ${verdict.unexpected.length}` +
      ` (commits run again because their worker was SIGKILLed before the run was acknowledged, absorbed by the commit's unique key: ${report.absorbedRedeliveries})`,
    ...report.duplicatedSteps.map((steps) => `    duplicated: ${steps}`),
    `  5xx outside outages ${report.serverErrors.length}${report.serverErrors.length ? `: ${JSON.stringify(report.serverErrors.slice(0, 3))}` : ''}`,
    `  submit p95 ${report.submitP95Ms.toFixed(0)} ms, p99 ${report.submitP99Ms.toFixed(0)} ms, ${report.submitsPerSecond.toFixed(1)} submits/s`,
    `  two sweeps after the load: ${report.swept ? 'yes' : 'NO'}`,
    `  records disagreeing with Bull after two sweeps ${report.disagreements.length}${report.disagreements.length ? `: ${JSON.stringify(report.disagreements.slice(0, 3))}` : ''}`,
    `  ${report.seconds.toFixed(0)} s in all`,
  ].join('\n');
}

export function soakPassed(report: SoakReport): boolean {
  const { lost, duplicated, unexpected } = report.verdict;
  return (
    report.swept && lost.length + duplicated.length + unexpected.length + report.serverErrors.length + report.disagreements.length === 0
  );
}

interface LoadResult {
  acknowledged: string[];
  latencies: number[];
  refusedDuringOutage: number;
  serverErrors: SoakReport['serverErrors'];
  seconds: number;
}

/** `profile.submits` POSTs, paced evenly over `profile.seconds`, at most `concurrency` at once. */
async function submitLoad(url: string, profile: SoakProfile, outages: Array<{ from: number; to: number }>): Promise<LoadResult> {
  const result: LoadResult = { acknowledged: [], latencies: [], refusedDuringOutage: 0, serverErrors: [], seconds: 0 };
  const start = Date.now();
  const spacingMs = (profile.seconds * 1000) / profile.submits;
  let next = 0;
  // An outage's effects trail its end a little (reconnects): a 503 just after still counts as in it.
  const inOutage = (at: number) => outages.some((o) => at >= o.from - 500 && at <= o.to + 5_000);
  const client = async () => {
    for (let i = next++; i < profile.submits; i = next++) {
      const due = start + i * spacingMs;
      if (due > Date.now()) await sleep(due - Date.now());
      const sent = Date.now();
      let status = 0;
      let body = '';
      try {
        const res = await fetch(url, {
          signal: AbortSignal.timeout(SUBMIT_TIMEOUT_MS),
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-user-id': `soak-${i % 20}` },
          body: JSON.stringify(PROBE_JOB),
        });
        status = res.status;
        body = await res.text();
      } catch (error) {
        body = (error as Error).message;
      }
      result.latencies.push(Date.now() - sent);
      if (status === 201) result.acknowledged.push(JSON.parse(body).data.jobId);
      else if (status === 503 && inOutage(sent)) result.refusedDuringOutage++;
      else result.serverErrors.push({ status, at: sent - start, body: body.slice(0, 300) });
    }
  };
  await Promise.all(Array.from({ length: profile.concurrency }, client));
  result.seconds = (Date.now() - start) / 1000;
  return result;
}

/** Kills workers on a beat, and Redis and the database once each; a supervisor replaces dead workers. */
class Nemesis {
  killed = 0;
  /** When each SIGKILLed worker died: the oracle's tell for a commit redelivered after a crash. */
  readonly killedAt = new Map<number, number>();

  constructor(
    private readonly conveyor: Conveyor,
    private readonly mongo: MongoServer,
    private readonly profile: SoakProfile,
    private readonly outages: Array<{ from: number; to: number }>,
  ) {}

  async run(): Promise<void> {
    const end = Date.now() + this.profile.seconds * 1000;
    await Promise.all([
      this.killWorkers(end),
      this.outage(this.profile.redisDownAtMs, this.profile.redisDownForMs, this.conveyor.redis),
      this.outage(this.profile.mongoDownAtMs, this.profile.mongoDownForMs, this.mongo),
    ]);
    await this.superviseUntil(Date.now() + 30_000, () => this.live() >= this.profile.workers);
  }

  private live(): number {
    return this.conveyor.workers.filter((w) => w.running).length;
  }

  private async killWorkers(end: number): Promise<void> {
    let nextKill = Date.now() + this.profile.killEveryMs;
    while (Date.now() < end) {
      await this.superviseUntil(Math.min(nextKill, end), () => false);
      if (Date.now() >= end) break;
      const victim = this.conveyor.workers.filter((w) => w.running)[this.killed % this.profile.workers];
      if (victim) {
        await victim.kill();
        this.killedAt.set(victim.pid, Date.now());
        this.killed++;
        say(`nemesis: worker ${victim.pid} SIGKILLed at ${new Date().toISOString().slice(14, 23)}`);
      }
      nextKill += this.profile.killEveryMs;
    }
  }

  /** Replaces dead workers until `deadline` or `done()`; a start that fails (Redis or the database down) is tried again. */
  private async superviseUntil(deadline: number, done: () => boolean): Promise<void> {
    while (Date.now() < deadline && !done()) {
      if (this.live() < this.profile.workers) {
        const worker = await this.conveyor
          .startWorker()
          .catch((error: Error) => say(`supervisor: a worker failed to start: ${error.message.split('\n')[0]}`));
        if (worker) say(`supervisor: worker ${worker.pid} started`);
      } else {
        await sleep(Math.min(200, Math.max(0, deadline - Date.now())));
      }
    }
  }

  private async outage(atMs: number, forMs: number, server: { stop(): Promise<void>; launch(): Promise<void> }): Promise<void> {
    await sleep(atMs);
    // Open until the server is back: a 503 answered meanwhile is an allowed refusal.
    const window = { from: Date.now(), to: Number.POSITIVE_INFINITY };
    this.outages.push(window);
    await server.stop(); // SIGKILL
    say(`nemesis: ${server.constructor.name} SIGKILLed for ${forMs} ms`);
    await sleep(forMs);
    await server.launch();
    window.to = Date.now();
    say(`nemesis: ${server.constructor.name} back`);
  }
}

/** Waits for two reconcile sweeps that start after now (the sweeps' counter in Redis); false if they never came. */
async function twoMoreSweeps(conveyor: Conveyor): Promise<boolean> {
  const redis = conveyor.queue(QueueName.Http).client;
  const keys = conveyorKeys('conveyor');
  const sweeps = async () => Number(await redis.hget(keys.reconcile('stats'), 'sweeps'));
  const before = await sweeps();
  try {
    await waitFor(async () => (await sweeps()) >= before + 2, { what: 'two more reconcile sweeps', timeoutMs: 60_000 });
    return true;
  } catch {
    say(`no two sweeps in 60 s: sweeps ${before} → ${await sweeps()}, lease ttl ${await redis.pttl(keys.reconcile('lock'))} ms`);
    for (const worker of conveyor.workers.filter((w) => w.running)) {
      say(
        `worker ${worker.pid}: ${worker
          .logs()
          .split('\n')
          .filter((l) => /Reconcile|rror/.test(l))
          .slice(-4)
          .join('\n')}`,
      );
    }
    return false;
  }
}

const BULL_TO_RECORD: Record<string, string> = {
  completed: 'completed',
  failed: 'failed',
  waiting: 'waiting',
  delayed: 'delayed',
  active: 'active',
  paused: 'waiting',
};

/** Acknowledged jobs whose record and Bull job (while Bull keeps it) tell different stories. */
async function disagreements(conveyor: Conveyor, jobIds: string[]): Promise<SoakReport['disagreements']> {
  const queue = conveyor.queue(QueueName.Http);
  const found: SoakReport['disagreements'] = [];
  for (const jobId of jobIds) {
    const record = await conveyor.record(jobId);
    const job = await queue.getJob(jobId);
    const bull = job ? await job.getState() : 'removed';
    const agrees =
      record &&
      (bull === 'removed' ? ['completed', 'failed', 'cancelled'].includes(record.status) : BULL_TO_RECORD[bull] === record.status);
    if (!agrees) found.push({ jobId, record: record?.status ?? 'missing', bull });
  }
  return found;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}
