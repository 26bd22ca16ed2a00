import { ConfigError, loadConfig } from './app-config';

describe(loadConfig.name, () => {
  it('starts everything locally with no variables set', () => {
    const config = loadConfig({});
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.mongo.url).toBe('mongodb://127.0.0.1:27017/conveyor');
    expect(config.api.port).toBe(3000);
    expect(config.outbound).toEqual({ allowedHosts: ['*'], allowLoopback: true, allowPrivate: false });
  });

  it('refuses loopback targets by default in production', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).outbound.allowLoopback).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', OUTBOUND_ALLOW_LOOPBACK: 'true' }).outbound.allowLoopback).toBe(true);
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
    expect(message).toContain(value);
    expect(message).not.toContain('\n');
  });

  it('parses the outbound host list', () => {
    expect(loadConfig({ OUTBOUND_ALLOWED_HOSTS: ' API.example.com, *.hooks.io ,' }).outbound.allowedHosts).toEqual([
      'api.example.com',
      '*.hooks.io',
    ]);
  });
});
