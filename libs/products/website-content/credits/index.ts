export * from './content-credits';
export * from './content-run-admission';
export * from './content-run-hooks';
export * from './website-credits.module';
