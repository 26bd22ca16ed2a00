import { HEALTH_THRESHOLDS } from '@conveyor/contracts';
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from './app-config';

/** Production needs data-encryption keys; these tests are about other settings. */
const PRODUCTION = { NODE_ENV: 'production', DATA_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}` };

describe(loadConfig.name, () => {
  it('starts everything locally with no variables set', () => {
    const config = loadConfig({});
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.mongo.url).toBe('mongodb://127.0.0.1:27017/conveyor');
    expect(config.api.port).toBe(3000);
    expect(config.outbound).toEqual({ allowedHosts: ['*'], allowLoopback: true, allowPrivate: false });
  });

  it('refuses loopback targets by default in production', () => {
    expect(loadConfig(PRODUCTION).outbound.allowLoopback).toBe(false);
    expect(loadConfig({ ...PRODUCTION, OUTBOUND_ALLOW_LOOPBACK: 'true' }).outbound.allowLoopback).toBe(true);
  });

  it('serves the API docs publicly, except to non-admins in production; API_DOCS overrides', () => {
    expect(loadConfig({}).api.docs).toBe('public');
    expect(loadConfig(PRODUCTION).api.docs).toBe('admin');
    expect(loadConfig({ ...PRODUCTION, API_DOCS: 'public' }).api.docs).toBe('public');
    expect(loadConfig({ API_DOCS: 'off' }).api.docs).toBe('off');
    expect(() => loadConfig({ API_DOCS: 'secret' })).toThrow(/API_DOCS/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ API_PORT: '' }).api.port).toBe(3000);
  });

  it.each([
    ['REDIS_URL', 'localhost:6379'],
    ['MONGO_URL', 'postgres://x'],
    ['API_PORT', '70000'],
    ['BULL_LOCK_DURATION_MS', 'soon'],
    ['OUTBOUND_ALLOW_PRIVATE', 'yes'],
    ['NODE_ENV', 'staging'],
    ['WORKER_METRICS_PORT', '70000'],
    ['METRICS_TOKEN', 'too-short'],
    ['PROFILE_SERVICE_URL', 'ftp://profiles.internal'],
    ['HEALTH_FAILURE_RATE_WARNING', '10%'],
    ['HEALTH_UTILISATION_WARNING', '1.5'],
    ['HEALTH_QUEUE_DEPTH_WARNING', '-1'],
    ['JOB_RECORD_RETENTION_DAYS', '0'],
    ['CLEANUP_INTERVAL_HOURS', '5'],
    ['HEALTH_CHECK_INTERVAL_MINUTES', '7'],
  ])('stops with one line naming %s when it is %j', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(new RegExp(`^Invalid configuration: ${name} `));
    // The rule, never the value: a value may be a secret.
    expect(message).not.toContain(value);
    expect(message).not.toContain('\n');
  });

  it('lists every bad variable, one line each, and prints no secret', () => {
    const secret = 'short-secret'; // too short for ADMIN_API_TOKEN's rule
    let error: unknown;
    try {
      loadConfig({ ADMIN_API_TOKEN: secret, API_PORT: 'eighty', REDIS_URL: 'http://user:p4ssw0rd@redis:6379' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as Error).message.split('\n');
    expect(lines.map((line) => line.split(' ')[2]).sort()).toEqual(['ADMIN_API_TOKEN', 'API_PORT', 'REDIS_URL']);
    expect(lines.every((line) => line.startsWith('Invalid configuration: '))).toBe(true);
    for (const value of [secret, 'eighty', 'p4ssw0rd']) expect((error as Error).message).not.toContain(value);
  });

  it('reports the rules between variables and the data keys in the same pass as the rest', () => {
    const key = 'k1:not-a-32-byte-key';
    let error: unknown;
    try {
      loadConfig({
        API_PORT: 'eighty',
        HEALTH_FAILURE_RATE_WARNING: '0.5',
        HEALTH_FAILURE_RATE_ERROR: '0.2',
        IDENTITY_MODE: 'jwt',
        DATA_ENCRYPTION_KEYS: key,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((line) => line.split(' ')[0])).toEqual([
      'API_PORT',
      'HEALTH_FAILURE_RATE_ERROR',
      'JWT_SECRET',
      'DATA_ENCRYPTION_KEYS',
    ]);
    expect((error as Error).message).not.toContain('not-a-32-byte-key');
  });

  it("accepts pino's level names for LOG_LEVEL", () => {
    expect(loadConfig({ LOG_LEVEL: 'info' }).logLevel).toBe('log');
    expect(loadConfig({ LOG_LEVEL: 'trace' }).logLevel).toBe('verbose');
    expect(loadConfig({ LOG_LEVEL: 'fatal' }).logLevel).toBe('error');
    expect(loadConfig({ LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
  });

  it('parses the outbound host list', () => {
    expect(loadConfig({ OUTBOUND_ALLOWED_HOSTS: ' API.example.com, *.hooks.io ,' }).outbound.allowedHosts).toEqual([
      'api.example.com',
      '*.hooks.io',
    ]);
  });

  it('takes the alert thresholds from the environment, the brief’s values by default', () => {
    expect(loadConfig({}).health).toEqual(HEALTH_THRESHOLDS);
    const health = loadConfig({
      HEALTH_QUEUE_DEPTH_WARNING: '500',
      HEALTH_FAILURE_RATE_WARNING: '0.05',
      HEALTH_FAILURE_RATE_ERROR: '0.5',
      HEALTH_UTILISATION_WARNING: '0.75',
      HEALTH_STUCK_FACTOR: '3.5',
    }).health;
    expect(health).toEqual({
      ...HEALTH_THRESHOLDS,
      queueDepthWarning: 500,
      failureRateWarning: 0.05,
      failureRateError: 0.5,
      utilisationWarning: 0.75,
      stuckFactor: 3.5,
    });
  });

  it('refuses an error failure rate below the warning one', () => {
    expect(() => loadConfig({ HEALTH_FAILURE_RATE_WARNING: '0.3' })).toThrow(
      'Invalid configuration: HEALTH_FAILURE_RATE_ERROR must be at least HEALTH_FAILURE_RATE_WARNING',
    );
  });

  it('keeps finished job records 30 days unless told otherwise', () => {
    expect(loadConfig({}).retention.jobRecordDays).toBe(30);
    expect(loadConfig({ JOB_RECORD_RETENTION_DAYS: '7' }).retention.jobRecordDays).toBe(7);
  });

  it("reads seed 004's names, ours winning where both are set", () => {
    expect(loadConfig({ MAX_JOBS_PER_QUEUE: '1000' }).queues.backlogLimit).toBe(1000);
    expect(loadConfig({ MAX_JOBS_PER_QUEUE: '1000', QUEUE_BACKLOG_LIMIT: '50' }).queues.backlogLimit).toBe(50);
    expect(loadConfig({ MAX_CONCURRENT_JOBS: '10' }).worker.maxConcurrency).toBe(10);
    expect(loadConfig({ MAX_CONCURRENT_JOBS: '10', WORKER_MAX_CONCURRENCY: '4' }).worker.maxConcurrency).toBe(4);
    const seed = loadConfig({
      REMOVE_COMPLETED_AFTER: '100',
      REMOVE_FAILED_AFTER: '50',
      DEFAULT_JOB_ATTEMPTS: '3',
      DEFAULT_JOB_DELAY: '0',
    });
    expect(seed.queues).toMatchObject({ keepCompleted: 100, keepFailed: 50, defaultAttempts: 3, defaultDelayMs: 0 });
    expect(loadConfig({}).queues).toMatchObject({ keepCompleted: undefined, defaultDelayMs: 0 });
  });
});
