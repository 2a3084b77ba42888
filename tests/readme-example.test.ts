// The README's 20-line example must run exactly as printed (with 'gradlab' resolved to this repo).
import { describe, expect, it } from 'vitest';
import { readmeBlock, runBlock } from './readme-block';

describe('README example', () => {
  it('trains XOR, checks a gradient, and prints what the README says', async () => {
    const logged = await runBlock(readmeBlock('## A 20-line example', 25));
    // Steps 0, 100, 200, 300, then the gradcheck line.
    expect(logged.map((l) => l[0])).toEqual([0, 100, 200, 300, true]);
    const finalLoss = logged[3][1] as number;
    expect(finalLoss).toBeLessThan(0.05);
    expect(logged[4][1] as number).toBeLessThan(1e-6);
  });
});
