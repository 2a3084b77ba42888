// The derivative lesson's typed functions (demo/graph/expression.ts and lesson-model.ts): the
// parser's precedence and unary minus, its errors (column and what was expected), every function
// and operator built in engine ops with gradients equal to central differences computed here,
// the nodes' names and the chain-rule text, which never writes ∂L/∂z on both sides.

import { describe, expect, it } from 'vitest';
import { ExpressionError, FUNCTIONS, formatExpression, inputNames, parseExpression, type Expr } from '../demo/graph/expression';
import { buildLesson, definition, knownGradients, localFormula, stepText, type InputValues } from '../demo/graph/lesson-model';
import { LESSON_FUNCTIONS, parseValues } from '../demo/graph/lesson';

/** The tree with every operation bracketed: the parse made visible. */
function bracketed(e: Expr): string {
  switch (e.kind) {
    case 'number': return String(e.value);
    case 'input': return e.name;
    case 'call': return `${e.fn}(${bracketed(e.arg)})`;
    case 'negate': return `(−${bracketed(e.arg)})`;
    case 'power': return `(${bracketed(e.base)}^${e.exponent})`;
    case 'binary': return `(${bracketed(e.left)} ${e.op} ${bracketed(e.right)})`;
  }
}

/** The error a source gives: its message and column. */
function mistake(source: string): { message: string; column: number } {
  try {
    parseExpression(source);
  } catch (e) {
    if (e instanceof ExpressionError) return { message: e.message, column: e.column };
    throw e;
  }
  throw new Error(`${source} parsed`);
}

describe('the parser', () => {
  it('binds ^ tighter than unary minus, that tighter than · and /, those tighter than + and −', () => {
    const cases: [string, string][] = [
      ['x + w·b', '(x + (w · b))'],
      ['x·w + b', '((x · w) + b)'],
      ['x − w − b', '((x − w) − b)'],
      ['x / w / b', '((x / w) / b)'],
      ['x / w·b', '((x / w) · b)'],
      ['−x^2', '(−(x^2))'],
      ['(−x)^2', '((−x)^2)'],
      ['x^-0.5', '(x^-0.5)'],
      ['x^(−1)', '(x^-1)'],
      ['2·−x', '(2 · (−x))'],
      ['− −x', '(−(−x))'],
      ['+x', 'x'],
      ['sin(x)·x', '(sin(x) · x)'],
      ['sigmoid(x*w+b)', 'sigmoid(((x · w) + b))'],
      ['tanh(x)²', '(tanh(x)^2)'],
      ['x**3', '(x^3)'],
      ['x × 2 ÷ 4', '((x · 2) / 4)'],
      ['1.5e-1 + .5 + 3.', '((0.15 + 0.5) + 3)'],
      ['mean((x - t)^2)', 'mean(((x − t)^2))'],
    ];
    for (const [source, tree] of cases) expect(bracketed(parseExpression(source)), source).toBe(tree);
  });

  it('writes a tree back with only the brackets it needs, and the exponent as a superscript', () => {
    for (const [source, text] of [['(x·w) + b', 'x·w + b'], ['x − (w + b)', 'x − (w + b)'], ['(x + w)·b', '(x + w)·b'], ['x / (w·b)', 'x/(w·b)'], ['tanh(x)^2', 'tanh(x)²'], ['(x+1)^-1', '(x + 1)⁻¹'], ['x^0.5', 'x^0.5'], ['−x^2', '−x²']]) {
      expect(formatExpression(parseExpression(source)), source).toBe(text);
    }
  });

  it('finds the inputs in order of first use', () => {
    expect(inputNames(parseExpression('sigmoid(x·w + b) + x·pi'))).toEqual(['x', 'w', 'b']);
  });

  it('names the column and what was expected', () => {
    const cases: [string, number, RegExp][] = [
      ['sn(x)', 1, /unknown function 'sn' at column 1; try sin/],
      ['x + tanhh(x)', 5, /unknown function 'tanhh' at column 5; try tanh/],
      ['foo(x)', 1, /unknown function 'foo' at column 1; the functions are sin, cos/],
      ['sin(x', 6, /expected '\)' at column 6 to close the '\(' at column 4, found the end/],
      ['x + ', 5, /expected a number, a name such as x, a function such as sin\( or '\(' at column 5, found the end/],
      ['x + $', 5, /unexpected '\$' at column 5/],
      ['2x', 2, /unexpected 'x' at column 2; expected an operator .*write a multiplication as 2·x/],
      ['x)', 2, /unexpected '\)' at column 2.*there is no '\(' for it/],
      ['x^w', 3, /the exponent after '\^' at column 2 must be a number .*exp\(y·log\(x\)\)/],
      ['x^2^3', 4, /a second '\^' at column 4/],
      ['sin x', 1, /sin at column 1 needs parentheses: sin\(x\)/],
      ['sin()', 5, /sin\(\) at column 1 needs an argument/],
      ['()', 1, /empty parentheses at column 1/],
      ['L + x', 1, /L at column 1 names the result/],
      ['', 1, /type a function of x/],
      ['   ', 1, /type a function of x/],
    ];
    for (const [source, column, message] of cases) {
      const m = mistake(source);
      expect(m.message, source).toMatch(message);
      expect(m.column, source).toBe(column);
    }
  });
});

/** L at `values` in plain JavaScript, for central differences independent of the engine. */
type Plain = (v: Record<string, number[]>) => number;

const sig = (a: number): number => 1 / (1 + Math.exp(-a));
const sumOf = (a: number[]): number => a.reduce((s, b) => s + b, 0);

/** One case per function of the table and per operator, plus compositions (x used twice). */
const CASES: { source: string; values: InputValues; plain: Plain }[] = [
  { source: 'sin(x)', values: { x: 0.9 }, plain: ({ x }) => Math.sin(x[0]) },
  { source: 'cos(x)', values: { x: 0.9 }, plain: ({ x }) => Math.cos(x[0]) },
  { source: 'exp(x)', values: { x: -0.4 }, plain: ({ x }) => Math.exp(x[0]) },
  { source: 'log(x)', values: { x: 1.7 }, plain: ({ x }) => Math.log(x[0]) },
  { source: 'sqrt(x)', values: { x: 2.3 }, plain: ({ x }) => Math.sqrt(x[0]) },
  { source: 'abs(x)', values: { x: -1.3 }, plain: ({ x }) => Math.abs(x[0]) },
  { source: 'tanh(x)', values: { x: 0.6 }, plain: ({ x }) => Math.tanh(x[0]) },
  { source: 'sigmoid(x)', values: { x: -0.8 }, plain: ({ x }) => sig(x[0]) },
  { source: 'relu(x)', values: { x: 0.35 }, plain: ({ x }) => Math.max(x[0], 0) },
  { source: 'sum(x·x)', values: { x: [0.5, -1.5, 2] }, plain: ({ x }) => sumOf(x.map((a) => a * a)) },
  { source: 'mean(x^3)', values: { x: [0.5, -1.5, 2] }, plain: ({ x }) => sumOf(x.map((a) => a ** 3)) / 3 },
  { source: 'x + w', values: { x: 0.3, w: -1.1 }, plain: ({ x, w }) => x[0] + w[0] },
  { source: 'x − w', values: { x: 0.3, w: -1.1 }, plain: ({ x, w }) => x[0] - w[0] },
  { source: '2 − x', values: { x: 0.3 }, plain: ({ x }) => 2 - x[0] },
  { source: 'x·w', values: { x: 0.3, w: -1.1 }, plain: ({ x, w }) => x[0] * w[0] },
  { source: 'x / w', values: { x: 0.3, w: -1.1 }, plain: ({ x, w }) => x[0] / w[0] },
  { source: '3 / x', values: { x: 1.4 }, plain: ({ x }) => 3 / x[0] },
  { source: '−x^2', values: { x: 0.7 }, plain: ({ x }) => -(x[0] ** 2) },
  { source: 'x^-0.5', values: { x: 1.9 }, plain: ({ x }) => x[0] ** -0.5 },
  { source: 'sin(x)·x', values: { x: 1.2 }, plain: ({ x }) => Math.sin(x[0]) * x[0] },
  { source: 'sigmoid(x·w + b)', values: { x: 0.8, w: -1.3, b: 0.4 }, plain: ({ x, w, b }) => sig(x[0] * w[0] + b[0]) },
  { source: 'exp(−x^2)·log(x) + sqrt(abs(x))/cos(x) − x/tanh(x)', values: { x: 0.9 },
    plain: ({ x: [x] }) => Math.exp(-(x ** 2)) * Math.log(x) + Math.sqrt(Math.abs(x)) / Math.cos(x) - x / Math.tanh(x) },
  { source: 'sum(w·x) + mean((x − t)^2)', values: { w: 0.5, x: [1, -2, 3], t: [0.5, 0.25, -1] },
    plain: ({ w, x, t }) => sumOf(x.map((a) => w[0] * a)) + sumOf(x.map((a, i) => (a - t[i]) ** 2)) / 3 },
];

describe('typed functions: gradients against central differences', () => {
  it('covers every function of the table and every operator', () => {
    const used = CASES.map((c) => c.source).join(' ');
    for (const f of Object.keys(FUNCTIONS)) expect(used).toContain(`${f}(`);
    for (const op of ['+', '−', '·', '/', '^']) expect(used).toContain(op);
  });

  for (const { source, values, plain } of CASES) {
    it(source, () => {
      const m = buildLesson(source, values);
      const names = Object.keys(values);
      const at: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, ([] as number[]).concat(values[n])]));
      expect(m.lesson.values.get(m.lesson.graph.root)?.[0]).toBeCloseTo(plain(at), 12);
      // (f(x + h) − f(x − h)) / 2h in plain JavaScript, element by element.
      names.forEach((name, k) => {
        at[name].forEach((x0, j) => {
          const h = 1e-6 * Math.max(1, Math.abs(x0));
          const moved = (d: number): Record<string, number[]> => ({ ...at, [name]: at[name].map((v, i) => (i === j ? v + d : v)) });
          const numeric = (plain(moved(h)) - plain(moved(-h))) / (2 * h);
          const analytic = m.lesson.analytic[k][j];
          expect(Math.abs(analytic - numeric) / Math.max(Math.abs(numeric), 1e-3), `${name}[${j}]`).toBeLessThan(1e-7);
          expect(Math.abs(analytic - m.lesson.numeric[k][j]) / Math.max(Math.abs(numeric), 1e-3)).toBeLessThan(1e-7);
        });
      });
      expect(m.lesson.gradcheck.ok).toBe(true);
      // Every link's local derivative has a formula, and every node a definition.
      for (const s of m.lesson.steps) s.links.forEach((_, k) => expect(localFormula(m, s.node, k)).not.toBe('?'));
      for (const n of m.lesson.graph.nodes) expect(definition(m, n.id)).not.toMatch(/undefined|\?/);
    });
  }

  it('refuses a function of a vector that is not one number, an empty value and a function of nothing', () => {
    expect(() => buildLesson('x·2', { x: [1, 2, 3] })).toThrow(/L has 3 numbers; wrap it in sum\(…\) or mean\(…\)/);
    expect(() => buildLesson('x', { x: 1 })).toThrow(/nothing to differentiate: apply something to it, such as sin\(x\)/);
    expect(() => buildLesson('2·3', {})).toThrow(/reads no input/);
    expect(() => buildLesson('x + w', { x: 1 })).toThrow(/no value for w/);
    expect(() => buildLesson('sin(x)', { x: [] })).toThrow(/x needs a number/);
  });

  it('reads values: one number, a vector, or nothing usable', () => {
    expect(parseValues('0.5')).toBe(0.5);
    expect(parseValues(' 0.5, −1.2 ,2 ')).toEqual([0.5, -1.2, 2]);
    expect(parseValues('1 2 3')).toEqual([1, 2, 3]);
    expect(parseValues('abc')).toBeNull();
    expect(parseValues('')).toBeNull();
  });
});

describe('names and the chain rule in words', () => {
  it('names sin(x)·x as x, s = sin(x), L = s·x, and writes both paths into x', () => {
    const m = buildLesson('sin(x)·x', { x: 1.2 });
    expect(m.lesson.graph.nodes.map((n) => definition(m, n.id))).toEqual(['x', 's = sin(x)', 'L = s·x']);
    const lines = m.lesson.steps.flatMap((s, i) => stepText(m, s, knownGradients(m, i)).chains);
    expect(lines[0]).toBe('∂L/∂s = ∂L/∂L · ∂(s·x)/∂s = 1 × x = 1 × 1.2 = 1.2');
    expect(lines[2]).toMatch(/^∂L\/∂x = ∂L\/∂s · ∂s\/∂x = 1\.2 × cos\(x\) = 1\.2 × 0\.36235775 = 0\.43482931; added to the 0\.93203909 from another path: ∂L\/∂x = 1\.3668684$/);
  });

  it('brackets a negative or a sum before multiplying by it', () => {
    const m = buildLesson('cos(x)·2', { x: 0.5 });
    const cosStep = m.lesson.steps[1];
    expect(stepText(m, cosStep, knownGradients(m, 1)).chains[0]).toMatch(/^∂L\/∂x = ∂L\/∂c · ∂c\/∂x = 2 × \(−sin\(x\)\) = 2 × −0\.47942554 = −0\.95885108$/);
    const t = buildLesson('tanh(x)·3', { x: 0.5 });
    expect(stepText(t, t.lesson.steps[1], knownGradients(t, 1)).chains[0]).toContain('3 × (1 − t²) = 3 × ');
  });

  it('shows pow\'s exponent: L = t² for tanh(x)^2, with ∂L/∂t = 2·t', () => {
    const m = buildLesson('tanh(x)^2', { x: 0.7 });
    expect(m.lesson.graph.nodes.map((n) => definition(m, n.id))).toEqual(['x', 't = tanh(x)', 'L = t²']);
    expect(localFormula(m, m.lesson.graph.root, 0)).toBe('2·t');
    const m3 = buildLesson('x^-1.5', { x: 0.7 });
    expect(definition(m3, m3.lesson.graph.root)).toBe('L = x^−1.5');
    expect(localFormula(m3, m3.lesson.graph.root, 0)).toBe('−1.5·x^−2.5');
  });

  it('never defines a gradient by itself: no line has ∂L/∂v on both sides of its first =', () => {
    for (const f of [...LESSON_FUNCTIONS, ...CASES]) {
      const m = buildLesson(f.source, f.values);
      m.lesson.steps.forEach((s, i) => {
        for (const line of stepText(m, s, knownGradients(m, i)).chains) {
          const [left, ...rest] = line.split(' = ');
          expect(rest[0], line).not.toContain(left);
          expect(line, line).not.toMatch(/∂L\/∂L · ∂L\//);
        }
      });
    }
  });

  it('gives the vector example per-element gradients: mean((x − t)²) → 2(x − t)/3', () => {
    const vector = LESSON_FUNCTIONS.find((f) => f.source.startsWith('mean')) as (typeof LESSON_FUNCTIONS)[number];
    const m = buildLesson(vector.source, vector.values);
    const [x, t] = [vector.values.x as number[], vector.values.t as number[]];
    const want = x.map((v, i) => (2 * (v - t[i])) / 3);
    m.lesson.analytic[0].forEach((g, i) => expect(g).toBeCloseTo(want[i], 14));
    m.lesson.analytic[1].forEach((g, i) => expect(g).toBeCloseTo(-want[i], 14));
    expect(m.lesson.graph.nodes.map((n) => definition(m, n.id))).toEqual(['x', 't', 'd = x − t', 'p = d²', 'L = mean(p)']);
  });

  it('names ops that share a letter with subscripts and keeps input names free', () => {
    const m = buildLesson('tanh(t)·t·w', { t: 0.3, w: 2 });
    expect(m.lesson.graph.nodes.map((n) => definition(m, n.id))).toEqual(['t', 't′ = tanh(t)', 'm = t′·t', 'w', 'L = m·w']);
    const m2 = buildLesson('sin(x) + sin(2·x)', { x: 0.3 });
    expect(m2.lesson.graph.nodes.map((n) => definition(m2, n.id))).toEqual(['x', 's₁ = sin(x)', 'm = 2·x', 's₂ = sin(m)', 'L = s₁ + s₂']);
  });
});
