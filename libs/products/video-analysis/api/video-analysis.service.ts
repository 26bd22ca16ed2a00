import { Inject, Injectable } from '@nestjs/common';
import { ConveyorError, DataCipher, ErrorCode, JobStatus, JobTypeRegistry, isTerminal, ownerKey } from '@conveyor/contracts';
import { JobRecord, JobsRepository } from '@conveyor/database';
import { Caller } from '@conveyor/http';
import { JOB_TYPE_REGISTRY, JobProducer } from '@conveyor/queueing';
import { VIDEO_ANALYSIS, conveyorPriority, guideLevelOf, guidePriority, guideStage, estimateCompletionSeconds } from '../contracts';
import { VideoAnalysesRepository } from '../data';
import { AnalysisResponse, CreateAnalysisRequest, CreatedAnalysisResponse } from './dto/analysis.dto';

/** Seed 002's submit and read, over the platform's job records. */
@Injectable()
export class VideoAnalysisService {
  constructor(
    private readonly producer: JobProducer,
    private readonly jobs: JobsRepository,
    private readonly analyses: VideoAnalysesRepository,
    private readonly cipher: DataCipher,
    @Inject(JOB_TYPE_REGISTRY) private readonly registry: JobTypeRegistry,
  ) {}

  async submit(caller: Caller, body: CreateAnalysisRequest): Promise<CreatedAnalysisResponse> {
    const { priority, ...payload } = body;
    const level = guidePriority(priority ?? 'NORMAL')!; // validated by the DTO
    const job = await this.producer.submit(caller.owner, {
      type: VIDEO_ANALYSIS,
      data: payload,
      options: { priority: conveyorPriority(level) },
    });
    return {
      job_id: job.jobId,
      video_id: body.video_id,
      status: 'queued',
      queue_position: job.queuePosition,
      estimated_wait_seconds: job.estimatedWaitSeconds,
    };
  }

  async read(caller: Caller, jobId: string): Promise<AnalysisResponse> {
    const record = caller.admin ? await this.jobs.findByIdUnscoped(jobId) : await this.jobs.findOwned(ownerKey(caller.owner), jobId);
    if (!record || record.type !== VIDEO_ANALYSIS) throw new ConveyorError(ErrorCode.JobNotFound, `Job ${jobId} not found`);
    const status = this.registry.statusWord(record.type, record.status);
    const data = this.cipher.open<{ video_id: string }>(record.data, record._id);
    const saved = record.status === JobStatus.Completed ? await this.analyses.findOwned(record.ownerKey, record._id) : null;
    return {
      job_id: record._id,
      video_id: data.video_id,
      status,
      priority: guideLevelOf(record.priority),
      progress: {
        percentage: record.status === JobStatus.Completed ? 100 : (record.progress?.percent ?? 0),
        current_stage: stageOf(record),
        estimated_completion_seconds: estimateSeconds(record),
      },
      ...(saved ? { result: saved.result } : {}),
      ...(record.status === JobStatus.Failed && record.error ? { error: record.error.message } : {}),
      timestamps: {
        created_at: record.createdAt.toISOString(),
        started_at: record.startedAt?.toISOString() ?? null,
        completed_at: record.finishedAt?.toISOString() ?? null,
      },
    };
  }
}

function stageOf(record: JobRecord): string {
  if (record.status === JobStatus.Completed) return 'Completed';
  if (record.status === JobStatus.Waiting || record.status === JobStatus.Delayed) return 'Queued';
  return guideStage(record.progress?.step);
}

function estimateSeconds(record: JobRecord): number | null {
  if (isTerminal(record.status)) return record.status === JobStatus.Completed ? 0 : null;
  const running = record.status === JobStatus.Active && record.startedAt;
  return estimateCompletionSeconds(running ? (record.progress?.percent ?? 0) : 0, running ? record.startedAt!.getTime() : null);
}
