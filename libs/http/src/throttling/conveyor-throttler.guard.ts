import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  ThrottlerLimitDetail,
  ThrottlerModuleOptions,
  ThrottlerRequest,
  ThrottlerStorage,
} from '@nestjs/throttler';
import { ConveyorError, ErrorCode, ownerKey, messageOf } from '@conveyor/contracts';
import type { Request } from 'express';
import ipaddr from 'ipaddr.js';
import { IdentityResolver } from '../identity';

/**
 * The throttler guard, keyed by caller: the resolved identity when the request has a valid one,
 * else the client IP (as Express computes it with TRUST_PROXY_HOPS). Runs before the identity
 * guard, so a flood of bad credentials is limited per IP too. A 429 is Conveyor's own error
 * envelope with `Retry-After`.
 */
@Injectable()
export class ConveyorThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly identity: IdentityResolver,
  ) {
    super(options, storage, reflector);
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
   * Fails open: while Redis is unreachable the limits cannot be counted, and reads served from
   * MongoDB must keep working (submissions answer 503 on their own).
   */
  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    try {
      return await super.handleRequest(props);
    } catch (error) {
      if (error instanceof ConveyorError) throw error;
      this.warnOnce(error);
      return true;
    }
  }

  private lastWarning = 0;

  private warnOnce(error: unknown): void {
    if (Date.now() - this.lastWarning < 10_000) return;
    this.lastWarning = Date.now();
    this.logger.warn(`Rate limits not enforced, their counters are unreachable: ${messageOf(error)}`);
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
