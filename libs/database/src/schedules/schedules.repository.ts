import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { SYSTEM_SCHEDULE_CREATOR, SystemScheduleDefinition } from '@conveyor/contracts';
import mongoose, { Model } from 'mongoose';
import { insertUnlessDuplicate, isDuplicateKey } from '../duplicate-key';
import { Schedule, ScheduleRunResult } from './schedule.schema';

/**
 * Repeating schedules. Every read and write is by `_id` or of the whole (small) collection, so
 * FerretDB's scans stay cheap (DESIGN §2).
 */
@Injectable()
export class SchedulesRepository {
  constructor(@InjectModel(Schedule.name) private readonly model: Model<Schedule>) {}

  /** Inserts a new schedule; false when one with the same name exists. */
  async create(schedule: Schedule): Promise<boolean> {
    return insertUnlessDuplicate(this.model, schedule);
  }

  /** Every schedule, by name. */
  async all(): Promise<Schedule[]> {
    return this.model.find().sort({ _id: 1 }).lean<Schedule[]>().exec();
  }

  async find(name: string): Promise<Schedule | null> {
    return this.model.findById(name).lean<Schedule>().exec();
  }

  /** Deletes an admin's schedule; a system schedule is left alone (`system`). */
  async delete(name: string): Promise<'deleted' | 'not_found' | 'system'> {
    // The filter refuses a system schedule even if it was seeded between a read and this delete.
    const { deletedCount } = await this.model.deleteOne({ _id: name, system: mongoose.trusted({ $ne: true }) }).exec();
    if (deletedCount === 1) return 'deleted';
    return (await this.find(name))?.system ? 'system' : 'not_found';
  }

  /**
   * Creates or refreshes a system schedule (at every worker start, several at once). An upsert
   * keeps its run history; two concurrent upserts of a new name can collide on `_id`, which
   * MongoDB and FerretDB report as 11000 for upserts (DESIGN §2): the loser retries, now as an update.
   */
  async seedSystem(definition: SystemScheduleDefinition, now = new Date()): Promise<void> {
    const upsert = () =>
      this.model
        .updateOne(
          { _id: definition.name },
          {
            $set: { type: definition.name, system: true, cron: definition.cron, timezone: null, description: definition.description },
            $setOnInsert: { data: {}, createdAt: now, createdBy: SYSTEM_SCHEDULE_CREATOR, lastRunAt: null, lastResult: null },
          },
          { upsert: true },
        )
        .exec();
    try {
      await upsert();
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      await upsert();
    }
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
