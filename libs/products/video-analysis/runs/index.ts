export * from './guide-webhooks';
export * from './video-run-hooks';
export * from './video-runs.module';
