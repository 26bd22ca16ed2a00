import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig, loadSettings } from '@conveyor/config';
import { DownstreamClient, OutboundModule } from '@conveyor/job-runtime';
import { ViralServices } from '../../viral-ideas/worker';
import { VideoAnalysisWorkerModule } from '../../video-analysis/worker';
import { BUSINESS_DISCOVERY_SETTINGS, businessDiscoverySettingsSchema } from '../contracts';
import { BusinessDiscoveryDataModule } from '../data';
import { DiscoverCompetitorsHandler, DiscoverWithInstagramHandler, ValidateBusinessHandler } from './handlers/discovery.handlers';
import { AnalyzeReelsHandler, DetectInstagramProfilesHandler, ValidateInstagramProfileHandler } from './handlers/instagram.handlers';
import { DownloadVideoHandler, ScrapeInstagramVideosHandler, UploadToStorageHandler } from './handlers/scraping.handlers';
import { AnalyzeVideoContentHandler, ExtractMetadataHandler, GenerateInsightsHandler } from './handlers/video.handlers';
import { ExportPdfReportHandler, GenerateCompetitorReportHandler, GenerateTrendAnalysisHandler } from './handlers/report.handlers';
import { PlacesService } from './places-service';
import { PlacesSearch } from './places-search';
import { VideoStore } from './video-store';

/**
 * The business-discovery product's worker side (seed 004): its fifteen handlers, the places
 * service client and the video store. It shares the profile client with viral-ideas and the
 * video pipeline with video-analysis (whose worker module it imports).
 */
@Module({
  imports: [BusinessDiscoveryDataModule, OutboundModule, VideoAnalysisWorkerModule],
  providers: [
    {
      provide: BUSINESS_DISCOVERY_SETTINGS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => loadSettings(businessDiscoverySettingsSchema, config),
    },
    DownstreamClient,
    ViralServices,
    PlacesService,
    PlacesSearch,
    VideoStore,
    DiscoverWithInstagramHandler,
    DiscoverCompetitorsHandler,
    ValidateBusinessHandler,
    DetectInstagramProfilesHandler,
    ValidateInstagramProfileHandler,
    AnalyzeReelsHandler,
    ScrapeInstagramVideosHandler,
    DownloadVideoHandler,
    UploadToStorageHandler,
    AnalyzeVideoContentHandler,
    ExtractMetadataHandler,
    GenerateInsightsHandler,
    GenerateTrendAnalysisHandler,
    GenerateCompetitorReportHandler,
    ExportPdfReportHandler,
  ],
})
export class BusinessDiscoveryWorkerModule {}
