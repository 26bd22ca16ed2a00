import {
  DiscoveriesRepository,
  Discovery,
  DiscoveryBusiness,
  DiscoveryBusinessSchema,
  DiscoverySchema,
  StoredVideo,
  StoredVideoSchema,
  VideoName,
  VideoNameSchema,
} from '@conveyor/products/business-discovery/data';
import {
  businessDiscoverySettingsSchema,
  scrapeInstagramVideosJob,
  ScrapeVideosPayload,
} from '@conveyor/products/business-discovery/contracts';
import { VideoStore, rankReels } from '@conveyor/products/business-discovery/worker';
import { PlacesService } from '@conveyor/products/business-discovery/worker/places-service';
import { PlacesSearch } from '@conveyor/products/business-discovery/worker/places-search';
import { ScrapeInstagramVideosHandler } from '@conveyor/products/business-discovery/worker/handlers/scraping.handlers';
import { FanOutRequest, StartedFanOut } from '@conveyor/contracts';
import { DownstreamClient, FlowPort, OutboundHttp, StepContext } from '@conveyor/job-runtime';
import { loadConfig } from '@conveyor/config';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TargetServer } from '../support/target-server';
import { TestDatabase } from '../support/test-database';

/** The fan-outs a handler asked for (the platform's side is proven by the flows e2e suite). */
class RecordedFanOuts implements FlowPort {
  readonly requests: Array<{ parentId: string; step: string; request: FanOutRequest }> = [];

  async fanOut(parentId: string, step: string, request: FanOutRequest): Promise<StartedFanOut> {
    this.requests.push({ parentId, step, request });
    return { children: request.children.map((c) => ({ key: c.key, jobId: `${parentId}:${c.key}` })), continuationId: `${parentId}:next` };
  }

  async childrenOf(): Promise<never> {
    throw new Error('not a continuation');
  }
}

/** Business discovery's search and scrape stages against the Mongo-wire server, a real store folder and a loopback media host. */
describe('Business discovery: stages run again', () => {
  let db: TestDatabase;
  let discoveries: DiscoveriesRepository;
  let media: TargetServer;
  let storageDir: string;
  let outbound: OutboundHttp;

  beforeAll(async () => {
    db = await TestDatabase.open();
    discoveries = new DiscoveriesRepository(
      await db.model(Discovery.name, DiscoverySchema),
      await db.model(DiscoveryBusiness.name, DiscoveryBusinessSchema),
      await db.model(StoredVideo.name, StoredVideoSchema),
      await db.model(VideoName.name, VideoNameSchema),
    );
    // Every download gets other bytes, as a CDN re-encoding a video might serve.
    media = await TargetServer.start();
    media.respond((_req, res) => {
      res.setHeader('content-type', 'video/mp4');
      res.end(randomBytes(4096));
    });
    storageDir = await mkdtemp(join(tmpdir(), 'conveyor-scrape-'));
  });

  afterAll(async () => {
    outbound?.onModuleDestroy();
    await media?.close();
    await rm(storageDir, { recursive: true, force: true });
    await db?.drop();
  });

  it('run again after it saved its videos (a redelivery), it downloads nothing and fans out to the same keys', async () => {
    const config = loadConfig({ OUTBOUND_ALLOW_LOOPBACK: 'true' });
    outbound = new OutboundHttp(config);
    const settings = businessDiscoverySettingsSchema.parse({ STORAGE_DIR: storageDir });
    const handler = new ScrapeInstagramVideosHandler(new VideoStore(outbound, discoveries, settings), discoveries, config);
    const owner = `user:scraper-${randomUUID()}`;
    const discoveryId = randomUUID();
    const discovery = await discoveries.open({
      _id: discoveryId,
      owner_key: owner,
      business_name: 'Scrape Test',
      location: 'Downtown',
      business_type: null,
      radius_km: 5,
      places: [],
      created_at: new Date(),
    });
    await discoveries.addBusinesses(discovery, [
      { key: 'alpha', place: { name: 'Alpha', address: null, website: null, phone: null, category: null, rating: null } },
    ]);
    const reels = [1, 2, 3].map((n) => ({
      id: `r${n}`,
      url: null,
      caption: null,
      video_url: media.url(`/r${n}.mp4`),
      views: n * 100,
      likes: 0,
      comments: 0,
      posted_at: `2026-11-0${n}T00:00:00.000Z`,
    }));
    await discoveries.saveDetection(owner, discoveryId, 'alpha', {
      validation: { valid: true, website: null, problems: [] },
      instagram: {
        handle: 'alpha',
        sourceUrl: 'http://alpha.test/',
        confirmed: true,
        ranking: rankReels({ username: 'alpha', followers: 10, reels }, 3),
      },
      note: null,
    });
    const flows = new RecordedFanOuts();
    const jobId = randomUUID();
    const payload: ScrapeVideosPayload = { discoveryId };
    const deliver = (attempt: number) =>
      handler.run(
        new StepContext(
          jobId,
          1,
          attempt,
          payload,
          new AbortController().signal,
          scrapeInstagramVideosJob.steps,
          async () => undefined,
          undefined,
          undefined,
          { kind: 'user', id: owner.slice('user:'.length) },
          flows,
        ),
      );

    const first = await deliver(1);
    expect(media.hits.map((h) => h.path).sort()).toEqual(['/r2.mp4', '/r3.mp4']); // the top two reels
    const again = await deliver(2);
    expect(media.hits).toHaveLength(2); // nothing downloaded again
    const keys = flows.requests.map((r) => r.request.children.map((c) => c.key));
    expect(keys[1]).toEqual(keys[0]);
    expect(keys[0]).toHaveLength(2);
    expect(again.analyses).toEqual(first.analyses);
    expect(again.videos.map((v) => [v.reelId, v.checksum])).toEqual(first.videos.map((v) => [v.reelId, v.checksum]));
    const [business] = await discoveries.ofDiscovery(owner, discoveryId);
    expect(business.videos.map((v) => v.checksum)).toEqual(keys[0]);
    expect((await readdir(join(storageDir, 'videos'))).sort()).toEqual([...keys[0]].sort());
    // Each stored video is known by its reel's id too (analyze-video-content's videoId), to its owner only.
    const byReel = Object.fromEntries(first.videos.map((v) => [v.reelId, v.checksum]));
    expect(await discoveries.checksumNamed(owner, 'r3')).toBe(byReel.r3);
    expect(await discoveries.checksumNamed(owner, 'r1')).toBeNull();
    expect(await discoveries.checksumNamed(`user:other-${randomUUID()}`, 'r3')).toBeNull();
    // A name stored again (other bytes this time) means the newer video.
    await discoveries.nameVideo(owner, 'r3', byReel.r2);
    expect(await discoveries.checksumNamed(owner, 'r3')).toBe(byReel.r2);
  });

  it('keeps the places a search found under its job: run again, it asks the places service nothing and gets the same businesses', async () => {
    const places = await TargetServer.start();
    try {
      // Each search answers with other places, as a live directory might between two deliveries.
      places.respond((_req, res, _hit, n) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ places: [{ name: `Place ${n}`, website: `http://place-${n}.test/` }] }));
      });
      const config = loadConfig({ OUTBOUND_ALLOW_LOOPBACK: 'true', PLACES_SERVICE_URL: places.url() });
      const settings = businessDiscoverySettingsSchema.parse({});
      const search = new PlacesSearch(new PlacesService(config, new DownstreamClient()), discoveries, config, settings);
      const owner = `user:searcher-${randomUUID()}`;
      const jobId = randomUUID();
      const first = await search.kept(jobId, owner, { businessName: 'Pizza' }, new AbortController().signal);
      const again = await search.kept(jobId, owner, { businessName: 'Pizza' }, new AbortController().signal);
      expect(places.hits).toHaveLength(1);
      expect(first).toMatchObject({ location: null, radius_km: 10, places: [{ name: 'Place 1', website: 'http://place-1.test/' }] });
      expect(again.places).toEqual(first.places);
      // Another caller's job of the same id (never, as ids are UUIDs) would not read it: reads are per owner.
      expect(await discoveries.discovery(`user:other-${randomUUID()}`, jobId)).toBeNull();
    } finally {
      await places.close();
    }
  });

  it('keeps a search that found nothing, and reads it back as no places (not a missing field)', async () => {
    const places = await TargetServer.start();
    try {
      places.respond((_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ places: [] }));
      });
      const config = loadConfig({ OUTBOUND_ALLOW_LOOPBACK: 'true', PLACES_SERVICE_URL: places.url() });
      const search = new PlacesSearch(
        new PlacesService(config, new DownstreamClient()),
        discoveries,
        config,
        businessDiscoverySettingsSchema.parse({}),
      );
      const owner = `user:empty-${randomUUID()}`;
      const jobId = randomUUID();
      expect((await search.kept(jobId, owner, { businessName: 'Nothing Here' }, new AbortController().signal)).places).toEqual([]);
      expect((await search.kept(jobId, owner, { businessName: 'Nothing Here' }, new AbortController().signal)).places).toEqual([]);
    } finally {
      await places.close();
    }
  });
});
