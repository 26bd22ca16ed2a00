import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ContentPost, ContentPostSchema } from './content-post.schema';
import { CreditEntry, CreditEntrySchema } from './credit-entry.schema';
import { CreditLedger } from './credit-ledger.repository';
import { SiteAnalysis, SiteAnalysisSchema } from './site-analysis.schema';
import { SiteCta, SiteCtaSchema } from './site-cta.schema';
import { SiteOrganization, SiteOrganizationSchema } from './site-organization.schema';
import { WebsiteContentRepository } from './website-content.repository';

/** The product's collections on the platform's MongoDB connection. */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: SiteOrganization.name, schema: SiteOrganizationSchema },
      { name: SiteAnalysis.name, schema: SiteAnalysisSchema },
      { name: SiteCta.name, schema: SiteCtaSchema },
      { name: ContentPost.name, schema: ContentPostSchema },
      { name: CreditEntry.name, schema: CreditEntrySchema },
    ]),
  ],
  providers: [WebsiteContentRepository, CreditLedger],
  exports: [WebsiteContentRepository, CreditLedger],
})
export class WebsiteContentDataModule {}
