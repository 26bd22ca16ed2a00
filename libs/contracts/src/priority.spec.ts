import { DEFAULT_PRIORITY, PRIORITY_LEVELS, fromHigherFirst, resolvePriority } from './priority';

describe(resolvePriority.name, () => {
  it.each([1, 2, 5, 9, 10])('accepts the integer %i as itself', (p) => {
    expect(resolvePriority(p)).toBe(p);
  });

  it('maps the named levels (urgent is the most urgent)', () => {
    expect(PRIORITY_LEVELS).toEqual({ urgent: 1, high: 3, normal: 5, low: 8 });
    expect(resolvePriority('urgent')).toBe(1);
    expect(resolvePriority('high')).toBe(3);
    expect(resolvePriority('normal')).toBe(DEFAULT_PRIORITY);
    expect(resolvePriority('low')).toBe(8);
  });

  it.each([0, 11, -1, 1.5, Number.NaN, Infinity, '1', 'urgentish', 'URGENT', 'toString', '__proto__', null, undefined, {}, [1]])(
    'refuses %p',
    (input) => {
      expect(resolvePriority(input)).toBeUndefined();
    },
  );
});

describe(fromHigherFirst.name, () => {
  it("reads seed 004's scale (10 the most urgent) onto ours (1 the most urgent)", () => {
    expect([10, 9, 6, 5, 1].map(fromHigherFirst)).toEqual([1, 2, 5, 6, 10]);
  });

  it('leaves names as they are, and what is out of range still out of range', () => {
    expect(fromHigherFirst('urgent')).toBe('urgent');
    expect(resolvePriority(fromHigherFirst(11))).toBeUndefined();
    expect(resolvePriority(fromHigherFirst(0))).toBeUndefined();
    expect(fromHigherFirst(1.5)).toBe(1.5);
  });
});
