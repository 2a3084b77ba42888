// A function typed by the learner, such as "sin(x)·x" or "mean((x − t)^2)", read by a small
// recursive-descent parser (no eval): characters → tokens → a tree → engine ops. The grammar,
// loosest binding first (-x^2 is −(x²), as in mathematics):
//
//   sum      := product (('+' | '−') product)*
//   product  := signed (('·' | '*' | '×' | '/') signed)*
//   signed   := '−' signed | power
//   power    := atom ('^' exponent)?          exponent: a number, e.g. x^2, x^-0.5, x^(1/2) is not
//   atom     := number | name | function '(' sum ')' | '(' sum ')'
//
// A name that is not a function is an input (x, w, t, ...). Errors name the column and what was
// expected there, e.g. "unknown function 'sn' at column 1; try sin".

import { abs, add, cos, div, exp, log, mean, mul, neg, pow, relu, sigmoid, sin, sqrt, sub, sum, tanh, type Tensor } from '../../engine/index';

/** The functions a learner can type: the op table's functions of one number, and two reductions. */
export const FUNCTIONS = {
  sin, cos, exp, log, sqrt, abs, tanh, sigmoid, relu,
  sum: (x: Tensor): Tensor => sum(x),
  mean: (x: Tensor): Tensor => mean(x),
} satisfies Record<string, (x: Tensor) => Tensor>;
export type FunctionName = keyof typeof FUNCTIONS;
const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];
const isFunctionName = (s: string): s is FunctionName => (FUNCTION_NAMES as string[]).includes(s);

export type BinaryOperator = '+' | '−' | '·' | '/';

/** The tree of a typed function. `at` is the 1-based column where the piece starts. */
export type Expr =
  | { kind: 'number'; value: number; at: number }
  | { kind: 'input'; name: string; at: number }
  | { kind: 'call'; fn: FunctionName; arg: Expr; at: number }
  | { kind: 'negate'; arg: Expr; at: number }
  | { kind: 'binary'; op: BinaryOperator; left: Expr; right: Expr; at: number }
  | { kind: 'power'; base: Expr; exponent: number; at: number };

/** A typing mistake, with the 1-based column it was found at. */
export class ExpressionError extends Error {
  constructor(message: string, readonly column: number) {
    super(message);
    this.name = 'ExpressionError';
  }
}

type Token =
  | { kind: 'number'; value: number; text: string; at: number }
  | { kind: 'name'; text: string; at: number }
  | { kind: 'op'; text: BinaryOperator | '^' | '(' | ')'; at: number }
  | { kind: 'end'; at: number };

/** Other ways to type an operator: ASCII, and the signs a keyboard or a phone offers. */
const OPERATORS: Record<string, BinaryOperator | '^' | '(' | ')'> = {
  '+': '+', '-': '−', '−': '−', '–': '−', '*': '·', '·': '·', '×': '·', '⋅': '·', '/': '/', '÷': '/', '^': '^', '(': '(', ')': ')',
};
const SUPERSCRIPTS: Record<string, string> = { '²': '2', '³': '3' };

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    const at = i + 1;
    if (/\s/.test(c)) { i++; continue; }
    const number = /^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/i.exec(source.slice(i));
    if (number) {
      tokens.push({ kind: 'number', value: Number(number[0]), text: number[0], at });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_πα-ωΑ-Ω][A-Za-z0-9_]*/.exec(source.slice(i));
    if (name) {
      tokens.push({ kind: 'name', text: name[0], at });
      i += name[0].length;
      continue;
    }
    if (source.startsWith('**', i)) { tokens.push({ kind: 'op', text: '^', at }); i += 2; continue; }
    if (SUPERSCRIPTS[c]) {
      tokens.push({ kind: 'op', text: '^', at }, { kind: 'number', value: Number(SUPERSCRIPTS[c]), text: SUPERSCRIPTS[c], at });
      i++;
      continue;
    }
    const op = OPERATORS[c];
    if (!op) throw new ExpressionError(`unexpected '${c}' at column ${at}; use numbers, names such as x, + − · / ^, parentheses and functions such as sin(x)`, at);
    tokens.push({ kind: 'op', text: op, at });
    i++;
  }
  tokens.push({ kind: 'end', at: source.length + 1 });
  return tokens;
}

/** Levenshtein distance, to suggest the function meant by a typo. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

function suggestion(name: string): string {
  const best = FUNCTION_NAMES.map((f) => ({ f, d: distance(name.toLowerCase(), f) })).sort((a, b) => a.d - b.d)[0];
  return best.d <= (name.length <= 3 ? 1 : 2) ? `try ${best.f}` : `the functions are ${FUNCTION_NAMES.join(', ')}`;
}

const describe = (t: Token): string => (t.kind === 'end' ? 'the end' : `'${t.text}'`);

/** Parse a typed function into its tree. Throws ExpressionError on a mistake. */
export function parseExpression(source: string): Expr {
  const tokens = tokenize(source);
  if (tokens.length === 1) throw new ExpressionError('type a function of x, such as sin(x)·x', 1);
  let k = 0;
  const peek = (): Token => tokens[k];
  const isOp = (t: Token, ...ops: string[]): boolean => t.kind === 'op' && ops.includes(t.text);

  /** Operands joined left to right by `ops`: a − b − c is (a − b) − c. */
  function chain(operand: () => Expr, ops: BinaryOperator[]): Expr {
    let left = operand();
    while (isOp(peek(), ...ops)) {
      const t = tokens[k++] as { text: BinaryOperator; at: number };
      left = { kind: 'binary', op: t.text, left, right: operand(), at: left.at };
    }
    return left;
  }
  function parseSum(): Expr { return chain(parseProduct, ['+', '−']); }
  function parseProduct(): Expr { return chain(parseSigned, ['·', '/']); }
  function parseSigned(): Expr {
    const t = peek();
    if (isOp(t, '−')) { k++; return { kind: 'negate', arg: parseSigned(), at: t.at }; }
    if (isOp(t, '+')) { k++; return parseSigned(); }
    return parsePower();
  }
  function parsePower(): Expr {
    const base = parseAtom();
    if (!isOp(peek(), '^')) return base;
    const caret = tokens[k++];
    const exponent = parseExponent(caret.at);
    if (isOp(peek(), '^')) throw new ExpressionError(`a second '^' at column ${peek().at}; write (a^b)^c with parentheses`, peek().at);
    return { kind: 'power', base, exponent, at: base.at };
  }
  /** The exponent: a number, optionally negative and in parentheses (x^2, x^-1, x^(-0.5)). */
  function parseExponent(caretAt: number): number {
    const open = isOp(peek(), '(');
    if (open) k++;
    let sign = 1;
    if (isOp(peek(), '−')) { k++; sign = -1; }
    const t = peek();
    if (t.kind !== 'number') {
      throw new ExpressionError(`the exponent after '^' at column ${caretAt} must be a number (x^2, x^-0.5), found ${describe(t)}; for x to the power y write exp(y·log(x))`, t.at);
    }
    k++;
    if (open) expect(')', `to close the '(' of the exponent`);
    return sign * t.value;
  }
  function expect(text: string, why: string): void {
    const t = peek();
    if (!isOp(t, text)) throw new ExpressionError(`expected '${text}' at column ${t.at} ${why}, found ${describe(t)}`, t.at);
    k++;
  }
  function parseAtom(): Expr {
    const t = tokens[k++];
    if (t.kind === 'number') return { kind: 'number', value: t.value, at: t.at };
    if (t.kind === 'name') {
      if (t.text === 'pi' || t.text === 'π') return { kind: 'number', value: Math.PI, at: t.at };
      if (isOp(peek(), '(')) {
        if (!isFunctionName(t.text)) throw new ExpressionError(`unknown function '${t.text}' at column ${t.at}; ${suggestion(t.text)}`, t.at);
        const open = tokens[k++];
        if (isOp(peek(), ')')) throw new ExpressionError(`${t.text}() at column ${t.at} needs an argument, such as ${t.text}(x)`, peek().at);
        const arg = parseSum();
        expect(')', `to close the '(' at column ${open.at}`);
        return { kind: 'call', fn: t.text, arg, at: t.at };
      }
      if (isFunctionName(t.text)) throw new ExpressionError(`${t.text} at column ${t.at} needs parentheses: ${t.text}(x)`, t.at);
      if (t.text === 'L') throw new ExpressionError(`L at column ${t.at} names the result; call the input something else`, t.at);
      return { kind: 'input', name: t.text, at: t.at };
    }
    if (isOp(t, '(')) {
      if (isOp(peek(), ')')) throw new ExpressionError(`empty parentheses at column ${t.at}`, t.at);
      const inner = parseSum();
      expect(')', `to close the '(' at column ${t.at}`);
      return inner;
    }
    throw new ExpressionError(`expected a number, a name such as x, a function such as sin( or '(' at column ${t.at}, found ${describe(t)}`, t.at);
  }

  const tree = parseSum();
  const rest = peek();
  if (rest.kind !== 'end') {
    const hint = rest.kind === 'op' && rest.text === ')' ? `; there is no '(' for it` : rest.kind === 'op' ? '' : `; write a multiplication as ${rest.kind === 'name' ? '2·x' : 'x·2'}`;
    throw new ExpressionError(`unexpected ${describe(rest)} at column ${rest.at}; expected an operator (+ − · / ^) or the end${hint}`, rest.at);
  }
  return tree;
}

/** The inputs a tree reads, in order of first appearance. */
export function inputNames(e: Expr): string[] {
  const names: string[] = [];
  const walk = (n: Expr): void => {
    if (n.kind === 'input' && !names.includes(n.name)) names.push(n.name);
    if (n.kind === 'call' || n.kind === 'negate') walk(n.arg);
    if (n.kind === 'power') walk(n.base);
    if (n.kind === 'binary') { walk(n.left); walk(n.right); }
  };
  walk(e);
  return names;
}

/** Whether a tree reads no input (a constant, computed as a plain number). */
export const isConstant = (e: Expr): boolean => inputNames(e).length === 0;

/** A constant tree's value. */
export function constantValue(e: Expr): number {
  switch (e.kind) {
    case 'number': return e.value;
    case 'negate': return -constantValue(e.arg);
    case 'power': return constantValue(e.base) ** e.exponent;
    case 'binary': {
      const [a, b] = [constantValue(e.left), constantValue(e.right)];
      return e.op === '+' ? a + b : e.op === '−' ? a - b : e.op === '·' ? a * b : a / b;
    }
    case 'call': {
      const v = constantValue(e.arg);
      const f: Record<FunctionName, (v: number) => number> = {
        sin: Math.sin, cos: Math.cos, exp: Math.exp, log: Math.log, sqrt: Math.sqrt, abs: Math.abs, tanh: Math.tanh,
        sigmoid: (a) => 1 / (1 + Math.exp(-a)), relu: (a) => Math.max(a, 0), sum: (a) => a, mean: (a) => a,
      };
      return f[e.fn](v);
    }
    case 'input': throw new Error(`constantValue: ${e.name} is an input`);
  }
}

/**
 * Build the tree in engine ops. Each piece that reads an input becomes one op (one node of the
 * captured graph); constant pieces are plain numbers.
 */
export function buildExpression(e: Expr, inputs: ReadonlyMap<string, Tensor>): Tensor {
  const build = (n: Expr): Tensor | number => {
    if (isConstant(n)) return constantValue(n);
    switch (n.kind) {
      case 'input': {
        const t = inputs.get(n.name);
        if (!t) throw new ExpressionError(`no value for ${n.name} (column ${n.at})`, n.at);
        return t;
      }
      case 'call': return FUNCTIONS[n.fn](build(n.arg) as Tensor);
      case 'negate': return neg(build(n.arg) as Tensor);
      case 'power': return pow(build(n.base) as Tensor, n.exponent);
      case 'binary': {
        const [a, b] = [build(n.left), build(n.right)];
        return n.op === '+' ? add(a, b) : n.op === '−' ? sub(a, b) : n.op === '·' ? mul(a, b) : div(a, b);
      }
      case 'number': return n.value;
    }
  };
  const out = build(e);
  if (typeof out === 'number') throw new ExpressionError('the function reads no input: use a name such as x', e.at);
  return out;
}

/** The pieces of a tree that are ops (read an input), children before parents: one per graph node. */
export function opPieces(e: Expr): Expr[] {
  const out: Expr[] = [];
  const walk = (n: Expr): void => {
    if (isConstant(n) || n.kind === 'input' || n.kind === 'number') return;
    if (n.kind === 'call' || n.kind === 'negate') walk(n.arg);
    if (n.kind === 'power') walk(n.base);
    if (n.kind === 'binary') { walk(n.left); walk(n.right); }
    out.push(n);
  };
  walk(e);
  return out;
}

/** The pieces an op piece reads that are tensors (not constants), in argument order. */
export function tensorArgs(e: Expr): Expr[] {
  const args = e.kind === 'call' || e.kind === 'negate' ? [e.arg] : e.kind === 'power' ? [e.base] : e.kind === 'binary' ? [e.left, e.right] : [];
  return args.filter((a) => !isConstant(a));
}

const SUPERSCRIPT_DIGITS: Record<string, string> = { 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹', '-': '⁻' };

/** A number as a reader writes it: 2, 0.5, −1.3. */
export function numberText(v: number): string {
  const s = v.toString();
  return s.startsWith('-') ? `−${s.slice(1)}` : s;
}

/** "x²", "t³", "x⁻¹" for an integer exponent; "x^0.5" otherwise. */
export function powerText(base: string, exponent: number): string {
  if (Number.isInteger(exponent) && Math.abs(exponent) < 1000) return base + String(exponent).split('').map((c) => SUPERSCRIPT_DIGITS[c]).join('');
  return `${base}^${numberText(exponent)}`;
}

/**
 * The tree as text, with `name` giving the text of a piece when it has one (a node's name in the
 * lesson), else written out in full with the parentheses it needs.
 */
export function formatExpression(e: Expr, name: (piece: Expr) => string | null = () => null): string {
  const level = (n: Expr): number => (name(n) !== null || n.kind === 'number' || n.kind === 'input' || n.kind === 'call' ? 4
    : n.kind === 'power' ? 3 : n.kind === 'negate' ? 2 : n.op === '·' || n.op === '/' ? 1 : 0);
  const wrap = (n: Expr, min: number): string => (level(n) < min ? `(${text(n)})` : text(n));
  const text = (n: Expr): string => {
    const own = name(n);
    if (own !== null) return own;
    switch (n.kind) {
      case 'number': return numberText(Number(n.value.toPrecision(6)));
      case 'input': return n.name;
      case 'call': return `${n.fn}(${text(n.arg)})`;
      case 'negate': return `−${wrap(n.arg, 2)}`;
      case 'power': return powerText(wrap(n.base, 4), n.exponent);
      case 'binary': {
        const own = n.op === '+' || n.op === '−' ? 0 : 1;
        // The right side of − and / needs parentheses at the same level: a − (b + c), a / (b·c).
        const right = n.op === '−' || n.op === '/' ? own + 1 : own;
        const gap = own === 0 ? ' ' : '';
        return `${wrap(n.left, own)}${gap}${n.op}${gap}${wrap(n.right, right)}`;
      }
    }
  };
  return text(e);
}
