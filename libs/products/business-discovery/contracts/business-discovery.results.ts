import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
// The video-analysis pipeline's own facts and highlights (seed 002's, shared): documented once, there.
import { VideoHighlightDoc, VideoMediaFactsDoc } from '../../video-analysis/contracts';

/**
 * The results of seed 004's fifteen job types, as Swagger documents them (JobTypeDefinition.result)
 * and the handlers return them (the raw result: a job read shows it as `result.data`). Shared shapes
 * are prefixed `Discovery` so their names stay unique across the OpenAPI document.
 */

const TREND_DIRECTIONS = ['rising', 'falling', 'flat', 'not enough data'];
const SHA256 = '^[0-9a-f]{64}$';

// ---------- Shared shapes ----------

export class DiscoveryFlowChildDoc {
  @ApiProperty({ description: "The child's key within its parent's fan-out" })
  key!: string;

  @ApiProperty({ format: 'uuid' })
  jobId!: string;
}

export class DiscoveryWebsiteCheckDoc {
  @ApiProperty({ description: 'The website checked' })
  url!: string;

  @ApiProperty({ type: 'string', nullable: true, description: 'Where it answered after redirects; null when it could not be read' })
  finalUrl!: string | null;

  @ApiProperty({ type: 'integer', nullable: true, description: "The home page's HTTP status" })
  status!: number | null;

  @ApiProperty({ type: 'string', nullable: true, description: 'Why the website could not be read' })
  error!: string | null;
}

export class DiscoveryBusinessValidationDoc {
  @ApiProperty({ description: 'Name and address present, website answering with a page' })
  valid!: boolean;

  @ApiProperty({ type: DiscoveryWebsiteCheckDoc, nullable: true, description: 'Null when the business has no website' })
  website!: DiscoveryWebsiteCheckDoc | null;

  @ApiProperty({ type: [String], description: 'What is missing or wrong, in words; empty when valid' })
  problems!: string[];
}

export class DiscoveryRankedReelDoc {
  @ApiProperty()
  id!: string;

  @ApiProperty({ type: 'string', nullable: true })
  url!: string | null;

  @ApiProperty({ type: 'string', nullable: true, description: "The reel's video file, when the profile service gives one" })
  video_url!: string | null;

  @ApiProperty({ type: 'string', nullable: true })
  caption!: string | null;

  @ApiProperty({ description: 'As the profile service counted them' })
  views!: number;

  @ApiProperty()
  likes!: number;

  @ApiProperty()
  comments!: number;

  @ApiProperty({ type: String, format: 'date-time' })
  posted_at!: string;

  @ApiProperty({ description: "views ÷ the profile's median views" })
  outlier_score!: number;

  @ApiProperty({ description: '(likes + comments) ÷ views' })
  engagement_rate!: number;
}

export class DiscoveryReelRankingDoc {
  @ApiProperty()
  username!: string;

  @ApiProperty({ type: 'number', nullable: true })
  followers!: number | null;

  @ApiProperty({ type: 'integer', description: 'Reels ranked (the most recent, at most 50)' })
  reelsCount!: number;

  @ApiProperty()
  medianViews!: number;

  @ApiProperty()
  averageEngagementRate!: number;

  @ApiProperty({ type: [DiscoveryRankedReelDoc], description: 'Every reel ranked, most recent first' })
  reels!: DiscoveryRankedReelDoc[];

  @ApiProperty({ type: [DiscoveryRankedReelDoc], description: 'The highest outlier scores first' })
  topReels!: DiscoveryRankedReelDoc[];
}

export class DiscoveryInstagramFindingDoc {
  @ApiProperty({ description: 'Without @' })
  handle!: string;

  @ApiProperty({ description: 'The page the handle was found on' })
  sourceUrl!: string;

  @ApiProperty({ description: 'Whether the profile service knows the account (false when none is configured)' })
  confirmed!: boolean;

  @ApiProperty({ type: DiscoveryReelRankingDoc, nullable: true, description: 'Null when the account was not confirmed' })
  ranking!: DiscoveryReelRankingDoc | null;
}

export class DiscoveryWeeklyPointDoc {
  @ApiProperty({ type: String, format: 'date', description: 'The Monday (UTC) of the week' })
  week!: string;

  @ApiProperty({ description: "The week's reels' views together" })
  views!: number;

  @ApiProperty({ type: 'integer' })
  posts!: number;
}

export class DiscoveryBusinessTrendDoc {
  @ApiProperty()
  key!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ type: [DiscoveryWeeklyPointDoc] })
  weeks!: DiscoveryWeeklyPointDoc[];

  @ApiProperty({ enum: TREND_DIRECTIONS })
  direction!: string;

  @ApiProperty({ description: 'Least-squares slope of views per post, per week' })
  viewsSlopePerWeek!: number;
}

// ---------- discovery.jobs ----------

export class DiscoveredCompetitorDoc {
  @ApiProperty({ description: 'The business within the search' })
  key!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ type: 'string', nullable: true })
  address!: string | null;

  @ApiProperty({ type: 'string', nullable: true, description: 'Null when the places service gave none, or the outbound policy refuses it' })
  website!: string | null;

  @ApiProperty({ type: 'string', nullable: true })
  phone!: string | null;

  @ApiProperty({ type: 'string', nullable: true })
  category!: string | null;

  @ApiProperty({ type: 'number', nullable: true })
  rating!: number | null;

  @ApiProperty({ type: 'string', format: 'uuid', nullable: true, description: "Its validate-business child's job id" })
  validationJobId!: string | null;
}

export class DiscoverCompetitorsResult {
  @ApiPropertyOptional({ description: "The payload's businessId, when it gave one" })
  businessId?: string;

  @ApiProperty()
  businessName!: string;

  @ApiProperty({ type: 'integer' })
  businessesFound!: number;

  @ApiProperty({ type: [DiscoveredCompetitorDoc] })
  businesses!: DiscoveredCompetitorDoc[];
}

export class DiscoveryBusinessRefDoc {
  @ApiProperty({ description: "The business within the discovery (its detection's key)" })
  key!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ type: 'string', nullable: true })
  website!: string | null;
}

export class DiscoverWithInstagramResult {
  @ApiProperty({ format: 'uuid', description: 'This job’s id' })
  discoveryId!: string;

  @ApiProperty({ format: 'uuid', description: 'The report’s id (the discovery’s)' })
  reportId!: string;

  @ApiProperty({ example: '/api/v1/reports/4f0c…', description: 'Where the report is read' })
  report!: string;

  @ApiProperty({ example: '/api/v1/reports/4f0c…/pdf', description: 'Where its PDF is downloaded' })
  pdf!: string;

  @ApiProperty({ example: '/api/v1/jobs/4f0c…/flow', description: 'Where the flow is followed' })
  flow!: string;

  @ApiProperty({ type: 'integer' })
  businessesFound!: number;

  @ApiProperty({ type: [DiscoveryBusinessRefDoc] })
  businesses!: DiscoveryBusinessRefDoc[];

  @ApiProperty({ type: [DiscoveryFlowChildDoc], description: 'The detect-instagram-profiles children, by business key' })
  detections!: DiscoveryFlowChildDoc[];
}

export class ValidateBusinessResult extends DiscoveryBusinessValidationDoc {
  @ApiProperty()
  name!: string;

  @ApiProperty({ type: [String], description: 'Social profile links found on the website' })
  socials!: string[];
}

// ---------- instagram.jobs ----------

export class DetectInstagramProfilesResult {
  @ApiProperty()
  businessName!: string;

  @ApiProperty({ type: 'string', nullable: true, description: "The payload's businessKey (set in a discovery)" })
  businessKey!: string | null;

  @ApiProperty({ type: DiscoveryBusinessValidationDoc })
  validation!: DiscoveryBusinessValidationDoc;

  @ApiProperty({ type: DiscoveryInstagramFindingDoc, nullable: true, description: 'Null when no Instagram account was found' })
  instagram!: DiscoveryInstagramFindingDoc | null;

  @ApiProperty({ type: 'string', nullable: true, description: 'Why there is no (confirmed) Instagram' })
  note!: string | null;
}

export class ValidateInstagramProfileResult {
  @ApiProperty()
  username!: string;

  @ApiProperty({ type: Boolean, nullable: true, description: 'Null when no profile service is configured' })
  exists!: boolean | null;

  @ApiPropertyOptional({ type: 'number', nullable: true, description: 'Only when the account exists' })
  followers?: number | null;

  @ApiPropertyOptional({ type: 'integer', description: 'Reels the profile service returned; only when the account exists' })
  reelsCount?: number;

  @ApiProperty({ type: 'string', nullable: true })
  note!: string | null;
}

export class AnalyzeReelsResult {
  @ApiProperty()
  username!: string;

  @ApiProperty({ type: 'string', nullable: true, description: "The payload's profileId" })
  profileId!: string | null;

  @ApiProperty({
    type: DiscoveryReelRankingDoc,
    nullable: true,
    description: 'Null when the account is unknown or no profile service is configured',
  })
  ranking!: DiscoveryReelRankingDoc | null;

  @ApiProperty({ type: 'string', nullable: true, description: 'Why there is no ranking' })
  note!: string | null;
}

// ---------- scraping.jobs ----------

export class DiscoveryScrapedVideoDoc {
  @ApiProperty({ type: 'string', nullable: true, description: 'The business within the discovery; null for reels given in the payload' })
  businessKey!: string | null;

  @ApiProperty()
  reelId!: string;

  @ApiProperty({ pattern: SHA256 })
  checksum!: string;

  @ApiProperty({ type: 'integer' })
  bytes!: number;

  @ApiProperty({ description: 'Whether this caller had stored the same bytes already' })
  deduplicated!: boolean;
}

export class DiscoverySkippedReelDoc {
  @ApiProperty({ type: 'string', nullable: true })
  businessKey!: string | null;

  @ApiProperty()
  reelId!: string;

  @ApiProperty({ description: 'The video URL' })
  url!: string;

  @ApiProperty({ description: 'Why its video could not be had (gone, too large, refused)' })
  reason!: string;
}

export class DiscoveryVideoAnalysisRefDoc {
  @ApiProperty({ pattern: SHA256 })
  checksum!: string;

  @ApiProperty({ format: 'uuid', description: 'Its analyze-video-content child' })
  jobId!: string;
}

export class ScrapeInstagramVideosResult {
  @ApiPropertyOptional({ format: 'uuid', description: "The payload's discoveryId, when it gave one" })
  discoveryId?: string;

  @ApiProperty({ type: [DiscoveryScrapedVideoDoc] })
  videos!: DiscoveryScrapedVideoDoc[];

  @ApiProperty({ type: 'integer' })
  distinctVideos!: number;

  @ApiProperty({ type: [DiscoverySkippedReelDoc] })
  skipped!: DiscoverySkippedReelDoc[];

  @ApiProperty({ type: [DiscoveryVideoAnalysisRefDoc], description: 'One analysis per distinct video' })
  analyses!: DiscoveryVideoAnalysisRefDoc[];
}

export class DownloadVideoResult {
  @ApiProperty()
  url!: string;

  @ApiProperty({ type: 'string', nullable: true })
  reelId!: string | null;

  @ApiProperty({ pattern: SHA256, description: 'SHA-256 of the bytes: the stored video’s name' })
  checksum!: string;

  @ApiProperty({ type: 'integer' })
  bytes!: number;

  @ApiProperty({ type: 'string', nullable: true })
  contentType!: string | null;

  @ApiProperty({ description: 'Whether this caller had stored the same bytes already' })
  deduplicated!: boolean;
}

export class UploadToStorageResult {
  @ApiProperty({ pattern: SHA256 })
  checksum!: string;

  @ApiProperty({ description: 'False when no object storage is configured' })
  uploaded!: boolean;

  @ApiProperty({ type: 'string', nullable: true, description: "The object storage's URL for it, when it gave one" })
  url!: string | null;

  @ApiProperty({ type: 'string', nullable: true })
  note!: string | null;
}

// ---------- video.jobs ----------

export class AnalyzeVideoContentResult {
  @ApiProperty({ enum: ['comprehensive'] })
  analysisType!: 'comprehensive';

  @ApiProperty({ pattern: SHA256 })
  checksum!: string;

  @ApiProperty({ type: 'string', nullable: true })
  videoId!: string | null;

  @ApiProperty({ type: VideoMediaFactsDoc })
  media!: VideoMediaFactsDoc;

  @ApiProperty({ type: [VideoHighlightDoc] })
  highlights!: VideoHighlightDoc[];

  @ApiProperty({ type: 'integer', nullable: true, description: 'Null when the video was not transcribed' })
  transcriptSegments!: number | null;

  @ApiProperty({ type: 'string', nullable: true, description: 'The first transcribed sentence' })
  transcriptOpening!: string | null;

  @ApiProperty({ type: [String], description: 'What was not done and why' })
  notes!: string[];
}

export class ExtractMetadataResult {
  @ApiProperty({ pattern: SHA256 })
  checksum!: string;

  @ApiProperty({ type: VideoMediaFactsDoc })
  media!: VideoMediaFactsDoc;
}

export class DiscoveryInsightsSummaryDoc {
  @ApiProperty()
  key!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty()
  postsPerWeek!: number;

  @ApiProperty({ type: 'integer', description: 'Hook patterns found' })
  hooks!: number;

  @ApiProperty({ type: 'integer', description: 'Analysed videos with their peaks' })
  peaks!: number;
}

export class GenerateInsightsResult {
  @ApiProperty({ format: 'uuid' })
  discoveryId!: string;

  @ApiProperty({ type: 'integer', description: 'Completed analyses read' })
  videosAnalysed!: number;

  @ApiProperty({ type: [DiscoveryInsightsSummaryDoc], description: 'The businesses with reels' })
  businesses!: DiscoveryInsightsSummaryDoc[];

  @ApiProperty({ type: 'string', format: 'uuid', nullable: true, description: 'The generate-competitor-report job that follows' })
  report!: string | null;
}

// ---------- report.jobs ----------

export class GenerateTrendAnalysisResult {
  @ApiProperty({ type: [DiscoveryWeeklyPointDoc], description: 'All businesses together, oldest week first' })
  overall!: DiscoveryWeeklyPointDoc[];

  @ApiProperty({ type: [DiscoveryBusinessTrendDoc], description: 'Per business with reels' })
  byBusiness!: DiscoveryBusinessTrendDoc[];

  @ApiProperty({ enum: TREND_DIRECTIONS })
  direction!: string;

  @ApiProperty()
  viewsSlopePerWeek!: number;
}

export class DiscoveryReportSummaryDoc {
  @ApiProperty({ type: 'integer' })
  businessesFound!: number;

  @ApiProperty({ type: 'integer' })
  withInstagram!: number;

  @ApiProperty({ type: 'integer' })
  withoutInstagram!: number;

  @ApiProperty({ type: 'integer' })
  videosAnalysed!: number;
}

export class GenerateCompetitorReportResult {
  @ApiProperty({ format: 'uuid' })
  reportId!: string;

  @ApiProperty({ example: '/api/v1/reports/4f0c…' })
  report!: string;

  @ApiProperty({ example: '/api/v1/reports/4f0c…/pdf' })
  pdf!: string;

  @ApiProperty({ type: 'string', format: 'uuid', nullable: true, description: 'The export-pdf-report child' })
  pdfJobId!: string | null;

  @ApiProperty({ type: DiscoveryReportSummaryDoc })
  summary!: DiscoveryReportSummaryDoc;
}

export class ExportPdfReportResult {
  @ApiProperty({ format: 'uuid' })
  reportId!: string;

  @ApiProperty({ type: 'integer', description: "The PDF's size" })
  bytes!: number;

  @ApiProperty({ pattern: SHA256 })
  sha256!: string;

  @ApiProperty({ example: '/api/v1/reports/4f0c…/pdf' })
  pdf!: string;
}
