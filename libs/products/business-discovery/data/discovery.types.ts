import type { StoredReel } from '../../viral-ideas/data';

/** What the pipeline finds and keeps, stage by stage (stored as-is in the product's collections). */

/** A business as the places service describes it. */
export interface Place {
  name: string;
  address: string | null;
  website: string | null;
  phone: string | null;
  category: string | null;
  rating: number | null;
}

/** Whether a business looks real: name and address present, website answering with a page. */
export interface BusinessValidation {
  valid: boolean;
  website: { url: string; finalUrl: string | null; status: number | null; error: string | null } | null;
  /** What is missing or wrong, in words; empty when valid. */
  problems: string[];
}

/** A reel scored against its profile's median views (the viral-ideas analytics), with its video when it has one. */
export type RankedReel = Omit<StoredReel, 'username' | 'transcript_opening'> & { video_url: string | null };

/** A profile's reels, ranked. */
export interface ReelRanking {
  username: string;
  followers: number | null;
  reelsCount: number;
  medianViews: number;
  averageEngagementRate: number;
  /** Every reel, most recent first (at most 50). */
  reels: RankedReel[];
  /** The highest outlier scores first. */
  topReels: RankedReel[];
}

/** A business's Instagram, as found on its website and confirmed by the profile service. */
export interface InstagramFinding {
  handle: string;
  /** The page the handle was found on. */
  sourceUrl: string;
  /** Whether the profile service knows the account (false when none is configured). */
  confirmed: boolean;
  /** Its reels, ranked; null when it was not confirmed. */
  ranking: ReelRanking | null;
}

/** A downloaded top reel and what its analysis found. */
export interface BusinessVideo {
  reelId: string;
  checksum: string;
  bytes: number;
  analysis: VideoFindings | null;
}

/** The parts of a video analysis the report uses. */
export interface VideoFindings {
  durationSeconds: number;
  highlights: Array<{ start_seconds: number; end_seconds: number; score: number }>;
  /** The first transcribed sentence, when a transcript service is configured. */
  transcriptOpening: string | null;
  notes: string[];
}

/** Insights per business (generate-insights). */
export interface BusinessInsights {
  bestHooks: Array<{ pattern: string; count: number; examples: string[]; average_outlier_score: number }>;
  cadence: { postsPerWeek: number; spanDays: number; lastPostedAt: string | null; busiestWeekday: string | null };
  /** Where each analysed video peaks (its highlights), best first. */
  peaks: Array<{ reelId: string; outlierScore: number; peakSeconds: number[] }>;
}

/** Views and posts per ISO week (Monday), oldest first. */
export interface WeeklyPoint {
  week: string;
  views: number;
  posts: number;
}

export interface TrendAnalysis {
  overall: WeeklyPoint[];
  byBusiness: Array<{ key: string; name: string; weeks: WeeklyPoint[]; direction: TrendDirection; viewsSlopePerWeek: number }>;
  direction: TrendDirection;
  viewsSlopePerWeek: number;
}

export type TrendDirection = 'rising' | 'falling' | 'flat' | 'not enough data';
