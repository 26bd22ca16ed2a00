import type { Queue } from 'bull';

/** How long a submit whose add went unanswered waits to learn whether it landed. */
export const UNCERTAIN_ADD_BUDGET_MS = 10_000;
const PROBE_EVERY_MS = 250;

/** ioredis' refusal of a command it never sent (no connection, and no offline queue). */
const NEVER_SENT = "Stream isn't writeable";

/**
 * Which of an unanswered add's jobs are in Bull after all. An add whose answer never came may
 * still have run: Redis can persist it (appendfsync always) and die, or the connection can drop,
 * before the reply arrives. A submit that answers 503 then must not leave the job to run, and one
 * whose job did land may answer 201 instead. So, within `budgetMs`: wait for the add itself to
 * settle (ioredis may resend it after a reconnect), then ask Redis whether each job exists.
 *
 * Returns the ids found in Bull, or undefined if Redis could not say in time (the caller must
 * then withdraw the jobs whenever they turn up). A command ioredis never sent costs no wait.
 */
export async function landedAfterAll(
  queue: Queue,
  jobIds: string[],
  adding: Promise<unknown>,
  cause: unknown,
  budgetMs = UNCERTAIN_ADD_BUDGET_MS,
): Promise<Set<string> | undefined> {
  if (cause instanceof Error && cause.message.startsWith(NEVER_SENT)) return new Set();
  const deadline = Date.now() + budgetMs;
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    adding.then(
      () => 'landed' as const,
      () => 'refused' as const,
    ),
    new Promise<'pending'>((resolve) => (timer = setTimeout(() => resolve('pending'), budgetMs))),
  ]).finally(() => clearTimeout(timer));
  if (settled === 'landed') return new Set(jobIds);
  // Still pending at the deadline: ioredis may yet send it, so nothing Redis says now is final.
  if (settled === 'pending') return undefined;
  while (Date.now() < deadline) {
    try {
      const present = await Promise.all(jobIds.map((id) => queue.client.exists(queue.toKey(id))));
      return new Set(jobIds.filter((_, i) => present[i] === 1));
    } catch {
      await sleep(Math.min(PROBE_EVERY_MS, Math.max(0, deadline - Date.now())));
    }
  }
  return undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
