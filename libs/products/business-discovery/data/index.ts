export * from './business-discovery-data.module';
export * from './discoveries.repository';
export * from './discovery.schemas';
export * from './discovery.types';
export * from './report.schemas';
export * from './report.types';
export * from './reports.repository';
