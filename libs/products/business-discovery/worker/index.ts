export * from './business-check';
export * from './business-discovery-worker.module';
export * from './insights';
export * from './reel-ranking';
export * from './report-content';
export * from './report-pdf';
export * from './trends';
export * from './video-store';
