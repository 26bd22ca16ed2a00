export * from './viral-run-hooks';
export * from './viral-run-starter';
export * from './viral-runs.module';
