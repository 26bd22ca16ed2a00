import { ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';

/**
 * The throttler's Redis storage, refusing at once while its connection is down: ioredis would
 * hold the command in its offline queue until a reconnect, and every request would wait for it.
 * The guard fails open on the refusal (see ConveyorThrottlerGuard.handleRequest).
 */
export class ConnectedStorage implements ThrottlerStorage {
  constructor(
    private readonly inner: ThrottlerStorage,
    private readonly client: Redis,
  ) {}

  increment(...args: Parameters<ThrottlerStorage['increment']>): ReturnType<ThrottlerStorage['increment']> {
    if (this.client.status !== 'ready') return Promise.reject(new Error(`the Redis connection is ${this.client.status}`));
    return this.inner.increment(...args);
  }
}
