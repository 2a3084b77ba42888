// `gradlab gradcheck`: every op's analytic gradient against central differences, as a table.

import { runGradcheckSuite } from '../../../engine/gradcheck-suite';
import type { Command } from '../main';

export const gradcheckCommand: Command = {
  name: 'gradcheck',
  summary: 'check every op\'s gradient against finite differences (float64, CPU)',
  usage: 'gradlab gradcheck [--op NAME] [--json]',
  flags: {
    op: { type: 'string', help: 'only cases whose name contains this text' },
    json: { type: 'boolean', help: 'print the rows as JSON' },
  },
  async run(flags) {
    const filter = typeof flags.op === 'string' ? flags.op : undefined;
    const rows = runGradcheckSuite().filter((r) => filter === undefined || r.name.includes(filter));
    if (rows.length === 0) {
      console.error(`gradlab gradcheck: no case matches '${filter}'`);
      return 2;
    }
    if (flags.json) {
      console.log(JSON.stringify(rows));
    } else {
      const sci = (x: number): string => x.toExponential(2);
      console.log(`${'op'.padEnd(34)}${'shapes'.padEnd(26)}${'max abs err'.padStart(12)}${'max rel err'.padStart(13)}  result`);
      for (const r of rows) {
        console.log(`${r.name.padEnd(34)}${r.shape.padEnd(26)}${sci(r.maxAbsError).padStart(12)}${sci(r.maxRelError).padStart(13)}  ${r.ok ? 'pass' : 'FAIL'}${r.error ? `  (${r.error})` : ''}`);
      }
      const failed = rows.filter((r) => !r.ok).length;
      console.log(`\n${rows.length - failed} passed, ${failed} failed (rel error < 1e-6, float64 central differences)`);
    }
    return rows.every((r) => r.ok) ? 0 : 1;
  },
};
