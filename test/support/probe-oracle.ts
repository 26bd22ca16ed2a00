import type { Connection } from 'mongoose';
import { PROBE_COMMITS_COLLECTION, PROBE_STEPS_COLLECTION, ProbeStepRow } from '../probe/probe.job';

/**
 * What the probe's records say about a set of acknowledged jobs (Jepsen's terms):
 * - lost: acknowledged, never committed;
 * - duplicated: a run's commit step ran again after the run had committed;
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
    const duplicates = await this.connection.collection(PROBE_STEPS_COLLECTION).find({ step: 'commit-duplicate' }).toArray();
    return {
      lost: acknowledged.filter((id) => !committed.has(id)),
      duplicated: [...new Set(duplicates.map((d) => String(d.jobId)))],
      unexpected: [...committed].filter((id) => !acked.has(id)),
    };
  }

  /** Every step a job ran, in order: which attempt, which worker process. */
  async steps(jobId: string): Promise<ProbeStepRow[]> {
    const rows = await this.connection.collection(PROBE_STEPS_COLLECTION).find({ jobId }).sort({ at: 1, _id: 1 }).toArray();
    return rows as unknown as ProbeStepRow[];
  }
}
