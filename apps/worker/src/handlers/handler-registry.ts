import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { JobTypeRegistry } from '@conveyor/contracts';
import { JOB_TYPE_REGISTRY } from '@conveyor/queueing';
import { JobHandler, JobHandlerContract } from '@conveyor/job-runtime';

/**
 * Handlers by job type, found through the @JobHandler decorator (each declares its definition). Boot fails when a registered
 * type has no handler or two, or a handler names a type nobody registered.
 */
@Injectable()
export class HandlerRegistry implements OnModuleInit {
  private readonly byType = new Map<string, JobHandlerContract>();

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(JOB_TYPE_REGISTRY) private readonly registry: JobTypeRegistry,
  ) {}

  onModuleInit(): void {
    const found = new Map<string, string[]>();
    const problems: string[] = [];
    for (const wrapper of this.discovery.getProviders({ metadataKey: JobHandler.KEY })) {
      if (!wrapper.instance) continue;
      const type = (wrapper.instance as JobHandlerContract).definition?.type;
      if (!type) {
        problems.push(`${wrapper.name} is a @JobHandler() that declares no definition`);
        continue;
      }
      found.set(type, [...(found.get(type) ?? []), wrapper.name]);
      this.byType.set(type, wrapper.instance as JobHandlerContract);
    }
    for (const type of this.registry.types()) {
      const names = found.get(type) ?? [];
      if (names.length === 0) problems.push(`job type ${type} has no handler`);
      if (names.length > 1) problems.push(`job type ${type} has ${names.length} handlers (${names.join(', ')})`);
    }
    for (const type of found.keys()) {
      if (!this.registry.get(type)) problems.push(`handler for ${type} names a job type that is not registered`);
    }
    if (problems.length > 0) throw new Error(`Worker cannot start: ${problems.join('; ')}`);
  }

  /** The handler of a type; boot guarantees one for every registered type. */
  find(type: string): JobHandlerContract | undefined {
    return this.byType.get(type);
  }
}
