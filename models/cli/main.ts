// The gradlab command line. `gradlab <command> [options]`; `gradlab help` lists the commands.

import { InputError, UsageError, describeFlags, parseFlags, type FlagSpec, type Flags } from './args';
import { benchCommand } from './commands/bench';
import { compareCommand } from './commands/compare';
import { gradcheckCommand } from './commands/gradcheck';
import { targetsCommand } from './commands/targets';
import { trainCommand } from './commands/train';

export interface Command {
  name: string;
  summary: string;
  usage: string;
  flags: FlagSpec;
  /** Returns the process exit code. */
  run(flags: Flags): Promise<number>;
}

const commands: Command[] = [trainCommand, compareCommand, targetsCommand, gradcheckCommand, benchCommand];

function help(): string {
  return ['usage: gradlab <command> [options]', '', 'commands:', ...commands.map((c) => `  ${c.name.padEnd(12)}${c.summary}`), '', "run 'gradlab <command> --help' for a command's options"].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(help());
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`gradlab: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`usage: ${command.usage}\n\n${command.summary}\n\noptions:\n${describeFlags(command.flags)}`);
    return 0;
  }
  let flags: Flags;
  try {
    flags = parseFlags(rest, command.flags);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`usage: ${command.usage}\ngradlab ${command.name}: ${e.message}`);
      return 2;
    }
    throw e;
  }
  try {
    return await command.run(flags);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`usage: ${command.usage}\ngradlab ${command.name}: ${e.message}`);
      return 2;
    }
    if (e instanceof InputError) {
      console.error(`gradlab ${command.name}: ${e.message}`);
      return 2;
    }
    console.error(`gradlab ${command.name}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
