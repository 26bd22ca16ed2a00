import { LogLevel } from '@nestjs/common';
import type { AppConfig } from './app-config';

const LEVELS: Record<AppConfig['logLevel'], LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  log: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  verbose: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

export function nestLogLevels(level: AppConfig['logLevel']): LogLevel[] {
  return LEVELS[level];
}

/** Nest's level names → pino's: `log` is pino's `info`, `verbose` its `trace`. */
const PINO_LEVELS: Record<AppConfig['logLevel'], 'error' | 'warn' | 'info' | 'debug' | 'trace'> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** The pino level that shows exactly what LOG_LEVEL shows through Nest's logger. */
export function pinoLevel(level: AppConfig['logLevel']): (typeof PINO_LEVELS)[AppConfig['logLevel']] {
  return PINO_LEVELS[level];
}
