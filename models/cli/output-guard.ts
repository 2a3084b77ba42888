// A failed write to stdout or stderr (a full disk, a closed pipe) must not end in exit 0 with the
// output silently lost. Node's console drops such errors; these listeners catch them: the process
// then exits non-zero, saying why on stderr when stderr still works. A reader that went away
// (EPIPE, as after `| head`) ends the process quietly with 141, as a SIGPIPE would.

import { errnoText } from './atomic-write';

/** Exit status after a lost pipe: 128 + SIGPIPE (13), what a shell reports for a program killed by it. */
export const EXIT_BROKEN_PIPE = 141;

let lost = false;

/** Watch process.stdout and process.stderr; call once, from the program's entry point. */
export function guardOutput(): void {
  for (const [name, stream] of [['stdout', process.stdout], ['stderr', process.stderr]] as const) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(EXIT_BROKEN_PIPE);
      if (lost) return;
      lost = true;
      if (name === 'stdout') {
        try {
          process.stderr.write(`gradlab: cannot write to stdout: ${errnoText(err)}; output was lost\n`);
        } catch {
          // stderr is gone too: the exit status is all that is left
        }
      }
      process.exitCode = 1;
    });
  }
  process.on('exit', (code) => {
    if (lost && code === 0) process.exitCode = 1;
  });
}

/** Whether a write to stdout or stderr has failed. */
export function outputLost(): boolean {
  return lost;
}
