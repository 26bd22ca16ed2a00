import { Command } from 'commander';
import { clientFor, globalOptions } from '../connection';
import { brief, printFields, printJson, printLine } from '../output';

/** `status`, `cancel` and `retry`: one job, one request. */
export function registerJobActions(program: Command): void {
  program
    .command('status')
    .description('show a job (GET /api/v1/jobs/:jobId)')
    .argument('<jobId>')
    .action(async (jobId: string, _options: object, command: Command) => {
      const global = globalOptions(command);
      const job = await clientFor(global).getJob(jobId);
      if (global.json) return printJson(job);
      printFields([
        ['job', job.jobId],
        ['type', job.type],
        ['queue', job.queue],
        ['status', job.status === job.conveyorStatus ? job.status : `${job.status} (${job.conveyorStatus})`],
        ['progress', `${job.progress.percent}%${job.progress.step ? `  ${job.progress.step}` : ''}`],
        ['attempts', `${job.attemptsMade}/${job.maxAttempts} (run ${job.run})`],
        ['created', job.createdAt],
        ['finished', job.finishedAt],
        ['error', job.error && `${job.error.code}: ${job.error.message}`],
        ['result', job.result === null || job.result === undefined ? undefined : brief(job.result)],
      ]);
    });

  program
    .command('cancel')
    .description('cancel a job and the flow under it (POST /api/v1/jobs/:jobId/cancel)')
    .argument('<jobId>')
    .action(async (jobId: string, _options: object, command: Command) => {
      const global = globalOptions(command);
      const answer = await clientFor(global).cancelJob(jobId);
      if (global.json) return printJson(answer);
      const note = answer.status === 'cancelling' ? ' (it stops at its next step boundary)' : '';
      printLine(`Job ${jobId}: ${answer.status}${note}`);
    });

  program
    .command('retry')
    .description('run a failed or cancelled job again (POST /api/v1/jobs/:jobId/retry)')
    .argument('<jobId>')
    .action(async (jobId: string, _options: object, command: Command) => {
      const global = globalOptions(command);
      const answer = await clientFor(global).retryJob(jobId);
      if (global.json) return printJson(answer);
      printLine(`Job ${answer.jobId}: ${answer.status} (run ${answer.run})`);
    });
}
