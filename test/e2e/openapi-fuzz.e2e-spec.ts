import fc from 'fast-check';
import type { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Conveyor } from '../support/conveyor';
import { OpenApiSchemas } from '../support/openapi-schemas';

/**
 * RELIABILITY B10 "openapi-fuzz": every operation of /docs-json, sent by a user, an anonymous
 * session and an admin with requests generated from its schemas (valid-ish, then missing, extra,
 * mistyped and boundary values, odd path and query values). No answer may be a 5xx (but a
 * documented 503), show a stack trace or name a driver; every error is the envelope and every 2xx
 * matches its documented schema.
 *
 * Reproduce a failure with the FUZZ_SEED it prints (FUZZ_RUNS changes the runs per operation).
 * An SSE stream (GET /api/v1/jobs/{jobId}/events) is judged by its status and headers, then
 * closed: it never ends by itself. `Prefer: wait` is sent with at most 1 s, so a submit cannot
 * hold the run for 30 s with no worker. Not sent: the Bull Board dashboard and the Swagger UI,
 * Express middleware outside the document (RELIABILITY A7 covers their gate).
 */

const ADMIN_TOKEN = 'openapi-fuzz-admin-token-0123456789';
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_110);
const RUNS = Number(process.env.FUZZ_RUNS ?? 20);
/** A caller an admin-only operation refuses gets fewer runs: every answer is the same 401/403. */
const REFUSED_RUNS = 5;
/** An answer slower than this is a hang (the longest wait asked for is `Prefer: wait=1`). */
const ANSWER_TIMEOUT_MS = 5_000;
/** Any limit high enough that the fuzz itself is never throttled (429 would hide the routes). */
const UNTHROTTLED = '1000000';

type Schema = Record<string, any>;
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: Schema;
  responses: Record<string, Schema>;
  adminOnly: boolean;
}
interface FuzzRequest {
  pathValues: Record<string, { value: string; raw: boolean }>;
  query: Array<[string, string]>;
  headers: Record<string, string>;
  body?: { value: unknown };
}

const CALLERS: Record<string, Record<string, string>> = {
  user: { 'x-user-id': 'fuzz-user' },
  session: { 'x-session-id': `fuzz_${randomBytes(16).toString('hex')}` },
  admin: { authorization: `Bearer ${ADMIN_TOKEN}` },
};

/** Frames and source paths of a stack trace. */
const STACK_TRACE = /\n\s+at |\bat [\w.<>]+ \(|\.(ts|js):\d+/;
/** Driver and store names an error must not reveal (health and metrics name them in 2xx by design). */
const DRIVER_TEXT = /mongo|mongoose|redis|ioredis|bson|\bCast(Error)?\b|Cast to /i;

// ---- Odd values -------------------------------------------------------------------------------

const nested = (depth: number): unknown => (depth === 0 ? 'bottom' : depth % 2 ? [nested(depth - 1)] : { deeper: nested(depth - 1) });

/** Values of every JSON type at and past the usual bounds: the mistyped and boundary cases. */
const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    '',
    ' ',
    '\u0000',
    'x'.repeat(70_000),
    0,
    -1,
    -0.5,
    1.5,
    2 ** 31,
    2 ** 53 + 2,
    1e308,
    -1e308,
    true,
    [],
    {},
    [null],
    { $ne: null },
    { $gt: '' },
    '2030-13-45T99:99:99Z',
    nested(40),
    nested(12),
  ),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.jsonValue({ maxDepth: 3 }),
);

/**
 * Path values: operator objects, non-ids, very long, malformed percent-encoding (sent raw). Never
 * empty, `.` or `..`: those address another route, which is fuzzed against its own document.
 */
const oddPathValue = fc.oneof(
  fc
    .constantFrom('{"$ne":null}', '$ne', 'null', 'undefined', '0', '-1', '1e400', ' ', '\u0000', 'a'.repeat(2_000), '[object Object]')
    .map((value) => ({ value, raw: false })),
  fc.constantFrom('%E0%A4%A', '%zz', '%00').map((value) => ({ value, raw: true })),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).map((value) => ({ value, raw: false })),
);
const addressesThisRoute = ({ value }: { value: string }) => !['', '.', '..'].includes(value);

const oddQueryValue = fc.oneof(
  fc.constantFrom('', '{"$ne":null}', '[object Object]', '-1', '0', '1.5', '1e400', 'NaN', 'true', 'null', 'x'.repeat(2_000), '\u0000'),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

/** Header values fetch can send (printable ASCII); `Prefer: wait` stays short to keep the run bounded. */
const oddHeaderValue = fc.oneof(
  fc.constantFrom('', 'wait=0', 'wait=1', 'wait=abc', 'wait=-1', 'respond-async', '{"$ne":null}', 'x'.repeat(300)),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
);

// ---- The document -----------------------------------------------------------------------------

function operationsOf(doc: Schema): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries<Schema>(doc.paths)) {
    for (const [method, op] of Object.entries<Schema>(item)) {
      operations.push({
        method: method.toUpperCase(),
        path,
        parameters: op.parameters ?? [],
        body: op.requestBody?.content?.['application/json']?.schema,
        responses: op.responses ?? {},
        adminOnly: (op.security ?? []).some((s: Schema) => 'adminToken' in s),
      });
    }
  }
  return operations;
}

/** Values of the schema, within its bounds (its example too, which is meant to be valid). */
function validValue(doc: Schema, schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(doc, schema);
  if (!s || depth > 4) return fc.jsonValue({ maxDepth: 1 });
  const withExample = (arbitrary: fc.Arbitrary<unknown>) =>
    s.example === undefined ? arbitrary : fc.oneof(fc.constant(s.example), arbitrary);
  const alternatives = s.oneOf ?? s.anyOf;
  if (alternatives) return withExample(fc.oneof(...alternatives.map((a: Schema) => validValue(doc, a, depth + 1))));
  if (s.allOf) return validValue(doc, Object.assign({}, ...s.allOf.map((a: Schema) => resolve(doc, a))), depth + 1);
  if (s.enum) return fc.constantFrom(...s.enum);
  switch (s.type) {
    case 'string':
      if (s.format === 'uuid') return fc.uuid();
      if (s.format === 'date-time')
        return fc.integer({ min: 1, max: 20 * 86_400_000 }).map((ms) => new Date(Date.now() + ms).toISOString());
      return withExample(
        fc.string({ minLength: s.minLength ?? 0, maxLength: Math.max(s.minLength ?? 0, Math.min(s.maxLength ?? 40, 40)) }),
      );
    case 'integer':
    case 'number': {
      const min = s.minimum ?? -1_000;
      const max = s.maximum ?? Math.max(min, 1_000) + 1_000;
      const integers = fc.integer({ min: Math.ceil(min), max: Math.min(Math.floor(max), Number.MAX_SAFE_INTEGER) });
      return withExample(s.type === 'integer' ? integers : fc.oneof(integers, fc.double({ min, max, noNaN: true })));
    }
    case 'boolean':
      return fc.boolean();
    case 'array':
      return withExample(
        fc.array(validValue(doc, s.items, depth + 1), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 3, 3) }),
      );
    default: {
      if (!s.properties) return withExample(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }));
      const properties = Object.fromEntries(Object.entries<Schema>(s.properties).map(([k, v]) => [k, validValue(doc, v, depth + 1)]));
      return withExample(fc.record(properties, { requiredKeys: s.required ?? [] }));
    }
  }
}

function resolve(doc: Schema, schema: Schema | undefined): Schema | undefined {
  let s = schema;
  while (s?.$ref)
    s = s.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce((node: Schema, key: string) => node?.[key], doc);
  return s;
}

// ---- Mutations of a valid body ----------------------------------------------------------------

/** Every object, array and leaf in a JSON value, with a setter and (for objects) its keys. */
function slotsOf(value: unknown, set: (v: unknown) => void, into: Array<{ value: unknown; set: (v: unknown) => void }> = []) {
  into.push({ value, set });
  if (Array.isArray(value)) value.forEach((item, i) => slotsOf(item, (v) => (value[i] = v), into));
  else if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) slotsOf(object[key], (v) => (object[key] = v), into);
  }
  return into;
}

type Mutation = { kind: 'drop' | 'extra' | 'replace' | 'whole'; at: number; key: string; odd: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('drop', 'extra', 'replace', 'whole'),
  at: fc.nat(),
  key: fc.constantFrom('unknownField', '$where', '__proto__', 'constructor', 'a.b', ''),
  odd: oddValue,
});

/** A valid body with one thing wrong: a field missing, an unknown one, a value mistyped or out of bounds. */
function mutate(body: unknown, m: Mutation): unknown {
  const root = { body: structuredClone(body) };
  const slots = slotsOf(root.body, (v) => (root.body = v));
  const objects = slots.filter((s) => s.value && typeof s.value === 'object' && !Array.isArray(s.value));
  const object = objects[m.at % Math.max(objects.length, 1)]?.value as Record<string, unknown> | undefined;
  if (m.kind === 'whole' || !object) return m.odd;
  if (m.kind === 'drop') delete object[Object.keys(object)[m.at % Math.max(Object.keys(object).length, 1)]];
  // defineProperty, since `object['__proto__'] = …` would set the prototype rather than add a key.
  if (m.kind === 'extra') Object.defineProperty(object, m.key, { value: m.odd, enumerable: true, writable: true });
  if (m.kind === 'replace') {
    if (slots.length < 2) return m.odd;
    slots[(m.at % (slots.length - 1)) + 1].set(m.odd);
  }
  return root.body;
}

// ---- Requests ---------------------------------------------------------------------------------

/**
 * A valid-ish request, or one with its oddities in one place (body, path, query or headers), so
 * that the valid-ish ones get past validation and reach the services.
 */
function requestFor(doc: Schema, op: Operation, known: Map<string, string[]>): fc.Arbitrary<FuzzRequest> {
  const pathNames = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  const pathValues = (odd: boolean) =>
    fc.record(
      Object.fromEntries(
        pathNames.map((name) => {
          const schema = op.parameters.find((p) => p.in === 'path' && p.name === name)?.schema;
          const valid = validValue(doc, schema).map((v) => ({ value: String(v), raw: false }));
          const seen = known.get(name) ?? [];
          const real = seen.length ? [fc.constantFrom(...seen).map((value) => ({ value, raw: false }))] : [];
          return [name, (odd ? oddPathValue : fc.oneof(...real, valid)).filter(addressesThisRoute)];
        }),
      ),
    );

  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const validQuery = fc
    .tuple(
      ...queryParams.map((p) =>
        fc.option(
          validValue(doc, p.schema).map((v) => [p.name, asQueryString(v)]),
          { freq: 2, nil: null },
        ),
      ),
    )
    .map((pairs) => pairs.filter((pair): pair is [string, string] => pair !== null));
  // One odd value: for a documented parameter, an unknown one, or a documented one sent twice.
  const oddPair = fc.tuple(fc.constantFrom(...queryParams.map((p) => p.name), 'unknownParam'), oddQueryValue, fc.boolean());
  const oddQuery = fc
    .tuple(validQuery, oddPair)
    .map(([pairs, [name, value, twice]]) => [...(twice ? pairs : pairs.filter(([n]) => n !== name)), [name, value] as [string, string]]);

  const headerParams = op.parameters.filter((p) => p.in === 'header' && !['x-user-id', 'x-session-id'].includes(p.name));
  const oddHeaders = fc.record(Object.fromEntries(headerParams.map((p) => [p.name, oddHeaderValue])), { requiredKeys: [] });

  const validBody = validValue(doc, op.body).map((value) => ({ value }));
  const oddBody = fc.tuple(validValue(doc, op.body), mutation).map(([body, m]) => ({ value: mutate(body, m) }));
  const body = (odd: boolean) => (op.body ? (odd ? oddBody : validBody) : fc.constant(undefined));

  const request = (odd: Partial<Record<'path' | 'query' | 'headers' | 'body', boolean>>) =>
    fc.record({
      pathValues: pathValues(!!odd.path),
      query: odd.query ? oddQuery : validQuery,
      headers: odd.headers ? oddHeaders : fc.constant({}),
      body: body(!!odd.body),
    });
  return fc.oneof(
    { arbitrary: request({}), weight: 2 },
    ...(op.body ? [{ arbitrary: request({ body: true }), weight: 3 }] : []),
    ...(pathNames.length ? [{ arbitrary: request({ path: true }), weight: 1 }] : []),
    { arbitrary: request({ query: true }), weight: 1 },
    ...(headerParams.length ? [{ arbitrary: request({ headers: true }), weight: 1 }] : []),
  ) as fc.Arbitrary<FuzzRequest>;
}

function asQueryString(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

async function send(baseUrl: string, op: Operation, caller: Record<string, string>, req: FuzzRequest): Promise<Answer> {
  const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const { value, raw } = req.pathValues[name];
    return raw ? value : encodeURIComponent(value);
  });
  const query = new URLSearchParams(req.query).toString();
  const headers: Record<string, string> = { ...req.headers, ...caller };
  if (req.body) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}${query ? `?${query}` : ''}`, {
    method: op.method,
    headers,
    body: req.body ? JSON.stringify(req.body.value) : undefined,
    signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
  });
  const contentType = res.headers.get('content-type') ?? '';
  if (contentType.startsWith('text/event-stream')) {
    // An SSE stream never ends by itself: its status and headers are the answer.
    await res.body?.cancel();
    return { status: res.status, contentType, text: '' };
  }
  return { status: res.status, contentType, text: await res.text() };
}

// ---- What every answer must be ----------------------------------------------------------------

function makeJudge(doc: Schema) {
  const schemas = new OpenApiSchemas(doc);
  return (op: Operation, answer: Answer): string | undefined => {
    const { status, contentType, text } = answer;
    if (status >= 500 && !(status === 503 && op.responses['503'])) return `answered ${status}: ${text.slice(0, 300)}`;
    if (STACK_TRACE.test(text)) return `shows a stack trace: ${text.slice(0, 300)}`;
    if (status >= 400) {
      if (DRIVER_TEXT.test(text)) return `names a driver in a ${status}: ${text.slice(0, 300)}`;
      const body = parseJson(text) as Schema | undefined;
      const enveloped =
        body?.success === false &&
        typeof body.detail === 'string' &&
        typeof body.error_code === 'string' &&
        typeof body.timestamp === 'string';
      return enveloped ? undefined : `a ${status} without the error envelope: ${text.slice(0, 300)}`;
    }
    const documented = op.responses[String(status)];
    if (!documented) return `answered ${status}, which the document does not list`;
    const schema = documented.content?.['application/json']?.schema;
    if (!schema || !contentType.includes('application/json')) return undefined;
    const problem = schemas.problem(schema, parseJson(text));
    return problem && `a ${status} that does not match its documented schema: ${problem}; body ${text.slice(0, 300)}`;
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// ---- The suite --------------------------------------------------------------------------------

describe('OpenAPI fuzz (RELIABILITY B10)', () => {
  let conveyor: Conveyor;
  let baseUrl: string;

  beforeAll(async () => {
    // No worker: nothing here needs a job to run, and queued jobs give the reads live Redis state.
    conveyor = await Conveyor.start({
      workers: 0,
      env: {
        ADMIN_API_TOKEN: ADMIN_TOKEN,
        API_DOCS: 'public',
        THROTTLE_READ_LIMIT: UNTHROTTLED,
        THROTTLE_SUBMIT_LIMIT: UNTHROTTLED,
        THROTTLE_SUBMIT_IP_LIMIT: UNTHROTTLED,
        THROTTLE_ADMIN_LIMIT: UNTHROTTLED,
        THROTTLE_BULK_LIMIT: UNTHROTTLED,
        THROTTLE_IP_LIMIT: UNTHROTTLED,
        THROTTLE_QUEUE_STATUS_LIMIT: UNTHROTTLED,
        THROTTLE_QUEUE_ADMIN_LIMIT: UNTHROTTLED,
        VIDEO_SUBMIT_IP_LIMIT: UNTHROTTLED,
        SSE_MAX_STREAMS_PER_CALLER: '1000',
      },
    });
    // One listening port for fetch (supertest would open one per request).
    const server = conveyor.app.getHttpServer() as Server;
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await conveyor?.close();
  });

  /** Real path values, so that the valid-ish requests reach records and not only 404s. */
  async function knownPathValues(): Promise<Map<string, string[]>> {
    const jobIds: string[] = [];
    for (const caller of Object.values(CALLERS)) {
      const res = await conveyor
        .http()
        .post('/api/v1/jobs')
        .set(caller)
        .send({ type: 'http.request', data: { url: 'http://127.0.0.1:9/fuzz', method: 'GET' } });
      if (res.status === 201) jobIds.push(res.body.data.jobId);
    }
    const admin = CALLERS.admin;
    const queues = (await conveyor.http().get('/api/v1/queues').set(admin)).body.data ?? [];
    const schedules = (await conveyor.http().get('/api/v1/scheduler/repeating').set(admin)).body.data ?? [];
    const entry = await conveyor
      .http()
      .post('/api/viral-ideas/queue')
      .set(CALLERS.user)
      .send({ session_id: 'fuzz-session-entry', primary_username: 'fuzz_creator' });
    const names = (list: unknown) => (Array.isArray(list) ? list.map((x: Schema) => x.name).filter(Boolean) : []);
    return new Map([
      ['jobId', jobIds],
      ['userId', ['fuzz-user']],
      ['name', [...names(queues), ...names(schedules)]],
      ['queue_id', entry.status === 201 ? [String(entry.body.data.id)] : []],
      ['session_id', ['fuzz-session-entry']],
    ]);
  }

  it('answers every operation of /docs-json, as every caller, without a 5xx, a leak, or a broken envelope or schema', async () => {
    const docRes = await fetch(`${baseUrl}/docs-json`);
    expect(docRes.status).toBe(200);
    const doc = (await docRes.json()) as Schema;
    const operations = operationsOf(doc);
    expect(operations.length).toBeGreaterThan(40);
    const judge = makeJudge(doc);
    const known = await knownPathValues();

    const failures: string[] = [];
    const statuses = new Map<string, Set<number>>();
    let seed = SEED;
    for (const op of operations) {
      const label = `${op.method} ${op.path}`;
      statuses.set(label, new Set());
      const arbitrary = requestFor(doc, op, known);
      for (const [who, caller] of Object.entries(CALLERS)) {
        const details = await fc.check(
          fc.asyncProperty(arbitrary, async (req) => {
            const answer = await send(baseUrl, op, caller, req);
            statuses.get(label)!.add(answer.status);
            const problem = judge(op, answer);
            if (problem) throw new Error(problem);
          }),
          { numRuns: op.adminOnly && who !== 'admin' ? REFUSED_RUNS : RUNS, seed: seed++, endOnFailure: true },
        );
        if (details.failed) {
          const problem = (details.errorInstance as Error | undefined)?.message;
          failures.push(`${label} as ${who} (FUZZ_SEED=${SEED}): ${problem}\n${fc.defaultReportMessage(details)?.slice(0, 1_500)}`);
        }
      }
    }
    // Each operation reached past its guards at least once: a fuzz refused everywhere proves nothing.
    const onlyRefused = [...statuses].filter(([, seen]) => [...seen].every((s) => s === 401 || s === 403)).map(([label]) => label);
    expect(onlyRefused).toEqual([]);
    expect(failures).toEqual([]);
  }, 170_000);
});
