import {
  CreditEntry,
  CreditEntryKind,
  CreditEntrySchema,
  CreditLedger,
  ContentPost,
  ContentPostSchema,
  SiteAnalysis,
  SiteAnalysisSchema,
  SiteCta,
  SiteCtaSchema,
  SiteOrganization,
  SiteOrganizationSchema,
  WebsiteContentRepository,
  creditKeys,
} from '@conveyor/products/website-content/data';
import { ContentCredits } from '@conveyor/products/website-content/credits';
import { contentGenerationJob } from '@conveyor/products/website-content/contracts';
import { ContentGenerationHandler, GenerationService } from '@conveyor/products/website-content/worker';
import { DownstreamClient, StepContext } from '@conveyor/job-runtime';
import { loadConfig } from '@conveyor/config';
import { randomUUID } from 'node:crypto';
import { TestDatabase } from '../support/test-database';

/** The website-content product's records as the Mongo-wire server keeps them: the credit ledger, organizations, CTAs. */
describe('Website-content records', () => {
  let db: TestDatabase;
  let ledger: CreditLedger;
  let repository: WebsiteContentRepository;

  beforeAll(async () => {
    db = await TestDatabase.open();
    ledger = new CreditLedger(await db.model(CreditEntry.name, CreditEntrySchema));
    repository = new WebsiteContentRepository(
      await db.model(SiteOrganization.name, SiteOrganizationSchema),
      await db.model(SiteAnalysis.name, SiteAnalysisSchema),
      await db.model(SiteCta.name, SiteCtaSchema),
      await db.model(ContentPost.name, ContentPostSchema),
    );
  });

  afterAll(async () => {
    await db?.drop();
  });

  const entry = (userId: string, kind: CreditEntryKind, amount: number, jobId: string | null, run: number | null, id: string) =>
    ledger.write({ _id: id, userId, kind, amount, jobId, run, reason: null });

  it('sums the ledger into balance, reserved and available, each entry counted once however often it is written', async () => {
    const userId = `ledger-${randomUUID()}`;
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    expect(await ledger.totals(userId)).toEqual({ balance: 0, reserved: 0, available: 0 });
    expect(await entry(userId, CreditEntryKind.Grant, 5, null, null, creditKeys.grant('g1'))).toBe(true);
    expect(await entry(userId, CreditEntryKind.Grant, 5, null, null, creditKeys.grant('g1'))).toBe(false);
    // a: reserved and captured; b: reserved, released, reserved again (run 2), still open; c: open.
    await entry(userId, CreditEntryKind.Reserve, 1, a, 1, creditKeys.reserve(a, 1));
    await entry(userId, CreditEntryKind.Capture, 1, a, 1, creditKeys.close(a, 1));
    expect(await entry(userId, CreditEntryKind.Capture, 1, a, 1, creditKeys.close(a, 1))).toBe(false);
    await entry(userId, CreditEntryKind.Reserve, 1, b, 1, creditKeys.reserve(b, 1));
    await entry(userId, CreditEntryKind.Release, 1, b, 1, creditKeys.close(b, 1));
    await entry(userId, CreditEntryKind.Reserve, 1, b, 2, creditKeys.reserve(b, 2));
    await entry(userId, CreditEntryKind.Reserve, 2, c, 1, creditKeys.reserve(c, 1));
    expect(await ledger.totals(userId)).toEqual({ balance: 4, reserved: 3, available: 1 });
    const open = await ledger.openReservations(userId);
    expect(open.map((r) => `${r.jobId === b ? 'b' : r.jobId === c ? 'c' : 'a'}:${r.run}`).sort()).toEqual(['b:2', 'c:1']);
    expect(await ledger.totals(`other-${userId}`)).toEqual({ balance: 0, reserved: 0, available: 0 });
  });

  it('makes one organization per owner however many first uses race', async () => {
    const owner = `session:race-${randomUUID()}`;
    const organizations = await Promise.all(Array.from({ length: 6 }, () => repository.organizationOf(owner)));
    expect(new Set(organizations.map((o) => o._id)).size).toBe(1);
    expect(await repository.findOrganization(owner)).toMatchObject({ _id: organizations[0]._id });
  });

  it('saves each call to action once per organization and target', async () => {
    const organization = await repository.organizationOf(`user:cta-${randomUUID()}`);
    const cta = (target: string) => ({ text: target, target, kind: 'link' as const, pageUrl: 'https://example.com/' });
    expect(await repository.saveCtas(organization._id, [cta('https://example.com/a'), cta('https://example.com/b')])).toBe(2);
    expect(await repository.saveCtas(organization._id, [cta('https://example.com/b'), cta('https://example.com/c')])).toBe(1);
    expect((await repository.ctasOf(organization._id)).map((c) => c.target).sort()).toEqual([
      'https://example.com/a',
      'https://example.com/b',
      'https://example.com/c',
    ]);
  });

  it('charges a redelivered content generation whose post was saved once, without generating again; a later run gets its reservation back', async () => {
    const settings = { contentGenerationCredits: 1, extraPages: 4, pageMaxBytes: 1024, pageTimeoutMs: 1000, generationTimeoutMs: 1000 };
    // No generation service configured: a handler that tried to generate again would fail the run.
    const generation = new GenerationService(loadConfig({}), settings, new DownstreamClient());
    // capture and release touch the ledger only (no record reads, no Redis lock).
    const credits = new ContentCredits(ledger, undefined as never, undefined as never, undefined as never);
    const handler = new ContentGenerationHandler(repository, generation, credits, settings);
    const userId = `writer-${randomUUID()}`;
    const jobId = randomUUID();
    const run = (runNumber: number) =>
      handler.run(
        new StepContext(
          jobId,
          runNumber,
          2,
          { topic: 'Saved already' },
          new AbortController().signal,
          contentGenerationJob.steps,
          async () => undefined,
          undefined,
          undefined,
          { kind: 'user', id: userId },
        ),
      );
    await entry(userId, CreditEntryKind.Grant, 2, null, null, creditKeys.grant(randomUUID()));
    await entry(userId, CreditEntryKind.Reserve, 1, jobId, 1, creditKeys.reserve(jobId, 1));
    // The first delivery saved the post and died before capturing.
    const organization = await repository.organizationOf(`user:${userId}`);
    await repository.savePost({
      _id: jobId,
      organizationId: organization._id,
      topic: 'Saved already',
      title: 'Saved',
      content: 'Body',
      metaDescription: '',
      tags: [],
      headerImageUrl: null,
      createdAt: new Date(),
    });

    const redelivered = await run(1);
    expect(redelivered).toMatchObject({ savedPost: { id: jobId, title: 'Saved' }, metadata: { redelivered: true, credits: 1 } });
    await run(1);
    expect(await ledger.totals(userId)).toEqual({ balance: 1, reserved: 0, available: 1 });

    // Run 2 of the job (say it was settled failed after the capture, and retried): charged already.
    await entry(userId, CreditEntryKind.Reserve, 1, jobId, 2, creditKeys.reserve(jobId, 2));
    expect(await ledger.totals(userId)).toEqual({ balance: 1, reserved: 1, available: 0 });
    await run(2);
    expect(await ledger.totals(userId)).toEqual({ balance: 1, reserved: 0, available: 1 });
    expect((await ledger.find(creditKeys.close(jobId, 2)))?.kind).toBe(CreditEntryKind.Release);
  });

  it('closes a run once: a release written first makes its capture lose, and the other way round', async () => {
    const credits = new ContentCredits(ledger, undefined as never, undefined as never, undefined as never);
    const userId = `closer-${randomUUID()}`;
    const [released, captured] = [randomUUID(), randomUUID()];
    await entry(userId, CreditEntryKind.Grant, 2, null, null, creditKeys.grant(randomUUID()));
    for (const jobId of [released, captured]) await entry(userId, CreditEntryKind.Reserve, 1, jobId, 1, creditKeys.reserve(jobId, 1));
    await credits.release(userId, released, 1);
    expect(await credits.capture(userId, released, 1, 1)).toBe('lost');
    expect(await credits.capture(userId, captured, 1, 1)).toBe('captured');
    await credits.release(userId, captured, 1);
    expect(await credits.capture(userId, captured, 1, 1)).toBe('already');
    expect(await ledger.totals(userId)).toEqual({ balance: 1, reserved: 0, available: 1 });
  });
});
