import { Option } from 'commander';
import type { ProgressMode } from './progress-display';

export type { ProgressMode };

/** `--progress`: a bar on a terminal and plain lines otherwise, unless told. */
export function progressOption(): Option {
  return new Option('--progress <mode>', 'how to show progress on stderr').choices(['auto', 'bar', 'lines', 'none']).default('auto');
}
