export * from './business-discovery-api.module';
export * from './business-discovery.errors';
export * from './report.response';
