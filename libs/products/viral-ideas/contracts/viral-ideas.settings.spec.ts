import { ConfigError, loadConfig, loadSettings } from '@conveyor/config';
import { viralIdeasSettingsSchema } from './viral-ideas.settings';

const settings = (env: Record<string, string>) => loadSettings(viralIdeasSettingsSchema, loadConfig(env));

describe('viral-ideas settings', () => {
  it('has defaults', () => {
    expect(settings({})).toEqual({ stuckAfterMs: 60_000, batchStaggerMs: 2_000, batchCooldownMs: 300_000, batchAllowedIps: [] });
  });

  it('parses the batch IP allow-list of addresses and CIDR ranges', () => {
    expect(settings({ BATCH_ALLOWED_IPS: ' 10.0.0.1, 192.168.0.0/16 ,::1' }).batchAllowedIps).toEqual([
      '10.0.0.1',
      '192.168.0.0/16',
      '::1',
    ]);
  });

  it.each([
    ['BATCH_ALLOWED_IPS', '10.0.0.1, not-an-ip'],
    ['VIRAL_BATCH_STAGGER_MS', 'soon'],
  ])('stops with one line naming %s when it is %j', (name, value) => {
    expect(() => settings({ [name]: value })).toThrow(ConfigError);
    expect(() => settings({ [name]: value })).toThrow(new RegExp(`^Invalid configuration: ${name} `));
  });
});
