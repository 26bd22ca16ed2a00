import mongoose from 'mongoose';
import { randomUUID } from 'node:crypto';
import { KeysetOrder, decodeKeysetCursor, encodeKeysetCursor, keysetQuery, parseKeysetCursor, toKeysetPage } from './keyset-pagination';

interface Row {
  _id: string;
  createdAt: Date;
  updatedAt: Date;
}

const NEWEST_CREATED: KeysetOrder<Row> = { field: 'createdAt', direction: 'descending' };
const OLDEST_UPDATED: KeysetOrder<Row> = { field: 'updatedAt', direction: 'ascending' };

function rows(n: number): Row[] {
  return Array.from({ length: n }, (_, i) => ({
    _id: randomUUID(),
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n - i)),
    updatedAt: new Date(Date.UTC(2026, 5, 1, 0, 0, i)),
  }));
}

describe('keyset cursor', () => {
  it('round-trips a position', () => {
    const position = { at: new Date('2026-11-24T10:00:00.123Z'), id: randomUUID() };
    expect(decodeKeysetCursor(encodeKeysetCursor(position))).toEqual(position);
  });

  it('reads the cursors clients already hold (base64url of [ms, id])', () => {
    const id = randomUUID();
    const issued = Buffer.from(JSON.stringify([1_764_000_000_000, id])).toString('base64url');
    expect(decodeKeysetCursor(issued)).toEqual({ at: new Date(1_764_000_000_000), id });
    expect(encodeKeysetCursor({ at: new Date(1_764_000_000_000), id })).toBe(issued);
  });

  it.each([
    ['not base64 JSON', 'bm90LWEtY3Vyc29y'],
    ['JSON that is not an array', Buffer.from('{"at":1}').toString('base64url')],
    ['an impossible date', Buffer.from('[1e20,"4b1f8c1e-7a53-4a59-9d43-5f0c6a1f3e21"]').toString('base64url')],
    ['an id that is not a UUID', Buffer.from('[0,"x"]').toString('base64url')],
  ])('refuses %s as a 400 on cursor', (_what, cursor) => {
    expect(parseKeysetCursor(cursor)).toBeUndefined();
    expect(() => decodeKeysetCursor(cursor)).toThrow(
      expect.objectContaining({ extras: expect.objectContaining({ fields: [expect.objectContaining({ field: 'cursor' })] }) }),
    );
  });
});

describe(toKeysetPage.name, () => {
  it('returns the limit and a cursor at its last item when the read found one more', () => {
    const read = rows(4);
    const page = toKeysetPage(read, 3, NEWEST_CREATED);
    expect(page.items).toEqual(read.slice(0, 3));
    expect(decodeKeysetCursor(page.nextCursor!)).toEqual({ at: read[2].createdAt, id: read[2]._id });
  });

  it("takes the position from the order's own field", () => {
    const read = rows(3);
    const page = toKeysetPage(read, 2, OLDEST_UPDATED);
    expect(decodeKeysetCursor(page.nextCursor!)).toEqual({ at: read[1].updatedAt, id: read[1]._id });
  });

  it.each([
    ['exactly the limit', 3],
    ['fewer', 1],
    ['nothing', 0],
  ])('ends the list when the read found %s', (_what, n) => {
    const read = rows(n);
    expect(toKeysetPage(read, 3, NEWEST_CREATED)).toEqual({ items: read, nextCursor: null });
  });
});

describe(keysetQuery.name, () => {
  const position = { at: new Date('2026-03-01T00:00:00Z'), id: randomUUID() };

  it('reads the first page with the list filter alone', () => {
    expect(keysetQuery(NEWEST_CREATED, { ownerKey: 'user:a' })).toEqual({
      filter: { ownerKey: 'user:a' },
      sort: { createdAt: -1, _id: -1 },
    });
  });

  it.each([
    ['newest first', NEWEST_CREATED, '$lt', -1],
    ['oldest first', OLDEST_UPDATED, '$gt', 1],
  ] as const)('reads %s strictly beyond the position, ties by id, with operators marked as ours', (_what, order, beyond, way) => {
    const { filter, sort } = keysetQuery(order, { ownerKey: 'user:a' }, position);
    expect(sort).toEqual({ [order.field]: way, _id: way });
    expect(filter).toEqual({
      $and: [
        { ownerKey: 'user:a' },
        {
          $or: [
            { [order.field]: mongoose.trusted({ [beyond]: position.at }) },
            { [order.field]: position.at, _id: mongoose.trusted({ [beyond]: position.id }) },
          ],
        },
      ],
    });
  });
});
