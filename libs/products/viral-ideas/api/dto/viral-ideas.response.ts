import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ViralEntryStatus } from '../../contracts';

export class ViralCompetitorView {
  @ApiProperty()
  competitor_username!: string;
  @ApiProperty()
  selection_method!: string;
  @ApiProperty()
  is_active!: boolean;
  @ApiProperty()
  processing_status!: string;
  @ApiProperty({ format: 'date-time' })
  added_at!: string;
}

export class ViralRunSummaryView {
  @ApiProperty()
  run_number!: number;
  @ApiProperty({ enum: ['initial', 'recurring'] })
  run_type!: string;
  @ApiProperty({ format: 'uuid' })
  job_id!: string;
  @ApiProperty()
  ideas_count!: number;
  @ApiProperty({ format: 'date-time' })
  started_at!: string;
  @ApiProperty({ format: 'date-time' })
  completed_at!: string;
}

/** A queue entry as the product's API shows it. */
export class ViralEntryView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty()
  session_id!: string;
  @ApiProperty()
  primary_username!: string;
  @ApiProperty({ enum: ViralEntryStatus })
  status!: string;
  @ApiProperty()
  priority!: number;
  @ApiPropertyOptional({ type: String, nullable: true })
  current_step!: string | null;
  @ApiProperty()
  progress_percentage!: number;
  @ApiPropertyOptional({ type: String, nullable: true })
  error_message!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true })
  content_strategy!: object;
  @ApiProperty({ type: 'object', additionalProperties: true })
  analysis_settings!: object;
  @ApiProperty()
  auto_rerun_enabled!: boolean;
  @ApiProperty()
  rerun_frequency_hours!: number;
  @ApiProperty()
  total_runs!: number;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'The latest run’s job (see /api/v1/jobs/{jobId})' })
  job_id!: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  last_analysis_at!: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  next_scheduled_run!: string | null;
  @ApiProperty({ format: 'date-time' })
  submitted_at!: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  started_processing_at!: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  completed_at!: string | null;
  @ApiProperty({ format: 'date-time' })
  created_at!: string;
  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
  @ApiProperty({ type: [ViralCompetitorView] })
  competitors!: ViralCompetitorView[];
}

export class ViralEntryDetailView extends ViralEntryView {
  @ApiProperty({ type: [ViralRunSummaryView], description: 'Runs, newest first' })
  runs!: ViralRunSummaryView[];
}

export class QueueProcessingView {
  @ApiProperty({ format: 'uuid' })
  queue_id!: string;
  @ApiProperty({ description: 'The entry’s status when the start was asked for' })
  status!: string;
  @ApiProperty()
  signal_sent!: boolean;
  @ApiProperty({ enum: ['ready_for_pickup', 'already_queued'] })
  processing_state!: string;
  @ApiProperty()
  worker_coordination!: string;
  @ApiProperty({ format: 'uuid' })
  job_id!: string;
}

export class QueueDetailsView {
  @ApiProperty()
  session_id!: string;
  @ApiProperty()
  primary_username!: string;
  @ApiProperty()
  priority!: number;
  @ApiProperty({ format: 'date-time' })
  submitted_at!: string;
  @ApiProperty()
  current_step!: string;
  @ApiProperty()
  progress_percentage!: number;
}

/** `POST /queue/{id}/start` when a run was signalled (or already waits for a worker). */
export class StartSignalledView {
  @ApiProperty({ type: QueueProcessingView })
  queue_processing!: QueueProcessingView;
  @ApiProperty({ type: QueueDetailsView })
  queue_details!: QueueDetailsView;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  next_steps!: Record<string, string>;
  @ApiProperty({ format: 'date-time' })
  timestamp!: string;
}

/** `POST /queue/{id}/start` when the entry is already processing. */
export class AlreadyStartedView {
  @ApiProperty({ format: 'uuid' })
  queue_id!: string;
  @ApiProperty({ enum: ['processing'] })
  status!: string;
  @ApiProperty()
  current_step!: string;
  @ApiProperty()
  progress_percentage!: number;
  @ApiProperty()
  session_id!: string;
  @ApiProperty()
  primary_username!: string;
  @ApiProperty({ enum: ['already_started'] })
  processing_state!: string;
}

export class BatchRunView {
  @ApiProperty({ format: 'uuid' })
  queue_id!: string;
  @ApiProperty()
  session_id!: string;
  @ApiProperty()
  priority!: number;
  @ApiProperty({ enum: ['pending', 'stuck'] })
  reason!: string;
  @ApiProperty({ format: 'uuid' })
  job_id!: string;
  @ApiProperty({ description: 'Delay before the run may start (the stagger)' })
  start_after_ms!: number;
}

/** `POST /process-pending`. */
export class ProcessPendingView {
  @ApiProperty({ enum: ['processing_started', 'no_jobs_pending', 'already_processing'] })
  status!: string;
  @ApiProperty()
  pending_count!: number;
  @ApiProperty()
  stuck_count!: number;
  @ApiProperty({ description: 'Runs enqueued by this call' })
  total_jobs!: number;
  @ApiPropertyOptional({ description: 'Entries skipped because their run is still queued or running' })
  in_progress_count?: number;
  @ApiPropertyOptional()
  batch_id?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  estimated_completion_time?: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  last_processed_at?: string | null;
  @ApiPropertyOptional({ type: [BatchRunView], description: 'The runs enqueued, in start order' })
  runs?: BatchRunView[];
}

/** Seed 001's `data.statistics`: entries per status (its monitoring script reads these paths). */
export class ViralQueueStatisticsView {
  @ApiProperty()
  pending!: number;
  @ApiProperty()
  processing!: number;
  @ApiProperty()
  completed!: number;
  @ApiProperty()
  failed!: number;
  @ApiProperty()
  paused!: number;
  @ApiProperty({ description: 'All entries counted' })
  total!: number;
}

export class ViralQueueStatusView {
  @ApiProperty({ type: ViralQueueStatisticsView, description: 'Entries per status, in seed 001’s shape' })
  statistics!: ViralQueueStatisticsView;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, description: 'Entries per status' })
  counts!: Record<string, number>;
  @ApiProperty()
  total!: number;
  @ApiProperty({ type: 'object', additionalProperties: true })
  processing_statistics!: object;
  @ApiProperty({ description: 'Whose entries are counted: all (admins) or the caller’s' })
  scope!: string;
}

export class ViralResultsView {
  @ApiProperty({ format: 'uuid' })
  queue_id!: string;
  @ApiProperty()
  session_id!: string;
  @ApiProperty({ enum: ViralEntryStatus })
  status!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, description: 'The latest run’s whole result' })
  latest!: object | null;
  @ApiProperty({ type: [ViralRunSummaryView], description: 'Every run, newest first' })
  runs!: ViralRunSummaryView[];
}
