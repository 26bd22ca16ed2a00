export * from './viral-ideas-api.module';
