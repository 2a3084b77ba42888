// The gradlab command line. `gradlab <command> [options]`; `gradlab help` lists the commands.

import { runCli } from './run-cli';

runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
