import type { Request, Response } from 'express';
import { ConveyorError } from '@conveyor/contracts';
import { JSON_LIMITS, findJsonProblem as findProblem, rejectNulInUrl } from './request-body.policy';

/** The problem as its error message reads (`field: reason`), or undefined. */
const findJsonProblem = (value: unknown, root?: string, rootDepth?: number) => {
  const problem = findProblem(value, root, rootDepth);
  return problem && `${problem.field}: ${problem.reason}`;
};

describe(findProblem.name, () => {
  it('accepts ordinary JSON', () => {
    expect(findJsonProblem({ type: 'x', data: { list: [1, 'two', { three: null }], nested: { a: { b: true } } } })).toBeUndefined();
  });

  it('refuses nesting past the depth cap but not at it', () => {
    const nest = (depth: number) => Array.from({ length: depth - 1 }).reduce<unknown>((inner) => ({ n: inner }), {});
    expect(findJsonProblem(nest(JSON_LIMITS.maxDepth))).toBeUndefined();
    expect(findJsonProblem(nest(JSON_LIMITS.maxDepth + 1))).toContain('nesting');
  });

  it('refuses long strings and long arrays', () => {
    expect(findJsonProblem({ s: 'x'.repeat(JSON_LIMITS.maxStringLength + 1) })).toContain('body.s');
    expect(findJsonProblem({ a: new Array(JSON_LIMITS.maxArrayLength + 1).fill(0) })).toContain('body.a');
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses the key %s anywhere', (key) => {
    expect(findJsonProblem(JSON.parse(`{"data":{"deep":[{"${key}":{"polluted":1}}]}}`))).toContain(key);
  });

  it.each(['$where', '$set', 'a.b'])('refuses the operator or path key %s', (key) => {
    expect(findJsonProblem({ data: { [key]: 1 } })).toContain(key);
  });

  it('refuses a NUL character in a key or a string', () => {
    expect(findJsonProblem(JSON.parse('{"data":{"body":{"a\\u0000b":1}}}'))).toBe(
      'body.data.body["a\\u0000b"]: keys may not contain a NUL character',
    );
    expect(findJsonProblem({ data: { note: 'a\u0000b' } })).toBe('body.data.note: strings may not contain a NUL character');
  });

  it('allows $ and . inside values', () => {
    expect(findJsonProblem({ data: { note: '$set a.b' } })).toBeUndefined();
  });

  it('names the field from the root it is given, and counts depth from there', () => {
    expect(findJsonProblem({ data: { 'k\u0000': 1 } }, 'jobs[2]', 3)).toBe(
      'jobs[2].data["k\\u0000"]: keys may not contain a NUL character',
    );
    const nest = (depth: number) => Array.from({ length: depth - 1 }).reduce<unknown>((inner) => ({ n: inner }), {});
    expect(findJsonProblem(nest(JSON_LIMITS.maxDepth - 2), 'jobs[0]', 3)).toBeUndefined();
    expect(findJsonProblem(nest(JSON_LIMITS.maxDepth - 1), 'jobs[0]', 3)).toContain('nesting');
  });
});

describe(rejectNulInUrl.name, () => {
  const check = (originalUrl: string) => {
    const next = jest.fn();
    rejectNulInUrl({ originalUrl } as Request, {} as Response, next);
    return next.mock.calls[0][0];
  };

  it('refuses %00 in the path or the query', () => {
    expect(check('/api/entries/%00')).toBeInstanceOf(ConveyorError);
    expect(check('/api/v1/jobs?cursor=a%00b')).toBeInstanceOf(ConveyorError);
  });

  it('lets other URLs through, an escaped percent sign before 00 included', () => {
    expect(check('/api/v1/jobs/abc?limit=100')).toBeUndefined();
    expect(check('/api/entries/%2500')).toBeUndefined();
  });
});
