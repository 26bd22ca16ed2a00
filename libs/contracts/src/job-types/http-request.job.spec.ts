import { ConveyorError } from '../conveyor-error';
import { validatePayload } from '../validation';
import { HttpRequestPayload, headerMapProblem } from './http-request.job';

/** The field errors of an http.request payload with these headers, or [] when it is valid. */
async function headerErrors(headers: unknown) {
  try {
    await validatePayload(HttpRequestPayload, { url: 'https://example.com/', method: 'GET', headers });
    return [];
  } catch (error) {
    return (error as ConveyorError).extras.fields;
  }
}

describe(headerMapProblem.name, () => {
  it('accepts headers Node sends as given, Latin-1 and tabs included', () => {
    expect(headerMapProblem({ authorization: 'Bearer abc', 'x-name': 'Zoë', 'x-tab': 'a\tb', 'x-empty': '' })).toBeUndefined();
  });

  it.each([
    ['a snowman', '☃'],
    ['an emoji', 'ok 🚀'],
    ['a NUL', 'a\u0000b'],
    ['a line break', 'a\r\nx-injected: 1'],
    ['a DEL', 'a\u007fb'],
    ['another control character', 'a\u0001b'],
  ])('refuses a value with %s, naming the header', (_what, value) => {
    expect(headerMapProblem({ 'x-ok': 'fine', 'x-bad': value })).toBe(
      'headers["x-bad"] has characters an HTTP header cannot carry (control characters, or characters outside Latin-1)',
    );
  });

  it.each([
    ['a space', 'x bad'],
    ['a colon', 'x:bad'],
    ['a snowman', '☃'],
    ['no character', ''],
    ['129 characters', 'x'.repeat(129)],
  ])('refuses a name with %s', (_what, name) => {
    expect(headerMapProblem({ [name]: 'v' })).toContain('the name must be an HTTP token');
  });

  it('refuses reserved names, non-string values and too many headers', () => {
    expect(headerMapProblem({ Host: 'x' })).toContain('headers["Host"] is set by the worker itself');
    expect(headerMapProblem({ 'x-n': 1 })).toBe('headers["x-n"] must be a string of at most 8192 characters');
    expect(headerMapProblem(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`x-${i}`, 'v'])))).toContain('at most 50');
    expect(headerMapProblem(['x'])).toContain('must be an object');
  });

  it('names the header in the payload’s validation error', async () => {
    expect(await headerErrors({ 'x-snow': '☃' })).toEqual([
      {
        field: 'data.headers',
        message: 'data.headers["x-snow"] has characters an HTTP header cannot carry (control characters, or characters outside Latin-1)',
      },
    ]);
    expect(await headerErrors({ 'x-fine': 'yes' })).toEqual([]);
  });
});
