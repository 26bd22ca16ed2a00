import { Injectable } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { JobTypeRegistry, PLATFORM_QUEUE_POLICIES, QueueName, defineJobType } from '@conveyor/contracts';
import { JOB_TYPE_REGISTRY } from '@conveyor/queueing';
import { JobHandler } from '@conveyor/job-runtime';
import { HandlerRegistry } from './handler-registry';

class Payload {}
const jobType = (type: string) =>
  defineJobType({ type, queue: QueueName.Http, description: type, payload: Payload, steps: [{ name: 'only', weight: 1 }] });

@JobHandler()
@Injectable()
class HandlerA {
  readonly definition = jobType('a');
  run = async () => 'a';
}

@JobHandler()
@Injectable()
class SecondHandlerA {
  readonly definition = jobType('a');
  run = async () => 'a2';
}

@JobHandler()
@Injectable()
class HandlerB {
  readonly definition = jobType('b');
  run = async () => 'b';
}

@JobHandler()
@Injectable()
class HandlerWithoutDefinition {
  run = async () => 'none';
}

async function boot(types: string[], handlers: Array<new () => unknown>) {
  const module = await Test.createTestingModule({
    imports: [DiscoveryModule],
    providers: [
      { provide: JOB_TYPE_REGISTRY, useValue: new JobTypeRegistry(types.map(jobType), PLATFORM_QUEUE_POLICIES) },
      ...handlers,
      HandlerRegistry,
    ],
  }).compile();
  await module.init();
  return module.get(HandlerRegistry);
}

describe(HandlerRegistry.name, () => {
  it('finds one handler per registered type', async () => {
    const sut = await boot(['a', 'b'], [HandlerA, HandlerB]);
    await expect(sut.find('b')!.run({} as never)).resolves.toBe('b');
  });

  it('refuses to boot when a registered type has no handler', async () => {
    await expect(boot(['a', 'b'], [HandlerA])).rejects.toThrow('job type b has no handler');
  });

  it('refuses to boot when a type has two handlers', async () => {
    await expect(boot(['a'], [HandlerA, SecondHandlerA])).rejects.toThrow('job type a has 2 handlers (HandlerA, SecondHandlerA)');
  });

  it('refuses to boot when a handler declares no definition', async () => {
    await expect(boot(['a'], [HandlerA, HandlerWithoutDefinition])).rejects.toThrow(
      'HandlerWithoutDefinition is a @JobHandler() that declares no definition',
    );
  });

  it('refuses to boot when a handler names an unregistered type', async () => {
    await expect(boot(['a'], [HandlerA, HandlerB])).rejects.toThrow('handler for b names a job type that is not registered');
  });
});
