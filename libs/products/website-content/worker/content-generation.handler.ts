import { Inject, Injectable } from '@nestjs/common';
import { messageOf, ownerKey } from '@conveyor/contracts';
import { DownstreamError, JobContext, JobHandler, JobHandlerContract, PermanentJobError } from '@conveyor/job-runtime';
import { ContentCredits } from '../credits';
import {
  ContentGenerationPayload,
  ContentGenerationResult,
  ContentGenerationStep,
  WEBSITE_CONTENT_SETTINGS,
  WebsiteContentSettings,
  contentGenerationJob,
} from '../contracts';
import { ContentPost, WebsiteContentRepository } from '../data';
import { GenerationService } from './generation-service';

/**
 * Generates a blog post with the generation service, a header image if it can, saves the post to
 * the caller's organization (once per job) and captures the credits reserved for the run (once
 * per job). A redelivered job whose post was already saved does neither again: it captures (a
 * no-op if done) and answers from the saved post.
 */
@JobHandler()
@Injectable()
export class ContentGenerationHandler implements JobHandlerContract<ContentGenerationPayload, ContentGenerationResult> {
  readonly definition = contentGenerationJob;

  constructor(
    private readonly repository: WebsiteContentRepository,
    private readonly generation: GenerationService,
    private readonly credits: ContentCredits,
    @Inject(WEBSITE_CONTENT_SETTINGS) private readonly settings: WebsiteContentSettings,
  ) {}

  async run(ctx: JobContext<ContentGenerationPayload>): Promise<ContentGenerationResult> {
    const startedAt = Date.now();
    const owner = ctx.owner;
    if (owner?.kind !== 'user') throw new PermanentJobError('Content generation is for signed-in users');
    const cost = this.settings.contentGenerationCredits;
    const saved = await this.repository.findPost(ctx.jobId);
    if (saved) {
      await this.charge(ctx, owner.id, cost);
      return resultOf(saved, ctx.payload.topic, {
        generationMs: null,
        answerBytes: null,
        totalMs: Date.now() - startedAt,
        credits: cost,
        redelivered: true,
      });
    }
    if (!this.generation.configured) throw new PermanentJobError('The generation service is not configured (GENERATION_SERVICE_URL)');
    const { topic, businessInfo, additionalInstructions, options } = ctx.payload;
    const generated = await ctx.step(ContentGenerationStep.Generate, async (signal) => {
      const began = Date.now();
      const post = await this.generation.blogPost({ topic, businessInfo, additionalInstructions, options }, signal);
      return { post, generationMs: Date.now() - began, answerBytes: Buffer.byteLength(JSON.stringify(post)) };
    });
    const image = await ctx.step(ContentGenerationStep.Image, async (signal) => {
      try {
        return {
          status: 'generated' as const,
          imageUrl: await this.generation.image({ topic, title: generated.post.title }, signal),
          reason: null,
        };
      } catch (error) {
        if (!(error instanceof DownstreamError)) throw error;
        return { status: 'failed' as const, imageUrl: null, reason: messageOf(error) };
      }
    });
    const post = await ctx.step(ContentGenerationStep.Save, async (signal) => {
      const organization = await this.repository.organizationOf(ownerKey(owner));
      signal.throwIfAborted(); // cancelled or timed out meanwhile: save nothing
      const kept = await this.repository.savePost({
        _id: ctx.jobId,
        organizationId: organization._id,
        topic,
        ...generated.post,
        headerImageUrl: image.imageUrl,
        createdAt: new Date(),
      });
      // After the save, so a run that dies between the two is charged when it is redelivered.
      await this.charge(ctx, owner.id, cost);
      return kept;
    });
    const result = resultOf(post, topic, {
      generationMs: generated.generationMs,
      answerBytes: generated.answerBytes,
      totalMs: Date.now() - startedAt,
      credits: cost,
      redelivered: false,
    });
    return { ...result, imageGeneration: image };
  }

  /**
   * Captures the run's credits. If the run was closed by a release first (cancelled or failed
   * while saving), the post is not kept: nothing is charged, so nothing is delivered.
   */
  private async charge(ctx: JobContext<ContentGenerationPayload>, userId: string, cost: number): Promise<void> {
    if ((await this.credits.capture(userId, ctx.jobId, ctx.run, cost)) !== 'lost') return;
    await this.repository.deletePost(ctx.jobId);
    throw new RunClosedUnchargedError('The run ended (cancelled or failed) before its post was charged; the post was not kept');
  }
}

/** A run whose reservation was released before its capture (it was cancelled or failed meanwhile). */
class RunClosedUnchargedError extends PermanentJobError {}

function resultOf(post: ContentPost, topic: string, metadata: Omit<ContentGenerationResult['metadata'], 'topic'>): ContentGenerationResult {
  return {
    data: { title: post.title, content: post.content, metaDescription: post.metaDescription, tags: post.tags },
    savedPost: {
      id: post._id,
      organizationId: post.organizationId,
      title: post.title,
      headerImageUrl: post.headerImageUrl,
      createdAt: post.createdAt.toISOString(),
    },
    metadata: { topic, ...metadata },
    imageGeneration: post.headerImageUrl
      ? { status: 'generated', imageUrl: post.headerImageUrl, reason: null }
      : { status: 'failed', imageUrl: null, reason: 'No header image was saved with the post' },
  };
}
