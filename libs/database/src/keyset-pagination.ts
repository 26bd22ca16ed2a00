import { validationFailed } from '@conveyor/contracts';
import { isUUID } from 'class-validator';
import mongoose, { Model } from 'mongoose';

/**
 * Keyset pagination, the one implementation behind every paged read of records (job lists, dead
 * letters, the reconciliation sweep). A list is ordered by a date field and then by `_id` the same
 * way, so records with the same time still have one order; a page ends at a position (its last
 * record's time and id), and the next page is everything strictly after it. Unlike skip and
 * limit, records written meanwhile never shift a page: nothing is read twice or skipped.
 */

/** Where a page ended: its last record's sort time, and its id, which breaks ties. */
export interface KeysetPosition {
  at: Date;
  id: string;
}

/** The fields of T that hold a date. */
type DateField<T> = { [K in keyof T]-?: T[K] extends Date ? K : never }[keyof T] & string;

/** A list's order: by `field`, then by `_id`, both descending (newest first) or both ascending. */
export interface KeysetOrder<T> {
  field: DateField<T>;
  direction: 'descending' | 'ascending';
}

/** Which page to read: at most `limit` records after the previous page's `nextCursor`, if any. */
export interface KeysetPageRequest {
  limit: number;
  cursor?: string;
  /** A numbered page (1-based) instead of a cursor: skips the pages before it and counts the total. */
  page?: number;
}

export interface KeysetPage<T> {
  items: T[];
  /** Where the next page starts; null on the last page. */
  nextCursor: string | null;
  /** Matching records in all, for a numbered page. */
  total?: number;
}

/** The cursor of a position: opaque to clients (base64url of `[ms, id]`). */
export function encodeKeysetCursor({ at, id }: KeysetPosition): string {
  return Buffer.from(JSON.stringify([at.getTime(), id])).toString('base64url');
}

/** The position a cursor names, or undefined for anything this service did not issue. */
export function parseKeysetCursor(cursor: string): KeysetPosition | undefined {
  try {
    const [ms, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const at = typeof ms === 'number' ? new Date(ms) : undefined;
    if (at && !Number.isNaN(at.getTime()) && typeof id === 'string' && isUUID(id)) return { at, id };
  } catch {
    // not a JSON array: not ours
  }
  return undefined;
}

/** The position a client's cursor names; one this service did not issue is 400 on `cursor`. */
export function decodeKeysetCursor(cursor: string): KeysetPosition {
  const position = parseKeysetCursor(cursor);
  if (!position) throw validationFailed([{ field: 'cursor', message: 'cursor must be a nextCursor value from a previous page' }]);
  return position;
}

/**
 * The filter for the records of `filter` strictly after `after` in `order` (all of them without
 * a position), and the sort that reads them in that order.
 */
export function keysetQuery<T>(
  order: KeysetOrder<T>,
  filter: object,
  after?: KeysetPosition,
): { filter: object; sort: Record<string, 1 | -1> } {
  const way: 1 | -1 = order.direction === 'descending' ? -1 : 1;
  const sort = { [order.field]: way, _id: way };
  if (!after) return { filter, sort };
  const beyond = way === -1 ? '$lt' : '$gt';
  // mongoose.trusted: sanitizeFilter is on globally, and these operators are ours (RELIABILITY §3).
  const afterPosition = {
    $or: [
      { [order.field]: mongoose.trusted({ [beyond]: after.at }) },
      { [order.field]: after.at, _id: mongoose.trusted({ [beyond]: after.id }) },
    ],
  };
  return { filter: { $and: [filter, afterPosition] }, sort };
}

/**
 * The page in `records`, read with a limit of `limit + 1`: the record past the limit is not
 * returned, it only tells that another page exists, which then starts after the last item.
 */
export function toKeysetPage<T extends { _id: string }>(records: T[], limit: number, order: KeysetOrder<T>): KeysetPage<T> {
  const items = records.slice(0, limit);
  const last = items.at(-1);
  const more = records.length > limit && last !== undefined;
  return { items, nextCursor: more ? encodeKeysetCursor({ at: last[order.field] as Date, id: last._id }) : null };
}

/**
 * One page of `model`'s records matching `filter`, in `order`, after `page.cursor`. A cursor this
 * service did not issue is 400 on `cursor`. `projection` limits the fields read (it must keep the
 * order's field).
 */
export async function findKeysetPage<M, T extends { _id: string }>(
  model: Model<M>,
  { filter, order, projection }: { filter: object; order: KeysetOrder<T>; projection?: Record<string, 0 | 1> },
  page: KeysetPageRequest,
): Promise<KeysetPage<T>> {
  const query = keysetQuery(order, filter, page.cursor ? decodeKeysetCursor(page.cursor) : undefined);
  const find = model
    .find(query.filter)
    .sort(query.sort)
    .limit(page.limit + 1);
  if (projection) find.select(projection);
  if (page.page === undefined) return toKeysetPage(await find.lean<T[]>().exec(), page.limit, order);
  // Numbered pages (seed 004's ?page=): the skip costs what it skips, so keyset stays the fast way.
  find.skip((page.page - 1) * page.limit);
  const [records, total] = await Promise.all([find.lean<T[]>().exec(), model.countDocuments(query.filter).exec()]);
  return { ...toKeysetPage(records, page.limit, order), total };
}
