import { Command } from 'commander';
import { clientFor, globalOptions } from '../connection';
import { followJob } from '../follow-job';
import { ProgressMode, progressOption } from '../progress-option';

export function registerWatch(program: Command): void {
  program
    .command('watch')
    .description("follow a job's events until it ends; exit 0 completed, 1 failed, 2 cancelled")
    .argument('<jobId>')
    .addOption(progressOption())
    .action(async (jobId: string, options: { progress: ProgressMode }, command: Command) => {
      const global = globalOptions(command);
      process.exitCode = await followJob(clientFor(global), jobId, { json: global.json, progress: options.progress });
    });
}
