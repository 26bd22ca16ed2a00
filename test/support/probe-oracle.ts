import type { Connection } from 'mongoose';
import { PROBE_COMMITS_COLLECTION, PROBE_STEPS_COLLECTION, ProbeStepRow } from '../probe/probe.job';

/**
 * What the probe's records say about a set of acknowledged jobs (Jepsen's terms):
 * - lost: acknowledged, never committed;
 * - duplicated: a run's commit step ran again after the execution that committed it had returned
 *   (the platform knew the run was done, and ran it again);
 * - unexpected: committed, never acknowledged.
 */
export interface ProbeVerdict {
  lost: string[];
  duplicated: string[];
  unexpected: string[];
}

export class ProbeOracle {
  constructor(private readonly connection: Connection) {}

  async verdict(acknowledged: string[]): Promise<ProbeVerdict> {
    const commits = await this.connection.collection(PROBE_COMMITS_COLLECTION).find({}).toArray();
    const committed = new Set(commits.map((c) => String(c.jobId)));
    const acked = new Set(acknowledged);
    const redelivered = await this.redeliveredAfterCommit();
    return {
      lost: acknowledged.filter((id) => !committed.has(id)),
      duplicated: redelivered.filter((r) => r.committerReturned).map((r) => r.jobId),
      unexpected: [...committed].filter((id) => !acked.has(id)),
    };
  }

  /**
   * Every job whose commit step ran again after its run committed, and whether the committing
   * execution had returned before the next one started. When it had not (its worker died between
   * the commit and the handler's return), nothing could tell the platform the run was done: the
   * redelivery is at-least-once, and the commit's unique key absorbed it.
   */
  async redeliveredAfterCommit(): Promise<Array<{ jobId: string; committerReturned: boolean }>> {
    const duplicates = await this.connection.collection(PROBE_STEPS_COLLECTION).find({ step: 'commit-duplicate' }).toArray();
    const jobIds = [...new Set(duplicates.map((d) => String(d.jobId)))];
    return Promise.all(
      jobIds.map(async (jobId) => {
        const rows = await this.steps(jobId);
        const commit = rows.find((r) => r.step === 'commit')!;
        const duplicate = rows.find((r) => r.step === 'commit-duplicate')!;
        // The duplicate execution began at its worker's last step-1 before the duplicate commit.
        const began = rows.filter((r) => r.step === 'step-1' && r.pid === duplicate.pid && r.at <= duplicate.at).at(-1)?.at ?? duplicate.at;
        const returned = rows.some((r) => r.step === 'exit' && r.pid === commit.pid && r.at >= commit.at && r.at <= began);
        return { jobId, committerReturned: returned };
      }),
    );
  }

  /** Every step a job ran, in order: which attempt, which worker process. */
  async steps(jobId: string): Promise<ProbeStepRow[]> {
    const rows = await this.connection.collection(PROBE_STEPS_COLLECTION).find({ jobId }).sort({ at: 1, _id: 1 }).toArray();
    return rows as unknown as ProbeStepRow[];
  }
}
