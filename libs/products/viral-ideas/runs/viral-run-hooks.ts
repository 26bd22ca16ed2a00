import { Injectable } from '@nestjs/common';
import { RunEnded, RunHook, RunHookFor } from '@conveyor/queueing';
import { VIRAL_IDEAS_ANALYSIS, ViralEntryStatus, ViralIdeasAnalysisPayload } from '../contracts';
import { ViralIdeasRepository } from '../data';

/**
 * An entry follows its runs. Without this, an entry whose run failed, or was cancelled while
 * queued, would stay `processing` or `pending`, and the next batch would start it again.
 */
@RunHookFor(VIRAL_IDEAS_ANALYSIS)
@Injectable()
export class ViralRunHooks implements RunHook {
  constructor(private readonly repository: ViralIdeasRepository) {}

  async runEnded({ jobId, payload, outcome, message, byWorker }: RunEnded): Promise<void> {
    const queueId = (payload as ViralIdeasAnalysisPayload | undefined)?.queueId;
    if (byWorker && queueId) {
      // The attempt's own worker: the entry is the payload's, and the run still its active one.
      if (outcome === 'retried') await this.repository.runRetrying(queueId, jobId, message);
      else if (outcome === 'failed') await this.repository.runEnded(queueId, jobId, ViralEntryStatus.Failed, message);
      else if (outcome === 'cancelled')
        await this.repository.runEnded(queueId, jobId, ViralEntryStatus.Paused, 'Cancelled while running; start it again to re-run');
      return;
    }
    const entryStatus = outcome === 'cancelled' ? ViralEntryStatus.Paused : outcome === 'failed' ? ViralEntryStatus.Failed : null;
    if (entryStatus) await this.repository.runEndedByJob(jobId, entryStatus, message);
  }
}
