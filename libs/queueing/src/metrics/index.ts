export * from './metric-buckets';
export * from './queue-metrics.module';
export * from './queue-metrics.service';
export * from './worker-heartbeats';
export * from './service-health';
export * from './circuit-states';
export * from './build-info';
