import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { FanOutsRepository } from '@conveyor/database';
import { SystemTask, SystemTaskProvider } from '@conveyor/job-runtime';
import { FlowEnds, FlowFanIn, RedisConnections, conveyorKeys } from '@conveyor/queueing';
import { messageOf } from '@conveyor/contracts';

/** A fan-out this old and not ended is looked at again (a live one ends within moments of its last child). */
const SETTLE_MS = 60_000;
/** Fan-outs looked at per run. */
const BATCH = 500;

/**
 * The backstop of flows' fan-in: a worker that died between a child's end and its fan-in (or a
 * fan-in that failed on a database error) leaves a fan-out whose children have all ended but whose
 * continuation never started. Every minute, fan-outs older than a minute and not ended are checked
 * again, a page at a time in id order from where the last run stopped (so fan-outs that stay open
 * for long, their children still running, never starve the rest); the continuation's id is
 * derived, so one started meanwhile is never started twice.
 */
@SystemTaskProvider()
@Injectable()
export class FlowFanInTask implements SystemTask {
  readonly schedule = {
    name: 'flow-fan-in',
    cron: '* * * * *',
    description: 'Flows: starts the continuation of every fan-out whose children have all ended (backstop of the fan-in)',
  };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly fanOuts: FanOutsRepository,
    private readonly fanIn: FlowFanIn,
    private readonly connections: RedisConnections,
    private readonly flowEnds: FlowEnds,
  ) {}

  async run(): Promise<object> {
    const redis = this.connections.commandClient();
    const cursorKey = conveyorKeys(this.config.redis.prefix).flowFanInCursor;
    const after = (await redis.get(cursorKey)) ?? '';
    const pending = await this.fanOuts.unendedPage(new Date(Date.now() - SETTLE_MS), after, BATCH);
    // A short page is the end of the round: the next run starts again from the first.
    await redis.set(cursorKey, pending.length === BATCH ? pending[pending.length - 1]._id : '');
    let ended = 0;
    const errors: string[] = [];
    for (const fanOut of pending) {
      try {
        await this.fanIn.check(fanOut);
        if (!(await this.fanOuts.find(fanOut._id))?.endedAt) continue;
        ended++;
        // Ended (here, or by a fan-in meanwhile), it may have been the last of its flow to end.
        await this.flowEnds.check(fanOut.rootId);
      } catch (error) {
        // One fan-out that cannot be checked now (its store unreachable) never holds up the rest.
        if (errors.length < 10) errors.push(`${fanOut._id}: ${messageOf(error)}`);
      }
    }
    return { checked: pending.length, ended, ...(errors.length > 0 ? { errors } : {}) };
  }
}
