import { requestIdFor } from './request-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe(requestIdFor.name, () => {
  it('keeps a well-formed incoming id', () => {
    expect(requestIdFor('3f1c2a9e-7d4b-4c1a-9e2f-0a1b2c3d4e5f')).toBe('3f1c2a9e-7d4b-4c1a-9e2f-0a1b2c3d4e5f');
    expect(requestIdFor('01HZX3J6Q0W8M5T2V9C4B7N1KD')).toBe('01HZX3J6Q0W8M5T2V9C4B7N1KD');
    expect(requestIdFor('gw:trace.42_a-b')).toBe('gw:trace.42_a-b');
  });

  it('replaces a missing, repeated, too short, too long or unsafe id with a new UUID', () => {
    for (const header of [
      undefined,
      '',
      'short',
      'x'.repeat(129),
      'id with spaces',
      'id\nInjected: 1',
      '<script>x</script>',
      ['a1b2c3d4e5', 'f6g7h8i9j0'],
    ]) {
      expect(requestIdFor(header)).toMatch(UUID);
    }
  });

  it('generates a different id for each request', () => {
    expect(requestIdFor(undefined)).not.toBe(requestIdFor(undefined));
  });
});
