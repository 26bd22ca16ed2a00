import { Command, Option } from 'commander';
import { ConveyorClient, createConveyorClient } from '../../client/src';

/** The options every command takes: where the API is, who is asking, how to print. */
export interface GlobalOptions {
  apiUrl: string;
  token?: string;
  user?: string;
  json?: boolean;
}

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

export function addGlobalOptions(program: Command): Command {
  return program
    .addOption(new Option('--api-url <url>', 'the API origin').env('CONVEYOR_API_URL').default(DEFAULT_API_URL))
    .addOption(new Option('--token <token>', 'bearer token: ADMIN_API_TOKEN, or a JWT in jwt mode').env('CONVEYOR_TOKEN'))
    .addOption(new Option('--user <id>', 'caller id sent as x-user-id (gateway mode)').env('CONVEYOR_USER'))
    .option('--json', 'machine output: one JSON value (watch: one JSON line per event)');
}

/** The global options as the running subcommand sees them. */
export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

export function clientFor(options: GlobalOptions): ConveyorClient {
  return createConveyorClient({ baseUrl: options.apiUrl, token: options.token, userId: options.user });
}
