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
 * captured once when its post is saved, released when the run ends without one. One user's
 * reservations are checked and written one at a time (a Redis lock), so two submits at once can
 * never both spend the last credit; a reservation whose run ended without the release being
 * written (a lost hook, a crashed submit) is released when the user's credits are next read.
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
   * short). The caller starts the run next, and releases the reservation if it does not start.
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
      await this.ledger.write({
        _id: creditKeys.reserve(jobId, run),
        userId,
        kind: CreditEntryKind.Reserve,
        amount,
        jobId,
        run,
        reason: null,
      });
    } finally {
      await lock.release().catch(() => undefined); // it expires by itself
    }
  }

  /** Spends run `run`'s reservation: once per job, however often it is called. */
  async capture(userId: string, jobId: string, run: number, fallbackAmount: number): Promise<void> {
    const reservation = await this.ledger.find(creditKeys.reserve(jobId, run));
    const amount = reservation?.amount ?? fallbackAmount;
    await this.ledger.write({ _id: creditKeys.capture(jobId), userId, kind: CreditEntryKind.Capture, amount, jobId, run, reason: null });
  }

  /** Gives run `run`'s reservation back, unless the job's post was saved (captured). Idempotent. */
  async release(userId: string, jobId: string, run: number): Promise<void> {
    if (await this.ledger.find(creditKeys.capture(jobId))) return;
    const reservation = await this.ledger.find(creditKeys.reserve(jobId, run));
    if (!reservation) return;
    await this.ledger.write({
      _id: creditKeys.release(jobId, run),
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
    // No record: its submit failed after reserving (and before its own release); only once the
    // submit's lock has surely expired, so a submit still in progress is never undercut.
    if (!record) return Date.now() - createdAt.getTime() > USER_LOCK_MS;
    if (record.run !== run) return record.run > run;
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
        throw new ConveyorError(ErrorCode.ServiceUnavailable, 'Another credit reservation of this user is in progress; retry in a moment', {
          retryAfterSeconds: 1,
        });
      }
      await sleep(pause);
    }
  }
}
