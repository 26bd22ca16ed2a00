import type { BusinessInsights, TrendAnalysis } from './discovery.types';

/** One business as the report shows it. */
export interface ReportBusiness {
  key: string;
  name: string;
  address: string | null;
  website: string | null;
  category: string | null;
  rating: number | null;
  validation: { valid: boolean; problems: string[] } | null;
  instagram: {
    handle: string;
    followers: number | null;
    reelsCount: number;
    medianViews: number;
    averageEngagementRate: number;
    postsPerWeek: number | null;
    topReels: Array<{
      id: string;
      url: string | null;
      caption: string | null;
      views: number;
      outlier_score: number;
      posted_at: string;
      /** Where its video peaks, seconds (empty when it was not analysed). */
      highlights: Array<{ start_seconds: number; end_seconds: number }>;
    }>;
  } | null;
  /** Why the business has no Instagram in the report. */
  noInstagramReason: string | null;
  insights: BusinessInsights | null;
}

/** The competitor report of one discovery. */
export interface CompetitorReportContent {
  title: string;
  discovery: { businessName: string; location: string | null; businessType: string | null; radiusKm: number; createdAt: string };
  summary: { businessesFound: number; withInstagram: number; withoutInstagram: number; videosAnalysed: number };
  businesses: ReportBusiness[];
  trends: TrendAnalysis | null;
  notes: string[];
}
