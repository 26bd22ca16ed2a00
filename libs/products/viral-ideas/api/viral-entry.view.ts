import { ViralCompetitorView, ViralEntryView, ViralRunSummaryView } from './dto/viral-ideas.response';
import { ViralCompetitor, ViralEntry, ViralResult } from '../data';

const iso = (date: Date | null | undefined) => (date ? new Date(date).toISOString() : null);

/** The stored entry as the API shows it (ISO dates, `id`, and never the owner key). */
export function entryView(entry: ViralEntry, competitors: ViralCompetitor[]): ViralEntryView {
  return {
    id: entry._id,
    session_id: entry.session_id,
    primary_username: entry.primary_username,
    status: entry.status,
    priority: entry.priority,
    current_step: entry.current_step,
    progress_percentage: entry.progress_percentage,
    error_message: entry.error_message,
    // Mongoose does not store empty objects (minimize), so a record may have none: shown as {}.
    content_strategy: entry.content_strategy ?? {},
    analysis_settings: entry.analysis_settings ?? {},
    auto_rerun_enabled: entry.auto_rerun_enabled,
    rerun_frequency_hours: entry.rerun_frequency_hours,
    total_runs: entry.total_runs,
    job_id: entry.active_job_id,
    last_analysis_at: iso(entry.last_analysis_at),
    next_scheduled_run: iso(entry.next_scheduled_run),
    submitted_at: iso(entry.submitted_at)!,
    started_processing_at: iso(entry.started_processing_at),
    completed_at: iso(entry.completed_at),
    created_at: iso(entry.created_at)!,
    updated_at: iso(entry.updated_at)!,
    competitors: competitors.map(competitorView),
  };
}

function competitorView(c: ViralCompetitor): ViralCompetitorView {
  return {
    competitor_username: c.competitor_username,
    selection_method: c.selection_method,
    is_active: c.is_active,
    processing_status: c.processing_status,
    added_at: iso(c.added_at)!,
  };
}

export function runSummaryView(
  result: Pick<ViralResult, 'run_number' | 'run_type' | 'job_id' | 'ideas' | 'started_at' | 'completed_at'>,
): ViralRunSummaryView {
  return {
    run_number: result.run_number,
    run_type: result.run_type,
    job_id: result.job_id,
    ideas_count: result.ideas.length,
    started_at: iso(result.started_at)!,
    completed_at: iso(result.completed_at)!,
  };
}
