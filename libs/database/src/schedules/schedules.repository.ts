import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { Schedule, ScheduleRunResult } from './schedule.schema';

/** Duplicate key on insert (FerretDB reports it as MongoDB does for inserts, DESIGN §2). */
const DUPLICATE_KEY = 11000;

/**
 * Repeating schedules. Every read and write is by `_id` or of the whole (small) collection, so
 * FerretDB's scans stay cheap (DESIGN §2).
 */
@Injectable()
export class SchedulesRepository {
  constructor(@InjectModel(Schedule.name) private readonly model: Model<Schedule>) {}

  /** Inserts a new schedule; false when one with the same name exists. */
  async create(schedule: Schedule): Promise<boolean> {
    try {
      await this.model.create(schedule);
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === DUPLICATE_KEY) return false;
      throw error;
    }
  }

  /** Every schedule, by name. */
  async all(): Promise<Schedule[]> {
    return this.model.find().sort({ _id: 1 }).lean<Schedule[]>().exec();
  }

  async find(name: string): Promise<Schedule | null> {
    return this.model.findById(name).lean<Schedule>().exec();
  }

  /** True when it existed. */
  async delete(name: string): Promise<boolean> {
    return (await this.model.deleteOne({ _id: name }).exec()).deletedCount === 1;
  }

  /** Records a fired cron run: runs are due after `runAt` from now on. */
  async recordRun(name: string, runAt: Date, result: ScheduleRunResult): Promise<void> {
    await this.model.updateOne({ _id: name }, { $set: { lastRunAt: runAt, lastResult: result } }).exec();
  }

  /** Records a manual trigger: shown as the latest result, without moving the cron's timeline. */
  async recordTrigger(name: string, result: ScheduleRunResult): Promise<void> {
    await this.model.updateOne({ _id: name }, { $set: { lastResult: result } }).exec();
  }
}
