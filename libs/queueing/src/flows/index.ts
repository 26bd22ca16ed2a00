export * from './flow-fan-in';
export * from './flow-starter';
