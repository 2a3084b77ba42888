// The command line's dispatcher: `gradlab <command> [options]` to an exit code. models/cli/main.ts
// calls it with process.argv; the fuzz tests call it in-process with thousands of argument lists.

import { InputError, UsageError, describeFlags, parseFlags, type FlagSpec, type Flags } from './args';
import { benchCommand } from './commands/bench';
import { compareCommand } from './commands/compare';
import { gradcheckCommand } from './commands/gradcheck';
import { targetsCommand } from './commands/targets';
import { trainCommand } from './commands/train';
import type { Command } from './command';
import { escapeControls } from './safe-text';
import { version } from '../../package.json';

const commands: Command[] = [trainCommand, compareCommand, targetsCommand, gradcheckCommand, benchCommand];

function help(): string {
  return ['usage: gradlab <command> [options]', '       gradlab --version', '', 'commands:', ...commands.map((c) => `  ${c.name.padEnd(12)}${c.summary}`), '', "run 'gradlab <command> --help' for a command's options"].join('\n');
}

/** --help or -h in an option's place; not as the value of another (`--save -h` is refused by parseFlags instead). */
function asksForHelp(argv: string[], spec: FlagSpec): boolean {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return true;
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : undefined;
    if (name !== undefined && Object.hasOwn(spec, name) && spec[name].type !== 'boolean') i++;
  }
  return false;
}

/** Run one command line (without the program name); resolves to the process exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    console.log(`gradlab ${version}`);
    return 0;
  }
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(help());
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`gradlab: unknown command '${escapeControls(name)}'\n\n${help()}`);
    return 2;
  }
  if (asksForHelp(rest, command.flags)) {
    console.log(command.help ? command.help(rest) : `usage: ${command.usage}\n\n${command.summary}\n\noptions:\n${describeFlags(command.flags)}`);
    return 0;
  }
  let flags: Flags;
  try {
    flags = parseFlags(rest, command.flags);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`usage: ${command.usage}\ngradlab ${command.name}: ${escapeControls(e.message)}`);
      return 2;
    }
    throw e;
  }
  try {
    return await command.run(flags);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`usage: ${command.usage}\ngradlab ${command.name}: ${escapeControls(e.message)}`);
      return 2;
    }
    if (e instanceof InputError) {
      console.error(`gradlab ${command.name}: ${escapeControls(e.message)}`);
      return 2;
    }
    // JavaScript's own errors mean a bug here, not bad input: say so rather than pass them off as advice.
    const internal = e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError || e instanceof SyntaxError;
    console.error(`gradlab ${command.name}: ${internal ? `internal error (${(e as Error).name}): ` : ''}${escapeControls(e instanceof Error ? e.message : String(e))}`);
    return 1;
  }
}

