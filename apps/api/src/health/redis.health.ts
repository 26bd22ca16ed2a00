import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { RedisConnections, withTimeout } from '@conveyor/queueing';
import Redis from 'ioredis';
import { messageOf } from '@conveyor/contracts';

const PING_TIMEOUT_MS = 1_000;

/** Redis is up when a PING on a fresh-enough connection answers within a second. */
@Injectable()
export class RedisHealthIndicator {
  private readonly client: Redis;

  constructor(
    private readonly indicators: HealthIndicatorService,
    connections: RedisConnections,
  ) {
    this.client = connections.create('client');
  }

  async pingCheck(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    // While ioredis is reconnecting, a PING would wait in its offline queue: answer at once instead.
    if (this.client.status !== 'ready') return indicator.down({ message: `connection ${this.client.status}` });
    try {
      await withTimeout(this.client.ping(), PING_TIMEOUT_MS);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: messageOf(error) });
    }
  }
}
