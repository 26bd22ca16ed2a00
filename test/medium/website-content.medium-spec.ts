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
    await entry(userId, CreditEntryKind.Capture, 1, a, 1, creditKeys.capture(a));
    expect(await entry(userId, CreditEntryKind.Capture, 1, a, 1, creditKeys.capture(a))).toBe(false);
    await entry(userId, CreditEntryKind.Reserve, 1, b, 1, creditKeys.reserve(b, 1));
    await entry(userId, CreditEntryKind.Release, 1, b, 1, creditKeys.release(b, 1));
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
});
