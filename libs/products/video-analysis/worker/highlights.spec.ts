import { findHighlights, zScores } from './highlights';
import { emotionOf, parseChat, signalWindows } from './signals';

describe('highlights', () => {
  // 60 s of quiet audio (−40 dB) with two loud bursts (−6 dB) at 20–23 s and 45–48 s.
  const loudness = Array.from({ length: 60 }, (_, s) => ((s >= 20 && s < 23) || (s >= 45 && s < 48) ? -6 : -40));

  it('finds a window over each loud burst from audio alone, loudest first', () => {
    const windows = signalWindows(loudness, [], [], 5, 60);
    const found = findHighlights(windows, 10);
    expect(found.map((h) => [h.start_seconds, h.end_seconds])).toEqual(
      expect.arrayContaining([
        [20, 25],
        [45, 50],
      ]),
    );
    expect(found.every((h) => h.reasons.includes('loudness') && h.score >= 1.5)).toBe(true);
  });

  it('adds chat and sentiment where they stand out, merges neighbours and keeps at most max', () => {
    const chat = parseChat([
      ...Array.from({ length: 12 }, (_, i) => ({ t: 46 + i * 0.5, user: `u${i % 4}`, text: 'WOW amazing, love it!!' })),
      { t: 5, user: 'a', text: 'hello' },
      { t: 'bad', text: 'dropped' },
      { t: 30, user: 'b' },
    ]);
    expect(chat).toHaveLength(13);
    const windows = signalWindows(loudness, chat, [{ start: 44, end: 49, text: 'What an incredible win' }], 5, 60);
    const [top] = findHighlights(windows, 1);
    expect(top).toMatchObject({ start_seconds: 45, reasons: expect.arrayContaining(['loudness', 'chat', 'sentiment']) });
    expect(top.end_seconds).toBeGreaterThanOrEqual(50);
    expect(windows[9]).toMatchObject({ emotion: 'excited' });
  });

  it('does not let one odd chat line outrank a real peak', () => {
    const windows = signalWindows(loudness, [{ t: 2, user: 'a', text: 'hi' }], [], 5, 60);
    const found = findHighlights(windows, 10);
    expect(found.every((h) => !h.reasons.includes('chat'))).toBe(true);
    expect(found.map((h) => h.start_seconds).sort((a, b) => a - b)).toEqual([20, 45]);
  });

  it('finds nothing in a video whose signals never vary', () => {
    expect(findHighlights(signalWindows(Array(30).fill(-20), [], [], 5, 30), 10)).toEqual([]);
    expect(zScores([3, 3, 3])).toEqual([0, 0, 0]);
  });

  it('labels emotion from valence and intensity', () => {
    expect(emotionOf(9, 9)).toBe('excited');
    expect(emotionOf(-9, 9)).toBe('tense');
    expect(emotionOf(2, 2)).toBe('positive');
    expect(emotionOf(-1, 1)).toBe('negative');
    expect(emotionOf(0, 0)).toBe('neutral');
  });
});
