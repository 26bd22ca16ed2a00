export * from './flow-cancellation';
export * from './flow-fan-in';
export * from './flow-starter';
