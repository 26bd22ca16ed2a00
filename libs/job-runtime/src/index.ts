/** What a job handler or a system task is written against (the worker app runs them). */
export * from './attempt-outcome';
export * from './cpu-task';
export * from './circuit-breakers';
export * from './downstream-client';
export * from './job-context';
export * from './job-errors';
export * from './job-handler';
export * from './outbound-http';
export * from './outbound-page';
export * from './policy-agents';
export * from './system-task';
