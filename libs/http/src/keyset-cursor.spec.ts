import { randomUUID } from 'node:crypto';
import { decodeKeysetCursor, encodeKeysetCursor } from './keyset-cursor';

describe('keyset cursor', () => {
  it('round-trips a position', () => {
    const position = { at: new Date('2026-11-24T10:00:00.123Z'), jobId: randomUUID() };
    expect(decodeKeysetCursor(encodeKeysetCursor(position))).toEqual(position);
  });

  it.each([
    ['not base64 JSON', 'bm90LWEtY3Vyc29y'],
    ['an impossible date', Buffer.from('[1e20,"4b1f8c1e-7a53-4a59-9d43-5f0c6a1f3e21"]').toString('base64url')],
    ['an id that is not a UUID', Buffer.from('[0,"x"]').toString('base64url')],
  ])('refuses %s as a 400 on cursor', (_what, cursor) => {
    expect(() => decodeKeysetCursor(cursor)).toThrow(
      expect.objectContaining({ extras: expect.objectContaining({ fields: [expect.objectContaining({ field: 'cursor' })] }) }),
    );
  });
});
