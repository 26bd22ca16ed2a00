import { ConveyorThrottlerGuard } from './conveyor-throttler.guard';

describe('ConveyorThrottlerGuard.ipTracker', () => {
  const track = (ip: string) => ConveyorThrottlerGuard.ipTracker({ ip });

  it('keys IPv4 clients by address, folding IPv4-mapped IPv6', () => {
    expect(track('203.0.113.7')).toBe('ip:203.0.113.7');
    expect(track('::ffff:203.0.113.7')).toBe('ip:203.0.113.7');
  });

  it('keys IPv6 clients by their /64, so rotating inside it does not help', () => {
    expect(track('2001:db8:1:2:aaaa::1')).toBe(track('2001:db8:1:2:bbbb:cccc:dddd:eeee'));
    expect(track('2001:db8:1:2::1')).not.toBe(track('2001:db8:1:3::1'));
  });
});
