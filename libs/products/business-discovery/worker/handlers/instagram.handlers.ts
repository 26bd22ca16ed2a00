import { Inject, Injectable } from '@nestjs/common';
import { JobContext, JobHandler, JobHandlerContract, OutboundHttp } from '@conveyor/job-runtime';
import { ViralServices } from '../../../viral-ideas/worker';
import {
  AnalyzeReelsPayload,
  BUSINESS_DISCOVERY_SETTINGS,
  BusinessDiscoverySettings,
  DetectInstagramPayload,
  DetectionStep,
  InstagramProfilePayload,
  analyzeReelsJob,
  detectInstagramProfilesJob,
  validateInstagramProfileJob,
} from '../../contracts';
import { BusinessValidation, DiscoveriesRepository, InstagramFinding, ReelRanking } from '../../data';
import { checkBusiness, instagramHandle } from '../business-check';
import { ownerKeyOf } from '../job-owner';
import { NO_PROFILE_SERVICE, lookUpProfile } from '../profile-lookup';
import { DEFAULT_TOP_REELS, rankReels } from '../reel-ranking';

export interface DetectionResult {
  businessName: string;
  businessKey: string | null;
  validation: BusinessValidation;
  instagram: InstagramFinding | null;
  /** Why there is no (confirmed) Instagram. */
  note: string | null;
}

/**
 * Seed 004's `detect-instagram-profiles` for one business: its website is checked and crawled, the
 * Instagram link on it gives the handle, the profile service confirms it, and its reels are ranked.
 * In a discovery, the finding is kept on the business. A business without Instagram completes.
 */
@JobHandler()
@Injectable()
export class DetectInstagramProfilesHandler implements JobHandlerContract<DetectInstagramPayload, DetectionResult> {
  readonly definition = detectInstagramProfilesJob;

  constructor(
    private readonly http: OutboundHttp,
    private readonly profiles: ViralServices,
    private readonly discoveries: DiscoveriesRepository,
    @Inject(BUSINESS_DISCOVERY_SETTINGS) private readonly settings: BusinessDiscoverySettings,
  ) {}

  async run(ctx: JobContext<DetectInstagramPayload>): Promise<DetectionResult> {
    const owner = ownerKeyOf(ctx);
    const { payload } = ctx;
    const { validation, socials } = await ctx.step(DetectionStep.ValidateBusiness, (signal) =>
      checkBusiness(this.http, { name: payload.businessName, ...payload }, this.settings, signal, (done, total) =>
        ctx.reportStepProgress(done / total),
      ),
    );
    const link = await ctx.step(DetectionStep.FindHandle, async () => instagramHandle(socials));
    const lookup = await ctx.step(DetectionStep.ConfirmProfile, (signal) =>
      link ? lookUpProfile(this.profiles, link.handle, signal) : Promise.resolve(null),
    );
    const ranking = await ctx.step(DetectionStep.RankReels, async () =>
      lookup?.outcome === 'found' ? rankReels(lookup.profile, payload.topReels ?? DEFAULT_TOP_REELS) : null,
    );
    let instagram: InstagramFinding | null = null;
    let note: string | null = null;
    if (!link) note = noLinkReason(payload.website, validation);
    else if (lookup?.outcome === 'not-found')
      note = `@${link.handle} (linked from ${link.url}) is not an Instagram account the profile service knows.`;
    else instagram = { handle: link.handle, sourceUrl: link.url, confirmed: ranking !== null, ranking };
    if (lookup?.outcome === 'not-configured') note = NO_PROFILE_SERVICE;
    if (payload.discoveryId && payload.businessKey) {
      await this.discoveries.saveDetection(owner, payload.discoveryId, payload.businessKey, { validation, instagram, note });
    }
    return { businessName: payload.businessName, businessKey: payload.businessKey ?? null, validation, instagram, note };
  }
}

function noLinkReason(website: string | undefined, validation: BusinessValidation): string {
  if (!website) return 'The business has no website to find an Instagram link on.';
  if (validation.website?.error) return `Its website could not be read (${validation.website.error}), so no Instagram link was found.`;
  return 'Its website links no Instagram account.';
}

/** Seed 004's `validate-instagram-profile`: whether the account exists, by the profile service. */
@JobHandler()
@Injectable()
export class ValidateInstagramProfileHandler implements JobHandlerContract<InstagramProfilePayload> {
  readonly definition = validateInstagramProfileJob;

  constructor(private readonly profiles: ViralServices) {}

  async run(ctx: JobContext<InstagramProfilePayload>) {
    const { username } = ctx.payload;
    const lookup = await ctx.step(DetectionStep.ConfirmProfile, (signal) => lookUpProfile(this.profiles, username, signal));
    if (lookup.outcome === 'not-configured') return { username, exists: null, note: NO_PROFILE_SERVICE };
    if (lookup.outcome === 'not-found') return { username, exists: false, note: null };
    return { username, exists: true, followers: lookup.profile.followers, reelsCount: lookup.profile.reels.length, note: null };
  }
}

/** Seed 004's `analyze-reels`: a profile's reels ranked by outlier score. */
@JobHandler()
@Injectable()
export class AnalyzeReelsHandler implements JobHandlerContract<AnalyzeReelsPayload> {
  readonly definition = analyzeReelsJob;

  constructor(private readonly profiles: ViralServices) {}

  async run(
    ctx: JobContext<AnalyzeReelsPayload>,
  ): Promise<{ username: string; profileId: string | null; ranking: ReelRanking | null; note: string | null }> {
    const { username, profileId } = ctx.payload;
    const lookup = await ctx.step(DetectionStep.ConfirmProfile, (signal) => lookUpProfile(this.profiles, username, signal));
    const ranking = await ctx.step(DetectionStep.RankReels, async () =>
      lookup.outcome === 'found' ? rankReels(lookup.profile, ctx.payload.top ?? DEFAULT_TOP_REELS) : null,
    );
    const note =
      lookup.outcome === 'not-configured'
        ? NO_PROFILE_SERVICE
        : lookup.outcome === 'not-found'
          ? `@${username} is not an Instagram account the profile service knows.`
          : null;
    return { username, profileId: profileId ?? null, ranking, note };
  }
}
