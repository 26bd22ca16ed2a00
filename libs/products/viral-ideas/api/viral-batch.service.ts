import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { ConveyorError, ErrorCode } from '@conveyor/contracts';
import { QueueStats, RedisConnections, RedisLease, conveyorKeys } from '@conveyor/queueing';
import ipaddr from 'ipaddr.js';
import { randomUUID } from 'node:crypto';
import { WithMessage } from '@conveyor/http';
import { ViralErrorCode } from './viral-ideas.errors';
import { BatchRunView, ProcessPendingView } from './dto/viral-ideas.response';
import { VIRAL_ANALYSIS_QUEUE, VIRAL_IDEAS_SETTINGS, ViralEntryStatus, ViralIdeasSettings, viralAnalysisQueuePolicy } from '../contracts';
import { ViralEntry, ViralIdeasRepository } from '../data';
import { ViralRunStarter } from '../runs/viral-run-starter';

/**
 * Seed 001's admin batch: find pending entries and stuck ones (processing, started longer ago than
 * VIRAL_STUCK_AFTER_MS, and no live Bull job: a run still going is never started twice), order them
 * by priority then submission time, and enqueue them in one addBulk, VIRAL_BATCH_STAGGER_MS apart.
 * One batch per VIRAL_BATCH_COOLDOWN_MS across all replicas (a Redis key taken after the caller
 * is known to be an admin, so nobody else can use up the slot).
 */
@Injectable()
export class ViralBatchService {
  private readonly logger = new Logger(ViralBatchService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(VIRAL_IDEAS_SETTINGS) private readonly settings: ViralIdeasSettings,
    private readonly repository: ViralIdeasRepository,
    private readonly starter: ViralRunStarter,
    private readonly stats: QueueStats,
    private readonly connections: RedisConnections,
  ) {}

  /** BATCH_ALLOWED_IPS, when set: other client addresses get 403. */
  checkClientIp(ip: string): void {
    const allowed = this.settings.batchAllowedIps;
    if (allowed.length === 0) return;
    if (!allowed.some((entry) => ipMatches(ip, entry))) {
      throw new ConveyorError(ViralErrorCode.IpNotAllowed, 'IP address not authorized for batch processing', {
        troubleshooting: 'Call from an address listed in BATCH_ALLOWED_IPS',
      });
    }
  }

  async processPending(): Promise<WithMessage<ProcessPendingView>> {
    await this.takeCooldown();
    const { stuckAfterMs, batchStaggerMs } = this.settings;
    const candidates = await this.repository.batchCandidates(new Date(Date.now() - stuckAfterMs));
    const toStart: ViralEntry[] = [];
    let inProgress = 0;
    for (const entry of candidates) {
      if ((await this.starter.liveness(entry)) === 'none') toStart.push(entry);
      else inProgress++;
    }
    if (toStart.length === 0) return this.nothingToStart(inProgress);

    const outcomes = await this.starter.start(toStart, batchStaggerMs);
    const runs: BatchRunView[] = outcomes.flatMap((outcome) =>
      'started' in outcome
        ? [
            {
              queue_id: outcome.entry._id,
              session_id: outcome.entry.session_id,
              priority: outcome.entry.priority,
              reason: outcome.entry.status === ViralEntryStatus.Processing ? 'stuck' : 'pending',
              job_id: outcome.started.jobId,
              start_after_ms: outcome.delayMs,
            },
          ]
        : [],
    );
    const stuck = runs.filter((r) => r.reason === 'stuck').length;
    const pending = runs.length - stuck;
    const refused = outcomes.find((o): o is Extract<typeof o, { error: ConveyorError }> => 'error' in o);
    if (runs.length === 0 && refused) throw refused.error; // e.g. the queue is full or Redis is down
    const batchId = `batch_${randomUUID()}`;
    await this.connections.commandClient().hset(this.key('last-batch'), { batchId, at: new Date().toISOString(), runs: runs.length });
    this.logger.log(`Viral-ideas ${batchId}: ${runs.length} runs enqueued (${pending} pending, ${stuck} stuck, ${inProgress} in progress)`);
    return new WithMessage(
      {
        status: 'processing_started',
        pending_count: pending,
        stuck_count: stuck,
        total_jobs: runs.length,
        in_progress_count: inProgress,
        batch_id: batchId,
        estimated_completion_time: (await this.estimateCompletion(runs.length)).toISOString(),
        runs,
      },
      `Processing of ${runs.length} pending viral ideas queue items started`,
    );
  }

  private async nothingToStart(inProgress: number): Promise<WithMessage<ProcessPendingView>> {
    if (inProgress > 0) {
      return new WithMessage(
        { status: 'already_processing', pending_count: 0, stuck_count: 0, total_jobs: 0, in_progress_count: inProgress },
        `Batch processing already in progress: ${inProgress} queue items are queued or running`,
      );
    }
    const last = await this.connections.commandClient().hget(this.key('last-batch'), 'at');
    return new WithMessage(
      { status: 'no_jobs_pending', pending_count: 0, stuck_count: 0, total_jobs: 0, in_progress_count: 0, last_processed_at: last ?? null },
      'No pending jobs found in queue',
    );
  }

  /** The stagger, then the runs in waves of the queue's concurrency at its average run time. */
  private async estimateCompletion(runs: number): Promise<Date> {
    const policy = viralAnalysisQueuePolicy;
    const averageMs = await this.stats.averageDurationMs(VIRAL_ANALYSIS_QUEUE).catch(() => policy.expectedDurationMs);
    const ms = (runs - 1) * this.settings.batchStaggerMs + Math.ceil(runs / policy.concurrency) * averageMs;
    return new Date(Date.now() + ms);
  }

  private async takeCooldown(): Promise<void> {
    const cooldownMs = this.settings.batchCooldownMs;
    if (cooldownMs === 0) return;
    const redis = this.connections.commandClient();
    const key = this.key('cooldown');
    if (await RedisLease.acquire(redis, key, cooldownMs, new Date().toISOString())) return; // held until it expires
    const leftMs = await redis.pttl(key);
    throw new ConveyorError(
      ErrorCode.RateLimited,
      `One batch per ${Math.round(cooldownMs / 1000)} s; the last one started less than that ago`,
      {
        retryAfterSeconds: Math.max(1, Math.ceil(leftMs / 1000)),
        troubleshooting: 'Wait for Retry-After seconds; follow the running batch with GET /api/viral-ideas/queue-status',
      },
    );
  }

  private key(name: string): string {
    return conveyorKeys(this.config.redis.prefix).product('viral-ideas', name);
  }
}

/** Whether a client address is the allow-list entry (an IP) or inside it (a CIDR range). */
export function ipMatches(ip: string, entry: string): boolean {
  if (!ipaddr.isValid(ip)) return false;
  const address = ipaddr.process(ip);
  if (!entry.includes('/')) return ipaddr.isValid(entry) && ipaddr.process(entry).toString() === address.toString();
  const [range, bits] = ipaddr.parseCIDR(entry);
  return address.kind() === range.kind() && address.match([range, bits]);
}
