import { Inject, Injectable } from '@nestjs/common';
import { JobContext, OutboundHttp, PermanentJobError, downloadToFile } from '@conveyor/job-runtime';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BUSINESS_DISCOVERY_SETTINGS, BusinessDiscoverySettings } from '../contracts';
import { DiscoveriesRepository } from '../data';

export interface StoredVideoInfo {
  checksum: string;
  bytes: number;
  contentType: string | null;
  /** Whether this caller had stored the same bytes already. */
  deduplicated: boolean;
}

const MAX_REDIRECTS = 5;

/**
 * Videos in STORAGE_DIR/videos, named by the SHA-256 of their bytes, so the same video is kept once
 * however often or by whom it is downloaded. Who stored which checksum is recorded
 * (`stored_videos`): a caller may use a stored video by checksum only if it stored it. The folder
 * must be shared by every worker (a volume), since download and analysis may run on different ones.
 */
@Injectable()
export class VideoStore {
  constructor(
    private readonly http: OutboundHttp,
    private readonly repository: DiscoveriesRepository,
    @Inject(BUSINESS_DISCOVERY_SETTINGS) private readonly settings: BusinessDiscoverySettings,
  ) {}

  /** Downloads `url` (outbound policy, size cap) into the job's folder, then files it by checksum. */
  async store(
    ownerKey: string,
    url: string,
    jobFolder: string,
    signal: AbortSignal,
    { onProgress, name }: { onProgress?: (bytes: number, total: number | null) => Promise<void>; name?: string } = {},
  ): Promise<StoredVideoInfo> {
    const partial = join(jobFolder, `download-${randomUUID().slice(0, 8)}`);
    const file = await downloadToFile(this.http, url, partial, {
      maxBytes: this.settings.videoMaxBytes,
      timeoutMs: this.settings.downloadTimeoutMs,
      maxRedirects: MAX_REDIRECTS,
      signal,
      what: 'Video URL',
      onProgress,
    });
    const checksum = await sha256Of(partial);
    await mkdir(this.folder(), { recursive: true });
    const target = this.pathOf(checksum);
    // Same filesystem, so the rename is atomic: a reader never sees half a video. Kept once, whoever stored it.
    if (await exists(target)) await rm(partial, { force: true });
    else await rename(partial, target);
    // Said per caller: whether someone else stored these bytes is not this caller's to learn.
    const deduplicated = (await this.repository.storedVideo(ownerKey, checksum)) !== null;
    await this.repository.rememberVideo({
      owner_key: ownerKey,
      checksum,
      bytes: file.bytes,
      content_type: file.contentType,
      source_url: url,
      stored_at: new Date(),
    });
    if (name) await this.repository.nameVideo(ownerKey, name, checksum);
    return { checksum, bytes: file.bytes, contentType: file.contentType, deduplicated };
  }

  /** The file of a video `ownerKey` stored; a permanent failure otherwise. */
  async pathFor(ownerKey: string, checksum: string): Promise<string> {
    const path = this.pathOf(checksum);
    if (!(await this.repository.storedVideo(ownerKey, checksum)) || !(await exists(path))) {
      throw new PermanentJobError(`No stored video with checksum ${checksum}: download it first (download-video)`);
    }
    return path;
  }

  /**
   * Runs `work` with a folder of this execution's own under STORAGE_DIR (named like the
   * video-analysis product's, so its sweep removes one a killed worker left), removed afterwards.
   */
  async withJobFolder<T>(ctx: JobContext<unknown>, work: (folder: string) => Promise<T>): Promise<T> {
    const folder = join(this.settings.storageDir, `${ctx.jobId}-${ctx.run}-${ctx.attempt}-${randomUUID().slice(0, 8)}`);
    await mkdir(folder, { recursive: true });
    try {
      return await work(folder);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }

  private folder(): string {
    return join(this.settings.storageDir, 'videos');
  }

  private pathOf(checksum: string): string {
    return join(this.folder(), checksum);
  }
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
