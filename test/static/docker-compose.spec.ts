import fs from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';

interface Service {
  command?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  stop_grace_period?: string;
  volumes?: string[];
}

/** RELIABILITY A8 and F4/F6, read off docker-compose.yml: what a deploy of it exposes and keeps. */
describe('docker-compose.yml', () => {
  const compose = load(fs.readFileSync(path.join(__dirname, '../../docker-compose.yml'), 'utf8')) as {
    services: Record<string, Service>;
    volumes?: Record<string, unknown>;
  };
  const { redis, mongo, api, worker } = compose.services;

  it('publishes no Redis or MongoDB port on the host', () => {
    expect(redis.ports).toBeUndefined();
    expect(mongo.ports).toBeUndefined();
  });

  it('runs Redis with an append-only file and without evictions', () => {
    const args = redis.command!.join(' ');
    expect(args).toMatch(/--appendonly yes/);
    expect(args).toMatch(/--maxmemory-policy noeviction/);
  });

  it('runs the apps in production, with the secrets from the environment, not in the file', () => {
    for (const service of [api, worker]) {
      expect(service.environment?.NODE_ENV).toBe('production');
      const secrets = Object.entries(service.environment ?? {}).filter(([name]) => /TOKEN|SECRET|PASSWORD|KEYS/.test(name));
      // Each comes from the shell (`${NAME:?why}` when required, `${NAME:-}` when optional), never written here.
      for (const [name, value] of secrets) expect(value).toMatch(new RegExp(`^\\$\\{${name}:(\\?.+|-)\\}$`));
    }
  });

  it('requires ADMIN_API_TOKEN, and publishes the API on loopback unless told otherwise (it trusts x-user-id)', () => {
    expect(api.environment?.ADMIN_API_TOKEN).toMatch(/^\$\{ADMIN_API_TOKEN:\?/);
    expect(api.ports).toEqual(['${API_PUBLISH_HOST:-127.0.0.1}:3000:3000']);
    // Identity settings come from the shell, so publishing the API can be made safe (IDENTITY_MODE=jwt).
    expect(api.environment).toMatchObject({ IDENTITY_MODE: '${IDENTITY_MODE:-gateway}', JWT_SECRET: '${JWT_SECRET:-}' });
  });

  it("probes the worker's liveness", () => {
    expect(worker.healthcheck!.test.join(' ')).toContain('9464/health');
  });

  it('gives the apps longer to stop than they take to drain, and probes the API for readiness', () => {
    const seconds = (s?: string) => Number(/^(\d+)s$/.exec(s ?? '')?.[1] ?? 10);
    expect(seconds(worker.stop_grace_period) * 1000).toBeGreaterThan(Number(worker.environment!.WORKER_SHUTDOWN_GRACE_MS));
    const apiDrainMs = Number(api.environment!.API_SHUTDOWN_DELAY_MS ?? 0) + Number(api.environment!.API_SHUTDOWN_GRACE_MS ?? 10_000);
    expect(seconds(api.stop_grace_period) * 1000).toBeGreaterThan(apiDrainMs);
    expect(api.healthcheck!.test.join(' ')).toContain('/health/ready');
  });

  it('gives every worker the same media volume as STORAGE_DIR (a video stored by one is analysed by another)', () => {
    const dir = worker.environment!.STORAGE_DIR;
    expect(dir).toBeDefined();
    const mount = worker.volumes?.find((v) => v.endsWith(`:${dir}`));
    expect(mount).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(mount!.split(':')[0]);
  });
});
