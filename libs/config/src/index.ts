export * from './app-config';
export * from './config.module';
export * from './log-levels';
export * from './logging';
export * from './startup';
export { milliseconds, isIpOrCidr } from './config.schema';
