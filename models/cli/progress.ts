// Training progress on stderr: on a terminal a bar redrawn in place with an ETA; otherwise
// (a log file, a pipe, CI) one line every few seconds, so logs stay readable.

import type { HistoryRecord } from '../core/model';

export interface Progress {
  /** The latest history record, shown beside the bar. */
  update(record: HistoryRecord): void;
  tick(done: number, total: number): void;
  /** Finish the line (terminal) and print the last state. */
  done(): void;
}

const LINE_EVERY_MS = 5000;
const BAR_WIDTH = 24;

/** A duration as 42s, 8m05s or 2h03m (rounded once, so 539.6 s is 9m00s, never 8m60s). */
export function seconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const whole = Math.round(s);
  if (whole < 60) return `${whole}s`;
  const m = Math.floor(whole / 60);
  if (m < 60) return `${m}m${String(whole % 60).padStart(2, '0')}s`;
  const minutes = Math.round(s / 60);
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
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
