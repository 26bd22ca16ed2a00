/** The HTTP platform both the API and the products' API modules are written against. */
export * from './admin-only';
export * from './error-envelope.filter';
export * from './error-status';
export * from './identity';
export * from './identity.module';
export * from './prefer';
export * from './request-body.policy';
export * from './success-envelope.interceptor';
export * from './swagger-envelope';
export * from './validation.pipe';
export * from './throttling/conveyor-throttler.guard';
export * from './throttling/throttle-class';
export * from './throttling/route-limit';
export * from './throttling/throttling.module';
export * from './job-id.pipe';
export * from './security-schemes';
