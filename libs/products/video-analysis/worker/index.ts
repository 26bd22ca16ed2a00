export * from './highlights';
export * from './loudness';
export * from './media-facts';
export * from './signals';
export * from './transcript-service';
export * from './video-analysis-worker.module';
export * from './video-analysis.handler';
export * from './media-tools';
