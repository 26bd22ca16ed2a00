import { Module } from '@nestjs/common';
import { WebsiteCreditsModule } from '../credits';
import { CreditsController, WebsiteContentController } from './website-content.controller';
import { WebsiteContentService } from './website-content.service';

/** The website-content product's API (seed 003): its create routes and the credits routes. */
@Module({
  imports: [WebsiteCreditsModule],
  controllers: [WebsiteContentController, CreditsController],
  providers: [WebsiteContentService],
})
export class WebsiteContentApiModule {}
