// A small, strict flag parser for the command line: --name value, --flag, and clear errors.

export class UsageError extends Error {}

/** A bad input file (CSV, checkpoint) or output path: exit 2 like a usage error, without the usage line. */
export class InputError extends Error {}

export type FlagSpec = Record<string, { type: 'string' | 'number' | 'int' | 'boolean'; help: string; default?: string | number | boolean }>;
export type Flags = Record<string, string | number | boolean | undefined>;

export function parseFlags(argv: string[], spec: FlagSpec): Flags {
  const out: Flags = {};
  for (const [name, s] of Object.entries(spec)) if (s.default !== undefined) out[name] = s.default;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument '${arg}'`);
    // --name=value splits at the first '=' only: the value keeps any later ones (and is then checked).
    const eq = arg.indexOf('=');
    const rawName = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    const s = Object.hasOwn(spec, rawName) ? spec[rawName] : undefined;
    if (!s) throw new UsageError(`unknown option --${rawName}`);
    if (s.type === 'boolean') {
      if (inline !== undefined && inline !== 'true' && inline !== 'false') throw new UsageError(`--${rawName} is a switch: give it alone, or as --${rawName}=true / --${rawName}=false, not '${inline}'`);
      out[rawName] = inline !== 'false';
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`--${rawName} needs a value`);
    // '-h' after --save is a forgotten value, not a file name: say so rather than write a file '-h'.
    if (inline === undefined && /^-[a-zA-Z]/.test(value)) throw new UsageError(`--${rawName} needs a value; '${value}' looks like an option (to mean it as the value, write --${rawName}=${value})`);
    if (s.type === 'string') out[rawName] = value;
    else {
      const num = Number(value);
      if (value.trim() === '' || !Number.isFinite(num)) throw new UsageError(`--${rawName} must be a number, got '${value}'`);
      if (s.type === 'int' && !Number.isInteger(num)) throw new UsageError(`--${rawName} must be an integer, got '${value}'`);
      out[rawName] = num;
    }
  }
  return out;
}

/** One line per option, the descriptions aligned in one column after the longest option. */
export function describeFlags(spec: FlagSpec): string {
  const rows = Object.entries(spec).map(([name, s]) => [
    `  --${name}${s.type === 'boolean' ? '' : ` <${s.type === 'string' ? 'value' : s.type}>`}`,
    s.help + (s.default !== undefined ? ` (default ${String(s.default)})` : ''),
  ]);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, help]) => left.padEnd(width) + help).join('\n');
}
