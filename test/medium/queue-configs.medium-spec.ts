import { QueueConfig, QueueConfigSchema, QueueConfigsRepository } from '@conveyor/database';
import { TestDatabase } from '../support/test-database';

/** Operators' queue settings as the Mongo-wire server stores them. */
describe(QueueConfigsRepository.name, () => {
  let db: TestDatabase;
  let sut: QueueConfigsRepository;

  beforeAll(async () => {
    db = await TestDatabase.open();
    sut = new QueueConfigsRepository(await db.model(QueueConfig.name, QueueConfigSchema));
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('reads every queue’s saved settings in one read, as each queue’s own read gives them', async () => {
    await sut.save('http', { concurrency: 3, rateLimit: { max: 5, durationMs: 1_000 } }, 'user:admin');
    await sut.merge('webhooks', { attempts: 4 }, 'user:admin');
    await sut.save('maintenance', {}, 'user:admin');

    const all = await sut.allOverrides();
    expect([...all.keys()].sort()).toEqual(['http', 'maintenance', 'webhooks']);
    for (const name of all.keys()) expect(all.get(name)).toEqual(await sut.overrides(name));
    expect(all.get('http')).toEqual({ concurrency: 3, rateLimit: { max: 5, durationMs: 1_000 } });
    expect(all.get('webhooks')).toEqual({ attempts: 4 });
  });
});
