import { ApiProperty } from '@nestjs/swagger';

/**
 * The result of seed 002's `video.analysis` job as Swagger documents it (JobTypeDefinition.result):
 * the summary the handler returns (VideoAnalysisSummary), without the bulky timelines, which stay
 * in `video_analyses` (GET /api/v1/analysis/:job_id).
 */

export class VideoStreamFactsDoc {
  @ApiProperty({ example: 'h264', description: '`unknown` when ffprobe names none' })
  codec!: string;

  @ApiProperty({ type: 'integer', description: 'Pixels; 0 when ffprobe gives none' })
  width!: number;

  @ApiProperty({ type: 'integer', description: 'Pixels; 0 when ffprobe gives none' })
  height!: number;

  @ApiProperty({ type: 'number', nullable: true, example: 29.97, description: 'Frames per second' })
  frame_rate!: number | null;
}

export class AudioStreamFactsDoc {
  @ApiProperty({ example: 'aac', description: '`unknown` when ffprobe names none' })
  codec!: string;

  @ApiProperty({ type: 'integer', nullable: true, example: 44100, description: 'Hz' })
  sample_rate!: number | null;

  @ApiProperty({ type: 'integer', nullable: true })
  channels!: number | null;
}

/** What ffprobe says about the video (MediaFacts). */
export class VideoMediaFactsDoc {
  @ApiProperty({ type: 'number', description: 'Seconds, to the millisecond' })
  duration_seconds!: number;

  @ApiProperty({ type: 'string', nullable: true, example: 'mov,mp4,m4a,3gp,3g2,mj2', description: 'The container, as ffprobe names it' })
  format!: string | null;

  @ApiProperty({ type: 'integer', nullable: true })
  size_bytes!: number | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Bits per second' })
  bit_rate!: number | null;

  @ApiProperty({ type: VideoStreamFactsDoc, nullable: true, description: 'The first video stream; null when there is none' })
  video!: VideoStreamFactsDoc | null;

  @ApiProperty({ type: AudioStreamFactsDoc, nullable: true, description: 'The first audio stream; null when there is none' })
  audio!: AudioStreamFactsDoc | null;
}

export const HIGHLIGHT_REASONS = ['loudness', 'chat', 'sentiment'] as const;

export class VideoHighlightDoc {
  @ApiProperty({ type: 'number' })
  start_seconds!: number;

  @ApiProperty({ type: 'number' })
  end_seconds!: number;

  @ApiProperty({
    type: 'number',
    description: 'The strongest signal’s z-score over the video’s own baseline (summed when several stand out)',
  })
  score!: number;

  @ApiProperty({ enum: HIGHLIGHT_REASONS, isArray: true, description: 'Which signals stood out' })
  reasons!: Array<(typeof HIGHLIGHT_REASONS)[number]>;
}

export class VideoAnalysisJobResult {
  @ApiProperty({ example: 'vod-2931' })
  video_id!: string;

  @ApiProperty({ type: VideoMediaFactsDoc })
  media!: VideoMediaFactsDoc;

  @ApiProperty({ type: [VideoHighlightDoc], description: 'Ranked by score, at most `max_highlights`' })
  highlights!: VideoHighlightDoc[];

  @ApiProperty({ type: 'integer', nullable: true, description: 'Transcript segments; null when the video was not transcribed' })
  transcript_segments!: number | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Chat messages used; null without a usable chat log' })
  chat_messages!: number | null;

  @ApiProperty({ type: [String], description: 'What could not be done and why (no transcript service, an unusable chat log)' })
  notes!: string[];

  @ApiProperty({ enum: ['video_analyses'], description: 'Where the full result is (GET /api/v1/analysis/:job_id)' })
  stored_in!: 'video_analyses';
}
