import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { DiscoveriesRepository } from './discoveries.repository';
import {
  Discovery,
  DiscoveryBusiness,
  DiscoveryBusinessSchema,
  DiscoverySchema,
  StoredVideo,
  StoredVideoSchema,
  VideoName,
  VideoNameSchema,
} from './discovery.schemas';
import { CompetitorReport, CompetitorReportSchema, ReportPdf, ReportPdfSchema } from './report.schemas';
import { ReportsRepository } from './reports.repository';

/** The product's collections on the platform's MongoDB connection. */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Discovery.name, schema: DiscoverySchema },
      { name: DiscoveryBusiness.name, schema: DiscoveryBusinessSchema },
      { name: StoredVideo.name, schema: StoredVideoSchema },
      { name: VideoName.name, schema: VideoNameSchema },
      { name: CompetitorReport.name, schema: CompetitorReportSchema },
      { name: ReportPdf.name, schema: ReportPdfSchema },
    ]),
  ],
  providers: [DiscoveriesRepository, ReportsRepository],
  exports: [DiscoveriesRepository, ReportsRepository],
})
export class BusinessDiscoveryDataModule {}
