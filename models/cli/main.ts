// The gradlab command line. `gradlab <command> [options]`; `gradlab help` lists the commands.

import type { FlagSpec, Flags } from './args';
import { runCli } from './run-cli';

export interface Command {
  name: string;
  summary: string;
  usage: string;
  flags: FlagSpec;
  /** Returns the process exit code. */
  run(flags: Flags): Promise<number>;
}

runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
