// Training progress on stderr: on a terminal a bar redrawn in place with an ETA; otherwise
// (a log file, a pipe, CI) one line every few seconds, so logs stay readable.

import type { HistoryRecord } from '../model';

export interface Progress {
  /** The latest history record, shown beside the bar. */
  update(record: HistoryRecord): void;
  tick(done: number, total: number): void;
  /** Finish the line (terminal) and print the last state. */
  done(): void;
}

const LINE_EVERY_MS = 5000;
const BAR_WIDTH = 24;

function seconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function createProgress(stream: NodeJS.WriteStream, now: () => number = () => performance.now()): Progress {
  const tty = stream.isTTY === true;
  const started = now();
  let lastLine = started;
  let record: HistoryRecord | undefined;
  let state = { done: 0, total: 0 };
  let drawn = false;

  const text = (): string => {
    const { done, total } = state;
    const elapsed = (now() - started) / 1000;
    const eta = done > 0 ? (elapsed / done) * (total - done) : NaN;
    const w1 = record ? `  W1 ${record.w1.toFixed(3)}` : '';
    return `epoch ${done}/${total}${w1}  ${seconds(elapsed)} elapsed, ETA ${seconds(eta)}`;
  };

  return {
    update(r) {
      record = r;
    },
    tick(done, total) {
      state = { done, total };
      if (tty) {
        const filled = total > 0 ? Math.round((BAR_WIDTH * done) / total) : BAR_WIDTH;
        stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${text()}\x1b[K`);
        drawn = true;
      } else if (now() - lastLine >= LINE_EVERY_MS) {
        lastLine = now();
        stream.write(`${text()}\n`);
      }
    },
    done() {
      if (tty && drawn) stream.write('\n');
    },
  };
}
