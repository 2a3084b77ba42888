// The gradlab command line. `gradlab <command> [options]`; `gradlab help` lists the commands.

import { guardOutput, outputLost } from './output-guard';
import { runCli } from './run-cli';

guardOutput();
runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code === 0 && outputLost() ? 1 : code;
});
