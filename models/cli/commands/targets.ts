// `gradlab targets`: the built-in target distributions, with their exact means and stds.

import { listTargets } from '../../data/targets';
import type { Command } from '../command';

export const targetsCommand: Command = {
  name: 'targets',
  summary: 'list the built-in target distributions',
  usage: 'gradlab targets [--json]',
  flags: {
    json: { type: 'boolean', help: 'print a JSON array' },
  },
  async run(flags) {
    const targets = listTargets();
    if (flags.json) {
      console.log(JSON.stringify(targets.map((t) => ({ name: t.name, label: t.label, dim: t.dim, mean: t.mean, std: t.std, range: t.range }))));
      return 0;
    }
    const fmt = (xs: number[]): string => xs.map((x) => (Math.round(x * 1000) / 1000).toString()).join(', ');
    const rows = targets.map((t) => [t.name, t.label, `${t.dim}D`, fmt(t.mean), fmt(t.std)]);
    const header = ['name', 'label', 'dim', 'mean', 'std'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
    console.log([line(header), ...rows.map(line)].join('\n'));
    return 0;
  },
};
