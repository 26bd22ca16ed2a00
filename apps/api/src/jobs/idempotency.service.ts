import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { ConveyorError, DataCipher, DataFingerprint, ErrorCode, Owner, ownerKey, validationFailed, errorField } from '@conveyor/contracts';
import { RedisConnections, RedisLease, conveyorKeys } from '@conveyor/queueing';
import { createHash } from 'node:crypto';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
const MAX_KEY_LENGTH = 255;
/** A key's answer is replayed for this long. */
const REPLAY_TTL_SECONDS = 24 * 60 * 60;
/** A request that died mid-way frees its key after this long. */
const IN_FLIGHT_TTL_SECONDS = 60;

/** What was answered to the first request with a key, replayed to the later ones. */
export interface StoredAnswer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/** `answer` is sealed (DataCipher, bound to the Redis key): it may hold a job's result. */
type Entry = { fingerprint: string; answer?: StoredAnswer | string };

/**
 * `Idempotency-Key` on submissions: the same key from the same caller gets the first answer back
 * (same status and body) for 24 hours; the same key with another body is 422. Entries live in
 * Redis, so every API replica sees them; a key is claimed with SET NX before the work starts, so
 * two concurrent requests with one key cannot both submit.
 */
@Injectable()
export class IdempotencyService {
  private readonly logger = new Logger(IdempotencyService.name);

  constructor(
    private readonly connections: RedisConnections,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly fingerprints: DataFingerprint,
    private readonly cipher: DataCipher,
  ) {}

  /** Validates the header's value; undefined when the request has none. */
  parseKey(value: string | string[] | undefined): string | undefined {
    if (value === undefined) return undefined;
    const fail = (message: string) => validationFailed([{ field: 'Idempotency-Key', message }]);
    if (Array.isArray(value)) throw fail('Idempotency-Key must be sent once');
    if (value.length === 0 || value.length > MAX_KEY_LENGTH) throw fail(`Idempotency-Key must be 1-${MAX_KEY_LENGTH} characters`);
    if (!/^[\x21-\x7e]+$/.test(value)) throw fail('Idempotency-Key must be printable ASCII without spaces');
    return value;
  }

  /**
   * Runs `work` once per (caller, key, request): a repeat gets the stored answer, a different
   * request under the same key is refused, a repeat while the first is still running gets 409.
   * `work` calls `remember` as soon as its side effect exists (the job was created): from then on
   * the key is never freed, so no retry can create a second job, even if the rest of `work` fails.
   * A first attempt that fails before `remember` frees the key, so the client can retry it.
   */
  async once(
    owner: Owner,
    key: string,
    request: unknown,
    work: (remember: (answer: StoredAnswer) => Promise<void>) => Promise<StoredAnswer>,
  ): Promise<StoredAnswer & { replayed: boolean }> {
    const redis = this.connections.commandClient();
    const redisKey = conveyorKeys(this.config.redis.prefix).idempotency(sha256(`${ownerKey(owner)}\n${key}`));
    // Keyed: the request holds the payload and the callback secret (see DataFingerprint).
    const canonical = canonicalJson(request);
    const fingerprint = this.fingerprints.of(canonical);
    // The answer may hold a job's result (Prefer: wait): sealed at rest like the job's own data.
    const store = (answer: StoredAnswer) =>
      redis
        .set(
          redisKey,
          JSON.stringify({ fingerprint, answer: this.cipher.seal(answer, redisKey) } satisfies Entry),
          'EX',
          REPLAY_TTL_SECONDS,
        )
        .then(() => undefined);

    const claimed = await unavailableOnError(() =>
      RedisLease.acquire(redis, redisKey, IN_FLIGHT_TTL_SECONDS * 1000, JSON.stringify({ fingerprint } satisfies Entry)),
    );
    if (!claimed) {
      const stored = await unavailableOnError(() => RedisLease.holder(redis, redisKey));
      const entry = stored ? (JSON.parse(stored) as Entry) : undefined;
      if (entry && !this.fingerprints.matches(entry.fingerprint, canonical)) {
        throw new ConveyorError(
          ErrorCode.IdempotencyKeyReused,
          'This Idempotency-Key was used with a different request; use a new key for a new request',
        );
      }
      if (entry?.answer) return { ...this.cipher.open<StoredAnswer>(entry.answer, redisKey), replayed: true };
      throw new ConveyorError(
        ErrorCode.IdempotencyKeyInProgress,
        'A request with this Idempotency-Key is still being processed; retry shortly',
        {
          retryAfterSeconds: 1,
        },
      );
    }

    let remembered = false;
    const remember = async (answer: StoredAnswer) => {
      remembered = true;
      await store(answer);
    };
    let answer: StoredAnswer;
    try {
      answer = await work(remember);
    } catch (error) {
      // Freed only while it is still ours: a claim that expired meanwhile may be another request's.
      if (!remembered)
        await claimed
          .release()
          .catch((cause: unknown) =>
            this.logger.warn(errorField(cause), `Idempotency key not freed (it expires in ${IN_FLIGHT_TTL_SECONDS} s)`),
          );
      throw error;
    }
    // The job exists whatever happens now; if the final answer cannot be stored, a replay gets
    // the remembered one (or the claim expires, and only then could a retry submit again).
    await store(answer).catch((cause: unknown) => this.logger.warn(errorField(cause), 'Idempotent answer not stored'));
    return { ...answer, replayed: false };
  }
}

/** Redis failing under the key check is the service being unavailable (503), not a server fault. */
async function unavailableOnError<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    throw new ConveyorError(ErrorCode.QueueUnavailable, 'Idempotency keys cannot be checked right now; retry later', {
      cause,
      retryAfterSeconds: 5,
    });
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` are the same request. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
