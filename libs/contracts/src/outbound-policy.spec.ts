import { OutboundPolicy, checkOutboundUrl, connectTimeFilter } from './outbound-policy';

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

describe(connectTimeFilter.name, () => {
  it('denies loopback at connect time unless allowed', () => {
    expect(connectTimeFilter(production)).toMatchObject({
      allowPrivateIPAddress: false,
      allowIPAddressList: [],
      denyIPAddressList: ['127.0.0.0/8', '::1/128'],
    });
    expect(connectTimeFilter(development)).toMatchObject({ allowIPAddressList: ['127.0.0.0/8', '::1/128'], denyIPAddressList: [] });
  });
});
