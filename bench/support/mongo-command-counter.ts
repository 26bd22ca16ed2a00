import type { Connection } from 'mongoose';

/** Where the counted commands went: round trips, and the documents they wrote (statements). */
export interface MongoTally {
  roundTrips: number;
  statements: number;
  byCommand: Record<string, number>;
}

/**
 * Counts the MongoDB commands one connection sends, through the driver's command monitoring
 * (the connection must be opened with `monitorCommands=true`, as the benchmark's MONGO_URL does).
 */
export class MongoCommandCounter {
  private tally: MongoTally = empty();
  private readonly onStarted = (event: { commandName: string; command: Record<string, unknown> }) => {
    const name = event.commandName;
    this.tally.roundTrips++;
    this.tally.byCommand[name] = (this.tally.byCommand[name] ?? 0) + 1;
    const writes = event.command.documents ?? event.command.updates ?? event.command.deletes;
    this.tally.statements += Array.isArray(writes) ? writes.length : 1;
  };

  constructor(private readonly connection: Connection) {
    connection.getClient().on('commandStarted', this.onStarted);
  }

  /** What was counted since the last take, and a fresh start. */
  take(): MongoTally {
    const taken = this.tally;
    this.tally = empty();
    return taken;
  }

  close(): void {
    this.connection.getClient().off('commandStarted', this.onStarted);
  }
}

function empty(): MongoTally {
  return { roundTrips: 0, statements: 0, byCommand: {} };
}
