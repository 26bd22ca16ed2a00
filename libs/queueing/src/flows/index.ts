export * from './flow-cancellation';
export * from './flow-fan-in';
export * from './flow-ends';
export * from './flow-starter';
export * from './flow-retry';
export * from './flow-subtree';
