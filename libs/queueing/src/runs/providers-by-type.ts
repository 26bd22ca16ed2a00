import { DiscoveryService } from '@nestjs/core';

type TypeDecorator = ReturnType<typeof DiscoveryService.createDecorator<string>>;

/** The providers marked with `decorator('<job type>')`, by job type, in discovery order. */
export function providersByType<T>(discovery: DiscoveryService, decorator: TypeDecorator): Map<string, T[]> {
  const byType = new Map<string, T[]>();
  for (const wrapper of discovery.getProviders({ metadataKey: decorator.KEY })) {
    const type = discovery.getMetadataByDecorator(decorator, wrapper);
    if (!type || !wrapper.instance) continue;
    byType.set(type, [...(byType.get(type) ?? []), wrapper.instance as T]);
  }
  return byType;
}
