import { hookPatterns, openingLine } from '../../viral-ideas/worker';
import type { BusinessInsights, BusinessVideo, RankedReel } from '../data';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const DAY_MS = 86_400_000;
/** Peaks listed per video. */
const PEAKS_PER_VIDEO = 3;

/**
 * A business's insights from its ranked reels and its analysed videos: which hook patterns its
 * reels open with (the viral-ideas rules, on the transcript's first sentence where a video was
 * transcribed, else the caption's), how often it posts, and where each analysed video peaks.
 */
export function businessInsights(reels: readonly RankedReel[], videos: readonly BusinessVideo[]): BusinessInsights {
  const transcribed = new Map(videos.map((v) => [v.reelId, v.analysis?.transcriptOpening ?? null]));
  const openings = reels.map((reel) => ({
    ...reel,
    transcript_opening: transcribed.get(reel.id) ?? (reel.caption ? openingLine(reel.caption) : null),
  }));
  const outliers = new Map(reels.map((r) => [r.id, r.outlier_score]));
  return {
    bestHooks: hookPatterns(openings).slice(0, 5),
    cadence: postingCadence(reels.map((r) => r.posted_at)),
    peaks: videos
      .filter((v) => v.analysis !== null)
      .map((v) => ({
        reelId: v.reelId,
        outlierScore: outliers.get(v.reelId) ?? 0,
        peakSeconds: [...v.analysis!.highlights]
          .sort((a, b) => b.score - a.score)
          .slice(0, PEAKS_PER_VIDEO)
          .map((h) => h.start_seconds),
      }))
      .sort((a, b) => b.outlierScore - a.outlierScore),
  };
}

/** Posts per week over the span between the first and last post (a week at least), and the usual weekday (UTC). */
export function postingCadence(postedAt: readonly string[]): BusinessInsights['cadence'] {
  if (postedAt.length === 0) return { postsPerWeek: 0, spanDays: 0, lastPostedAt: null, busiestWeekday: null };
  const times = postedAt.map((t) => Date.parse(t)).sort((a, b) => a - b);
  const spanDays = (times[times.length - 1] - times[0]) / DAY_MS;
  const perDay = new Map<number, number>();
  for (const t of times) perDay.set(new Date(t).getUTCDay(), (perDay.get(new Date(t).getUTCDay()) ?? 0) + 1);
  const [busiest] = [...perDay.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
  return {
    postsPerWeek: Math.round((times.length / Math.max(1, spanDays / 7)) * 100) / 100,
    spanDays: Math.round(spanDays * 10) / 10,
    lastPostedAt: new Date(times[times.length - 1]).toISOString(),
    busiestWeekday: WEEKDAYS[busiest],
  };
}
