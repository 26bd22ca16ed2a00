import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Gauge, Registry } from 'prom-client';

/** Conveyor's version: from the nearest package.json named `conveyor` above this file (source, dist or image). */
export function conveyorVersion(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name, version } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
      if (name === 'conveyor' && version) return version;
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}

/** `conveyor_build_info{service, version, node} 1`: which build and Node answer the scrape. */
export function buildInfo(registry: Registry, service: 'api' | 'worker'): void {
  new Gauge({
    name: 'conveyor_build_info',
    help: 'Always 1; its labels say which Conveyor build and Node.js version this process runs',
    labelNames: ['service', 'version', 'node'] as const,
    registers: [registry],
  }).set({ service, version: conveyorVersion(), node: process.versions.node }, 1);
}
