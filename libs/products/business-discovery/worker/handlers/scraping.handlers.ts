import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { checkOutboundUrl } from '@conveyor/contracts';
import {
  DownstreamClient,
  DownstreamError,
  JobContext,
  JobHandler,
  JobHandlerContract,
  PermanentJobError,
  isJsonObject,
} from '@conveyor/job-runtime';
import {
  ANALYZE_VIDEO_CONTENT,
  DownloadVideoPayload,
  GENERATE_INSIGHTS,
  MAX_REELS_PER_SCRAPE,
  ScrapeVideosPayload,
  ScrapingStep,
  StoredVideoPayload,
  downloadVideoJob,
  scrapeInstagramVideosJob,
  uploadToStorageJob,
} from '../../contracts';
import { topReels } from '../../../viral-ideas/worker';
import { DiscoveriesRepository } from '../../data';
import { ownerKeyOf } from '../job-owner';
import { StoredVideoInfo, VideoStore } from '../video-store';

/** Top reels downloaded per business in a discovery, unless the payload says otherwise. */
export const DEFAULT_VIDEOS_PER_BUSINESS = 2;

interface ReelToFetch {
  businessKey: string | null;
  reelId: string;
  url: string;
}

/** A reel's video in the store, as the fan-out and the result list it. */
type ScrapedVideo = Pick<ReelToFetch, 'businessKey' | 'reelId'> & Omit<StoredVideoInfo, 'contentType'>;

/**
 * Seed 004's `scrape-instagram-videos`: downloads the reels' videos (kept once per checksum), then
 * fans out an `analyze-video-content` per distinct video; in a discovery, `generate-insights`
 * follows them. A video that cannot be had for good (gone, too large, refused) is reported and
 * skipped; a passing failure retries the job (videos already stored are found again by checksum).
 */
@JobHandler()
@Injectable()
export class ScrapeInstagramVideosHandler implements JobHandlerContract<ScrapeVideosPayload> {
  readonly definition = scrapeInstagramVideosJob;

  constructor(
    private readonly store: VideoStore,
    private readonly discoveries: DiscoveriesRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async run(ctx: JobContext<ScrapeVideosPayload>) {
    const owner = ownerKeyOf(ctx);
    const { payload } = ctx;
    const reels = await ctx.step(ScrapingStep.SelectReels, () => this.reelsToFetch(owner, payload));
    const { stored, skipped } = await ctx.step(ScrapingStep.Download, (signal) =>
      this.store.withJobFolder(ctx, async (folder) => {
        const stored: Array<ReelToFetch & StoredVideoInfo> = [];
        const skipped: Array<ReelToFetch & { reason: string }> = [];
        for (const [i, reel] of reels.entries()) {
          try {
            stored.push({ ...reel, ...(await this.store.store(owner, reel.url, folder, signal, { name: reel.reelId })) });
          } catch (error) {
            if (!(error instanceof PermanentJobError)) throw error;
            skipped.push({ ...reel, reason: error.message });
          }
          await ctx.reportStepProgress((i + 1) / reels.length);
        }
        return { stored, skipped };
      }),
    );
    // In a discovery the businesses' saved videos are the truth: a redelivered scrape fans out to
    // what its first attempt saved (same keys), never to what a second download might differ in.
    const videos = payload.discoveryId ? await this.keepOnBusinesses(owner, payload.discoveryId, stored) : stored;
    const checksums = [...new Set(videos.map((v) => v.checksum))];
    const started = await ctx.step(ScrapingStep.StartAnalyses, () =>
      ctx.fanOut({
        children: checksums.map((checksum) => ({
          key: checksum,
          type: ANALYZE_VIDEO_CONTENT,
          data: {
            checksum,
            videoId: videos
              .find((v) => v.checksum === checksum)!
              .reelId.replace(/[^\w.:-]/g, '_')
              .slice(0, 200),
          },
        })),
        ...(payload.discoveryId ? { continuation: { type: GENERATE_INSIGHTS, data: { discoveryId: payload.discoveryId } } } : {}),
        onChildFailure: 'continue',
      }),
    );
    return {
      ...(payload.discoveryId ? { discoveryId: payload.discoveryId } : {}),
      videos: videos.map(({ businessKey, reelId, checksum, bytes, deduplicated }) => ({
        businessKey,
        reelId,
        checksum,
        bytes,
        deduplicated,
      })),
      distinctVideos: checksums.length,
      skipped,
      analyses: started.children.map(({ key, jobId }) => ({ checksum: key, jobId })),
    };
  }

  /** The payload's reels, or in a discovery each business's top reels that have a video (within the outbound policy). */
  private async reelsToFetch(owner: string, payload: ScrapeVideosPayload): Promise<ReelToFetch[]> {
    if (payload.topReels) return payload.topReels.map((r) => ({ businessKey: null, reelId: r.id, url: r.video_url }));
    const businesses = await this.discoveries.ofDiscovery(owner, payload.discoveryId!);
    if (businesses.length === 0 && !(await this.discoveries.discovery(owner, payload.discoveryId!)))
      throw new PermanentJobError(`Discovery ${payload.discoveryId} not found`);
    const perBusiness = payload.videosPerBusiness ?? DEFAULT_VIDEOS_PER_BUSINESS;
    // Among all of a business's ranked reels, best first, those with a video; at most MAX_REELS_PER_SCRAPE in all.
    // A business whose videos an earlier attempt saved is not downloaded again.
    return businesses
      .filter((b) => b.videos.length === 0)
      .flatMap((b) =>
        topReels(b.instagram?.ranking?.reels ?? [], Number.MAX_SAFE_INTEGER)
          .filter((r) => r.video_url !== null && checkOutboundUrl(r.video_url, this.config.outbound).allowed)
          .slice(0, perBusiness)
          .map((r) => ({ businessKey: b.key, reelId: r.id, url: r.video_url! })),
      )
      .slice(0, MAX_REELS_PER_SCRAPE);
  }

  /**
   * Saves each business's new videos, once (a redelivered scrape never overwrites analyses a later
   * stage saved), and returns every video of the discovery: those saved by an earlier attempt
   * count as found in the store.
   */
  private async keepOnBusinesses(owner: string, discoveryId: string, stored: ScrapedVideo[]): Promise<ScrapedVideo[]> {
    const before = await this.discoveries.ofDiscovery(owner, discoveryId);
    const kept = before.flatMap((b) =>
      b.videos.map((v) => ({ businessKey: b.key, reelId: v.reelId, checksum: v.checksum, bytes: v.bytes, deduplicated: true })),
    );
    const keptKeys = new Set(kept.map((v) => v.businessKey));
    const fresh = stored.filter((v) => v.businessKey && !keptKeys.has(v.businessKey));
    const byBusiness = new Map<string, ScrapedVideo[]>();
    for (const video of fresh) byBusiness.set(video.businessKey!, [...(byBusiness.get(video.businessKey!) ?? []), video]);
    for (const [key, videos] of byBusiness)
      await this.discoveries.saveVideos(
        owner,
        discoveryId,
        key,
        videos.map((v) => ({ reelId: v.reelId, checksum: v.checksum, bytes: v.bytes, analysis: null })),
      );
    // In the discovery's business order, as the fan-out and the result list them.
    const order = new Map(before.map((b, i) => [b.key, i]));
    return [...kept, ...fresh].sort((a, b) => order.get(a.businessKey!)! - order.get(b.businessKey!)!);
  }
}

/** Seed 004's `download-video`. */
@JobHandler()
@Injectable()
export class DownloadVideoHandler implements JobHandlerContract<DownloadVideoPayload> {
  readonly definition = downloadVideoJob;

  constructor(private readonly store: VideoStore) {}

  async run(ctx: JobContext<DownloadVideoPayload>) {
    const owner = ownerKeyOf(ctx);
    const info = await ctx.step('Downloading', (signal) =>
      this.store.withJobFolder(ctx, (folder) =>
        this.store.store(owner, ctx.payload.url, folder, signal, {
          onProgress: (bytes, total) => ctx.reportStepProgress(total ? bytes / total : 0.5),
          name: ctx.payload.reelId,
        }),
      ),
    );
    return { url: ctx.payload.url, reelId: ctx.payload.reelId ?? null, ...info };
  }
}

export const NO_OBJECT_STORAGE = 'No object storage is configured (OBJECT_STORAGE_URL): the video stays in STORAGE_DIR only.';

/** Seed 004's `upload-to-storage`: `PUT {OBJECT_STORAGE_URL}/objects/{checksum}` → `{ url }`. */
@JobHandler()
@Injectable()
export class UploadToStorageHandler implements JobHandlerContract<StoredVideoPayload> {
  readonly definition = uploadToStorageJob;

  constructor(
    private readonly store: VideoStore,
    private readonly client: DownstreamClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async run(ctx: JobContext<StoredVideoPayload>) {
    const owner = ownerKeyOf(ctx);
    const { checksum } = ctx.payload;
    return ctx.step('Uploading', async (signal) => {
      const path = await this.store.pathFor(owner, checksum);
      const base = this.config.services.objectStorageUrl;
      if (!base) return { checksum, uploaded: false, url: null, note: NO_OBJECT_STORAGE };
      const answer = await this.client.putFile(
        `${base.replace(/\/+$/, '')}/objects/${checksum}`,
        path,
        'application/octet-stream',
        signal,
        {
          timeoutMs: 10 * 60_000,
        },
      );
      if (!isJsonObject(answer)) throw new DownstreamError('Object storage: its answer is not a JSON object', null);
      return { checksum, uploaded: true, url: typeof answer.url === 'string' ? answer.url : null, note: null };
    });
  }
}
