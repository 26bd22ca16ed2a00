import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { flowStatus, flowTree, isTerminal, errorField } from '@conveyor/contracts';
import { JobsRepository, FanOutsRepository, flowMemberOf } from '@conveyor/database';
import { EndNotifications } from '../notifications/end-notifications';

/**
 * Sees flows end. After a job of a flow ended (or one of its fan-outs), the flow is read in the
 * order that stops soonest: its fan-outs (one indexed read: a flow with one still open is running,
 * and a job in no flow has none), then its root, and only then every job of it. The last one to
 * end sees its flow ended and tells EndNotifications, which notifies once per end however many
 * see it.
 */
@Injectable()
export class FlowEnds implements BeforeApplicationShutdown {
  private readonly logger = new Logger(FlowEnds.name);
  private readonly looking = new Set<Promise<void>>();

  constructor(
    private readonly jobs: JobsRepository,
    private readonly fanOuts: FanOutsRepository,
    private readonly notifications: EndNotifications,
  ) {}

  /**
   * After a job of the flow rooted at `rootId` ended (the root's id for the root itself): looked
   * at in the background, so the job is released to Bull without waiting on these reads (a client
   * acting on it as soon as its flow reads ended finds it settled). Shutdown waits for them.
   */
  memberEnded(rootId: string): void {
    const look = this.check(rootId).finally(() => this.looking.delete(look));
    this.looking.add(look);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.looking);
  }

  /** Whether the flow rooted at `rootId` has ended, told to EndNotifications if so. Never rejects. */
  async check(rootId: string): Promise<void> {
    try {
      const fanOuts = await this.fanOuts.ofFlow(rootId);
      if (fanOuts.length === 0 || fanOuts.some((f) => !f.endedAt)) return;
      const root = await this.jobs.findByIdUnscoped(rootId);
      if (!root || !isTerminal(root.status)) return;
      const descendants = await this.jobs.flowDescendants(rootId);
      if (descendants.some((d) => !isTerminal(d.status))) return;
      const built = flowTree(rootId, [root, ...descendants].map(flowMemberOf))!;
      const status = flowStatus(built.tree, built.finished, fanOuts);
      if (status === 'running') return;
      await this.notifications.flowEnded({
        rootId,
        rootType: root.type,
        rootStatus: root.status,
        ownerKey: root.ownerKey,
        status,
        counts: built.counts as Record<string, number>,
        total: built.total,
        runs: [root, ...descendants].reduce((sum, r) => sum + (r.run ?? 1), 0),
      });
    } catch (error) {
      // The job's own end is settled already; a flow whose end could not be read now is not
      // notified (logged), rather than failing or delaying the job that ended it.
      this.logger.warn(errorField(error), `Could not tell whether flow ${rootId} ended`);
    }
  }
}
