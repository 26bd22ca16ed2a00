/**
 * The video-analysis product (seed 002): contracts (job type, queue, priorities, status words,
 * settings), data (finished analyses), the API module and the worker module (download, FFmpeg,
 * signals, highlights).
 */
export * from './contracts';
export * from './data';
export * from './runs';
export * from './api';
export * from './worker';
