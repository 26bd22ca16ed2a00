import { STRICT_VALIDATION, flattenValidationErrors } from '@conveyor/contracts';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { CompetitorInput, CreateViralEntryRequest } from './create-viral-entry.request';

/** Validates a body as the API's global pipe does: transform, then strict validation. */
async function check(competitors: unknown) {
  const sut = plainToInstance(CreateViralEntryRequest, { session_id: 's1', primary_username: 'me', competitors });
  return { request: sut, errors: flattenValidationErrors(await validate(sut, STRICT_VALIDATION)) };
}

describe(CreateViralEntryRequest.name, () => {
  it('takes competitors as plain usernames, as objects, or both mixed', async () => {
    const { request, errors } = await check(['comp_a', { username: 'comp_b', selection_method: 'manual' }, '@comp_c']);
    expect(errors).toEqual([]);
    expect(request.competitors).toEqual([
      Object.assign(new CompetitorInput(), { username: 'comp_a' }),
      Object.assign(new CompetitorInput(), { username: 'comp_b', selection_method: 'manual' }),
      Object.assign(new CompetitorInput(), { username: '@comp_c' }),
    ]);
    expect(request.competitors!.every((c) => c instanceof CompetitorInput)).toBe(true);
  });

  it('refuses a bad plain username with the field of its place in the list', async () => {
    const { errors } = await check(['fine', '../admin']);
    expect(errors.map((e) => e.field)).toEqual(['competitors.1.username']);
  });

  it('refuses elements that are neither a username nor an object', async () => {
    for (const element of [42, null, true, ['nested']]) {
      const { errors } = await check(['fine', element]);
      expect([element, errors]).toEqual([
        element,
        [{ field: 'competitors.1', message: 'each competitor must be a username or an object { username, selection_method? }' }],
      ]);
    }
  });

  it('still refuses unknown fields in competitor objects and a list that is not an array', async () => {
    expect((await check([{ username: 'x', owner: 'bob' }])).errors.map((e) => e.field)).toEqual(['competitors.0.owner']);
    expect(new Set((await check('comp_a')).errors.map((e) => e.field))).toEqual(new Set(['competitors']));
  });
});
