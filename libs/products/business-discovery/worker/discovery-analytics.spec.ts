import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Discovery, DiscoveryBusiness, RankedReel } from '../data';
import { keyedPlaces } from './business-keys';
import { businessInsights, postingCadence } from './insights';
import { assembleReport } from './report-content';
import { renderReportPdf } from './report-pdf';
import { trendAnalysis, viewsTrend, weekOf, weeklyPoints } from './trends';

const reel = (id: string, views: number, postedAt: string, caption: string | null = null): RankedReel => ({
  id,
  url: null,
  video_url: null,
  caption,
  views,
  likes: 0,
  comments: 0,
  posted_at: postedAt,
  outlier_score: views / 100,
  engagement_rate: 0,
});

describe('business-discovery analytics', () => {
  it('weeks start on Monday (UTC), and weekly points sum views and posts', () => {
    expect(weekOf('2026-10-05T12:00:00Z')).toBe('2026-10-05'); // a Monday
    expect(weekOf('2026-10-11T23:59:00Z')).toBe('2026-10-05'); // its Sunday
    expect(weekOf('2026-10-12T00:00:00Z')).toBe('2026-10-12');
    expect(
      weeklyPoints([reel('a', 10, '2026-10-06T00:00:00Z'), reel('b', 5, '2026-10-07T00:00:00Z'), reel('c', 1, '2026-09-30T00:00:00Z')]),
    ).toEqual([
      { week: '2026-09-28', views: 1, posts: 1 },
      { week: '2026-10-05', views: 15, posts: 2 },
    ]);
  });

  it('reads a direction only from three weeks or more, from views per post', () => {
    const week = (w: string, views: number, posts = 1) => ({ week: w, views, posts });
    expect(viewsTrend([week('2026-10-05', 1), week('2026-10-12', 2)]).direction).toBe('not enough data');
    expect(viewsTrend([week('2026-10-05', 100), week('2026-10-12', 200), week('2026-10-19', 300)])).toEqual({
      direction: 'rising',
      viewsSlopePerWeek: 100,
    });
    expect(viewsTrend([week('2026-10-05', 300), week('2026-10-12', 200), week('2026-10-26', 100)]).direction).toBe('falling');
    // Twice the views from twice the posts is the same per post.
    expect(viewsTrend([week('2026-10-05', 100), week('2026-10-12', 200, 2), week('2026-10-19', 100)]).direction).toBe('flat');
  });

  it('posting cadence: posts per week over the span, the usual weekday', () => {
    expect(postingCadence([])).toEqual({ postsPerWeek: 0, spanDays: 0, lastPostedAt: null, busiestWeekday: null });
    const monday = Date.parse('2026-10-05T12:00:00Z');
    const posts = [0, 7, 14, 28].map((d) => new Date(monday + d * 86_400_000).toISOString());
    expect(postingCadence(posts)).toEqual({ postsPerWeek: 1, spanDays: 28, lastPostedAt: posts[3], busiestWeekday: 'Monday' });
  });

  it('insights: hooks from transcripts where a video was transcribed, else captions; peaks by score', () => {
    const reels = [reel('r1', 500, '2026-10-05T00:00:00Z', 'How to make pasta'), reel('r2', 100, '2026-10-06T00:00:00Z', 'Meet the team')];
    const insights = businessInsights(reels, [
      {
        reelId: 'r2',
        checksum: 'c',
        bytes: 1,
        analysis: {
          durationSeconds: 60,
          transcriptOpening: 'Why is our sauce so red?',
          notes: [],
          highlights: [
            { start_seconds: 10, end_seconds: 15, score: 1 },
            { start_seconds: 40, end_seconds: 45, score: 3 },
          ],
        },
      },
    ]);
    expect(insights.bestHooks.map((h) => h.pattern).sort()).toEqual(['how-to', 'question']);
    expect(insights.peaks).toEqual([{ reelId: 'r2', outlierScore: 1, peakSeconds: [40, 10] }]);
  });

  it('business keys are stable for the same name and address, and a repeated place is kept once', () => {
    const place = { name: 'Luigi’s Trattoria!', address: '12 Mulberry St', website: null, phone: null, category: null, rating: null };
    const keyed = keyedPlaces([place, { ...place }, { ...place, address: '14 Mulberry St' }]);
    expect(keyed).toHaveLength(2);
    expect(keyed[0].key).toMatch(/^luigi-s-trattoria-[0-9a-f]{8}$/);
    expect(keyedPlaces([place])[0].key).toBe(keyed[0].key);
    expect(keyed[1].key).not.toBe(keyed[0].key);
  });

  it('renders a report PDF that pdftotext reads back (title, each business, the chart’s heading)', async () => {
    const discovery: Discovery = {
      _id: 'd',
      owner_key: 'user:u',
      business_name: 'Downtown Restaurant',
      location: 'New York, NY',
      business_type: 'restaurant',
      radius_km: 5,
      places: [],
      created_at: new Date('2026-12-01T00:00:00Z'),
    };
    const reels = [
      reel('r1', 100, '2026-10-05T00:00:00Z', 'One'),
      reel('r2', 400, '2026-10-12T00:00:00Z'),
      reel('r3', 200, '2026-10-19T00:00:00Z'),
    ];
    const business = (key: string, name: string, withInstagram: boolean): DiscoveryBusiness => ({
      _id: `d:${key}`,
      discovery_id: 'd',
      owner_key: 'user:u',
      key,
      order: 0,
      place: { name, address: '1 Main St', website: null, phone: null, category: null, rating: null },
      validation: { valid: true, website: null, problems: [] },
      instagram: withInstagram
        ? {
            handle: 'alpha_eats',
            sourceUrl: 'https://alpha.example',
            confirmed: true,
            ranking: {
              username: 'alpha_eats',
              followers: 10,
              reelsCount: 3,
              medianViews: 200,
              averageEngagementRate: 0.01,
              reels,
              topReels: reels,
            },
          }
        : null,
      instagram_note: withInstagram ? null : 'Its website links no Instagram account.',
      videos: [],
      insights: null,
      updated_at: new Date(),
    });
    const businesses = [business('a', 'Alpha Eats', true), business('b', 'Beta Bistro', false)];
    const content = assembleReport(discovery, businesses, trendAnalysis([{ key: 'a', name: 'Alpha Eats', reels }]));
    expect(content.summary).toEqual({ businessesFound: 2, withInstagram: 1, withoutInstagram: 1, videosAnalysed: 0 });
    expect(content.businesses[1].noInstagramReason).toBe('Its website links no Instagram account.');
    const pdf = await renderReportPdf(content);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const dir = mkdtempSync(join(tmpdir(), 'report-pdf-'));
    try {
      writeFileSync(join(dir, 'r.pdf'), pdf);
      const text = execFileSync('pdftotext', [join(dir, 'r.pdf'), '-']).toString();
      for (const expected of ['Competitor report: Downtown', 'Alpha Eats', 'Beta Bistro', '@alpha_eats', 'Views per week', 'rising'])
        expect(text).toContain(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
