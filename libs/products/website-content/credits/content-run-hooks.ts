import { Injectable } from '@nestjs/common';
import { ownerFromKey } from '@conveyor/contracts';
import { JobsRepository } from '@conveyor/database';
import { RunEnded, RunHook, RunHookFor } from '@conveyor/queueing';
import { CONTENT_GENERATION } from '../contracts';
import { ContentCredits } from './content-credits';

/**
 * A content generation run that ends without a saved post (failed, cancelled) gives its reserved
 * credits back. Should this hook not run (its app died), the next read of the user's credits
 * releases the reservation (ContentCredits.settle).
 */
@RunHookFor(CONTENT_GENERATION)
@Injectable()
export class ContentRunHooks implements RunHook {
  constructor(
    private readonly credits: ContentCredits,
    private readonly jobs: JobsRepository,
  ) {}

  async runEnded({ jobId, run, outcome }: RunEnded): Promise<void> {
    if (outcome !== 'failed' && outcome !== 'cancelled') return;
    const record = await this.jobs.findByIdUnscoped(jobId);
    if (!record) return;
    const owner = ownerFromKey(record.ownerKey);
    if (owner.kind === 'user') await this.credits.release(owner.id, jobId, run);
  }
}
