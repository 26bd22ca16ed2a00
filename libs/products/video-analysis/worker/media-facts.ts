import { PermanentJobError } from '@conveyor/job-runtime';
import { MediaToolError, ffprobePath, runMediaTool } from './media-tools';

/** What ffprobe says about a media file. */
export interface MediaFacts {
  duration_seconds: number;
  format: string | null;
  size_bytes: number | null;
  bit_rate: number | null;
  video: { codec: string; width: number; height: number; frame_rate: number | null } | null;
  audio: { codec: string; sample_rate: number | null; channels: number | null } | null;
}

/** Longest media analysed (what a container claims is checked too: windows and timelines are sized by it). */
export const MAX_DURATION_SECONDS = 24 * 3600;

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  sample_rate?: string;
  channels?: number;
}

/** Reads duration, container, video and audio streams with ffprobe. A file it cannot read fails for good. */
export async function probeMedia(path: string, signal: AbortSignal): Promise<MediaFacts> {
  let output: Buffer;
  try {
    output = await runMediaTool(ffprobePath(), ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path], signal);
  } catch (error) {
    // Only ffprobe refusing the file is the video's fault; a tool that cannot run is retried.
    if (!(error instanceof MediaToolError)) throw error;
    throw new PermanentJobError(`The video could not be read as media: ${(error as Error).message}`);
  }
  const probe = JSON.parse(output.toString()) as { format?: Record<string, string>; streams?: ProbeStream[] };
  const streams = probe.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video');
  const audio = streams.find((s) => s.codec_type === 'audio');
  const duration = Number(probe.format?.duration);
  if (!Number.isFinite(duration) || duration <= 0) throw new PermanentJobError('The video has no duration ffprobe can read');
  if (duration > MAX_DURATION_SECONDS) throw new PermanentJobError(`The video is longer than ${MAX_DURATION_SECONDS / 3600} hours`);
  return {
    duration_seconds: round(duration, 3),
    format: probe.format?.format_name ?? null,
    size_bytes: numberOrNull(probe.format?.size),
    bit_rate: numberOrNull(probe.format?.bit_rate),
    video: video
      ? {
          codec: video.codec_name ?? 'unknown',
          width: video.width ?? 0,
          height: video.height ?? 0,
          frame_rate: frameRate(video.avg_frame_rate) ?? frameRate(video.r_frame_rate),
        }
      : null,
    audio: audio
      ? { codec: audio.codec_name ?? 'unknown', sample_rate: numberOrNull(audio.sample_rate), channels: audio.channels ?? null }
      : null,
  };
}

/** "30000/1001" → 29.97. */
function frameRate(ratio: string | undefined): number | null {
  const [num, den] = (ratio ?? '').split('/').map(Number);
  return num > 0 && den > 0 ? round(num / den, 3) : null;
}

function numberOrNull(value: string | undefined): number | null {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) ? n : null;
}

function round(value: number, digits: number): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}
