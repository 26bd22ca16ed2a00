import { Command } from 'commander';
import type { SubmitJobBody } from '../../../client/src';
import { clientFor, globalOptions } from '../connection';
import { ExitCode } from '../exit-codes';
import { followJob } from '../follow-job';
import { readJobData, readPriority } from '../job-data';
import { printJson, printLine } from '../output';
import { ProgressMode, progressOption } from '../progress-option';

export function registerSubmit(program: Command): void {
  program
    .command('submit')
    .description('submit a job (POST /api/v1/jobs)')
    .argument('<type>', 'job type, e.g. http.request')
    .option('--data <json|@file>', 'the payload: inline JSON, @file.json, or @- for stdin', '{}')
    .option('--priority <priority>', '1 (most urgent) to 10, or urgent, high, normal, low')
    .option('--attempts <n>', 'attempts in all (the queue sets the default and the cap)', Number)
    .option('--wait', 'then watch the job until it ends; exit code as for watch')
    .addOption(progressOption())
    .action(async (type: string, options: SubmitOptions, command: Command) => {
      const global = globalOptions(command);
      const client = clientFor(global);
      const jobOptions = {
        ...(options.priority && { priority: readPriority(options.priority) }),
        ...(options.attempts && { attempts: options.attempts }),
      };
      // Built from the command line: the API validates the type and its payload.
      const body = { type, data: readJobData(options.data), options: jobOptions } as SubmitJobBody;
      const submitted = await client.submitJob(body);
      if (global.json) printJson(submitted);
      else printLine(`Submitted job ${submitted.jobId} (${submitted.type} on queue ${submitted.queue}, ${submitted.status})`);
      if (options.wait) process.exitCode = await followJob(client, submitted.jobId, { json: global.json, progress: options.progress });
      else process.exitCode = ExitCode.Ok;
    });
}

interface SubmitOptions {
  data: string;
  priority?: string;
  attempts?: number;
  wait?: boolean;
  progress: ProgressMode;
}
