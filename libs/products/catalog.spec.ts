import { ConfigError, loadConfig } from '@conveyor/config';
import { SERVICE_QUEUES } from '@conveyor/contracts';
import { JobTypeName, checkProductSettings, jobCatalog } from './catalog';

describe('the job catalog', () => {
  it('holds the platform’s job types and each product’s, named by the derived union', () => {
    const expected: JobTypeName[] = ['http.request', 'viral-ideas.analysis'];
    expect(jobCatalog.types().sort()).toEqual(expected.sort());
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
  });
});
