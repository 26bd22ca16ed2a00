export * from './viral-ideas-worker.module';
