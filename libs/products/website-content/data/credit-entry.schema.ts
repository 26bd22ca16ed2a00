import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** What a ledger entry does to a user's credits. */
export enum CreditEntryKind {
  /** An administrator gave credits. */
  Grant = 'grant',
  /** Held for one run of a job at its submit (or retry). */
  Reserve = 'reserve',
  /** The job's post was saved: its run's reservation is spent. At most once per job. */
  Capture = 'capture',
  /** The run ended without a saved post: its reservation is given back. */
  Release = 'release',
}

/**
 * One insert-only ledger entry. Its id is its unique key (`grant:<id>`, `reserve:<job>:<run>`,
 * and `close:<job>:<run>` for the capture or the release of that run, whichever comes first), so
 * an entry written twice (a redelivered job, a retried request) exists once. Balances are sums over entries, never a counter updated in place: FerretDB
 * can lose concurrent `$inc` on one document.
 */
@Schema({ collection: 'credit_ledger', versionKey: false, strict: 'throw' })
export class CreditEntry {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  userId!: string;

  @Prop({ type: String, required: true, enum: Object.values(CreditEntryKind) })
  kind!: CreditEntryKind;

  /** Always positive; the kind says which way it counts. */
  @Prop({ type: Number, required: true })
  amount!: number;

  @Prop({ type: String, default: null })
  jobId!: string | null;

  @Prop({ type: Number, default: null })
  run!: number | null;

  @Prop({ type: String, default: null })
  reason!: string | null;

  @Prop({ type: Date, required: true })
  createdAt!: Date;
}

export const CreditEntrySchema = SchemaFactory.createForClass(CreditEntry);
CreditEntrySchema.index({ userId: 1, createdAt: -1 });
CreditEntrySchema.index({ jobId: 1 });
