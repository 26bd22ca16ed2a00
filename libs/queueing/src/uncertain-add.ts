import type { Queue } from 'bull';

/** How long a submit waits, from its add, to learn whether an unanswered add landed. */
export const UNCERTAIN_ADD_BUDGET_MS = 10_000;
const PROBE_EVERY_MS = 250;

/** ioredis' refusal of a command it never sent (no connection, and no offline queue). */
const NEVER_SENT = "Stream isn't writeable";

/** The jobs of an unanswered add found in Bull; undefined (and why) when Redis could not say in time. */
export interface LandedJobs {
  landed: Set<string> | undefined;
  why?: string;
}

/**
 * Which of an unanswered add's jobs are in Bull after all. An add whose answer never came may
 * still have run: Redis can persist it (appendfsync always) and die, or the connection can drop,
 * before the reply arrives. A submit that answers 503 then must not leave the job to run, and one
 * whose job did land may answer 201 instead. So, before `deadline`: wait for the add itself to
 * settle (ioredis may resend it after a reconnect), then ask Redis whether the jobs exist.
 *
 * Finds the ids in Bull, or none if Redis could not say in time (the caller must then withdraw
 * the jobs whenever they turn up). A command ioredis never sent costs no wait.
 */
export async function findLandedJobs(
  queue: Queue,
  jobIds: string[],
  adding: Promise<unknown>,
  cause: unknown,
  deadline = Date.now() + UNCERTAIN_ADD_BUDGET_MS,
): Promise<LandedJobs> {
  if (cause instanceof Error && cause.message.startsWith(NEVER_SENT)) return { landed: new Set() };
  const budgetMs = Math.max(0, deadline - Date.now());
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    adding.then(
      () => 'landed' as const,
      () => 'refused' as const,
    ),
    new Promise<'pending'>((resolve) => (timer = setTimeout(() => resolve('pending'), budgetMs))),
  ]).finally(() => clearTimeout(timer));
  if (settled === 'landed') return { landed: new Set(jobIds) };
  // Still pending at the deadline: ioredis may yet send it, so nothing Redis says now is final.
  if (settled === 'pending') return { landed: undefined, why: 'the add was still unanswered' };
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return { landed: await present(queue, jobIds) };
    } catch (error) {
      lastError = error;
      await sleep(Math.min(PROBE_EVERY_MS, Math.max(0, deadline - Date.now())));
    }
  }
  return { landed: undefined, why: `Redis did not answer: ${lastError instanceof Error ? lastError.message : String(lastError)}` };
}

/** Which jobs Bull holds: one EXISTS for all (an addBulk lands all or none), one per job if split. */
async function present(queue: Queue, jobIds: string[]): Promise<Set<string>> {
  const count = await queue.client.exists(...jobIds.map((id) => queue.toKey(id)));
  if (count === 0) return new Set();
  if (count === jobIds.length) return new Set(jobIds);
  const each = await Promise.all(jobIds.map((id) => queue.client.exists(queue.toKey(id))));
  return new Set(jobIds.filter((_, i) => each[i] === 1));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
