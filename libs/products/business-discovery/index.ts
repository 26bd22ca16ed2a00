/**
 * The business-discovery product (seed 004): contracts (four queues, fifteen job types, settings),
 * data (discoveries, their businesses, stored videos, reports), the API module (reports) and the
 * worker module (places, websites, profiles, videos, insights, trends, the PDF).
 */
export * from './contracts';
export * from './data';
export * from './api';
export * from './worker';
