import { preferredWaitSeconds } from './prefer';

describe(preferredWaitSeconds.name, () => {
  it.each([
    ['wait=5', 5],
    ['respond-async, wait=10', 10],
    ['wait="7"', 7],
    ['WAIT = 3', 3],
    ['wait=0', 0],
    ['wait=120', 30],
  ])('reads %j as %d seconds', (header, seconds) => {
    expect(preferredWaitSeconds(header)).toBe(seconds);
  });

  it.each([[undefined], [''], ['wait=-1'], ['wait=abc'], ['return=minimal'], ['wait=1.5']])('ignores %j', (header) => {
    expect(preferredWaitSeconds(header)).toBeUndefined();
  });

  it('reads the preference from repeated headers', () => {
    expect(preferredWaitSeconds(['return=minimal', 'wait=4'])).toBe(4);
  });
});
