import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { DownstreamClient, DownstreamError, isJsonObject } from '@conveyor/job-runtime';
import { FetchedReel } from './viral-analytics';

export interface FetchedProfile {
  username: string;
  followers: number | null;
  reels: FetchedReel[];
}

/**
 * The three services a run calls, with the wire formats Conveyor expects (README, "Viral-ideas
 * analysis"). Responses are checked field by field: a reel with a missing or negative count is
 * dropped, a body of the wrong shape is a failed call.
 */
@Injectable()
export class ViralServices {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly client: DownstreamClient,
  ) {}

  get profilesConfigured(): boolean {
    return this.config.services.profileUrl !== undefined;
  }

  get transcriptsConfigured(): boolean {
    return this.config.services.transcriptUrl !== undefined;
  }

  get ideasConfigured(): boolean {
    return this.config.services.analysisUrl !== undefined;
  }

  /** `GET /profiles/{username}[?since=ISO]`: the profile and its recent reels (newer than `since`). */
  async profile(username: string, since: string | null, signal: AbortSignal): Promise<FetchedProfile> {
    const query = since ? `?since=${encodeURIComponent(since)}` : '';
    const body = await this.client.getJson(this.url(this.config.services.profileUrl, `profiles/${pathSegment(username)}${query}`), signal);
    if (!isJsonObject(body) || !Array.isArray(body.reels))
      throw new DownstreamError(`Profile service: no reels array for @${username}`, null);
    const reels = body.reels.map(toReel).filter((r): r is FetchedReel => r !== null);
    return {
      username,
      followers: typeof body.followers === 'number' && body.followers >= 0 ? body.followers : null,
      // Only newer content, even from a service that ignores `since`.
      reels: since ? reels.filter((r) => r.posted_at > since) : reels,
    };
  }

  /** `GET /transcripts/{reelId}` → `{ text }`. */
  async transcript(reelId: string, signal: AbortSignal): Promise<string> {
    const body = await this.client.getJson(this.url(this.config.services.transcriptUrl, `transcripts/${pathSegment(reelId)}`), signal);
    if (!isJsonObject(body) || typeof body.text !== 'string')
      throw new DownstreamError(`Transcript service: no text for reel ${reelId}`, null);
    return body.text;
  }

  /** `POST /ideas` with the analysis context → `{ ideas: [...] }`. */
  async ideas(context: object, signal: AbortSignal): Promise<unknown[]> {
    const body = await this.client.postJson(this.url(this.config.services.analysisUrl, 'ideas'), context, signal);
    if (!isJsonObject(body) || !Array.isArray(body.ideas)) throw new DownstreamError('Idea service: no ideas array in its answer', null);
    return body.ideas.slice(0, 100);
  }

  private url(base: string | undefined, path: string): string {
    if (!base) throw new DownstreamError('service is not configured', null);
    return `${base.replace(/\/+$/, '')}/${path}`;
  }
}

/**
 * One URL path segment from a value we did not choose (a username, a reel id the profile service
 * sent): escaped, and never `.` or `..`, which URL parsing would resolve to another path.
 */
export function pathSegment(value: string): string {
  if (value === '' || value === '.' || value === '..') throw new DownstreamError(`"${value}" is not usable in a service URL`, null);
  return encodeURIComponent(value);
}

const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null);

function toReel(raw: unknown): FetchedReel | null {
  if (!isJsonObject(raw) || typeof raw.id !== 'string' || raw.id.length === 0) return null;
  const views = count(raw.views);
  const likes = count(raw.likes ?? 0);
  const comments = count(raw.comments ?? 0);
  const postedAt = typeof raw.posted_at === 'string' ? new Date(raw.posted_at) : null;
  if (views === null || likes === null || comments === null || !postedAt || Number.isNaN(postedAt.getTime())) return null;
  return {
    id: raw.id.slice(0, 200),
    url: typeof raw.url === 'string' ? raw.url.slice(0, 2048) : null,
    caption: typeof raw.caption === 'string' ? raw.caption.slice(0, 2200) : null,
    video_url: typeof raw.video_url === 'string' ? raw.video_url.slice(0, 2048) : null,
    views,
    likes,
    comments,
    posted_at: postedAt.toISOString(),
  };
}
