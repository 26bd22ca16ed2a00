import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { ConveyorError, ErrorCode, JobStatus, isTerminal, productErrorCode } from '@conveyor/contracts';
import { JobsRepository } from '@conveyor/database';
import { QueueRegistry, RedisLease, conveyorKeys } from '@conveyor/queueing';
import { setTimeout as sleep } from 'node:timers/promises';
import { WEBSITE_CONTENT_QUEUE } from '../contracts';
import { CreditEntryKind, CreditLedger, CreditTotals, OpenReservation, creditKeys } from '../data';

export const CreditErrorCode = {
  InsufficientCredits: productErrorCode('INSUFFICIENT_CREDITS', 402),
} as const;

/** How long one user's reservation check may hold its lock at most (it is released when done). */
const USER_LOCK_MS = 30_000;
/** How long a reservation waits for another of the same user's to finish before giving up. */
const USER_LOCK_WAIT_MS = 5_000;

/**
 * Credits for content generation, on the insert-only ledger: reserved when a run is accepted,
 * captured once when its post is saved, released when the run ends without one (a run's capture
 * and release share one key: the first closes it). One user's reservations are checked and
 * written one at a time (a Redis lock), so two submits at once can never both spend the last
 * credit; a reservation whose run ended without the release being written (a lost hook, a start
 * that died after reserving) is released when the user's credits are next read.
 */
@Injectable()
export class ContentCredits {
  constructor(
    private readonly ledger: CreditLedger,
    private readonly jobs: JobsRepository,
    private readonly queues: QueueRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Reserves `amount` for run `run` of job `jobId` (402 when the user's available credits are
   * short; 409 when this run is being reserved already, e.g. two retries at once). The caller
   * starts the run next, and releases the reservation if it does not start.
   */
  async reserve(userId: string, jobId: string, run: number, amount: number): Promise<void> {
    const lock = await this.lockUser(userId);
    try {
      let totals = await this.ledger.totals(userId);
      if (totals.available < amount) totals = await this.settle(userId);
      if (totals.available < amount) {
        throw new ConveyorError(
          CreditErrorCode.InsufficientCredits,
          `Content generation costs ${amount} credit(s); ${totals.available} available (${totals.balance} balance, ${totals.reserved} reserved)`,
          { details: { required: amount, ...totals } },
        );
      }
      const key = creditKeys.reserve(jobId, run);
      if (!(await this.ledger.write({ _id: key, userId, kind: CreditEntryKind.Reserve, amount, jobId, run, reason: null }))) {
        throw new ConveyorError(ErrorCode.InvalidJobState, `Run ${run} of job ${jobId} is being started already`);
      }
    } finally {
      await lock.release().catch(() => undefined); // it expires by itself
    }
  }

  /**
   * Spends run `run`'s reservation, at most once per job. `already`: the job was charged before
   * (a redelivery; a capture of an earlier run also gives this run's reservation back). `lost`:
   * the run was closed by a release first (it was cancelled or failed meanwhile), nothing is spent.
   */
  async capture(userId: string, jobId: string, run: number, fallbackAmount: number): Promise<'captured' | 'already' | 'lost'> {
    const earlier = await this.ledger.captureOf(jobId);
    if (earlier) {
      if (earlier.run !== run) await this.release(userId, jobId, run);
      return 'already';
    }
    let reservation = await this.ledger.find(creditKeys.reserve(jobId, run));
    if (!reservation) {
      // Every capture closes a reservation of its amount (the totals rely on it): a run without one gets it now.
      const entry = {
        _id: creditKeys.reserve(jobId, run),
        userId,
        kind: CreditEntryKind.Reserve,
        amount: fallbackAmount,
        jobId,
        run,
        reason: null,
      };
      await this.ledger.write(entry);
      reservation = (await this.ledger.find(entry._id))!;
    }
    const close = {
      _id: creditKeys.close(jobId, run),
      userId,
      kind: CreditEntryKind.Capture,
      amount: reservation.amount,
      jobId,
      run,
      reason: null,
    };
    if (await this.ledger.write(close)) return 'captured';
    return (await this.ledger.find(close._id))?.kind === CreditEntryKind.Capture ? 'already' : 'lost';
  }

  /** Gives run `run`'s reservation back unless the run captured it first. Idempotent. */
  async release(userId: string, jobId: string, run: number): Promise<void> {
    const reservation = await this.ledger.find(creditKeys.reserve(jobId, run));
    if (!reservation) return;
    await this.ledger.write({
      _id: creditKeys.close(jobId, run),
      userId,
      kind: CreditEntryKind.Release,
      amount: reservation.amount,
      jobId,
      run,
      reason: null,
    });
  }

  /** Grants credits; a grant id seen before grants nothing again. */
  async grant(userId: string, amount: number, reason: string, grantId: string): Promise<boolean> {
    return this.ledger.write({
      _id: creditKeys.grant(grantId),
      userId,
      kind: CreditEntryKind.Grant,
      amount,
      jobId: null,
      run: null,
      reason,
    });
  }

  /** The user's totals after releasing reservations whose runs ended without a capture. */
  async settle(userId: string): Promise<CreditTotals> {
    for (const reservation of await this.ledger.openReservations(userId)) {
      if (await this.runEndedUncaptured(reservation)) await this.release(userId, reservation.jobId, reservation.run);
    }
    return this.ledger.totals(userId);
  }

  private async runEndedUncaptured({ jobId, run, createdAt }: OpenReservation): Promise<boolean> {
    const record = await this.jobs.findByIdUnscoped(jobId);
    // Reserved, then the start failed and its own release was never written (the process died):
    // no record, or a retry whose run never began. Only once the reserving lock has surely
    // expired, so a start still in progress is never undercut.
    const startSurelyOver = Date.now() - createdAt.getTime() > USER_LOCK_MS;
    if (!record || record.run < run) return startSurelyOver;
    if (record.run > run) return true; // a later run exists: this one has ended
    return isTerminal(record.status) && record.status !== JobStatus.Completed;
  }

  private async lockUser(userId: string): Promise<RedisLease> {
    const redis = this.queues.get(WEBSITE_CONTENT_QUEUE).client;
    const key = conveyorKeys(this.config.redis.prefix).product('credits', userId);
    const deadline = Date.now() + USER_LOCK_WAIT_MS;
    for (let pause = 10; ; pause = Math.min(pause * 2, 200)) {
      const lease = await RedisLease.acquire(redis, key, USER_LOCK_MS);
      if (lease) return lease;
      if (Date.now() > deadline) {
        throw new ConveyorError(ErrorCode.RateLimited, 'Another credit reservation of this user is in progress; retry in a moment', {
          retryAfterSeconds: 1,
        });
      }
      await sleep(pause);
    }
  }
}
