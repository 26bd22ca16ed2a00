import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { errorField } from '@conveyor/contracts';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { VIDEO_ANALYSIS_SETTINGS, VideoAnalysisSettings, videoAnalysisQueuePolicy } from '../contracts';

/** A job's own folder (`<job id>-<run>-<attempt>-<random>`); anything else in STORAGE_DIR (stored videos) is kept. */
export const JOB_FOLDER = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-\d+-\d+-[0-9a-f]{8}$/i;

/** How often a worker looks for leftovers. */
const SWEEP_EVERY_MS = 60 * 60_000;

/**
 * Removes job folders (JOB_FOLDER) a killed worker left in STORAGE_DIR: at start and hourly, on this host, only
 * folders untouched for longer than the queue's longest attempt (so a job still running in another
 * worker process on the host keeps its files).
 */
@Injectable()
export class StorageSweep implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StorageSweep.name);
  private timer?: NodeJS.Timeout;

  constructor(@Inject(VIDEO_ANALYSIS_SETTINGS) private readonly settings: VideoAnalysisSettings) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.sweep();
    this.timer = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** The folders it removed. Never rejects. */
  async sweep(olderThanMs = videoAnalysisQueuePolicy.maxTimeoutMs): Promise<string[]> {
    const removed: string[] = [];
    try {
      const entries = await readdir(this.settings.storageDir, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        if (!entry.isDirectory() || !JOB_FOLDER.test(entry.name)) continue;
        const path = join(this.settings.storageDir, entry.name);
        const { mtimeMs } = await stat(path);
        if (Date.now() - mtimeMs <= olderThanMs) continue;
        await rm(path, { recursive: true, force: true });
        removed.push(entry.name);
      }
      if (removed.length > 0)
        this.logger.warn(`Removed ${removed.length} media folder(s) left by stopped workers in ${this.settings.storageDir}`);
    } catch (error) {
      this.logger.warn(errorField(error), 'Media folder sweep failed');
    }
    return removed;
  }
}
