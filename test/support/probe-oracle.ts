import type { Connection } from 'mongoose';
import { PROBE_COMMITS_COLLECTION, PROBE_STEPS_COLLECTION, ProbeStepRow } from '../probe/probe.job';

/**
 * What the probe's records say about a set of acknowledged jobs (Jepsen's terms):
 * - lost: acknowledged, never committed;
 * - duplicated: a run's commit step ran again although the worker that committed it lived on
 *   (when that worker was SIGKILLed before the run could be acknowledged, the commit running again
 *   is at-least-once delivery after a crash, absorbed by the commit's unique key);
 * - unexpected: committed, never acknowledged.
 */
export interface ProbeVerdict {
  lost: string[];
  duplicated: string[];
  unexpected: string[];
}

export class ProbeOracle {
  constructor(private readonly connection: Connection) {}

  /** `killed`: when each SIGKILLed worker died (pid → ms since the epoch). */
  async verdict(acknowledged: string[], killed: ReadonlyMap<number, number> = new Map()): Promise<ProbeVerdict> {
    const commits = await this.connection.collection(PROBE_COMMITS_COLLECTION).find({}).toArray();
    const committed = new Set(commits.map((c) => String(c.jobId)));
    const acked = new Set(acknowledged);
    const redelivered = await this.redeliveredAfterCommit(killed);
    return {
      lost: acknowledged.filter((id) => !committed.has(id)),
      duplicated: redelivered.filter((r) => !r.committerKilled).map((r) => r.jobId),
      unexpected: [...committed].filter((id) => !acked.has(id)),
    };
  }

  /**
   * Every job whose commit step ran again after its run committed, and whether the worker that
   * committed it was SIGKILLed before the next execution began (then nothing could have told the
   * platform the run was done).
   */
  async redeliveredAfterCommit(
    killed: ReadonlyMap<number, number> = new Map(),
  ): Promise<Array<{ jobId: string; committerKilled: boolean }>> {
    const duplicates = await this.connection.collection(PROBE_STEPS_COLLECTION).find({ step: 'commit-duplicate' }).toArray();
    const jobIds = [...new Set(duplicates.map((d) => String(d.jobId)))];
    return Promise.all(
      jobIds.map(async (jobId) => {
        const rows = await this.steps(jobId);
        const commit = rows.find((r) => r.step === 'commit')!;
        const duplicate = rows.find((r) => r.step === 'commit-duplicate')!;
        // The duplicate execution began at its worker's last step-1 before the duplicate commit.
        const began = rows.filter((r) => r.step === 'step-1' && r.pid === duplicate.pid && r.at <= duplicate.at).at(-1)?.at ?? duplicate.at;
        const diedAt = killed.get(commit.pid);
        const committerKilled = diedAt !== undefined && diedAt >= commit.at.getTime() && diedAt <= began.getTime();
        return { jobId, committerKilled };
      }),
    );
  }

  /** Every step a job ran, in order: which attempt, which worker process. */
  async steps(jobId: string): Promise<ProbeStepRow[]> {
    const rows = await this.connection.collection(PROBE_STEPS_COLLECTION).find({ jobId }).sort({ at: 1, _id: 1 }).toArray();
    return rows as unknown as ProbeStepRow[];
  }
}
