import Sentiment from 'sentiment';

export interface ChatMessage {
  t: number;
  user: string;
  text: string;
}

export interface TranscriptSegment {
  start: number;
  end: number;
  text: string;
}

/** One window of the video and what its signals say. */
export interface SignalWindow {
  start_seconds: number;
  end_seconds: number;
  /** Mean loudness, dBFS. */
  loudness_db: number;
  chat_messages: number;
  /** AFINN valence of the window's transcript and chat (sum of word scores). */
  sentiment_score: number;
  /** How charged the window is, whichever the direction: sum of |word scores|. */
  sentiment_intensity: number;
  /** A coarse label from valence and intensity (see emotionOf). */
  emotion: 'excited' | 'positive' | 'tense' | 'negative' | 'neutral';
}

const analyzer = new Sentiment();

/** A chat log as the guide sends it: items without a finite `t` or a text are dropped. */
export function parseChat(raw: unknown): ChatMessage[] {
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((m): m is Record<string, unknown> => typeof m === 'object' && m !== null)
    .filter((m) => typeof m.t === 'number' && Number.isFinite(m.t) && m.t >= 0 && typeof m.text === 'string')
    .map((m) => ({ t: m.t as number, user: typeof m.user === 'string' ? m.user : '', text: (m.text as string).slice(0, 2_000) }));
}

/**
 * The video cut into `windowSeconds` windows, each with its loudness, chat rate, sentiment
 * (AFINN lexicon, the `sentiment` package) and a coarse emotion. Transcript segments count in
 * every window they overlap; chat messages in the window of their time.
 */
export function signalWindows(
  loudness: number[],
  chat: ChatMessage[],
  transcript: TranscriptSegment[],
  windowSeconds: number,
  durationSeconds: number,
): SignalWindow[] {
  const length = Math.max(durationSeconds, loudness.length);
  const count = Math.max(1, Math.ceil(length / windowSeconds));
  // One pass over the chat and the transcript: each text is scored once, into its windows.
  const messages = new Array<number>(count).fill(0);
  const score = new Array<number>(count).fill(0);
  const intensity = new Array<number>(count).fill(0);
  const add = (window: number, text: string) => {
    const result = analyzer.analyze(text);
    score[window] += result.score;
    for (const item of result.calculation) for (const value of Object.values(item)) intensity[window] += Math.abs(value);
  };
  for (const message of chat) {
    const window = Math.floor(message.t / windowSeconds);
    if (window >= count) continue;
    messages[window]++;
    add(window, message.text);
  }
  for (const segment of transcript) {
    const first = Math.floor(segment.start / windowSeconds);
    const last = Math.min(count - 1, Math.ceil(segment.end / windowSeconds) - 1);
    for (let window = first; window <= last; window++) add(window, segment.text);
  }
  return Array.from({ length: count }, (_, i) => {
    const start = i * windowSeconds;
    const end = Math.min((i + 1) * windowSeconds, length);
    const seconds = loudness.slice(start, end);
    return {
      start_seconds: start,
      end_seconds: end,
      loudness_db: seconds.length > 0 ? round(seconds.reduce((a, b) => a + b, 0) / seconds.length) : -90,
      chat_messages: messages[i],
      sentiment_score: score[i],
      sentiment_intensity: intensity[i],
      emotion: emotionOf(score[i], intensity[i]),
    };
  });
}

/** Valence and intensity to a label: strong and positive → excited, strong and negative → tense. */
export function emotionOf(score: number, intensity: number): SignalWindow['emotion'] {
  if (intensity >= 8) return score >= 0 ? 'excited' : 'tense';
  if (score > 0) return 'positive';
  if (score < 0) return 'negative';
  return 'neutral';
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
