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

/**
 * Refuses a NUL character (`%00`) anywhere in the path or query: like one in a body, it would reach
 * a lookup the store cannot run (PostgreSQL under the MongoDB stand-in refuses it) and answer 500.
 */
export function rejectNulInUrl(req: Request, _res: Response, next: NextFunction): void {
  if (!req.originalUrl.includes('%00')) return next();
  next(new ConveyorError(ErrorCode.ValidationFailed, 'The URL may not contain a NUL character (%00)'));
}

/** Why a JSON value is refused: the path of the value at fault, and the reason. */
export interface JsonProblem {
  field: string;
  reason: string;
}

/**
 * Bodies made of items their route answers one by one (path → the key of the items' array): a
 * problem inside an item refuses that item alone, like the item's other validation errors.
 */
const ITEMISED_BODIES = new Map([['/api/v1/jobs/bulk', 'jobs']]);
/** The items set aside per request, by index, for their route to answer (see refusedItems). */
const REFUSED_ITEMS = new WeakMap<Request, ReadonlyMap<number, JsonProblem>>();

/**
 * Rejects parsed JSON that is too deep, too wide, or carries prototype or operator keys. On a
 * bulk route an item with such a problem is set aside instead (null in the body, so that nothing
 * downstream reads it, class-transformer included) and its route answers it: see refusedItems.
 */
export function rejectUnsafeJson(req: Request, _res: Response, next: NextFunction): void {
  if (req.body === undefined) return next();
  const itemised = itemsOf(req);
  if (itemised) {
    const refused = new Map<number, JsonProblem>();
    itemised.items.forEach((item, index) => {
      // Depth counts from the body, as it would for the whole body (body → jobs → item).
      const problem = findJsonProblem(item, `${itemised.key}[${index}]`, 3);
      if (problem) refused.set(index, problem);
    });
    for (const index of refused.keys()) itemised.items[index] = null;
    REFUSED_ITEMS.set(req, refused);
  }
  const problem = findJsonProblem(req.body);
  next(problem ? jsonProblemError(problem) : undefined);
}

/** The items of a bulk body that rejectUnsafeJson set aside, by index, with their problems. */
export function refusedItems(req: Request): ReadonlyMap<number, JsonProblem> {
  return REFUSED_ITEMS.get(req) ?? new Map();
}

/** A JSON problem as the 400 that names its field. */
export function jsonProblemError({ field, reason }: JsonProblem): ConveyorError {
  const message = `${field}: ${reason}`;
  return new ConveyorError(ErrorCode.ValidationFailed, `Request body rejected: ${message}`, { fields: [{ field, message }] });
}

/** The items of a bulk body, and their key, when the route checks them one by one. */
function itemsOf(req: Request): { key: string; items: unknown[] } | undefined {
  // The path as Express routes it: case-insensitive, trailing slash optional.
  const key = req.method === 'POST' ? ITEMISED_BODIES.get(req.path.toLowerCase().replace(/\/+$/, '')) : undefined;
  const body = req.body as unknown;
  if (key === undefined || typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const items = (body as Record<string, unknown>)[key];
  return Array.isArray(items) ? { key, items } : undefined;
}

/**
 * The first reason a JSON value is refused, or undefined. Keys starting with `$` or containing `.`
 * are refused so that no client data can be read as a MongoDB operator or path; keys and strings
 * with a NUL, because not every store can hold one.
 */
export function findJsonProblem(value: unknown, root = 'body', rootDepth = 1): JsonProblem | undefined {
  let keys = 0;
  const problem = (field: string, reason: string): JsonProblem => ({ field, reason });
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: root, depth: rootDepth }];
  while (stack.length > 0) {
    const { value: current, path, depth } = stack.pop()!;
    if (typeof current === 'string') {
      if (current.length > JSON_LIMITS.maxStringLength)
        return problem(path, `strings may be at most ${JSON_LIMITS.maxStringLength} characters`);
      // Stored JSON cannot hold a NUL everywhere we run (PostgreSQL under the MongoDB stand-in refuses it).
      if (current.includes('\0')) return problem(path, 'strings may not contain a NUL character');
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth > JSON_LIMITS.maxDepth) return problem(path, `nesting deeper than ${JSON_LIMITS.maxDepth} levels`);
    if (Array.isArray(current)) {
      if (current.length > JSON_LIMITS.maxArrayLength) return problem(path, `arrays may hold at most ${JSON_LIMITS.maxArrayLength} items`);
      current.forEach((item, i) => stack.push({ value: item, path: `${path}[${i}]`, depth: depth + 1 }));
      continue;
    }
    for (const [key, child] of Object.entries(current)) {
      if (++keys > JSON_LIMITS.maxKeys) return problem(root, `more than ${JSON_LIMITS.maxKeys} keys`);
      if (PROTOTYPE_KEYS.has(key)) return problem(`${path}.${key}`, `the key "${key}" is not allowed`);
      if (key.startsWith('$') || key.includes('.')) return problem(`${path}.${key}`, 'keys may not start with "$" or contain "."');
      // A NUL cannot be stored in a document key (BSON ends keys with it); named JSON-escaped.
      if (key.includes('\0')) return problem(`${path}[${JSON.stringify(key)}]`, 'keys may not contain a NUL character');
      stack.push({ value: child, path: `${path}.${key}`, depth: depth + 1 });
    }
  }
  return undefined;
}
