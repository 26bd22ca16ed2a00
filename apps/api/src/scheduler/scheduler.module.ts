import { Module } from '@nestjs/common';
import { DelayedJobsController, SchedulerController } from './scheduler.controller';
import { SchedulerService } from './scheduler.service';

@Module({
  controllers: [DelayedJobsController, SchedulerController],
  providers: [SchedulerService],
})
export class SchedulerModule {}
