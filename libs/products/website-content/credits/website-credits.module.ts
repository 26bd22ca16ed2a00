import { Module } from '@nestjs/common';
import { AppConfig, loadSettings, APP_CONFIG } from '@conveyor/config';
import { WEBSITE_CONTENT_SETTINGS, websiteContentSettingsSchema } from '../contracts';
import { WebsiteContentDataModule } from '../data';
import { ContentCredits } from './content-credits';
import { ContentRunAdmission } from './content-run-admission';
import { ContentRunHooks } from './content-run-hooks';

/** Credits and the hooks that keep them with the runs, for both apps; with the product's settings. */
@Module({
  imports: [WebsiteContentDataModule],
  providers: [
    {
      provide: WEBSITE_CONTENT_SETTINGS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => loadSettings(websiteContentSettingsSchema, config),
    },
    ContentCredits,
    ContentRunAdmission,
    ContentRunHooks,
  ],
  exports: [WEBSITE_CONTENT_SETTINGS, ContentCredits, WebsiteContentDataModule],
})
export class WebsiteCreditsModule {}
