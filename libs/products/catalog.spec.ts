import { ConfigError, loadConfig } from '@conveyor/config';
import { JobStatus, SERVICE_QUEUES } from '@conveyor/contracts';
import { JobTypeName, checkProductSettings, jobCatalog } from './catalog';
import { businessDiscoveryContracts } from './business-discovery/contracts';

describe('the job catalog', () => {
  it('holds the platform’s job types and each product’s, named by the derived union', () => {
    const expected: JobTypeName[] = [
      'http.request',
      'send-notification',
      'viral-ideas.analysis',
      'website_analysis',
      'content_generation',
      'video.analysis',
      ...businessDiscoveryContracts.jobTypes.map((t) => t.type),
    ];
    expect(businessDiscoveryContracts.jobTypes).toHaveLength(15);
    expect(jobCatalog.types().sort()).toEqual(expected.sort());
  });

  it('documents every job type’s result with a class of its own (Swagger, the typed client, the e2e result check)', () => {
    expect(
      jobCatalog
        .all()
        .filter((d) => !d.result)
        .map((d) => d.type),
    ).toEqual([]);
    const names = jobCatalog.all().map((d) => d.result!.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('has a policy for every queue a job type runs on, and no job type on a service queue', () => {
    for (const queue of jobCatalog.queues()) {
      expect(jobCatalog.policy(queue).name).toBe(queue);
      expect(SERVICE_QUEUES).not.toContain(queue);
    }
  });

  it('checks every product’s settings, refusing a bad one with one line', () => {
    expect(() => checkProductSettings(loadConfig({}))).not.toThrow();
    expect(() => checkProductSettings(loadConfig({ VIRAL_BATCH_STAGGER_MS: 'soon' }))).toThrow(ConfigError);
    expect(() => checkProductSettings(loadConfig({ VIRAL_BATCH_STAGGER_MS: 'soon' }))).toThrow(
      /^Invalid configuration: VIRAL_BATCH_STAGGER_MS /,
    );
    expect(() => checkProductSettings(loadConfig({ CONTENT_GENERATION_CREDITS: '0' }))).toThrow(/CONTENT_GENERATION_CREDITS/);
  });

  it("words seed 003's job types in its status vocabulary and leaves the others in Conveyor's", () => {
    expect(jobCatalog.statusWord('website_analysis', JobStatus.Completed)).toBe('succeeded');
    expect(jobCatalog.statusWord('content_generation', JobStatus.Waiting)).toBe('queued');
    expect(jobCatalog.statusWord('content_generation', JobStatus.Active)).toBe('running');
    expect(jobCatalog.statusWord('content_generation', JobStatus.Cancelled)).toBe('failed');
    expect(jobCatalog.statusWord('http.request', JobStatus.Completed)).toBe('completed');
  });
});
