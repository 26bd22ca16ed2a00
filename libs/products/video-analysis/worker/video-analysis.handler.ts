import { Inject, Injectable } from '@nestjs/common';
import { messageOf, ownerKey } from '@conveyor/contracts';
import {
  JobContext,
  JobHandler,
  JobHandlerContract,
  OutboundHttp,
  PermanentJobError,
  downloadToFile,
  fetchPage,
} from '@conveyor/job-runtime';
import { mkdir, rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { VIDEO_ANALYSIS_SETTINGS, VideoAnalysisPayload, VideoAnalysisSettings, VideoStage, videoAnalysisJob } from '../contracts';
import { VideoAnalysesRepository } from '../data';
import { GuideWebhooks } from '../runs';
import { GuideProgressReporter } from './guide-progress-reporter';
import { Highlight } from './highlights';
import { MediaFacts, probeMedia } from './media-facts';
import { ChatMessage, SignalWindow, TranscriptSegment, parseChat } from './signals';
import { VideoPipeline, WINDOW_SECONDS } from './video-pipeline';

const DEFAULT_MAX_HIGHLIGHTS = 10;
const MAX_REDIRECTS = 5;
/** Bytes over which download progress without a declared length reaches about 60 % of its band. */
const UNKNOWN_LENGTH_SCALE = 100 * 1024 * 1024;

/**
 * What the job returns (kept in Bull and the job record): the facts and highlights without the
 * bulky timelines. The full result is in `video_analyses`, read by GET /api/v1/analysis/:job_id.
 */
export interface VideoAnalysisSummary {
  video_id: string;
  media: MediaFacts;
  highlights: Highlight[];
  transcript_segments: number | null;
  chat_messages: number | null;
  notes: string[];
  /** Where the full result is. */
  stored_in: 'video_analyses';
}

export interface VideoAnalysisResult {
  video_id: string;
  media: MediaFacts;
  transcript: { segments: TranscriptSegment[] } | null;
  chat: { messages: number; users: number } | null;
  /** Loudness per second, dBFS. */
  loudness_timeline: number[];
  window_seconds: number;
  windows: SignalWindow[];
  highlights: Highlight[];
  notes: string[];
}

/**
 * Seed 002's pipeline, computed here: download (through the outbound policy, capped) and read the
 * media facts (ffprobe), then the shared VideoPipeline (transcribe, analyse, find highlights), save. Progress moves inside each stage's band as
 * bytes arrive and seconds of media are measured. The job's files are removed when it ends.
 */
@JobHandler()
@Injectable()
export class VideoAnalysisHandler implements JobHandlerContract<VideoAnalysisPayload, VideoAnalysisSummary> {
  readonly definition = videoAnalysisJob;

  constructor(
    private readonly http: OutboundHttp,
    private readonly pipeline: VideoPipeline,
    private readonly repository: VideoAnalysesRepository,
    private readonly webhooks: GuideWebhooks,
    @Inject(VIDEO_ANALYSIS_SETTINGS) private readonly settings: VideoAnalysisSettings,
  ) {}

  async run(ctx: JobContext<VideoAnalysisPayload>): Promise<VideoAnalysisSummary> {
    if (!ctx.owner) throw new PermanentJobError('The job does not say who submitted it; submit it again');
    const owner = ctx.owner;
    const { payload } = ctx;
    // Unique per execution: a stalled duplicate of this attempt on the same host never shares it.
    const dir = join(this.settings.storageDir, `${ctx.jobId}-${ctx.run}-${ctx.attempt}-${randomUUID().slice(0, 8)}`);
    const videoPath = join(dir, 'video');
    const notes: string[] = [];
    const reporter = new GuideProgressReporter(this.webhooks, ctx, this.settings.progressWebhookMs);
    // Each stage tells the callback it began; progress within it is told by the periodic webhook.
    const stage = <T>(name: VideoStage, work: (signal: AbortSignal) => Promise<T>) =>
      ctx.step(name, async (signal) => {
        await reporter.enter(name);
        return work(signal);
      });
    const within = (fraction: number) => {
      reporter.within(fraction);
      return ctx.reportStepProgress(fraction);
    };
    await mkdir(dir, { recursive: true });
    reporter.start();
    try {
      const { media, chat } = await stage(VideoStage.Downloading, async (signal) => {
        await downloadToFile(this.http, payload.video_url, videoPath, {
          maxBytes: this.settings.videoMaxBytes,
          timeoutMs: this.settings.downloadTimeoutMs,
          maxRedirects: MAX_REDIRECTS,
          signal,
          what: 'video_url',
          // By bytes; without a declared length, a curve that keeps moving and never reaches the end.
          onProgress: (bytes, total) => within(0.9 * (total ? bytes / total : 1 - Math.exp(-bytes / UNKNOWN_LENGTH_SCALE))),
        });
        const chatLog = payload.chat_url ? await this.chat(payload.chat_url, signal, notes) : null;
        return { media: await probeMedia(videoPath, signal), chat: chatLog };
      });
      const { transcript, loudness, windows, highlights } = await this.pipeline.analyse(
        { videoPath, workDir: dir, media, chat, maxHighlights: payload.max_highlights ?? DEFAULT_MAX_HIGHLIGHTS },
        { stage, within },
        notes,
      );
      const result: VideoAnalysisResult = {
        video_id: payload.video_id,
        media,
        transcript,
        chat: chat ? { messages: chat.length, users: new Set(chat.map((m) => m.user)).size } : null,
        loudness_timeline: loudness,
        window_seconds: WINDOW_SECONDS,
        windows,
        highlights,
        notes,
      };
      await stage(VideoStage.Saving, () =>
        this.repository.save({ _id: ctx.jobId, video_id: payload.video_id, owner_key: ownerKey(owner), result, completed_at: new Date() }),
      );
      await reporter.completed();
      return {
        video_id: result.video_id,
        media,
        highlights,
        transcript_segments: transcript?.segments.length ?? null,
        chat_messages: chat?.length ?? null,
        notes,
        stored_in: 'video_analyses',
      };
    } finally {
      reporter.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** The chat log, or null with a note when it cannot be had (the analysis goes on without it). */
  private async chat(url: string, signal: AbortSignal, notes: string[]): Promise<ChatMessage[] | null> {
    try {
      const page = await fetchPage(this.http, url, {
        maxBytes: this.settings.chatMaxBytes,
        timeoutMs: this.settings.downloadTimeoutMs,
        maxRedirects: MAX_REDIRECTS,
        signal,
        what: 'chat_url',
        accept: 'application/json',
      });
      if (page.status < 200 || page.status >= 300) throw new Error(`chat_url answered ${page.status}`);
      if (page.truncated) throw new Error(`the chat log is larger than ${this.settings.chatMaxBytes} bytes`);
      const raw: unknown = JSON.parse(page.body);
      if (!Array.isArray(raw)) throw new Error('the chat log is not a JSON array of { t, user, text }');
      return parseChat(raw);
    } catch (error) {
      signal.throwIfAborted();
      notes.push(`The chat log could not be used: ${messageOf(error)}`);
      return null;
    }
  }
}
