export * from './notification-event';
export * from './end-notification';
export * from './notification-body';
export * from './notification-target';
