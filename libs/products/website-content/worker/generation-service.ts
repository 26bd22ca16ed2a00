import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { DownstreamClient, DownstreamError, isJsonObject } from '@conveyor/job-runtime';
import { WEBSITE_CONTENT_SETTINGS, WebsiteContentSettings } from '../contracts';

export interface Audience {
  name: string;
  description: string;
  painPoints: string[];
}

export interface Pitch {
  headline: string;
  body: string;
  cta: string;
}

export interface GeneratedPost {
  title: string;
  content: string;
  metaDescription: string;
  tags: string[];
}

/** Most audiences and pitches kept from one answer. */
const MAX_AUDIENCES = 5;
const MAX_PITCHES = 5;

/**
 * The generation service (`GENERATION_SERVICE_URL`, README "Website analysis and content
 * generation"): `POST {url}/generate`
 * with `{ task, input }` answers `200 { output }`. Answers are checked field by field; an item
 * with a missing or wrong field is dropped, an answer with nothing usable is a failed call.
 */
@Injectable()
export class GenerationService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WEBSITE_CONTENT_SETTINGS) private readonly settings: WebsiteContentSettings,
    private readonly client: DownstreamClient,
  ) {}

  get configured(): boolean {
    return this.config.services.generationUrl !== undefined;
  }

  async audiences(analysis: object, signal: AbortSignal): Promise<Audience[]> {
    const output = await this.generate('audiences', analysis, signal);
    const audiences = asArray(output)
      .map((item): Audience | null =>
        isJsonObject(item) && isText(item.name) && isText(item.description)
          ? { name: item.name, description: item.description, painPoints: asArray(item.painPoints).filter(isText) }
          : null,
      )
      .filter((a): a is Audience => a !== null);
    if (audiences.length === 0) throw new DownstreamError('Generation service: no usable audience in its answer', null);
    return audiences.slice(0, MAX_AUDIENCES);
  }

  async pitches(analysis: object, audience: Audience, signal: AbortSignal): Promise<Pitch[]> {
    const output = await this.generate('pitches', { analysis, audience }, signal);
    const pitches = asArray(output)
      .map((item): Pitch | null =>
        isJsonObject(item) && isText(item.headline) && isText(item.body) && isText(item.cta)
          ? { headline: item.headline, body: item.body, cta: item.cta }
          : null,
      )
      .filter((p): p is Pitch => p !== null);
    if (pitches.length === 0) throw new DownstreamError(`Generation service: no usable pitch for ${audience.name}`, null);
    return pitches.slice(0, MAX_PITCHES);
  }

  async image(input: object, signal: AbortSignal): Promise<string> {
    const output = await this.generate('image', input, signal);
    if (!isJsonObject(output) || !isText(output.imageUrl) || !/^https?:\/\//i.test(output.imageUrl)) {
      throw new DownstreamError('Generation service: no http(s) imageUrl in its answer', null);
    }
    return output.imageUrl;
  }

  async blogPost(input: object, signal: AbortSignal): Promise<GeneratedPost> {
    const output = await this.generate('blog_post', input, signal);
    if (!isJsonObject(output) || !isText(output.title) || !isText(output.content)) {
      throw new DownstreamError('Generation service: the blog post needs a title and content', null);
    }
    return {
      title: output.title,
      content: output.content,
      metaDescription: isText(output.metaDescription) ? output.metaDescription : '',
      tags: asArray(output.tags).filter(isText).slice(0, 20),
    };
  }

  private async generate(task: string, input: unknown, signal: AbortSignal): Promise<unknown> {
    const base = this.config.services.generationUrl;
    if (!base) throw new DownstreamError('The generation service is not configured (GENERATION_SERVICE_URL)', null);
    const token = this.config.serviceTokens.generation;
    const body = await this.client.postJson(`${base.replace(/\/+$/, '')}/generate`, { task, input }, signal, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      timeoutMs: this.settings.generationTimeoutMs,
    });
    if (!isJsonObject(body) || !('output' in body)) throw new DownstreamError(`Generation service: no output in its ${task} answer`, null);
    return body.output;
  }
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
