import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ZodType } from 'zod';
import { configSchema } from '../../libs/config/src/config.schema';
import { businessDiscoverySettingsSchema } from '../../libs/products/business-discovery/contracts/business-discovery.settings';
import { videoAnalysisSettingsSchema } from '../../libs/products/video-analysis/contracts/video-analysis.settings';
import { viralIdeasSettingsSchema } from '../../libs/products/viral-ideas/contracts/viral-ideas.settings';
import { websiteContentSettingsSchema } from '../../libs/products/website-content/contracts/website-content.settings';
import { notificationSettingsSchema } from '../../libs/queueing/src/notifications/notification.settings';
import { backupSettingsSchema } from '../../apps/worker/src/maintenance/tasks/backup-data.settings';

const FILE = path.join(__dirname, '../../.env.example');

/** Every schema that reads the environment, by who reads it. */
const SCHEMAS: Array<[string, ZodType]> = [
  ['platform (libs/config)', configSchema],
  ['notifications', notificationSettingsSchema],
  ['backups', backupSettingsSchema],
  ['viral-ideas', viralIdeasSettingsSchema],
  ['website-content', websiteContentSettingsSchema],
  ['video-analysis', videoAnalysisSettingsSchema],
  ['business-discovery', businessDiscoverySettingsSchema],
];

/** An object schema's fields, through the transform a settings schema ends with. */
function fields(schema: ZodType): Record<string, ZodType> {
  const s = schema as unknown as { shape?: Record<string, ZodType>; in?: ZodType; _def?: { in?: ZodType } };
  if (s.shape) return s.shape;
  const inner = s.in ?? s._def?.in;
  if (!inner) throw new Error('not an object schema');
  return fields(inner);
}

/** A default as written in the environment; none for one made from this machine's folders. */
function defaultOf(field: ZodType): string | undefined {
  const parsed = field.safeParse(undefined);
  if (!parsed.success || parsed.data === undefined || parsed.data === null) return undefined;
  const text = String(parsed.data);
  return text.startsWith(os.tmpdir()) || text.startsWith(process.cwd()) ? undefined : text;
}

function envExample(): string {
  const lines = [
    "# Conveyor's environment variables, every one the apps read, generated from their schemas",
    '# (UPDATE_ENV_EXAMPLE=1 npx jest --selectProjects unit test/static/env-example.spec.ts; a test fails',
    "# when this file and the schemas disagree). The README's Configuration table says what each means.",
    '# All are optional outside production; a commented value is the default.',
  ];
  for (const [who, schema] of SCHEMAS) {
    lines.push('', `# --- ${who} ---`);
    for (const [name, field] of Object.entries(fields(schema))) {
      const value = defaultOf(field);
      lines.push(value === undefined ? `# ${name}=` : `# ${name}=${value}`);
    }
  }
  return lines.join('\n') + '\n';
}

describe('.env.example', () => {
  it('lists every variable the schemas read, with its default', () => {
    const expected = envExample();
    if (process.env.UPDATE_ENV_EXAMPLE === '1') fs.writeFileSync(FILE, expected);
    expect(fs.readFileSync(FILE, 'utf8')).toBe(expected);
  });

  it('reads every settings schema there is (each lives in a *.settings.ts file)', () => {
    const root = path.join(__dirname, '../..');
    const settingsFiles = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const at = path.join(dir, entry.name);
        if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : settingsFiles(at);
        return entry.name.endsWith('.settings.ts') ? [path.relative(root, at).replace(/\.ts$/, '')] : [];
      });
    const imported = [...fs.readFileSync(__filename, 'utf8').matchAll(/from '\.\.\/\.\.\/(.+\.settings)'/g)].map((m) => m[1]);
    expect(imported.sort()).toEqual([...settingsFiles(path.join(root, 'apps')), ...settingsFiles(path.join(root, 'libs'))].sort());
  });
});
