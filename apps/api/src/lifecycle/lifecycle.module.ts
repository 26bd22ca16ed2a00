import { Global, Module } from '@nestjs/common';
import { ApiLifecycle } from './api-lifecycle';

/** The API process's shutdown state, read by readiness, `Prefer: wait` and the request middleware. */
@Global()
@Module({ providers: [ApiLifecycle], exports: [ApiLifecycle] })
export class LifecycleModule {}
