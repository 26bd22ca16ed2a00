import { ipMatches } from './viral-batch.service';

describe(ipMatches.name, () => {
  it.each([
    ['10.0.0.7', '10.0.0.7', true],
    ['10.0.0.7', '10.0.0.8', false],
    ['::ffff:10.0.0.7', '10.0.0.7', true], // IPv4-mapped IPv6, as Node reports IPv4 clients on dual-stack sockets
    ['192.168.4.2', '192.168.0.0/16', true],
    ['192.169.4.2', '192.168.0.0/16', false],
    ['::1', '::1', true],
    ['2001:db8::5', '2001:db8::/32', true],
    ['10.0.0.7', '2001:db8::/32', false],
    ['not-an-ip', '10.0.0.0/8', false],
  ])('%s in %s → %s', (ip, entry, expected) => {
    expect(ipMatches(ip, entry)).toBe(expected);
  });
});
