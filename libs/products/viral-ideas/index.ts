/**
 * The viral-ideas analysis product (seeds 000, 001): contracts (job type, queue, settings), data
 * (entries, competitors, results), runs (start and follow), the API module and the worker module.
 */
export * from './contracts';
export * from './data';
export * from './runs';
export * from './api';
export * from './worker';
