import ipaddr from 'ipaddr.js';

/**
 * Which URLs Conveyor may call on a client's behalf (http.request targets, later webhooks).
 * Checked on the literal URL at submit time (here) and again on the resolved address when the
 * worker connects (request-filtering-agent), which also defeats DNS rebinding.
 */
export interface OutboundPolicy {
  /** Host patterns: `*` (any host), `example.com`, `*.example.com`. */
  allowedHosts: string[];
  allowLoopback: boolean;
  /** Private, link-local, unique-local, CGNAT and other non-public ranges. */
  allowPrivate: boolean;
}

export type OutboundVerdict = { allowed: true; url: URL } | { allowed: false; reason: string };

const LOOPBACK_RANGES = ['127.0.0.0/8', '::1/128'];

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
  const rangeReason = addressRangeRefusal(host, policy);
  return rangeReason ? { allowed: false, reason: rangeReason } : { allowed: true, url };
}

/** Options for request-filtering-agent that enforce the same policy on resolved addresses. */
export function connectTimeFilter(policy: OutboundPolicy) {
  return {
    allowPrivateIPAddress: policy.allowPrivate,
    allowMetaIPAddress: false,
    allowIPAddressList: policy.allowLoopback ? LOOPBACK_RANGES : [],
    denyIPAddressList: policy.allowLoopback ? [] : LOOPBACK_RANGES,
  };
}

function hostMatches(host: string, patterns: string[]): boolean {
  return patterns.some((pattern) => {
    if (pattern === '*') return true;
    if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
    return host === pattern;
  });
}

/** Why a host's literal address is refused, or undefined when it may be called. */
function addressRangeRefusal(host: string, policy: OutboundPolicy): string | undefined {
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return policy.allowLoopback ? undefined : 'loopback targets are not allowed';
  }
  if (!ipaddr.isValid(host)) return undefined; // a DNS name: checked again once resolved
  // process() turns IPv4-mapped IPv6 (::ffff:127.0.0.1) back into the IPv4 address it hides.
  const range = ipaddr.process(host).range();
  if (range === 'unicast') return undefined;
  if (range === 'unspecified') return 'the unspecified address is not allowed';
  if (range === 'loopback') return policy.allowLoopback ? undefined : 'loopback targets are not allowed';
  return policy.allowPrivate ? undefined : `${range} addresses are not allowed`;
}
