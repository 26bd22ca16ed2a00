/**
 * The website-content product (seed 003): website analysis and content generation with credits.
 * contracts (job types, queue, status words, settings), data (organizations, analyses, CTAs,
 * posts, the credit ledger), credits (reserve/capture/release and the hooks that keep them with
 * runs), the API module and the worker module.
 */
export * from './contracts';
export * from './data';
export * from './credits';
export * from './api';
export * from './worker';
