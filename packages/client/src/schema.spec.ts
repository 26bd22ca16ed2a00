import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const CLIENT = path.resolve(__dirname, '..');
const TYPES_SCRIPT = path.resolve(CLIENT, '../../scripts/client-types.js');

/**
 * schema.d.ts is what openapi-typescript makes of the checked-in openapi.json. (That openapi.json
 * is what the API serves is checked by test/e2e/cli.e2e-spec.ts and `npm run client:check`.)
 */
describe('generated client types', () => {
  it('match packages/client/openapi.json (else: npm run client:generate)', () => {
    const generated = execFileSync(process.execPath, [TYPES_SCRIPT, path.join(CLIENT, 'openapi.json')], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    const checkedIn = fs.readFileSync(path.join(CLIENT, 'src/schema.d.ts'), 'utf8');
    // Not toEqual: a diff of two 200 kB files says less than the hint.
    expect(checkedIn === generated).toBe(true);
  });

  it('leave no documented field as an object that can hold nothing (a schema the API forgot to describe)', () => {
    const checkedIn = fs.readFileSync(path.join(CLIENT, 'src/schema.d.ts'), 'utf8');
    // openapi-typescript's own empty top-level maps (`webhooks`, `$defs`) are the only ones allowed.
    const empty = checkedIn
      .split('\n')
      .filter((line) => line.includes('Record<string, never>') && !/^export type (webhooks|\$defs) =/.test(line));
    expect(empty).toEqual([]);
  });
});
