import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';

const ROOT = path.join(__dirname, '../..');
const ours = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).engines.node as string;

/** The oldest version of each major our `engines` allows: every dependency must run on each. */
function lowestOfEachMajor(range: string): string[] {
  return range.split('||').map((part) => semver.minVersion(part.trim())!.version);
}

/** Every installed package (nested ones too) that states the Node versions it supports. */
function installedEngines(dir = path.join(ROOT, 'node_modules')): Array<{ name: string; node: string }> {
  const found: Array<{ name: string; node: string }> = [];
  for (const entry of fs.readdirSync(dir)) {
    if (entry.startsWith('.')) continue;
    const at = path.join(dir, entry);
    if (entry.startsWith('@')) {
      found.push(...installedEngines(at));
      continue;
    }
    const manifest = path.join(at, 'package.json');
    if (!fs.existsSync(manifest)) continue;
    const { name, version, engines } = JSON.parse(fs.readFileSync(manifest, 'utf8'));
    if (typeof engines?.node === 'string' && semver.validRange(engines.node))
      found.push({ name: `${name}@${version}`, node: engines.node });
    if (fs.existsSync(path.join(at, 'node_modules'))) found.push(...installedEngines(path.join(at, 'node_modules')));
  }
  return found;
}

/**
 * When each Node LTS line reaches its end of life (nodejs.org/en/about/previous-releases). Images
 * ship to production, so they must run a line still maintained; add the next line when it comes.
 * This test turns red on the day an image's line reaches its end of life, with no change here: on
 * purpose, as that is the day the images must move.
 */
const LTS_END_OF_LIFE: Record<number, string> = { 20: '2026-04-30', 22: '2027-04-30', 24: '2028-04-30' };

describe('Node versions', () => {
  it('every dependency supports every Node version package.json promises', () => {
    const floors = lowestOfEachMajor(ours);
    const unsupported = installedEngines().flatMap(({ name, node }) =>
      floors.filter((v) => !semver.satisfies(v, node)).map((v) => `${name} needs ${node}, not ${v}`),
    );
    expect(unsupported).toEqual([]);
  });

  it('the Docker images run a maintained Node LTS that package.json promises, pinned to a full version', () => {
    for (const file of ['api.Dockerfile', 'worker.Dockerfile']) {
      const images = [...fs.readFileSync(path.join(ROOT, 'docker', file), 'utf8').matchAll(/^FROM node:(\S+)/gm)].map((m) => m[1]);
      expect(images.length).toBeGreaterThan(0);
      for (const tag of images) {
        const version = /^(\d+\.\d+\.\d+)-/.exec(tag)?.[1];
        expect({ file, tag, pinned: version !== undefined }).toEqual({ file, tag, pinned: true });
        expect(semver.satisfies(version!, ours)).toBe(true);
        // A maintained LTS line: engines may still allow an older Node for development machines.
        const endOfLife = LTS_END_OF_LIFE[semver.major(version!)];
        expect({ file, tag, maintainedLts: endOfLife !== undefined && new Date(endOfLife) > new Date() }).toEqual({
          file,
          tag,
          maintainedLts: true,
        });
      }
    }
  });

  it('this machine runs one of them', () => {
    expect(semver.satisfies(process.versions.node, ours)).toBe(true);
  });
});
