import { Module } from '@nestjs/common';
import { CancellationWatcher } from '../runtime/cancellation-watcher';
import { JobProcessor } from '../runtime/job-processor.service';
import { JobRecordWriter } from '../runtime/job-record-writer';
import { RecordWriteBuffer } from '../runtime/record-write-buffer';
import { StepRunner } from '../runtime/step-runner';
import { CpuPool } from '../runtime/cpu-pool';
import { HandlersModule } from '../handlers/handlers.module';
import { MaintenanceModule } from '../maintenance/maintenance.module';
import { WebhookDeliveryProcessor } from '../webhooks/webhook-delivery.processor';
import { QueueConsumers } from './queue-consumers.service';
import { OutboundModule } from '@conveyor/job-runtime';

@Module({})
export class ConsumersModule {
  static forRoot(handlers: ReturnType<typeof HandlersModule.forRoot>) {
    return {
      module: ConsumersModule,
      imports: [handlers, OutboundModule, MaintenanceModule],
      providers: [
        CpuPool,
        StepRunner,
        RecordWriteBuffer,
        JobRecordWriter,
        CancellationWatcher,
        JobProcessor,
        WebhookDeliveryProcessor,
        QueueConsumers,
      ],
      exports: [QueueConsumers],
    };
  }
}
