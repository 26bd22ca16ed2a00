import { evictionPolicyVerdict, parseRedisInfo } from './redis-info';

describe(parseRedisInfo.name, () => {
  it('reads fields across sections', () => {
    const info = '# Server\r\nredis_version:7.0.15\r\n\r\n# Memory\r\nused_memory:1048576\r\nmaxmemory_policy:noeviction\r\n';
    expect(parseRedisInfo(info)).toEqual({ redis_version: '7.0.15', used_memory: '1048576', maxmemory_policy: 'noeviction' });
  });
});

describe(evictionPolicyVerdict.name, () => {
  it('accepts noeviction only', () => {
    expect(evictionPolicyVerdict('noeviction')).toEqual({ health: 'healthy', reasons: [] });
    expect(evictionPolicyVerdict('volatile-lru').health).toBe('warning');
    expect(evictionPolicyVerdict(undefined).reasons[0]).toContain('unknown');
  });
});
