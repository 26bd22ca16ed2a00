/**
 * What a job handler or a system task is written against (the worker app runs them). Outbound HTTP
 * is imported from '@conveyor/job-runtime/outbound-http' (its filtering agent is an ES module that
 * unit tests need not load).
 */
export * from './attempt-outcome';
export * from './job-context';
export * from './job-errors';
export * from './job-handler';
export * from './system-task';
