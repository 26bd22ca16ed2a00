import { Command, CommanderError } from 'commander';
import { ConveyorApiError } from '../../client/src';
import { registerJobActions } from './commands/job-actions';
import { registerLists } from './commands/lists';
import { registerSubmit } from './commands/submit';
import { registerWatch } from './commands/watch';
import { addGlobalOptions } from './connection';
import { ExitCode, UsageError } from './exit-codes';
import { printNote } from './output';
// The repository's version: the CLI ships with the API it drives.
import { version } from '../../../package.json';

const EXIT_CODES_HELP = `
Exit codes: 0 done (a watched job completed), 1 the job failed, 2 the job was cancelled,
3 the API refused the request (its error_code is printed) or could not be reached, 4 bad usage.`;

export function buildProgram(): Command {
  const program = addGlobalOptions(new Command('conveyor'))
    .description('Submit, watch and manage Conveyor jobs over its HTTP API')
    .version(version)
    .addHelpText('after', EXIT_CODES_HELP)
    // Usage mistakes exit with ExitCode.Usage, not commander's 1 (which means "job failed" here).
    .exitOverride()
    .showHelpAfterError('(conveyor --help lists the commands)');
  registerSubmit(program);
  registerWatch(program);
  registerJobActions(program);
  registerLists(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    process.exitCode = report(error, program.opts().apiUrl as string);
  }
}

/** Prints what went wrong and returns the exit code it means. */
function report(error: unknown, apiUrl: string): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage; // commander printed it
  if (error instanceof UsageError) {
    printNote(`error: ${error.message}`);
    return ExitCode.Usage;
  }
  if (error instanceof ConveyorApiError) {
    printNote(`error: ${error.code} (HTTP ${error.status}): ${error.detail}`);
    for (const field of error.errors) printNote(`  ${field.field}: ${field.message}`);
    return ExitCode.ApiError;
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (error instanceof TypeError && cause) {
    // fetch's "fetch failed": the reason is in its cause (ECONNREFUSED, ENOTFOUND…).
    printNote(`error: cannot reach the API at ${apiUrl}: ${cause.code ?? cause.message}`);
    return ExitCode.ApiError;
  }
  printNote(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return ExitCode.Unexpected;
}
