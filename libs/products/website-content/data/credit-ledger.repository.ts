import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import mongoose, { Model } from 'mongoose';
import { insertUnlessDuplicate } from '@conveyor/database';
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

export const creditKeys = {
  grant: (grantId: string) => `grant:${grantId}`,
  reserve: (jobId: string, run: number) => `reserve:${jobId}:${run}`,
  capture: (jobId: string) => `capture:${jobId}`,
  release: (jobId: string, run: number) => `release:${jobId}:${run}`,
};

/**
 * The insert-only credit ledger. Every entry has a unique key (creditKeys), so writing one twice
 * changes nothing, and totals are sums over the entries:
 * balance = grants − captures; reserved = reserves − releases − captures (a capture spends its
 * run's reservation); available = grants − reserves + releases.
 */
@Injectable()
export class CreditLedger {
  constructor(@InjectModel(CreditEntry.name) private readonly entries: Model<CreditEntry>) {}

  /** Writes an entry once; false when its key exists already. */
  async write(entry: Omit<CreditEntry, 'createdAt'>): Promise<boolean> {
    return insertUnlessDuplicate(this.entries, { ...entry, createdAt: new Date() });
  }

  async find(key: string): Promise<CreditEntry | null> {
    return this.entries.findById(assertString(key)).lean<CreditEntry>().exec();
  }

  async totals(userId: string): Promise<CreditTotals> {
    const sums: Array<{ _id: CreditEntryKind; amount: number }> = await this.entries
      .aggregate([{ $match: { userId: assertString(userId) } }, { $group: { _id: '$kind', amount: { $sum: '$amount' } } }])
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

  /** The user's reservations that no capture or release has closed yet. */
  async openReservations(userId: string): Promise<OpenReservation[]> {
    const entries = await this.entries
      .find({
        userId: assertString(userId),
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
      .find({ userId: assertString(userId) })
      .sort({ createdAt: -1, _id: 1 })
      .limit(limit)
      .lean<CreditEntry[]>()
      .exec();
  }
}

/** Values reaching filters must be strings, never query operators. */
function assertString(value: string): string {
  if (typeof value !== 'string') throw new TypeError('expected a string');
  return value;
}
