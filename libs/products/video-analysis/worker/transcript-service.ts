import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { DownstreamClient, DownstreamError, isJsonObject } from '@conveyor/job-runtime';
import { TranscriptSegment } from './signals';

/** A transcription may take minutes for an hour of audio. */
const TRANSCRIPTION_TIMEOUT_MS = 10 * 60_000;

/**
 * The transcript service's `POST {TRANSCRIPT_SERVICE_URL}/transcriptions` (body: the audio as
 * WAV) → `{ segments: [{ start, end, text }] }`. Malformed segments are dropped.
 */
@Injectable()
export class TranscriptService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly client: DownstreamClient,
  ) {}

  get configured(): boolean {
    return this.config.services.transcriptUrl !== undefined;
  }

  async transcribe(wavPath: string, signal: AbortSignal): Promise<TranscriptSegment[]> {
    const base = this.config.services.transcriptUrl;
    if (!base) throw new DownstreamError('The transcript service is not configured (TRANSCRIPT_SERVICE_URL)', null);
    const body = await this.client.postFile(`${base.replace(/\/+$/, '')}/transcriptions`, wavPath, 'audio/wav', signal, {
      timeoutMs: TRANSCRIPTION_TIMEOUT_MS,
    });
    if (!isJsonObject(body) || !Array.isArray(body.segments))
      throw new DownstreamError('Transcript service: no segments array in its answer', null);
    return body.segments
      .filter(isJsonObject)
      .filter((s) => typeof s.start === 'number' && typeof s.end === 'number' && s.end >= s.start && typeof s.text === 'string')
      .map((s) => ({ start: s.start as number, end: s.end as number, text: s.text as string }));
  }
}
