import { OutboundPolicy, addressRefusal, checkOutboundUrl } from './outbound-policy';

const production: OutboundPolicy = { allowedHosts: ['*'], allowLoopback: false, allowPrivate: false };
const development: OutboundPolicy = { ...production, allowLoopback: true };

const refused = (url: string, policy = production) => {
  const verdict = checkOutboundUrl(url, policy);
  return verdict.allowed ? undefined : verdict.reason;
};

describe(checkOutboundUrl.name, () => {
  it.each(['https://example.com/hook', 'http://93.184.216.34:8080/x', 'https://[2606:2800:220:1::]/'])(
    'allows the public target %s',
    (url) => {
      expect(refused(url)).toBeUndefined();
    },
  );

  it.each([
    ['http://127.0.0.1:9999/', 'loopback'],
    ['http://localhost/', 'loopback'],
    ['http://api.localhost/', 'loopback'],
    ['http://[::1]/', 'loopback'],
    ['http://2130706433/', 'loopback'], // 127.0.0.1 as one number
    ['http://0x7f.1/', 'loopback'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://[::a9fe:a9fe]/', 'linkLocal'],
    ['http://[::169.254.169.254]/latest/meta-data', 'linkLocal'],
    ['http://[::10.0.0.1]/', 'private'],
    ['http://[64:ff9b::7f00:1]/', 'loopback'],
    ['http://0.0.0.0/', 'unspecified'],
    ['http://10.1.2.3/', 'private'],
    ['http://172.16.0.1/', 'private'],
    ['http://192.168.1.1/', 'private'],
    ['http://169.254.169.254/latest/meta-data', 'linkLocal'],
    ['http://[fd00::1]/', 'uniqueLocal'],
    ['http://[fe80::1]/', 'linkLocal'],
    ['http://100.64.0.1/', 'carrierGradeNat'],
    ['file:///etc/passwd', 'scheme'],
    ['gopher://example.com/', 'scheme'],
    ['http://a@example.com/', 'credentials'],
    ['not a url', 'valid absolute URL'],
  ])('refuses %s in production', (url, why) => {
    expect(refused(url)).toContain(why);
  });

  it('allows loopback only when the policy does (development and tests)', () => {
    expect(refused('http://127.0.0.1:3000/', development)).toBeUndefined();
    expect(refused('http://localhost:3000/', development)).toBeUndefined();
    expect(refused('http://10.0.0.1/', development)).toContain('private');
    expect(refused('http://[::ffff:127.0.0.1]:3000/', development)).toBeUndefined();
    expect(refused('http://[::10.0.0.1]/', development)).toContain('private');
  });

  it('allows private ranges only when told to', () => {
    expect(refused('http://10.0.0.1/', { ...production, allowPrivate: true })).toBeUndefined();
  });

  it('applies the host allow-list, with *.domain matching subdomains only', () => {
    const policy = { ...production, allowedHosts: ['api.example.com', '*.hooks.example.org'] };
    expect(refused('https://api.example.com/x', policy)).toBeUndefined();
    expect(refused('https://a.hooks.example.org/x', policy)).toBeUndefined();
    expect(refused('https://hooks.example.org/x', policy)).toContain('allowed hosts');
    expect(refused('https://evil-hooks.example.org/x', policy)).toContain('allowed hosts');
    expect(refused('https://example.com/x', policy)).toContain('allowed hosts');
  });
});

describe(addressRefusal.name, () => {
  /** An IPv4 address as two IPv6 groups, each octet XORed with `mask`. */
  const groups = (ipv4: string, mask = 0) => {
    const [a, b, c, d] = ipv4.split('.').map((n) => Number(n) ^ mask);
    return `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  };
  /** Each way an IPv6 address can lead to an IPv4 one, built around that IPv4 address. */
  const embeddings: Array<[string, (ipv4: string) => string]> = [
    ['IPv4-compatible ::/96, hex', (v4) => `::${groups(v4)}`],
    ['IPv4-compatible ::/96, dotted', (v4) => `::${v4}`],
    ['IPv4-mapped ::ffff:0:0/96', (v4) => `::ffff:${v4}`],
    ['IPv4-translated ::ffff:0:0:0/96', (v4) => `::ffff:0:${v4}`],
    ['NAT64 64:ff9b::/96', (v4) => `64:ff9b::${v4}`],
    ['6to4 2002::/16', (v4) => `2002:${groups(v4)}::1`],
    // Teredo: the server in bits 32–64, the client inverted in the last 32 bits.
    ['Teredo 2001::/32, client', (v4) => `2001:0:${groups('8.8.8.8')}::${groups(v4, 0xff)}`],
    ['Teredo 2001::/32, server', (v4) => `2001:0:${groups(v4)}::${groups('8.8.8.8', 0xff)}`],
  ];
  const everything: OutboundPolicy = { allowedHosts: ['*'], allowLoopback: true, allowPrivate: true };
  const privateOnly: OutboundPolicy = { ...everything, allowLoopback: false };

  it('builds the forms it tests as the RFCs lay them out', () => {
    expect(embeddings.map(([form, embed]) => [form, embed('169.254.169.254')])).toEqual([
      ['IPv4-compatible ::/96, hex', '::a9fe:a9fe'],
      ['IPv4-compatible ::/96, dotted', '::169.254.169.254'],
      ['IPv4-mapped ::ffff:0:0/96', '::ffff:169.254.169.254'],
      ['IPv4-translated ::ffff:0:0:0/96', '::ffff:0:169.254.169.254'],
      ['NAT64 64:ff9b::/96', '64:ff9b::169.254.169.254'],
      ['6to4 2002::/16', '2002:a9fe:a9fe::1'],
      ['Teredo 2001::/32, client', '2001:0:808:808::5601:5601'],
      ['Teredo 2001::/32, server', '2001:0:a9fe:a9fe::f7f7:f7f7'],
    ]);
  });

  describe.each(embeddings)('%s', (_form, embed) => {
    it.each([
      ['169.254.169.254', 'linkLocal'],
      ['10.0.0.1', 'private'],
      ['192.168.1.1', 'private'],
      ['100.64.0.1', 'carrierGradeNat'],
      ['127.0.0.1', 'loopback'],
      ['0.0.0.0', 'unspecified'],
    ])('refuses the embedded %s as that address would be (%s)', (v4, why) => {
      const refusal = addressRefusal(embed(v4), production);
      expect(refusal).toContain(why);
      expect(refusal?.startsWith(addressRefusal(v4, production)!)).toBe(true);
    });
  });

  it('refuses an embedded loopback even where private ranges are allowed, unless loopback is', () => {
    for (const [form, embed] of embeddings) {
      expect([form, addressRefusal(embed('127.0.0.1'), privateOnly)]).toEqual([form, expect.stringContaining('loopback')]);
      expect([form, addressRefusal(embed('127.0.0.1'), everything)]).toEqual([form, undefined]);
      expect([form, addressRefusal(embed('10.0.0.1'), privateOnly)]).toEqual([form, undefined]);
    }
  });

  it('judges an IPv4-mapped address as its IPv4 address, in every policy', () => {
    for (const policy of [production, development, privateOnly, everything]) {
      for (const v4 of ['8.8.8.8', '127.0.0.1', '10.0.0.1']) {
        expect(addressRefusal(`::ffff:${v4}`, policy) === undefined).toBe(addressRefusal(v4, policy) === undefined);
      }
    }
  });

  it('keeps refusing the translation ranges themselves unless private ranges are allowed', () => {
    expect(addressRefusal('64:ff9b::808:808', production)).toContain('rfc6052');
    expect(addressRefusal('2002:808:808::1', production)).toContain('6to4');
    expect(addressRefusal(`2001:0:808:808::${groups('8.8.4.4', 0xff)}`, production)).toContain('teredo');
    expect(addressRefusal('64:ff9b::808:808', privateOnly)).toBeUndefined();
  });

  it('allows public addresses, and ::1 and :: stay loopback and unspecified', () => {
    expect(addressRefusal('8.8.8.8', production)).toBeUndefined();
    expect(addressRefusal('::808:808', production)).toBeUndefined();
    expect(addressRefusal('2606:2800:220:1::', production)).toBeUndefined();
    expect(addressRefusal('::1', development)).toBeUndefined();
    expect(addressRefusal('::1', production)).toContain('loopback');
    expect(addressRefusal('::', everything)).toContain('unspecified');
  });
});
