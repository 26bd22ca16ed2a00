import { ConveyorError, ErrorCode } from '@conveyor/contracts';
import { NextFunction, Request, Response, json } from 'express';

/** Caps on the shape of any JSON body, beyond its byte size (RELIABILITY B1, B4, B5). */
export const JSON_LIMITS = {
  maxDepth: 32,
  maxStringLength: 65_536,
  maxArrayLength: 1_000,
  maxKeys: 5_000,
} as const;

/** Keys that would reach an object's prototype when copied or merged. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** body-parser's error types (it sets `type` on the errors it passes on) and what they mean. */
const BODY_PARSER_ERRORS: Record<string, [ErrorCode, string]> = {
  'entity.too.large': [ErrorCode.PayloadTooLarge, 'Request body is larger than the accepted limit'],
  'entity.parse.failed': [ErrorCode.MalformedJson, 'Request body is not valid JSON (a JSON object or array is expected)'],
  'encoding.unsupported': [ErrorCode.UnsupportedMediaType, 'Request body encoding is not supported'],
  'charset.unsupported': [ErrorCode.UnsupportedMediaType, 'Request body charset is not supported'],
};

/** express.json, with its errors turned into ConveyorErrors so clients get precise codes. */
export function parseJsonBody(limitBytes: number) {
  const parse = json({ limit: limitBytes, strict: true });
  return (req: Request, res: Response, next: NextFunction): void => {
    parse(req, res, (error?: unknown) => {
      const type = (error as { type?: unknown } | undefined)?.type;
      const known = typeof type === 'string' ? BODY_PARSER_ERRORS[type] : undefined;
      next(known ? new ConveyorError(known[0], known[1], { cause: error }) : error);
    });
  };
}

/** Bodies on POST, PUT and PATCH must be JSON; anything else is 415 rather than silently ignored. */
export function requireJsonBody(req: Request, _res: Response, next: NextFunction): void {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && ['POST', 'PUT', 'PATCH'].includes(req.method) && !req.is('application/json')) {
    next(new ConveyorError(ErrorCode.UnsupportedMediaType, 'Request bodies must be JSON (Content-Type: application/json)'));
    return;
  }
  next();
}

/** Rejects parsed JSON that is too deep, too wide, or carries prototype or operator keys. */
export function rejectUnsafeJson(req: Request, _res: Response, next: NextFunction): void {
  const problem = req.body === undefined ? undefined : findJsonProblem(req.body);
  next(
    problem
      ? new ConveyorError(ErrorCode.ValidationFailed, `Request body rejected: ${problem}`, {
          fields: [{ field: problem.split(':')[0], message: problem }],
        })
      : undefined,
  );
}

/**
 * The first reason a JSON value is refused, or undefined. Keys starting with `$` or containing `.`
 * are refused so that no client data can be read as a MongoDB operator or path; keys and strings
 * with a NUL, because not every store can hold one.
 */
export function findJsonProblem(value: unknown): string | undefined {
  let keys = 0;
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: 'body', depth: 1 }];
  while (stack.length > 0) {
    const { value: current, path, depth } = stack.pop()!;
    if (typeof current === 'string') {
      if (current.length > JSON_LIMITS.maxStringLength) return `${path}: strings may be at most ${JSON_LIMITS.maxStringLength} characters`;
      // Stored JSON cannot hold a NUL everywhere we run (PostgreSQL under the MongoDB stand-in refuses it).
      if (current.includes('\0')) return `${path}: strings may not contain a NUL character`;
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth > JSON_LIMITS.maxDepth) return `${path}: nesting deeper than ${JSON_LIMITS.maxDepth} levels`;
    if (Array.isArray(current)) {
      if (current.length > JSON_LIMITS.maxArrayLength) return `${path}: arrays may hold at most ${JSON_LIMITS.maxArrayLength} items`;
      current.forEach((item, i) => stack.push({ value: item, path: `${path}[${i}]`, depth: depth + 1 }));
      continue;
    }
    for (const [key, child] of Object.entries(current)) {
      if (++keys > JSON_LIMITS.maxKeys) return `body: more than ${JSON_LIMITS.maxKeys} keys`;
      if (PROTOTYPE_KEYS.has(key)) return `${path}.${key}: the key "${key}" is not allowed`;
      if (key.startsWith('$') || key.includes('.')) return `${path}.${key}: keys may not start with "$" or contain "."`;
      // A NUL cannot be stored in a document key (BSON ends keys with it).
      if (key.includes('\0')) return `${path}: keys may not contain a NUL character`;
      stack.push({ value: child, path: `${path}.${key}`, depth: depth + 1 });
    }
  }
  return undefined;
}
