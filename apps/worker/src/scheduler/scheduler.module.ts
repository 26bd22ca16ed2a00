import { Module } from '@nestjs/common';
import { ScheduleTicker } from './schedule-ticker.service';

/** Fires repeating schedules stored in MongoDB (README "Scheduler"). */
@Module({
  providers: [ScheduleTicker],
  exports: [ScheduleTicker],
})
export class SchedulerModule {}
