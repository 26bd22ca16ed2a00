import { hostname } from 'node:os';
import { LoggerOptions, stdTimeFunctions } from 'pino';
import type { AppConfig } from './app-config';
import { pinoLevel } from './log-levels';

/**
 * The JSON log format both apps share (one object per line on stdout): LOG_LEVEL mapped to pino's
 * levels, an ISO timestamp, the level as its name, and which service wrote the line.
 */
export function jsonLoggerOptions(config: AppConfig, service: 'api' | 'worker'): LoggerOptions {
  return {
    level: pinoLevel(config.logLevel),
    base: { service: `conveyor-${service}`, pid: process.pid, hostname: hostname() },
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
}
