export * from './job-producer.service';
export * from './queue-registry.service';
export * from './queue-stats.service';
export * from './queueing.module';
export * from './redis-connections';
export * from './tokens';
export * from './bull-job-options';
export * from './job-control.service';
