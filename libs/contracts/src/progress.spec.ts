import { progressPercent } from './progress';

const steps = [
  { name: 'fetch', weight: 1 },
  { name: 'analyse', weight: 2 },
  { name: 'store', weight: 1 },
];

describe(progressPercent.name, () => {
  it('gives each step its weighted share', () => {
    expect(progressPercent(steps, 0)).toBe(0);
    expect(progressPercent(steps, 1)).toBe(25);
    expect(progressPercent(steps, 2)).toBe(75);
    expect(progressPercent(steps, 3)).toBe(100);
  });

  it('adds the running step’s own fraction', () => {
    expect(progressPercent(steps, 1, 0.5)).toBe(50);
    expect(progressPercent(steps, 0, 2)).toBe(25); // clamped to the step's whole share
    expect(progressPercent(steps, 0, -1)).toBe(0);
  });

  it('never shows 100 before the last step finished', () => {
    expect(progressPercent(steps, 2, 0.999)).toBe(99);
  });

  it('rounds down, so progress from 1/3 shares never overshoots', () => {
    const thirds = [
      { name: 'a', weight: 1 },
      { name: 'b', weight: 1 },
      { name: 'c', weight: 1 },
    ];
    expect([0, 1, 2, 3].map((i) => progressPercent(thirds, i))).toEqual([0, 33, 66, 100]);
  });

  it('reaches chosen milestones when weights are chosen for them', () => {
    const milestones = [10, 10, 30, 25, 25].map((weight, i) => ({ name: `s${i}`, weight }));
    expect([1, 2, 3, 4, 5].map((i) => progressPercent(milestones, i))).toEqual([10, 20, 50, 75, 100]);
  });
});
