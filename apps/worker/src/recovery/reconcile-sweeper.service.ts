import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { JobStatus, isTerminal, errorField } from '@conveyor/contracts';
import { FanOutsRepository, JobSweepRepository, JobsRepository, UnsettledRecord, fanOutId, parseKeysetCursor } from '@conveyor/database';
import { BullProbe, JobControl, QueueRegistry, RedisConnections, RedisLease, RunSettlement, conveyorKeys, runOf } from '@conveyor/queueing';
import { Queue } from 'bull';
import { QueueSide, ReconcileFix, Verdict, reconcile } from './reconcile-rules';
import { PeriodicLoop } from '../runtime/periodic-loop';
import { RedisEpoch, SweepGeneration } from './redis-epoch';

/** Batches one sweep reads at most; the next sweep continues where this one stopped. */
const MAX_BATCHES_PER_SWEEP = 10;
/** Records of a batch looked up in Bull at once. */
const LOOKUP_CONCURRENCY = 10;
/** The lease is pushed this far ahead before every batch, so a slow sweep never overlaps another. */
const BATCH_LEASE_MS = 60_000;
/** The sweep's cursor outlives a sweep, not a quiet fleet. */
const CURSOR_TTL_SECONDS = 24 * 60 * 60;

export interface SweepReport {
  examined: number;
  fixed: Partial<Record<ReconcileFix, number>>;
  /** Active without a lock past the threshold: left to Bull's stalled checker. */
  watched: number;
  /** Records that could not be checked (logged); the next sweep tries again. */
  errors: number;
}

/**
 * The reconciliation sweep (DESIGN §3 "Stalled work"): fixes job records that disagree with Bull.
 * Every worker ticks every RECONCILE_INTERVAL_MS; a Redis lease lets one of them sweep and keeps
 * the others out for the rest of the interval, so the fleet sweeps about once per interval.
 *
 * A sweep reads records that say waiting, delayed or active and were last written more than
 * RECONCILE_GRACE_MS ago, oldest first, in batches of RECONCILE_BATCH_SIZE (at most
 * MAX_BATCHES_PER_SWEEP; a cursor in Redis carries on from there next time, so FerretDB's
 * collection scans stay bounded). Each is compared with Bull (see reconcile-rules.ts) and fixed
 * through the guarded transition at its run's closing seq. Every fix is logged on one line,
 * counted in this process and in a Redis hash, and reported to the job's webhook like the
 * worker's own outcomes.
 */
@Injectable()
export class ReconcileSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReconcileSweeper.name);
  private readonly loop: PeriodicLoop;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sweepRecords: JobSweepRepository,
    private readonly queues: QueueRegistry,
    private readonly control: JobControl,
    private readonly probe: BullProbe,
    private readonly connections: RedisConnections,
    private readonly settlement: RunSettlement,
    private readonly epoch: RedisEpoch,
    private readonly jobs: JobsRepository,
    private readonly fanOuts: FanOutsRepository,
  ) {
    this.loop = new PeriodicLoop({
      what: 'Reconcile sweep',
      periodMs: config.reconcile.intervalMs,
      step: () => this.sweepOnce(),
      logger: this.logger,
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.loop.stop();
  }

  /**
   * One sweep, if no other worker holds the lease; undefined when skipped. Public for tests and
   * for the `reconcile` system schedule: a `manual` sweep also runs inside the cool-down a finished
   * sweep leaves for the rest of its interval, but never alongside a sweep in progress.
   */
  async sweepOnce({ manual = false }: { manual?: boolean } = {}): Promise<SweepReport | undefined> {
    const { intervalMs, graceMs, batchSize } = this.config.reconcile;
    const startedAt = Date.now();
    // Held for most of an interval, so the other workers' ticks in it find it taken.
    const holdMs = Math.max(1, intervalMs * 0.9);
    const lock = manual
      ? await RedisLease.acquireUnlessHeld(this.redis(), this.key('lock'), holdMs)
      : await RedisLease.acquire(this.redis(), this.key('lock'), holdMs);
    if (!lock) return undefined;
    const report: SweepReport = { examined: 0, fixed: {}, watched: 0, errors: 0 };
    try {
      const updatedBefore = new Date(startedAt - graceMs);
      const generation = await this.epoch.check();
      const { restoreBefore } = generation;
      // A cursor saved into the new Redis by a sweep caught by the loss is no place to start a restore.
      let cursor = generation.lossNoticed ? undefined : await this.loadCursor();
      const fromOldest = cursor === undefined;
      for (let batchNo = 0; batchNo < MAX_BATCHES_PER_SWEEP && !this.loop.isStopped; batchNo++) {
        if (!(await lock.expireIn(Math.max(BATCH_LEASE_MS, holdMs)))) {
          this.logger.warn('Reconcile sweep lost its lease; stopping this sweep');
          break;
        }
        const batch = await this.sweepRecords.unsettledBatch({ updatedBefore, cursor, limit: batchSize });
        for (let i = 0; i < batch.items.length && !this.loop.isStopped; i += LOOKUP_CONCURRENCY) {
          await Promise.all(batch.items.slice(i, i + LOOKUP_CONCURRENCY).map((record) => this.reconcileOne(record, report, generation)));
        }
        // The last batch reached the newest candidates: the next sweep starts again from the oldest.
        cursor = batch.nextCursor ?? undefined;
        if (!cursor) break;
      }
      await this.saveCursor(cursor);
      // A pass that reached the newest records and saw everything written before the loss ends it.
      // Ended by a whole pass, oldest to newest, with every record checked and nothing left over
      // from before the loss; a pass longer than one sweep keeps the restore on (harmless).
      const wholePass = fromOldest && !cursor && !this.loop.isStopped && report.errors === 0;
      if (restoreBefore && wholePass && updatedBefore >= restoreBefore) await this.epoch.restoreDone();
      await this.recordSweep(report);
      const fixes = Object.entries(report.fixed);
      if (fixes.length > 0 || report.watched > 0) {
        this.logger.log(
          `Reconcile sweep: ${report.examined} records examined, fixed ${fixes.map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}` +
            `, ${report.watched} left to Bull's stalled checker (${Date.now() - startedAt} ms)`,
        );
      }
      return report;
    } finally {
      // Keep the others' periodic sweeps out until this interval ends, however long the sweep took.
      await lock.coolDown(startedAt + holdMs - Date.now()).catch(() => false);
    }
  }

  private async reconcileOne(record: UnsettledRecord, report: SweepReport, generation: SweepGeneration): Promise<void> {
    if (this.loop.isStopped) return;
    report.examined++;
    let queue: Queue;
    try {
      queue = this.queues.get(record.queue);
    } catch {
      this.logger.warn(`Reconcile: job ${record._id} is on queue ${record.queue}, which this worker does not know; skipped`);
      return;
    }
    try {
      const now = new Date();
      const observed = await this.observe(queue, record);
      if (!observed) return;
      const verdict = reconcile(record, observed, {
        now,
        stallThresholdMs: this.stallThresholdMs(),
        restoreBefore: generation.restoreBefore,
      });
      const missing = verdict.action === 'settle' && verdict.fix === ReconcileFix.MissingFromQueue;
      if (missing && !(await this.epoch.unchanged(generation.epoch))) return; // Redis lost its data mid-sweep
      await this.apply(queue, record, verdict, report);
    } catch (error) {
      report.errors++;
      this.logger.warn(errorField(error), `Reconcile: job ${record._id} not checked`);
    }
  }

  private async observe(queue: Queue, record: UnsettledRecord): Promise<QueueSide | undefined> {
    const cancelRequested = () => this.control.isCancelRequested(queue.name, record._id);
    const seen = await this.probe.find(queue.name, record._id, { lock: true });
    if (!seen || runOf(seen.job) < (record.run ?? 1)) return { state: null, cancelRequested: await cancelRequested() };
    const state = seen.state as NonNullable<QueueSide['state']>;
    let job = seen.job;
    if (state === 'completed' || state === 'failed') {
      // The job may have finished between reading it and its state: read it again, so its return
      // value or failed reason is the one it finished with (a finished job's hash no longer changes).
      const again = await this.probe.find(queue.name, record._id, { run: record.run ?? 1 });
      if (!again) return undefined; // removed or replaced meanwhile: next sweep
      job = again.job;
    }
    return {
      state,
      run: runOf(job),
      attemptsMade: job.attemptsMade,
      failedReason: job.failedReason,
      stacktrace: job.stacktrace,
      returnvalue: job.returnvalue,
      finishedOn: job.finishedOn,
      processedOn: job.processedOn,
      locked: seen.locked,
      cancelRequested: state === 'failed' ? await cancelRequested() : false,
    };
  }

  private async apply(queue: Queue, record: UnsettledRecord, verdict: Verdict, report: SweepReport): Promise<void> {
    if (verdict.action === 'leave') return;
    if (verdict.action === 'watch') {
      report.watched++;
      this.logger.warn(`Reconcile: job ${record._id} (${queue.name}) ${verdict.note}; left to Bull's stalled checker`);
      return;
    }
    if (verdict.action === 'restore') return this.restore(queue, record, verdict.note, report);
    const run = record.run ?? 1;
    // A worker's write that landed first (or a new run) makes the settlement a no-op.
    const applied = await this.settlement.settle({
      record,
      status: verdict.status,
      set: verdict.set,
      message: verdict.set.error?.message ?? verdict.note,
    });
    if (!applied) return;
    report.fixed[verdict.fix] = (report.fixed[verdict.fix] ?? 0) + 1;
    this.logger.warn(
      `Reconcile: job ${record._id} (${queue.name}, run ${run}) ${record.status} → ${verdict.status}: ${verdict.note} [${verdict.fix}]`,
    );
  }

  /** Enqueues the record's run again (the sweep read it without its payload, so it reads it whole). */
  private async restore(queue: Queue, record: UnsettledRecord, note: string, report: SweepReport): Promise<void> {
    const whole = await this.jobs.findByIdUnscoped(record._id);
    const stillQueued = whole?.status === JobStatus.Waiting || whole?.status === JobStatus.Delayed;
    if (!whole || !stillQueued || (whole.run ?? 1) !== (record.run ?? 1)) return;
    if (whole.flow && !(await this.flowChildMayRun(queue, whole))) return;
    await this.control.restoreRun(whole);
    // A client's cancel may have found no Bull job and recorded `cancelled` meanwhile: it wins.
    const after = await this.jobs.findByIdUnscoped(record._id);
    if (!after || isTerminal(after.status) || (after.run ?? 1) !== (whole.run ?? 1)) {
      await this.control.withdrawRun(queue.name, record._id);
      return;
    }
    report.fixed[ReconcileFix.Restored] = (report.fixed[ReconcileFix.Restored] ?? 0) + 1;
    this.logger.warn(`Reconcile: job ${record._id} (${queue.name}, run ${record.run ?? 1}) ${note} [${ReconcileFix.Restored}]`);
  }

  /**
   * A flow's child is enqueued again only while its fan-out is open (not ended: no continuation
   * started, not cancelled) and its run left no note of having finished (a run that completed
   * while MongoDB was unreachable, its Bull job since removed, must not run twice).
   */
  private async flowChildMayRun(
    queue: Queue,
    record: NonNullable<Awaited<ReturnType<JobsRepository['findByIdUnscoped']>>>,
  ): Promise<boolean> {
    const link = record.flow!;
    const fanOut = await this.fanOuts.find(fanOutId(link.parentId, link.step));
    if (!fanOut || fanOut.endedAt) return false;
    return (await this.control.runDone(queue.name, record._id, record.run ?? 1)) === undefined;
  }

  /** Past this, an active job without a lock should have been moved by Bull (RELIABILITY §1). */
  private stallThresholdMs(): number {
    return this.config.bull.lockDurationMs + 2 * this.config.bull.stalledIntervalMs;
  }

  private redis() {
    return this.connections.commandClient();
  }

  private key(name: 'lock' | 'cursor' | 'stats'): string {
    return conveyorKeys(this.config.redis.prefix).reconcile(name);
  }

  /** Where the last sweep stopped: a keyset cursor, or undefined to start from the oldest. */
  private async loadCursor(): Promise<string | undefined> {
    const raw = await this.redis().get(this.key('cursor'));
    // One written by an older version (or anything else) is not a position: start again.
    return raw && parseKeysetCursor(raw) ? raw : undefined;
  }

  private async saveCursor(cursor: string | undefined): Promise<void> {
    if (cursor) await this.redis().set(this.key('cursor'), cursor, 'EX', CURSOR_TTL_SECONDS);
    else await this.redis().del(this.key('cursor'));
  }

  /** Fleet-wide counters (HINCRBY is atomic) in Redis, for operators (`HGETALL <prefix>:conveyor:reconcile:stats`). */
  private async recordSweep(report: SweepReport): Promise<void> {
    const multi = this.redis()
      .multi()
      .hincrby(this.key('stats'), 'sweeps', 1)
      .hset(this.key('stats'), 'lastSweepAt', new Date().toISOString());
    for (const [fix, n] of Object.entries(report.fixed)) multi.hincrby(this.key('stats'), `fixed:${fix}`, n);
    if (report.watched > 0) multi.hincrby(this.key('stats'), 'watched', report.watched);
    await multi.exec();
  }
}
