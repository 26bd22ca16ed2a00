export * from './viral-competitor.schema';
export * from './viral-entry.schema';
export * from './viral-ideas.repository';
export * from './viral-ideas-data.module';
export * from './viral-result.schema';
