import { FetchedProfile, median, scoreReels, topReels } from '../../viral-ideas/worker';
import type { RankedReel, ReelRanking } from '../data';

/** Default number of top reels kept per profile. */
export const DEFAULT_TOP_REELS = 3;

/**
 * A profile's reels scored as the viral-ideas analytics score them (outlier score = views ÷ the
 * profile's median views; engagement = (likes + comments) ÷ views), most recent first, and the
 * `top` highest outlier scores.
 */
export function rankReels(profile: FetchedProfile, top: number): ReelRanking {
  const recent = [...profile.reels].sort((a, b) => b.posted_at.localeCompare(a.posted_at)).slice(0, 50);
  const scored = scoreReels(recent);
  const reels: RankedReel[] = scored.reels.map((r) => ({
    id: r.id,
    url: r.url,
    video_url: r.video_url,
    caption: r.caption,
    views: r.views,
    likes: r.likes,
    comments: r.comments,
    posted_at: r.posted_at,
    outlier_score: r.outlier_score,
    engagement_rate: r.engagement_rate,
  }));
  return {
    username: profile.username,
    followers: profile.followers,
    reelsCount: reels.length,
    medianViews: median(reels.map((r) => r.views)),
    averageEngagementRate: scored.averageEngagementRate,
    reels,
    topReels: topReels(reels, top),
  };
}
