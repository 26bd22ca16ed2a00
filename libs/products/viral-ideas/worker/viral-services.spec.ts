import { DownstreamError } from '@conveyor/job-runtime';
import { pathSegment } from './viral-services';

describe(pathSegment.name, () => {
  it('escapes a value into one path segment', () => {
    expect(pathSegment('creator.name_1')).toBe('creator.name_1');
    expect(pathSegment('a/b?c#d')).toBe('a%2Fb%3Fc%23d');
    expect(pathSegment('%2e%2e')).toBe('%252e%252e');
  });

  it.each(['', '.', '..'])('refuses %j, which URL parsing would turn into another path', (value) => {
    expect(() => pathSegment(value)).toThrow(DownstreamError);
  });

  it('keeps an escaped segment inside the base path once the URL is parsed', () => {
    for (const value of ['...', '..%2f', 'a/../..']) {
      expect(new URL(`https://svc.example/api/profiles/${pathSegment(value)}`).pathname).toMatch(/^\/api\/profiles\/[^/]+$/);
    }
  });
});
