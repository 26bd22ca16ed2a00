import { Inject, Injectable } from '@nestjs/common';
import { ConveyorError, ErrorCode } from '@conveyor/contracts';
import { RunAdmission, RunAdmissionFor, RunStart } from '@conveyor/queueing';
import { CONTENT_GENERATION, WEBSITE_CONTENT_SETTINGS, WebsiteContentSettings } from '../contracts';
import { ContentCredits } from './content-credits';

/** A retried content generation reserves its credits again, like its first submit did. */
@RunAdmissionFor(CONTENT_GENERATION)
@Injectable()
export class ContentRunAdmission implements RunAdmission {
  constructor(
    private readonly credits: ContentCredits,
    @Inject(WEBSITE_CONTENT_SETTINGS) private readonly settings: WebsiteContentSettings,
  ) {}

  async admit({ owner, jobId, run }: RunStart): Promise<void> {
    if (owner.kind !== 'user') throw new ConveyorError(ErrorCode.Unauthenticated, 'Content generation is for signed-in users');
    await this.credits.reserve(owner.id, jobId, run, this.settings.contentGenerationCredits);
  }

  async withdraw({ owner, jobId, run }: RunStart): Promise<void> {
    if (owner.kind === 'user') await this.credits.release(owner.id, jobId, run);
  }
}
