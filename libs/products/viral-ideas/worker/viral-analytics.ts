import { HookPattern, StoredReel } from '../data';

/** A reel as the profile service returns it, before scoring. */
export interface FetchedReel {
  id: string;
  url: string | null;
  caption: string | null;
  /** The reel's video file, when the profile service gives one (seed 004 downloads it). */
  video_url: string | null;
  views: number;
  likes: number;
  comments: number;
  posted_at: string;
}

/** A reel before scoring: what scoreReels reads. */
export type UnscoredReel = Pick<StoredReel, 'views' | 'likes' | 'comments'>;

/** Reels kept per profile between runs (the most recent ones). */
export const REELS_KEPT_PER_PROFILE = 50;

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Stored reels plus newly fetched ones (a newer copy of a reel wins), most recent first, capped. */
export function mergeReels(
  username: string,
  stored: readonly StoredReel[],
  fetched: readonly FetchedReel[],
): Array<Omit<StoredReel, 'outlier_score' | 'engagement_rate'>> {
  const byId = new Map<string, Omit<StoredReel, 'outlier_score' | 'engagement_rate'>>();
  for (const reel of stored) byId.set(reel.id, reel);
  for (const { id, url, caption, views, likes, comments, posted_at } of fetched) {
    const transcript_opening = byId.get(id)?.transcript_opening ?? null;
    byId.set(id, { id, url, caption, views, likes, comments, posted_at, username, transcript_opening });
  }
  return [...byId.values()].sort((a, b) => b.posted_at.localeCompare(a.posted_at)).slice(0, REELS_KEPT_PER_PROFILE);
}

/**
 * Scores a profile's reels against its own baseline (median views): outlier score = views ÷
 * baseline, so a reel at 5.0 did five times the profile's typical reel. Engagement rate =
 * (likes + comments) ÷ views.
 */
export function scoreReels<R extends UnscoredReel>(
  reels: readonly R[],
): {
  baseline: number;
  averageEngagementRate: number;
  reels: Array<R & { outlier_score: number; engagement_rate: number }>;
} {
  const baseline = median(reels.map((r) => r.views));
  const scored = reels.map((reel) => ({
    ...reel,
    outlier_score: baseline > 0 ? round(reel.views / baseline) : 0,
    engagement_rate: reel.views > 0 ? round((reel.likes + reel.comments) / reel.views, 4) : 0,
  }));
  const averageEngagementRate = scored.length > 0 ? round(scored.reduce((s, r) => s + r.engagement_rate, 0) / scored.length, 4) : 0;
  return { baseline, averageEngagementRate, reels: scored };
}

/** The highest outlier scores first; ties go to more views. */
export function topReels<R extends Pick<StoredReel, 'views' | 'outlier_score'>>(reels: readonly R[], limit: number): R[] {
  return [...reels].sort((a, b) => b.outlier_score - a.outlier_score || b.views - a.views).slice(0, limit);
}

/** The opening line of a transcript: its first sentence, at most 160 characters. */
export function openingLine(transcript: string): string | null {
  const first =
    transcript
      .trim()
      .split(/(?<=[.!?])\s+|\n/)[0]
      ?.trim() ?? '';
  return first.length > 0 ? first.slice(0, 160) : null;
}

const HOOK_RULES: ReadonlyArray<{ pattern: string; test: (line: string) => boolean }> = [
  { pattern: 'how-to', test: (l) => /^(how to|here'?s how|this is how)\b/.test(l) },
  { pattern: 'numbered list', test: (l) => /^\d+\b|\b\d+ (ways|tips|things|reasons|mistakes|steps|secrets|hacks)\b/.test(l) },
  { pattern: 'question', test: (l) => l.endsWith('?') || /^(why|how|what|who|when|where|did|do|does|is|are|can|would|should)\b/.test(l) },
  { pattern: 'warning', test: (l) => /\b(stop|don'?t|never|mistakes?|wrong|avoid)\b/.test(l) },
  { pattern: 'curiosity gap', test: (l) => /\b(secret|nobody|no one|truth|hidden|you won'?t believe)\b/.test(l) },
  { pattern: 'personal story', test: (l) => /^(i|my|when i|last (week|year|month))\b/.test(l) },
];

/** Which hook pattern an opening line uses (the first rule that matches), or `statement`. */
export function hookPattern(opening: string): string {
  const line = opening.toLowerCase().trim();
  return HOOK_RULES.find((rule) => rule.test(line))?.pattern ?? 'statement';
}

/** Hook patterns over reels with a transcript opening: most used first, then best performing. */
export function hookPatterns<R extends Pick<StoredReel, 'transcript_opening' | 'outlier_score' | 'views'>>(
  reels: readonly R[],
): HookPattern[] {
  const groups = new Map<string, R[]>();
  for (const reel of reels) {
    if (!reel.transcript_opening) continue;
    const pattern = hookPattern(reel.transcript_opening);
    groups.set(pattern, [...(groups.get(pattern) ?? []), reel]);
  }
  return [...groups.entries()]
    .map(([pattern, group]) => ({
      pattern,
      count: group.length,
      examples: topReels(group, 3).map((r) => r.transcript_opening!),
      average_outlier_score: round(group.reduce((s, r) => s + r.outlier_score, 0) / group.length),
    }))
    .sort((a, b) => b.count - a.count || b.average_outlier_score - a.average_outlier_score);
}

function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
