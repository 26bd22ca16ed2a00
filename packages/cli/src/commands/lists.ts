import { Command } from 'commander';
import type { DeadLetterQuery, JobListQuery } from '../../../client/src';
import { clientFor, globalOptions } from '../connection';
import { brief, printJson, printLine, printTable } from '../output';

/** `list`, `queues` and `dead-letters`: tables by default, the API's data with --json. */
export function registerLists(program: Command): void {
  program
    .command('list')
    .description('your jobs, newest first (GET /api/v1/jobs; an admin sees everyone’s)')
    .option('--status <status>', 'waiting, delayed, active, completed, failed or cancelled')
    .option('--type <type>')
    .option('--queue <queue>')
    .option('--limit <n>', '1 to 100 (default 20)', Number)
    .option('--cursor <cursor>', 'the next page, as the previous one printed it')
    .action(async (options: Record<string, string | number | undefined>, command: Command) => {
      const global = globalOptions(command);
      // From the command line as typed: the API validates the filters.
      const page = await clientFor(global).listJobs(defined(options) as JobListQuery);
      if (global.json) return printJson(page);
      printTable(
        ['JOB', 'TYPE', 'STATUS', 'PROGRESS', 'CREATED'],
        page.items.map((job) => [job.jobId, job.type, job.status, `${job.progress.percent}%`, job.createdAt]),
      );
      if (page.nextCursor) printLine(`more: --cursor ${page.nextCursor}`);
    });

  program
    .command('queues')
    .description('every queue with its counts and health (admin; GET /api/v1/queues)')
    .action(async (_options: object, command: Command) => {
      const global = globalOptions(command);
      const queues = await clientFor(global).listQueues();
      if (global.json) return printJson(queues);
      printTable(
        ['QUEUE', 'WAITING', 'ACTIVE', 'DELAYED', 'COMPLETED', 'FAILED', 'STATE', 'HEALTH'],
        queues.map((q) => [
          q.name,
          q.counts.waiting,
          q.counts.active,
          q.counts.delayed,
          q.counts.completed,
          q.counts.failed,
          q.isPaused ? 'paused' : q.isDraining ? 'draining' : 'active',
          q.healthStatus,
        ]),
      );
    });

  program
    .command('dead-letters')
    .description('jobs that failed for good, newest first (admin; GET /api/v1/dead-letters)')
    .option('--queue <queue>')
    .option('--type <type>')
    .option('--limit <n>', '1 to 100', Number)
    .option('--cursor <cursor>')
    .action(async (options: Record<string, string | number | undefined>, command: Command) => {
      const global = globalOptions(command);
      const page = await clientFor(global).listDeadLetters(defined(options) as DeadLetterQuery);
      if (global.json) return printJson(page);
      printTable(
        ['JOB', 'TYPE', 'QUEUE', 'OWNER', 'FAILED', 'ERROR'],
        page.items.map((d) => [d.jobId, d.type, d.queue, d.owner, d.failedAt, brief(`${d.error.code}: ${d.error.message}`, 60)]),
      );
      if (page.nextCursor) printLine(`more: --cursor ${page.nextCursor}`);
    });
}

/** The options given (commander leaves the others undefined; sent as query strings they would read "undefined"). */
function defined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
