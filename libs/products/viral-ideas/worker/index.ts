export * from './viral-analytics';
export * from './viral-services';
export * from './viral-ideas-worker.module';
