import ipaddr from 'ipaddr.js';

/**
 * Which URLs Conveyor may call on a client's behalf (http.request targets, webhook receivers).
 * Checked on the literal URL at submit time (checkOutboundUrl) and on every address the worker
 * connects to (its outbound agents), which also defeats DNS rebinding; both ask addressRefusal,
 * so the two checks cannot disagree about an address.
 */
export interface OutboundPolicy {
  /** Host patterns: `*` (any host), `example.com`, `*.example.com`. */
  allowedHosts: string[];
  allowLoopback: boolean;
  /** Private, link-local, unique-local, CGNAT and other non-public ranges. */
  allowPrivate: boolean;
}

export type OutboundVerdict = { allowed: true; url: URL } | { allowed: false; reason: string };

export function checkOutboundUrl(raw: string, policy: OutboundPolicy): OutboundVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { allowed: false, reason: 'is not a valid absolute URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { allowed: false, reason: `scheme ${url.protocol} is not allowed (only http: and https:)` };
  }
  if (url.username || url.password) {
    return { allowed: false, reason: 'must not carry credentials in the URL' };
  }
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (!hostMatches(host, policy.allowedHosts)) {
    return { allowed: false, reason: `host ${host} is not in the allowed hosts list` };
  }
  const rangeReason = hostRefusal(host, policy);
  return rangeReason ? { allowed: false, reason: rangeReason } : { allowed: true, url };
}

function hostMatches(host: string, patterns: string[]): boolean {
  return patterns.some((pattern) => {
    if (pattern === '*') return true;
    if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
    return host === pattern;
  });
}

/** Why a URL's host is refused, or undefined when it may be called. */
function hostRefusal(host: string, policy: OutboundPolicy): string | undefined {
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return policy.allowLoopback ? undefined : 'loopback targets are not allowed';
  }
  if (!ipaddr.isValid(host)) return undefined; // a DNS name: its addresses are checked on connect
  return addressRefusal(host, policy);
}

/**
 * Why an IP address may not be called, or undefined when it may: the one verdict behind the
 * submit-time check of literal hosts and the worker's connect-time check of resolved addresses.
 * An IPv6 address that carries an IPv4 one (see embeddedIPv4) is refused when that IPv4 would be.
 */
export function addressRefusal(address: string, policy: OutboundPolicy): string | undefined {
  const ip = ipaddr.parse(address);
  const range = ip.range();
  if (range === 'unspecified') return 'the unspecified address is not allowed';
  if (range === 'loopback') return policy.allowLoopback ? undefined : 'loopback targets are not allowed';
  if (ip instanceof ipaddr.IPv6) {
    for (const inner of embeddedIPv4(ip)) {
      const refusal = addressRefusal(inner.toString(), policy);
      if (refusal) return `${refusal} (${ip.toString()} carries ${inner.toString()})`;
    }
    // An IPv4-mapped address is its IPv4 address on the wire: judged as that alone.
    if (range === 'ipv4Mapped') return undefined;
  }
  if (range === 'unicast') return undefined;
  return policy.allowPrivate ? undefined : `${range} addresses are not allowed`;
}

/**
 * The IPv4 addresses an IPv6 address leads to: IPv4-mapped (::ffff:0:0/96), IPv4-translated
 * (::ffff:0:0:0/96), NAT64 (64:ff9b::/96) and IPv4-compatible (::/96, deprecated but still
 * routed by some stacks) in the last 32 bits; 6to4 (2002::/16) in bits 16–48; Teredo (2001::/32)
 * its server in bits 32–64 and its client, inverted, in the last 32 bits.
 */
function embeddedIPv4(ip: ipaddr.IPv6): ipaddr.IPv4[] {
  const p = ip.parts;
  const v4 = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  switch (ip.range()) {
    case 'ipv4Mapped':
    case 'rfc6145':
    case 'rfc6052':
      return [v4(p[6], p[7])];
    case '6to4':
      return [v4(p[1], p[2])];
    case 'teredo':
      return [v4(p[2], p[3]), v4(p[6] ^ 0xffff, p[7] ^ 0xffff)];
    default:
      return p.slice(0, 6).every((part) => part === 0) ? [v4(p[6], p[7])] : [];
  }
}
