export * from './database.module';
export * from './jobs/job.schema';
export * from './jobs/jobs.repository';
export * from './jobs/new-job-record';
export * from './webhooks/webhook-delivery-attempt.schema';
export * from './webhooks/webhook-deliveries.repository';
