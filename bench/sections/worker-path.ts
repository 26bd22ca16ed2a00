import { QueueName } from '@conveyor/contracts';
import { jobCatalog } from '@conveyor/products';
import { JobProducer, QueueRegistry } from '@conveyor/queueing';
import Bull from 'bull';
import { BENCH_NOOP } from '../bench-noop.job';
import { BenchContext, BenchRow, countdown, mongoConnection, targeted } from '../support/bench-context';
import { ownCpuMs } from '../support/process-cpu';
import { round } from '../support/latency';
import { commandDelta, redisCommandCounts, topCommandsPerJob } from '../support/redis-command-counter';
import { OutcomeBuffer } from '../../apps/worker/src/observability/outcome-buffer';

const SUBMIT_PARALLELISM = 50;

interface RoundResult {
  jobsPerSecond: number;
  /** Conveyor: the producer's submits per second while the queue is paused (50 in flight). */
  submitsPerSecond?: number;
  cpuMsPerJob: number;
  /** Redis commands per job, submit and processing together. */
  commandsPerJob: number;
  /** The commands that cost most per job. */
  topCommands: string;
  mongoRoundTripsPerJob?: number;
  mongoStatementsPerJob?: number;
  /** Round trips per job by command name. */
  mongoByCommand?: Record<string, number>;
}

/**
 * P1, the worker path: no-op jobs queued while the queue is paused, then timed from resume to the
 * last completion. Raw Bull runs a no-op processor; Conveyor runs its real consumer, step runner
 * and record transitions (submitted through the real producer, so records exist). Both count a
 * job when it completes. Rounds alternate, so machine noise hits both sides alike, and the pair of
 * the round with the median ratio is reported.
 */
export async function workerPath(ctx: BenchContext): Promise<BenchRow[]> {
  const jobs = ctx.quick ? 300 : 1000;
  const rounds = ctx.quick ? 1 : 3;
  const raw: RoundResult[] = [];
  const ours: RoundResult[] = [];
  for (let r = 1; r <= rounds; r++) {
    raw.push(await rawRound(ctx, jobs, `${ctx.runId}-p1-${r}`));
    ours.push(await conveyorRound(ctx, jobs));
    console.log(
      `  P1 round ${r}: raw Bull ${raw.at(-1)!.jobsPerSecond.toFixed(0)} jobs/s, Conveyor ${ours.at(-1)!.jobsPerSecond.toFixed(0)} jobs/s`,
    );
  }
  const median = medianRound(raw, ours);
  const [bestRaw, bestOurs] = [raw[median], ours[median]];
  return [
    targeted(
      {
        id: 'P1',
        what: `worker path, ${jobs} no-op jobs (median of ${rounds} rounds)`,
        reference: round(bestRaw.jobsPerSecond, 0),
        conveyor: round(bestOurs.jobsPerSecond, 0),
        unit: 'jobs/s',
        ratio: round(bestOurs.jobsPerSecond / bestRaw.jobsPerSecond, 3),
      },
      '≥',
      0.15,
    ),
    {
      id: 'P1.submit',
      what: `producer submit, ${SUBMIT_PARALLELISM} in flight (record + enqueue)`,
      conveyor: round(bestOurs.submitsPerSecond!, 0),
      unit: 'jobs/s',
    },
    {
      id: 'P1.cpu',
      what: 'worker CPU per job',
      reference: round(bestRaw.cpuMsPerJob, 3),
      conveyor: round(bestOurs.cpuMsPerJob, 3),
      unit: 'ms',
      ratio: round(bestOurs.cpuMsPerJob / bestRaw.cpuMsPerJob, 2),
    },
    targeted(
      {
        id: 'R1',
        what: 'Redis commands per job (submit + run)',
        reference: round(bestRaw.commandsPerJob, 2),
        conveyor: round(bestOurs.commandsPerJob, 2),
        unit: 'commands',
        ratio: round(bestOurs.commandsPerJob / bestRaw.commandsPerJob, 2),
        note: `Conveyor: ${bestOurs.topCommands}; raw: ${bestRaw.topCommands}`,
      },
      '≤',
      1.5,
    ),
    targeted(
      {
        id: 'M1',
        what: 'MongoDB round trips per job under load (submit + run)',
        conveyor: round(bestOurs.mongoRoundTripsPerJob!, 3),
        unit: 'round trips',
        note: `${round(bestOurs.mongoStatementsPerJob!, 2)} statements per job; ${Object.entries(bestOurs.mongoByCommand ?? {})
          .map(([name, n]) => `${name} ${round(n, 3)}`)
          .join(', ')}`,
      },
      '≤',
      0.2,
      bestOurs.mongoRoundTripsPerJob,
    ),
  ];
}

/** The round whose Conveyor ÷ raw ratio is the median (the later one of two middles). */
function medianRound(raw: RoundResult[], ours: RoundResult[]): number {
  const byRatio = raw.map((r, i) => ({ i, ratio: ours[i].jobsPerSecond / r.jobsPerSecond })).sort((a, b) => a.ratio - b.ratio);
  return byRatio[Math.floor(byRatio.length / 2)].i;
}

/** Resumes the paused queue and times it (wall seconds, this process's CPU ms) until `done`. */
async function timedRun(queue: Bull.Queue, done: Promise<void>): Promise<{ seconds: number; cpu: number }> {
  const cpuBefore = ownCpuMs();
  const started = performance.now();
  await queue.resume();
  await done;
  return { seconds: (performance.now() - started) / 1000, cpu: ownCpuMs() - cpuBefore };
}

async function rawRound(ctx: BenchContext, jobs: number, name: string): Promise<RoundResult> {
  const queue = new Bull(`raw-${name}`, ctx.config.redis.url, { prefix: ctx.config.redis.prefix });
  const commandsBefore = await redisCommandCounts(ctx.redis);
  await queue.pause();
  await queue.addBulk(Array.from({ length: jobs }, (_, seq) => ({ data: { seq }, opts: { removeOnComplete: true } })));
  const all = countdown(jobs);
  queue.on('completed', all.tick);
  void queue.process(jobCatalog.policy(QueueName.Http).concurrency, async (job) => ({ seq: job.data.seq }));
  const { seconds, cpu } = await timedRun(queue, all.done);
  const commands = commandDelta(commandsBefore, await redisCommandCounts(ctx.redis));
  await queue.close();
  await queue.obliterate({ force: true }).catch(() => undefined);
  return {
    jobsPerSecond: jobs / seconds,
    cpuMsPerJob: cpu / jobs,
    commandsPerJob: commands.total / jobs,
    topCommands: topCommandsPerJob(commands.byCommand, jobs),
  };
}

async function conveyorRound(ctx: BenchContext, jobs: number): Promise<RoundResult> {
  const queue = ctx.worker.get(QueueRegistry).get(QueueName.Http);
  const producer = ctx.worker.get(JobProducer);
  // Every round starts from an empty collection: FerretDB's writes slow down as it grows.
  await mongoConnection(ctx.worker).collection('jobs').deleteMany({});
  await queue.pause();
  ctx.mongo.take();
  const commandsBefore = await redisCommandCounts(ctx.redis);
  const submitStarted = performance.now();
  for (let i = 0; i < jobs; i += SUBMIT_PARALLELISM) {
    await Promise.all(
      Array.from({ length: Math.min(SUBMIT_PARALLELISM, jobs - i) }, (_, k) =>
        producer.submit({ kind: 'user', id: 'bench' }, { type: BENCH_NOOP, data: { seq: i + k } }),
      ),
    );
  }
  const submitsPerSecond = jobs / ((performance.now() - submitStarted) / 1000);
  const all = countdown(jobs);
  // Global events: the worker's consumer may run on another Queue instance than the registry's.
  queue.on('global:completed', all.tick);
  const { seconds, cpu } = await timedRun(queue, all.done);
  queue.off('global:completed', all.tick);
  await ctx.worker.get(OutcomeBuffer).flush(); // its counters are part of the jobs' cost
  const commands = commandDelta(commandsBefore, await redisCommandCounts(ctx.redis));
  const mongo = ctx.mongo.take();
  await queue.clean(0, 'completed');
  return {
    jobsPerSecond: jobs / seconds,
    submitsPerSecond,
    cpuMsPerJob: cpu / jobs,
    commandsPerJob: commands.total / jobs,
    topCommands: topCommandsPerJob(commands.byCommand, jobs),
    mongoRoundTripsPerJob: mongo.roundTrips / jobs,
    mongoStatementsPerJob: mongo.statements / jobs,
    mongoByCommand: Object.fromEntries(Object.entries(mongo.byCommand).map(([name, n]) => [name, n / jobs])),
  };
}
