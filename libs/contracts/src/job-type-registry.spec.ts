import { JobTypeRegistry } from './job-type-registry';
import { PLATFORM_JOB_TYPES, PLATFORM_QUEUE_POLICIES } from './index';
import { QueuePolicy } from './queue-policy';

const platform = { name: 'platform', jobTypes: PLATFORM_JOB_TYPES, queues: PLATFORM_QUEUE_POLICIES };
const http = PLATFORM_QUEUE_POLICIES.find((p) => p.name === 'http')!;
const extra = (name: string, defaultForQueueRoutes?: boolean): QueuePolicy => ({ ...http, name, defaultForQueueRoutes });

describe('JobTypeRegistry.defaultQueue', () => {
  it('is the job queue a policy names for the queue routes, else the first job queue by name', () => {
    expect(JobTypeRegistry.compose(platform).defaultQueue()).toBe('http');
    const zetaJob = { ...PLATFORM_JOB_TYPES[0], type: 'zeta.job', queue: 'zeta' };
    const named = JobTypeRegistry.compose(platform, { name: 'p', jobTypes: [zetaJob], queues: [extra('zeta', true)] });
    expect(named.defaultQueue()).toBe('zeta');
    // A flagged queue no job type runs on is not a queue the routes could act on.
    const idle = JobTypeRegistry.compose(platform, { name: 'p', jobTypes: [], queues: [extra('zeta', true)] });
    expect(idle.defaultQueue()).toBe('http');
  });

  it('refuses a catalog where two queues claim to be the default', () => {
    expect(() => JobTypeRegistry.compose(platform, { name: 'p', jobTypes: [], queues: [extra('a', true), extra('b', true)] })).toThrow(
      /Only one queue may be the queue routes' default; a and b/,
    );
  });
});
