import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { ConveyorError, ErrorCode, ownerKey } from '@conveyor/contracts';
import { Caller } from '@conveyor/http';
import { JobProducer } from '@conveyor/queueing';
import { randomUUID } from 'node:crypto';
import { ContentCredits } from '../credits';
import {
  CONTENT_GENERATION,
  ContentGenerationPayload,
  WEBSITE_ANALYSIS,
  WEBSITE_CONTENT_SETTINGS,
  WebsiteAnalysisPayload,
  WebsiteContentSettings,
} from '../contracts';
import { CreditLedger, WebsiteContentRepository } from '../data';
import { CreatedJobResponse, CreditsResponse, GrantCreditsResponse } from './dto/website-content.dto';
import { WebsiteContentErrorCode } from './website-content.errors';

const RECENT_ENTRIES = 50;

/** Seed 003's create routes and the credits routes. */
@Injectable()
export class WebsiteContentService {
  constructor(
    private readonly producer: JobProducer,
    private readonly credits: ContentCredits,
    private readonly ledger: CreditLedger,
    private readonly repository: WebsiteContentRepository,
    @Inject(WEBSITE_CONTENT_SETTINGS) private readonly settings: WebsiteContentSettings,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async analyseWebsite(caller: Caller, body: WebsiteAnalysisPayload): Promise<CreatedJobResponse> {
    const job = await this.producer.submit(caller.owner, { type: WEBSITE_ANALYSIS, data: { url: body.url } });
    return { jobId: job.jobId, status: 'queued' };
  }

  /**
   * Reserves the run's credits, then submits; the reservation is released if the submit fails.
   * Refused before anything is reserved when the generation service is not configured.
   */
  async generateContent(caller: Caller, body: ContentGenerationPayload): Promise<CreatedJobResponse> {
    const userId = signedInUser(caller);
    if (this.config.services.generationUrl === undefined) {
      throw new ConveyorError(
        WebsiteContentErrorCode.ServiceNotConfigured,
        'Content generation needs the generation service, which is not configured',
        {
          troubleshooting: 'Set GENERATION_SERVICE_URL on the API and the worker',
        },
      );
    }
    if (body.organizationId !== undefined) {
      const organization = await this.repository.findOrganization(ownerKey(caller.owner));
      if (organization?._id !== body.organizationId) {
        throw new ConveyorError(WebsiteContentErrorCode.OrganizationNotFound, `Organization ${body.organizationId} not found`);
      }
    }
    const jobId = randomUUID();
    await this.credits.reserve(userId, jobId, 1, this.settings.contentGenerationCredits);
    try {
      const [outcome] = await this.producer.submitClaimed([
        { owner: caller.owner, jobId, input: { type: CONTENT_GENERATION, data: { ...body } } },
      ]);
      if ('error' in outcome) throw outcome.error;
    } catch (error) {
      await this.credits.release(userId, jobId, 1);
      throw error;
    }
    return { jobId, status: 'queued' };
  }

  async creditsOf(caller: Caller): Promise<CreditsResponse> {
    return this.creditsView(signedInUser(caller));
  }

  async grant(userId: string, amount: number, reason: string, grantId: string = randomUUID()): Promise<GrantCreditsResponse> {
    const granted = await this.credits.grant(userId, amount, reason, grantId);
    return { granted, grantId, ...(await this.creditsView(userId)) };
  }

  private async creditsView(userId: string): Promise<CreditsResponse> {
    const totals = await this.credits.settle(userId);
    const recent = await this.ledger.recent(userId, RECENT_ENTRIES);
    return {
      userId,
      ...totals,
      contentGenerationCost: this.settings.contentGenerationCredits,
      recent: recent.map((e) => ({
        kind: e.kind,
        amount: e.amount,
        jobId: e.jobId,
        run: e.run,
        reason: e.reason,
        createdAt: e.createdAt.toISOString(),
      })),
    };
  }
}

function signedInUser(caller: Caller): string {
  if (caller.owner.kind !== 'user') {
    throw new ConveyorError(
      ErrorCode.Unauthenticated,
      'Content generation and credits are for signed-in users; an anonymous session cannot use them',
    );
  }
  return caller.owner.id;
}
