import { Injectable } from '@nestjs/common';
import { join } from 'node:path';
import { VideoStage } from '../contracts';
import { Highlight, findHighlights } from './highlights';
import { extractAudio, loudnessPerSecond } from './loudness';
import { MediaFacts } from './media-facts';
import { ChatMessage, SignalWindow, TranscriptSegment, signalWindows } from './signals';
import { TranscriptService } from './transcript-service';

/** Seconds per analysis window (loudness, chat rate and sentiment are compared window by window). */
export const WINDOW_SECONDS = 5;

export const NO_TRANSCRIPT_NOTE = 'No transcript service is configured (TRANSCRIPT_SERVICE_URL): the video was not transcribed.';

/** How the pipeline runs its stages as the caller's job steps, and reports progress within one. */
export interface PipelineStages {
  stage<T>(name: VideoStage, work: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Progress within the current stage, 0–1. */
  within(fraction: number): Promise<void>;
}

export interface VideoToAnalyse {
  videoPath: string;
  /** A folder of the job's own for intermediate files (the extracted audio). */
  workDir: string;
  media: MediaFacts;
  chat: ChatMessage[] | null;
  maxHighlights: number;
}

export interface AnalysedVideo {
  transcript: { segments: TranscriptSegment[] } | null;
  /** Loudness per second, dBFS. */
  loudness: number[];
  windows: SignalWindow[];
  highlights: Highlight[];
}

/**
 * Seed 002's analysis of a video already on disk, shared by every job that analyses one:
 * transcribe (FFmpeg extracts the audio; the transcript service, if configured, transcribes it),
 * analyse (loudness per second, chat rate and sentiment per window), find highlights (z-scores
 * against the video's own baseline). What could not be done is added to `notes`.
 */
@Injectable()
export class VideoPipeline {
  constructor(private readonly transcripts: TranscriptService) {}

  async analyse(video: VideoToAnalyse, stages: PipelineStages, notes: string[]): Promise<AnalysedVideo> {
    const { videoPath, media } = video;
    const transcript = await stages.stage(VideoStage.Transcribing, async (signal) => {
      if (!media.audio) {
        notes.push('The video has no audio track: nothing to transcribe or measure.');
        return null;
      }
      if (!this.transcripts.configured) {
        notes.push(NO_TRANSCRIPT_NOTE);
        return null;
      }
      const wavPath = join(video.workDir, 'audio.wav');
      await extractAudio(videoPath, wavPath, signal);
      await stages.within(0.3);
      return { segments: await this.transcripts.transcribe(wavPath, signal) };
    });
    const { loudness, windows } = await stages.stage(VideoStage.Analyzing, async (signal) => {
      let reported = 0;
      const onSeconds = (seconds: number) => {
        if (seconds - reported < Math.max(1, media.duration_seconds / 50)) return;
        reported = seconds;
        stages.within(Math.min(0.95, seconds / media.duration_seconds)).catch(() => undefined); // an abort ends the step anyway
      };
      const timeline = media.audio ? await loudnessPerSecond(videoPath, signal, onSeconds) : [];
      return {
        loudness: timeline,
        windows: signalWindows(timeline, video.chat ?? [], transcript?.segments ?? [], WINDOW_SECONDS, media.duration_seconds),
      };
    });
    const highlights = await stages.stage(VideoStage.FindingHighlights, async () => findHighlights(windows, video.maxHighlights));
    return { transcript, loudness, windows, highlights };
  }
}
