// What each `gradlab` command is: its name, help and options, and the function that runs it.

import type { FlagSpec, Flags } from './args';

export interface Command {
  name: string;
  summary: string;
  usage: string;
  flags: FlagSpec;
  /** Returns the process exit code. */
  run(flags: Flags): Promise<number>;
  /** The --help text, when it depends on the other arguments (train --model vae --help). */
  help?(argv: string[]): string;
}
