import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import mongoose, { Model } from 'mongoose';
import { insertUnlessDuplicate, plainString } from '@conveyor/database';
import { CreditEntry, CreditEntryKind } from './credit-entry.schema';

/** A user's credits: `balance` (granted − spent), `reserved` (held for runs), `available` (balance − reserved). */
export interface CreditTotals {
  balance: number;
  reserved: number;
  available: number;
}

/** A reservation not yet captured or released: the run it holds credits for. */
export interface OpenReservation {
  jobId: string;
  run: number;
  amount: number;
  createdAt: Date;
}

/**
 * The unique keys of entries. A run's capture and its release share one key (`close:<job>:<run>`),
 * so whichever is written first closes the reservation and the other can never be written too.
 */
export const creditKeys = {
  grant: (grantId: string) => `grant:${grantId}`,
  reserve: (jobId: string, run: number) => `reserve:${jobId}:${run}`,
  close: (jobId: string, run: number) => `close:${jobId}:${run}`,
};

/**
 * The insert-only credit ledger. Every entry has a unique key (creditKeys), so writing one twice
 * changes nothing, and totals are sums over the entries. Every capture and release closes one
 * reservation of the same amount (ContentCredits writes them so), hence:
 * balance = grants − captures; reserved = reserves − releases − captures;
 * available = balance − reserved = grants − reserves + releases.
 */
@Injectable()
export class CreditLedger {
  constructor(@InjectModel(CreditEntry.name) private readonly entries: Model<CreditEntry>) {}

  /** Writes an entry once; false when its key exists already. */
  async write(entry: Omit<CreditEntry, 'createdAt'>): Promise<boolean> {
    return insertUnlessDuplicate(this.entries, { ...entry, createdAt: new Date() });
  }

  async find(key: string): Promise<CreditEntry | null> {
    return this.entries.findById(plainString(key)).lean<CreditEntry>().exec();
  }

  /** The job's capture, in whichever run it was made. */
  async captureOf(jobId: string): Promise<CreditEntry | null> {
    return this.entries
      .findOne({ jobId: plainString(jobId), kind: CreditEntryKind.Capture })
      .lean<CreditEntry>()
      .exec();
  }

  async totals(userId: string): Promise<CreditTotals> {
    const sums: Array<{ _id: CreditEntryKind; amount: number }> = await this.entries
      .aggregate([{ $match: { userId: plainString(userId) } }, { $group: { _id: '$kind', amount: { $sum: '$amount' } } }])
      .exec();
    const sum = (kind: CreditEntryKind) => sums.find((s) => s._id === kind)?.amount ?? 0;
    const [grants, reserves, captures, releases] = [
      sum(CreditEntryKind.Grant),
      sum(CreditEntryKind.Reserve),
      sum(CreditEntryKind.Capture),
      sum(CreditEntryKind.Release),
    ];
    return { balance: grants - captures, reserved: reserves - releases - captures, available: grants - reserves + releases };
  }

  /** The user's reservations that no capture or release has closed yet (a user has few reservations open; its whole history is read). */
  async openReservations(userId: string): Promise<OpenReservation[]> {
    const entries = await this.entries
      .find({
        userId: plainString(userId),
        kind: mongoose.trusted({ $in: [CreditEntryKind.Reserve, CreditEntryKind.Capture, CreditEntryKind.Release] }),
      })
      .lean<CreditEntry[]>()
      .exec();
    // A capture spends its own run's reservation, a release gives its run's back.
    const runOf = (e: CreditEntry) => `${e.jobId}:${e.run}`;
    const closed = new Set(entries.filter((e) => e.kind !== CreditEntryKind.Reserve).map(runOf));
    return entries
      .filter((e) => e.kind === CreditEntryKind.Reserve && e.jobId !== null && e.run !== null && !closed.has(runOf(e)))
      .map((e) => ({ jobId: e.jobId!, run: e.run!, amount: e.amount, createdAt: e.createdAt }));
  }

  /** The newest entries of a user, newest first. */
  async recent(userId: string, limit: number): Promise<CreditEntry[]> {
    return this.entries
      .find({ userId: plainString(userId) })
      .sort({ createdAt: -1, _id: 1 })
      .limit(limit)
      .lean<CreditEntry[]>()
      .exec();
  }
}
