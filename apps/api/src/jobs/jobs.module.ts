import { Module } from '@nestjs/common';
import { JobsController } from './jobs.controller';
import { IdempotencyService } from './idempotency.service';
import { JobsService } from './jobs.service';

@Module({
  controllers: [JobsController],
  providers: [JobsService, IdempotencyService],
})
export class JobsModule {}
