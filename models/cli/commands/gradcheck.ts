// `gradlab gradcheck`: every op's analytic gradient against central differences, as a table,
// with a second column for second derivatives (gradgradcheck: the derivative of the recorded
// backward pass against central differences of the gradient).

import { runGradcheckSuite } from '../../../engine/gradcheck-suite';
import type { Command } from '../command';

export const gradcheckCommand: Command = {
  name: 'gradcheck',
  summary: 'check every op\'s first and second derivatives against finite differences (float64, CPU)',
  usage: 'gradlab gradcheck [--op NAME] [--json]',
  flags: {
    op: { type: 'string', help: 'only cases whose name contains this text' },
    json: { type: 'boolean', help: 'print the rows as JSON' },
  },
  async run(flags) {
    const filter = typeof flags.op === 'string' ? flags.op : undefined;
    const rows = runGradcheckSuite({ filter });
    const second = new Map(runGradcheckSuite({ filter, order: 2 }).map((r) => [r.name, r]));
    if (rows.length === 0) {
      console.error(`gradlab gradcheck: no case matches '${filter}'`);
      return 2;
    }
    const ok = (name: string, first: boolean): boolean => first && second.get(name)?.ok === true;
    if (flags.json) {
      console.log(JSON.stringify(rows.map((r) => ({ ...r, second: second.get(r.name) }))));
    } else {
      const sci = (x: number | undefined): string => (x === undefined ? '—' : x.toExponential(2));
      console.log(`${'op'.padEnd(38)}${'shapes'.padEnd(24)}${'max abs err'.padStart(12)}${'max rel err'.padStart(13)}${'2nd rel err'.padStart(13)}  result`);
      for (const r of rows) {
        const s = second.get(r.name);
        const error = r.error ?? s?.error;
        console.log(`${r.name.padEnd(38)}${r.shape.padEnd(24)}${sci(r.maxAbsError).padStart(12)}${sci(r.maxRelError).padStart(13)}${sci(s?.maxRelError).padStart(13)}  ${ok(r.name, r.ok) ? 'pass' : 'FAIL'}${error ? `  (${error})` : ''}`);
      }
      const failed = rows.filter((r) => !ok(r.name, r.ok)).length;
      console.log(`\n${rows.length - failed} passed, ${failed} failed (rel error < 1e-6 for first and second derivatives, float64 central differences)`);
    }
    return rows.every((r) => ok(r.name, r.ok)) ? 0 : 1;
  },
};
