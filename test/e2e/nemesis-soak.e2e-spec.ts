import { SOAK_PROFILES, describeSoak, runSoak } from '../soak/nemesis-soak';

/**
 * RELIABILITY L1 in `npm test`: the nemesis soak's 60-second profile. `npm run soak` runs the full
 * profile (2,000 submits over 90 s) through this same file with SOAK_PROFILE=full.
 */
const profile = SOAK_PROFILES[process.env.SOAK_PROFILE === 'full' ? 'full' : 'short'];

describe('L1 nemesis soak', () => {
  it(`${profile.submits} submits over ${profile.seconds} s through worker kills, a Redis restart and a database outage: nothing lost, nothing run twice`, async () => {
    const report = await runSoak(profile);
    console.log(describeSoak(report));
    expect(report.verdict).toEqual({ lost: [], duplicated: [], unexpected: [] });
    expect(report.serverErrors).toEqual([]);
    expect(report.swept).toBe(true);
    expect(report.disagreements).toEqual([]);
    expect(report.workersKilled).toBeGreaterThanOrEqual(Math.floor((profile.seconds * 1000) / profile.killEveryMs) - 1);
  }, 420_000);
});
