import { INestApplicationContext } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { AppConfig } from '@conveyor/config';
import Redis from 'ioredis';
import type { Connection } from 'mongoose';
import { MongoCommandCounter } from './mongo-command-counter';

/** One figure of the report: our side, the reference side, and what we aim for. */
export interface BenchRow {
  id: string;
  what: string;
  /** Raw Bull (or the peer) measured in the same run; undefined where there is no reference. */
  reference?: number;
  conveyor: number;
  unit: string;
  /** conveyor ÷ reference, or the figure itself where the target is on it. */
  ratio?: number;
  /** The target, as text ("≥ 0.15"), and whether this run met it. */
  target?: string;
  met?: boolean;
  note?: string;
}

/** What every section shares: the run's settings, Redis, the in-process worker and counters. */
export interface BenchContext {
  runId: string;
  quick: boolean;
  /** The benchmark's configuration: its own MongoDB database and Redis key prefix. */
  config: AppConfig;
  /** Environment for the API and worker processes some sections start (same Redis); see sectionEnv. */
  processEnv: NodeJS.ProcessEnv;
  /** Databases made by sectionEnv, dropped at the end of the run. */
  sectionDatabases: string[];
  redis: Redis;
  /** A worker in this process, with the benchmark's no-op job type registered. */
  worker: INestApplicationContext;
  mongo: MongoCommandCounter;
  /** The PostgreSQL server for the pg-boss peer, if one answers. */
  postgresUrl?: string;
}

/**
 * The environment of a section's own deployment: a key prefix and a database of its own (a
 * database belongs to one prefix, RELIABILITY F14), so no sweep judges another section's jobs.
 */
export function sectionEnv(ctx: BenchContext, section: string): NodeJS.ProcessEnv {
  const url = new URL(ctx.processEnv.MONGO_URL!);
  url.pathname = `${url.pathname}_${section}`;
  ctx.sectionDatabases.push(url.pathname.slice(1));
  return { ...ctx.processEnv, BULL_PREFIX: `${ctx.config.redis.prefix}-${section}`, MONGO_URL: url.toString() };
}

export function mongoConnection(worker: INestApplicationContext): Connection {
  return worker.get<Connection>(getConnectionToken());
}

/** A row whose target is a bound on `value`: `≥ 0.15` or `≤ 2`. */
export function targeted(row: Omit<BenchRow, 'met' | 'target'>, bound: '≥' | '≤', limit: number, value = row.ratio): BenchRow {
  const met = value === undefined || !Number.isFinite(value) ? false : bound === '≥' ? value >= limit : value <= limit;
  return { ...row, target: `${bound} ${limit}`, met };
}

/** Resolves once `count` events have been seen by `on` (which must call the given tick). */
export function countdown(count: number): { tick: () => void; done: Promise<void> } {
  let seen = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  if (count <= 0) finish();
  return {
    tick: () => {
      if (++seen === count) finish();
    },
    done,
  };
}
