export * from './content-post.schema';
export * from './credit-entry.schema';
export * from './credit-ledger.repository';
export * from './site-analysis.schema';
export * from './site-cta.schema';
export * from './site-organization.schema';
export * from './website-content.repository';
export * from './website-content-data.module';
