// The CLI's progress line: durations rounded once (never "8m60s"), and the ETA from the rate so far.
import { describe, expect, it } from 'vitest';
import { createProgress, seconds } from '../models/cli/progress';

describe('progress', () => {
  it('formats durations without a 60 in the seconds or minutes', () => {
    expect(seconds(539.6)).toBe('9m00s');
    expect(seconds(59.6)).toBe('1m00s');
    expect(seconds(125.2)).toBe('2m05s');
    expect(seconds(3599.7)).toBe('1h00m');
    expect(seconds(7384)).toBe('2h03m');
    expect(seconds(41.4)).toBe('41s');
    expect(seconds(NaN)).toBe('?');
  });

  it('the ETA is the time per epoch so far times the epochs left', () => {
    let now = 0;
    const written: string[] = [];
    const stream = { isTTY: false, write: (s: string) => void written.push(s) } as unknown as NodeJS.WriteStream;
    const p = createProgress(stream, () => now);
    now = 6_000; // 3 of 90 epochs in 6 s: 2 s per epoch, 87 left
    p.tick(3, 90);
    expect(written).toEqual(['epoch 3/90  6s elapsed, ETA 2m54s\n']);
  });
});
