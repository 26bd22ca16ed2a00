import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  ThrottlerLimitDetail,
  ThrottlerModuleOptions,
  ThrottlerOptions,
} from '@nestjs/throttler';
import { ConveyorError, ErrorCode, ownerKey, errorField, messageOf } from '@conveyor/contracts';
import type { Request } from 'express';
import { ReplyError } from 'ioredis';
import ipaddr from 'ipaddr.js';
import { IdentityResolver } from '../identity';
import { RedisThrottleCounters, ThrottleHit } from './redis-throttle-counters';

type Resolvable = ThrottlerOptions['limit'];

/** Redis error replies that mean "not now" rather than "wrong": the limits fail open on them too. */
const REDIS_UNAVAILABLE_REPLY = /^(OOM|LOADING|READONLY|BUSY|MASTERDOWN|NOREPLICAS|TRYAGAIN|CLUSTERDOWN)\b/;

/**
 * The throttler guard, keyed by caller: the resolved identity when the request has a valid one,
 * else the client IP (as Express computes it with TRUST_PROXY_HOPS). Runs before the identity
 * guard, so a flood of bad credentials is limited per IP too. A 429 is Conveyor's own error
 * envelope with `Retry-After`.
 *
 * A request's limits are counted in one Redis script (RedisThrottleCounters.hitAll), not one
 * round trip per limit as @nestjs/throttler's guard does: a submit counts against three. Limits
 * come from the module's throttlers and Conveyor's @ThrottleAs / @RouteLimit; @nestjs/throttler's
 * own per-route decorators (@Throttle, @SkipThrottle) are not read.
 */
@Injectable()
export class ConveyorThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() private readonly counters: RedisThrottleCounters,
    reflector: Reflector,
    private readonly identity: IdentityResolver,
  ) {
    super(options, counters, reflector);
    // Every limit is counted through hitAll: another storage would fail every count, and fail open.
    if (!(counters instanceof RedisThrottleCounters))
      throw new Error('ConveyorThrottlerGuard needs RedisThrottleCounters as the throttler storage');
  }

  /**
   * The client IP as one counter per client: IPv4-mapped IPv6 folded to IPv4, and IPv6 grouped
   * by /64 (one subscriber usually holds a whole /64 and could rotate through it).
   */
  static ipTracker(this: void, req: Record<string, unknown>): string {
    const raw = String((req as unknown as Request).ip);
    if (!ipaddr.isValid(raw)) return `ip:${raw}`;
    const ip = ipaddr.process(raw);
    if (ip.kind() === 'ipv4') return `ip:${ip.toString()}`;
    return `ip:${(ip as ipaddr.IPv6).parts
      .slice(0, 4)
      .map((p) => p.toString(16))
      .join(':')}::/64`;
  }

  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    try {
      return Promise.resolve(ownerKey(this.identity.resolve(req as unknown as Request).owner));
    } catch {
      return Promise.resolve(ConveyorThrottlerGuard.ipTracker(req));
    }
  }

  /**
   * Counts the request against every limit that applies to it, in one round trip, and refuses it
   * at the first limit it exceeds. Fails open: while Redis is unreachable the limits cannot be
   * counted, and reads served from MongoDB must keep working (submissions answer 503 on their own).
   * Only Redis failing does: an error from a limit's own options (its tracker, key or values) is a
   * wiring mistake and answers 500.
   */
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (await this.shouldSkip(context)) return true;
    const { req, res } = this.getRequestResponse(context);
    const hits: (ThrottleHit & { tracker: string; setHeaders: boolean })[] = [];
    for (const throttler of this.throttlers) {
      const name = throttler.name!;
      if ((throttler.skipIf ?? this.commonOptions.skipIf)?.(context)) continue;
      const ignored = throttler.ignoreUserAgents ?? this.commonOptions.ignoreUserAgents;
      if (ignored?.some((pattern) => pattern.test(String(req.headers['user-agent'])))) continue;
      const limit = await resolved(context, throttler.limit, 'limit', name);
      const ttl = await resolved(context, throttler.ttl, 'ttl', name);
      const blockDuration = await resolved(context, throttler.blockDuration ?? ttl, 'blockDuration', name);
      const tracker = await (throttler.getTracker ?? this.commonOptions.getTracker!)(req, context);
      const key = (throttler.generateKey ?? this.commonOptions.generateKey!)(context, tracker, name);
      const setHeaders = throttler.setHeaders ?? this.commonOptions.setHeaders ?? true;
      hits.push({ key, name, ttl, limit, blockDuration, tracker, setHeaders });
    }
    let records;
    try {
      records = await this.counters.hitAll(hits);
    } catch (error) {
      // An answer Redis refused is a bug (a script error, a key of the wrong type), not an outage,
      // unless Redis said it cannot take writes now (out of memory, loading, a read-only replica).
      if (error instanceof ReplyError && !REDIS_UNAVAILABLE_REPLY.test(messageOf(error))) throw error;
      this.warnOnce(error);
      return true;
    }
    for (const [i, record] of records.entries()) {
      const { key, name, ttl, limit, tracker, setHeaders } = hits[i];
      const suffix = name === 'default' ? '' : `-${name}`;
      if (record.isBlocked) {
        if (setHeaders) this.setResponseHeader(res, `Retry-After${suffix}`, record.timeToBlockExpire);
        await this.throwThrottlingException(context, { limit, ttl, key, tracker, ...record });
      }
      if (setHeaders) {
        this.setResponseHeader(res, `${this.headerPrefix}-Limit${suffix}`, limit);
        this.setResponseHeader(res, `${this.headerPrefix}-Remaining${suffix}`, Math.max(0, limit - record.totalHits));
        this.setResponseHeader(res, `${this.headerPrefix}-Reset${suffix}`, record.timeToExpire);
      }
    }
    return true;
  }

  private lastWarning = 0;

  private warnOnce(error: unknown): void {
    if (Date.now() - this.lastWarning < 10_000) return;
    this.lastWarning = Date.now();
    this.logger.warn(errorField(error), 'Rate limits not enforced, their counters are unreachable');
  }

  protected override throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new ConveyorError(
      ErrorCode.RateLimited,
      `Too many requests: at most ${detail.limit} per ${Math.round(detail.ttl / 1000)} s; retry later`,
      {
        retryAfterSeconds: Math.max(1, detail.timeToBlockExpire),
      },
    );
  }
}

/** A throttler option's value for this request: a number, or a function of the request's context. */
async function resolved(context: ExecutionContext, value: Resolvable, option: string, throttler: string): Promise<number> {
  const number = typeof value === 'function' ? await value(context) : value;
  if (typeof number !== 'number' || Number.isNaN(number)) {
    throw new Error(`Invalid "${option}" for the "${throttler}" throttler: expected a number, got ${JSON.stringify(number)}`);
  }
  return number;
}
