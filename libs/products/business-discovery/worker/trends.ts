import type { RankedReel, TrendAnalysis, TrendDirection, WeeklyPoint } from '../data';

const DAY_MS = 86_400_000;
/** Weeks of data a direction needs. */
const MIN_WEEKS = 3;
/** A weekly change below this share of the mean is flat. */
const FLAT_SHARE = 0.05;

/** The Monday (UTC) of the week `iso` falls in, as YYYY-MM-DD. */
export function weekOf(iso: string): string {
  const day = new Date(iso);
  const monday = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()) - ((day.getUTCDay() + 6) % 7) * DAY_MS;
  return new Date(monday).toISOString().slice(0, 10);
}

/** Views and posts per week of posting, oldest first (weeks without posts are left out). */
export function weeklyPoints(reels: ReadonlyArray<Pick<RankedReel, 'posted_at' | 'views'>>): WeeklyPoint[] {
  const weeks = new Map<string, WeeklyPoint>();
  for (const reel of reels) {
    const week = weekOf(reel.posted_at);
    const point = weeks.get(week) ?? { week, views: 0, posts: 0 };
    point.views += reel.views;
    point.posts += 1;
    weeks.set(week, point);
  }
  return [...weeks.values()].sort((a, b) => a.week.localeCompare(b.week));
}

/** Least-squares slope of views per post against weeks, and what it says. */
export function viewsTrend(points: readonly WeeklyPoint[]): { direction: TrendDirection; viewsSlopePerWeek: number } {
  if (points.length < MIN_WEEKS) return { direction: 'not enough data', viewsSlopePerWeek: 0 };
  const first = Date.parse(points[0].week);
  const xs = points.map((p) => (Date.parse(p.week) - first) / (7 * DAY_MS));
  const ys = points.map((p) => p.views / p.posts);
  const mx = xs.reduce((s, x) => s + x, 0) / xs.length;
  const my = ys.reduce((s, y) => s + y, 0) / ys.length;
  const sxx = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  const slope = sxx === 0 ? 0 : xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0) / sxx;
  const direction: TrendDirection = my === 0 || Math.abs(slope) < FLAT_SHARE * my ? 'flat' : slope > 0 ? 'rising' : 'falling';
  return { direction, viewsSlopePerWeek: Math.round(slope * 100) / 100 };
}

/** Trends of a discovery: per business with reels, and over all of them together. */
export function trendAnalysis(businesses: ReadonlyArray<{ key: string; name: string; reels: readonly RankedReel[] }>): TrendAnalysis {
  const byBusiness = businesses
    .filter((b) => b.reels.length > 0)
    .map((b) => {
      const weeks = weeklyPoints(b.reels);
      return { key: b.key, name: b.name, weeks, ...viewsTrend(weeks) };
    });
  const overall = weeklyPoints(businesses.flatMap((b) => b.reels));
  return { overall, byBusiness, ...viewsTrend(overall) };
}
