export * from './content-generation.handler';
export * from './generation-service';
export * from './site-crawl';
export * from './site-facts';
export * from './website-analysis.handler';
export * from './website-content-worker.module';
