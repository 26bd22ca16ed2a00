import type { CompetitorReportContent, Discovery, DiscoveryBusiness, ReportBusiness, TrendAnalysis } from '../data';

/** The reason a business has no Instagram in the report, in words. */
export function noInstagramReason(business: DiscoveryBusiness): string {
  if (business.instagram_note) return business.instagram_note;
  if (!business.validation) return 'Its Instagram detection did not complete.';
  return 'No Instagram account was found.';
}

/** The report of a discovery from its businesses as the stages left them, and the trends. */
export function assembleReport(
  discovery: Discovery,
  businesses: readonly DiscoveryBusiness[],
  trends: TrendAnalysis | null,
): CompetitorReportContent {
  const rows: ReportBusiness[] = businesses.map((b) => {
    const ranking = b.instagram?.ranking ?? null;
    const highlightsOf = new Map(b.videos.map((v) => [v.reelId, v.analysis?.highlights ?? []]));
    return {
      key: b.key,
      name: b.place.name,
      address: b.place.address,
      website: b.place.website,
      category: b.place.category,
      rating: b.place.rating,
      validation: b.validation ? { valid: b.validation.valid, problems: b.validation.problems } : null,
      instagram:
        b.instagram && ranking
          ? {
              handle: b.instagram.handle,
              followers: ranking.followers,
              reelsCount: ranking.reelsCount,
              medianViews: ranking.medianViews,
              averageEngagementRate: ranking.averageEngagementRate,
              postsPerWeek: b.insights?.cadence.postsPerWeek ?? null,
              topReels: ranking.topReels.map((r) => ({
                id: r.id,
                url: r.url,
                caption: r.caption,
                views: r.views,
                outlier_score: r.outlier_score,
                posted_at: r.posted_at,
                highlights: (highlightsOf.get(r.id) ?? []).map(({ start_seconds, end_seconds }) => ({ start_seconds, end_seconds })),
              })),
            }
          : null,
      noInstagramReason: b.instagram && ranking ? null : noInstagramReason(b),
      insights: b.insights,
    };
  });
  const withInstagram = rows.filter((r) => r.instagram !== null).length;
  return {
    title: `Competitor report: ${[discovery.business_name, discovery.location].filter(Boolean).join(', ')}`,
    discovery: {
      businessName: discovery.business_name,
      location: discovery.location,
      businessType: discovery.business_type,
      radiusKm: discovery.radius_km,
      createdAt: new Date(discovery.created_at).toISOString(),
    },
    summary: {
      businessesFound: rows.length,
      withInstagram,
      withoutInstagram: rows.length - withInstagram,
      videosAnalysed: businesses.reduce((n, b) => n + b.videos.filter((v) => v.analysis !== null).length, 0),
    },
    businesses: rows,
    trends,
    notes: [],
  };
}
