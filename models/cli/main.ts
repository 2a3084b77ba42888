// The gradlab command line. `gradlab <command> [options]`; `gradlab help` lists the commands.

import type { FlagSpec, Flags } from './args';
import { guardOutput, outputLost } from './output-guard';
import { runCli } from './run-cli';

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

guardOutput();
runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code === 0 && outputLost() ? 1 : code;
});
