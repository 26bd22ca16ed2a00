import { errorField, messageOf } from './error-message';

describe('errorField', () => {
  it('logs an error by name, message, code and stack, and nothing else it carries', () => {
    const error = Object.assign(new TypeError('connect refused'), {
      code: 'ECONNREFUSED',
      options: { headers: { authorization: 'Bearer s3cret' } },
    });
    const { err } = errorField(error);
    expect(err).toEqual({ type: 'TypeError', message: 'connect refused', code: 'ECONNREFUSED', stack: error.stack });
    expect(JSON.stringify(err)).not.toContain('s3cret');
  });

  it('logs anything thrown that is not an Error as text, with its type', () => {
    expect(errorField('timed out')).toEqual({ err: { type: 'string', message: 'timed out' } });
    expect(errorField(undefined).err.message).toBe('undefined');
    expect(messageOf(42)).toBe('42');
  });
});
