/** What one batch did with each of its items: undefined for a success, or that item's error. */
export type BatchOutcome = Array<unknown | undefined>;

interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: concurrent writes leave together. An item is sent at once when a batch slot is
 * free, so a lone write waits for nothing; while `maxInFlight` batches are under way, new items
 * queue and the next free slot sends up to `maxBatch` of them in one round trip. Under load most
 * writes share a round trip; idle, none waits.
 */
export class GroupCommit<T> {
  private queued: Array<Waiting<T>> = [];
  private inFlight = 0;

  constructor(
    /** Sends a batch; resolves with each item's outcome (or rejects, failing the whole batch). */
    private readonly send: (items: T[]) => Promise<BatchOutcome>,
    private readonly maxBatch: number,
    private readonly maxInFlight: number,
  ) {}

  /** Resolves once `item` is written, or rejects with its own error or its batch's. */
  write(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queued.push({ item, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.inFlight < this.maxInFlight && this.queued.length > 0) {
      const batch = this.queued.splice(0, this.maxBatch);
      this.inFlight++;
      void this.sendBatch(batch).finally(() => {
        this.inFlight--;
        this.next();
      });
    }
  }

  private async sendBatch(batch: Array<Waiting<T>>): Promise<void> {
    let outcome: BatchOutcome;
    try {
      outcome = await this.send(batch.map((w) => w.item));
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    for (const [i, w] of batch.entries()) {
      if (outcome[i] === undefined) w.resolve();
      else w.reject(outcome[i]);
    }
  }
}
