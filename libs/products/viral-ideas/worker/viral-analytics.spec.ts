import { hookPattern, hookPatterns, median, mergeReels, openingLine, scoreReels, topReels } from './viral-analytics';
import { StoredReel } from '../data';

const reel = (id: string, views: number, extra: Partial<StoredReel> = {}): StoredReel => ({
  id,
  username: 'a',
  url: null,
  caption: null,
  views,
  likes: 0,
  comments: 0,
  posted_at: `2026-01-${String(10 + Number(id.replace(/\D/g, '') || 0)).padStart(2, '0')}T00:00:00.000Z`,
  outlier_score: 0,
  engagement_rate: 0,
  transcript_opening: null,
  ...extra,
});

describe('viral analytics', () => {
  it('takes the median of odd and even counts, 0 for none', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBe(0);
  });

  it('scores reels against the profile median and computes engagement', () => {
    const { baseline, reels, averageEngagementRate } = scoreReels([
      reel('r1', 1000, { likes: 90, comments: 10 }),
      reel('r2', 2000),
      reel('r3', 10_000, { likes: 500, comments: 500 }),
    ]);
    expect(baseline).toBe(2000);
    expect(reels.map((r) => r.outlier_score)).toEqual([0.5, 1, 5]);
    expect(reels[0].engagement_rate).toBe(0.1);
    expect(averageEngagementRate).toBe(0.0667);
  });

  it('gives zero scores instead of dividing by zero', () => {
    const { reels } = scoreReels([reel('r1', 0)]);
    expect(reels[0]).toMatchObject({ outlier_score: 0, engagement_rate: 0 });
  });

  it('ranks top reels by outlier score, then views', () => {
    const ranked = topReels(
      [reel('a', 1, { outlier_score: 2 }), reel('b', 5, { outlier_score: 3 }), reel('c', 9, { outlier_score: 2 })],
      2,
    );
    expect(ranked.map((r) => r.id)).toEqual(['b', 'c']);
  });

  it('merges stored and fetched reels, newest first, keeping known transcript openings', () => {
    const merged = mergeReels(
      'a',
      [reel('r1', 10, { transcript_opening: 'Hi.' })],
      [
        { id: 'r1', url: null, caption: null, video_url: null, views: 20, likes: 0, comments: 0, posted_at: '2026-01-11T00:00:00.000Z' },
        { id: 'r5', url: null, caption: null, video_url: null, views: 30, likes: 0, comments: 0, posted_at: '2026-01-15T00:00:00.000Z' },
      ],
    );
    expect(merged.map((r) => [r.id, r.views, r.transcript_opening])).toEqual([
      ['r5', 30, null],
      ['r1', 20, 'Hi.'],
    ]);
  });

  it('reads the opening line as the first sentence', () => {
    expect(openingLine('  Stop doing this. Here is why.')).toBe('Stop doing this.');
    expect(openingLine('Why do reels flop?\nBecause…')).toBe('Why do reels flop?');
    expect(openingLine('   ')).toBeNull();
  });

  it.each([
    ['How to grow on reels in 2026', 'how-to'],
    ['5 mistakes every creator makes', 'numbered list'],
    ['Why does nobody talk about this?', 'question'],
    ['Stop posting at 9am', 'warning'],
    ['The secret the algorithm hides', 'curiosity gap'],
    ['I lost 10k followers last week', 'personal story'],
    ['Reels are changing', 'statement'],
  ])('classifies "%s" as %s', (line, pattern) => {
    expect(hookPattern(line)).toBe(pattern);
  });

  it('groups hook patterns, most used first, with the best examples', () => {
    const patterns = hookPatterns([
      reel('r1', 1, { transcript_opening: 'Why this works?', outlier_score: 1 }),
      reel('r2', 1, { transcript_opening: 'What is this?', outlier_score: 3 }),
      reel('r3', 1, { transcript_opening: 'Stop now.', outlier_score: 9 }),
      reel('r4', 1),
    ]);
    expect(patterns).toEqual([
      { pattern: 'question', count: 2, examples: ['What is this?', 'Why this works?'], average_outlier_score: 2 },
      { pattern: 'warning', count: 1, examples: ['Stop now.'], average_outlier_score: 9 },
    ]);
  });
});
