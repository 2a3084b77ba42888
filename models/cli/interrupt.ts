// Ctrl+C (SIGINT) and SIGTERM during training: the first one asks the run to stop at the next
// step boundary (runTraining asks between steps), where a checkpoint resumes exactly (it holds
// the unfinished epoch's step count and running sums); the command then writes its checkpoint
// (--save, or a rescue file) and exits 130 or 143. A second signal quits at once.

/** The exit status for a signal, as a shell reports it: 128 + the signal's number. */
export function signalExitCode(signal: 'SIGINT' | 'SIGTERM'): number {
  return signal === 'SIGINT' ? 130 : 143;
}

export interface InterruptWatch {
  /** The signal received, or null. */
  readonly signal: 'SIGINT' | 'SIGTERM' | null;
  /** Yields to the event loop (so a pending signal is handled), then says whether to stop. */
  stopRequested(): Promise<boolean>;
  /** Restore the default behaviour. */
  dispose(): void;
}

/** Catch SIGINT and SIGTERM while `command` trains. */
export function watchInterrupts(command: string): InterruptWatch {
  let received: 'SIGINT' | 'SIGTERM' | null = null;
  const handler = (signal: 'SIGINT' | 'SIGTERM') => (): void => {
    if (received) {
      process.stderr.write(`\ngradlab ${command}: ${signal} again: quitting at once, without saving\n`);
      process.exit(signalExitCode(signal));
    }
    received = signal;
    process.stderr.write(`\ngradlab ${command}: ${signal}: stopping after this step to save the model (${signal === 'SIGINT' ? 'Ctrl+C' : 'the signal'} again quits at once)\n`);
  };
  const onInt = handler('SIGINT');
  const onTerm = handler('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    get signal() {
      return received;
    },
    async stopRequested() {
      // Two turns of the event loop: a signal that arrived during the epoch is read in the poll phase.
      for (let turn = 0; turn < 2 && received === null; turn++) await new Promise((resolve) => setImmediate(resolve));
      return received !== null;
    },
    dispose() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}
