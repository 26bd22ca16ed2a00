import fs from 'node:fs';
import { UsageError } from './exit-codes';

/** `--data`: inline JSON, `@file.json`, or `@-` for standard input. */
export function readJobData(argument: string): unknown {
  const source = argument.startsWith('@') ? argument.slice(1) : undefined;
  let text = argument;
  if (source !== undefined) {
    try {
      text = fs.readFileSync(source === '-' ? 0 : source, 'utf8');
    } catch (error) {
      throw new UsageError(`--data ${argument}: ${(error as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--data ${source === undefined ? 'is not' : `${argument} does not hold`} valid JSON: ${(error as Error).message}`);
  }
}

/** `--priority`: a number 1–10 or a level name (urgent, high, normal, low); the API checks it. */
export function readPriority(argument: string): number | string {
  return /^\d+$/.test(argument) ? Number(argument) : argument;
}
