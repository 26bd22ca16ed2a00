import { hostname } from 'node:os';
import { LoggerOptions, stdTimeFunctions } from 'pino';
import { errorField } from '@conveyor/contracts';
import type { AppConfig } from './app-config';
import { pinoLevel } from './log-levels';

/**
 * The JSON log format both apps share (one object per line on stdout): LOG_LEVEL mapped to pino's
 * levels, an ISO timestamp, the level as its name, and which service wrote the line. An `err`
 * field is written as errorField writes it: an Error logged directly is cut down the same way, and
 * one already cut down passes as it is (pino's own serializer would rename its type "Object").
 */
export function jsonLoggerOptions(config: AppConfig, service: 'api' | 'worker'): LoggerOptions {
  return {
    level: pinoLevel(config.logLevel),
    base: { service: `conveyor-${service}`, pid: process.pid, hostname: hostname() },
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: loggedErr },
  };
}

/** pino-http hands its err serializer pino's own rendering, the original as `raw`; plain pino the original. */
function loggedErr(value: unknown): unknown {
  const raw = (value as { raw?: unknown } | null)?.raw ?? value;
  return raw instanceof Error ? errorField(raw).err : raw;
}
