// The derivative lesson's content, apart from the page: a function typed as text (expression.ts)
// is built in engine ops, stepped through backward by explainBackward (float64, CPU), and each
// node of its graph gets a short name (x, w, s = sin(x), m = s·x, L for the result) and, for each
// input it reads, its local derivative as a formula in those names (∂s/∂x = cos(x)), so the
// chain rule can be written with numbers and without defining a thing by itself:
//   ∂L/∂x = ∂L/∂s · ∂s/∂x = 1.2 × 0.362 = 0.435

import { explainBackward, type BackwardLesson, type BackwardStep, type ChainLink } from '../../engine/index';
import { buildExpression, ExpressionError, formatExpression, inputNames, numberText, opPieces, parseExpression, powerText, tensorArgs, type Expr } from './expression';

/** The values of the inputs: a number, or a vector's elements. */
export type InputValues = Record<string, number | number[]>;

export interface LessonModel {
  source: string;
  expr: Expr;
  lesson: BackwardLesson;
  /** The short name of each graph node (an input's own name, a letter for an op, L for the result). */
  names: Map<number, string>;
  /** The piece of the typed function each op node computes. */
  pieces: Map<number, Expr>;
}

/** The letter an op's result is called by: s = sin(x), m = x·w, p = t², ... */
function letter(e: Expr): string {
  switch (e.kind) {
    case 'call': return ({ sin: 's', cos: 'c', exp: 'e', log: 'ℓ', sqrt: 'r', abs: 'a', tanh: 't', sigmoid: 'σ', relu: 'h', sum: 'S', mean: 'μ' } as const)[e.fn];
    case 'negate': return 'n';
    case 'power': return 'p';
    case 'binary': return ({ '+': 'u', '−': 'd', '·': 'm', '/': 'q' } as const)[e.op];
    default: return 'v';
  }
}

const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';
const subscript = (k: number): string => String(k).split('').map((c) => SUBSCRIPTS[Number(c)]).join('');

/**
 * Parse `source`, build it on `values` and step through its backward pass. Throws
 * ExpressionError for a typing mistake, and Error (naming the input) for a bad value.
 */
export function buildLesson(source: string, values: InputValues): LessonModel {
  const expr = parseExpression(source);
  const names = inputNames(expr);
  if (names.length === 0) throw new ExpressionError('the function reads no input: use a name such as x', 1);
  if (expr.kind === 'input') throw new ExpressionError(`L = ${expr.name} has nothing to differentiate: apply something to it, such as sin(${expr.name})`, 1);
  const inputs = names.map((name) => {
    const v = values[name];
    if (v === undefined) throw new Error(`no value for ${name}`);
    const list = typeof v === 'number' ? [v] : v;
    if (list.length === 0 || !list.every(Number.isFinite)) throw new Error(`${name} needs a number, or numbers separated by commas`);
    return { name, value: typeof v === 'number' ? v : list };
  });
  const lesson = explainBackward((...xs) => {
    const out = buildExpression(expr, new Map(names.map((n, k) => [n, xs[k]])));
    if (out.size !== 1) throw new ExpressionError(`L has ${out.size} numbers; wrap it in sum(…) or mean(…) to get one`, 1);
    return out;
  }, inputs);

  // Match graph nodes to pieces: the root is the whole function, and an op node's inputs are
  // its piece's non-constant arguments, in order.
  const byId = new Map(lesson.graph.nodes.map((n) => [n.id, n]));
  const pieces = new Map<number, Expr>();
  const visit = (id: number, piece: Expr): void => {
    if (pieces.has(id)) return;
    pieces.set(id, piece);
    const node = byId.get(id);
    const args = tensorArgs(piece);
    if (!node || node.inputs.length !== args.length) throw new Error(`the graph of ${source} does not follow its text at column ${piece.at}`);
    node.inputs.forEach((input, k) => visit(input, args[k]));
  };
  visit(lesson.graph.root, expr);

  // Names: inputs by their own; ops by a letter, a prime where an input has it, a subscript
  // where several ops share it; the result is L.
  const nodeNames = new Map<number, string>();
  lesson.graph.nodes.forEach((n, k) => { if (n.name) nodeNames.set(n.id, n.name); else if (n.kind !== 'op') nodeNames.set(n.id, `c${k}`); });
  const ops = lesson.graph.nodes.filter((n) => n.kind === 'op' && n.id !== lesson.graph.root);
  const letters = ops.map((n) => {
    const l = letter(pieces.get(n.id) as Expr);
    return names.includes(l) ? `${l}′` : l;
  });
  ops.forEach((n, k) => {
    const same = letters.filter((l) => l === letters[k]).length;
    nodeNames.set(n.id, same > 1 ? letters[k] + subscript(letters.slice(0, k + 1).filter((l) => l === letters[k]).length) : letters[k]);
  });
  nodeNames.set(lesson.graph.root, 'L');
  // Every piece check: the tree has one op piece per op node.
  if (opPieces(expr).length !== ops.length + 1) throw new Error(`the graph of ${source} has ${ops.length + 1} ops, its text ${opPieces(expr).length}`);
  return { source, expr, lesson, names: nodeNames, pieces };
}

/** The name of a node. */
export const nameOf = (m: LessonModel, id: number): string => m.names.get(id) ?? '?';

/** Text of a piece where its children are written by their names: sin(x), s·x, t². */
function withNames(m: LessonModel, piece: Expr, self: number): string {
  const idOf = new Map([...m.pieces].map(([id, p]) => [p, id]));
  return formatExpression(piece, (p) => {
    const id = idOf.get(p);
    return p !== piece && id !== undefined && id !== self ? nameOf(m, id) : null;
  });
}

/** "s = sin(x)", "L = m + b": a node's definition in the names of its inputs. */
export function definition(m: LessonModel, id: number): string {
  const piece = m.pieces.get(id);
  if (!piece || piece.kind === 'input') return nameOf(m, id);
  return `${nameOf(m, id)} = ${withNames(m, piece, id)}`;
}

/**
 * The local derivative ∂output/∂input of node `id` for its k-th input, as a formula in the
 * names: cos(x) for s = sin(x), s for ∂(s·x)/∂x, L·(1 − L) for L = sigmoid(z).
 */
export function localFormula(m: LessonModel, id: number, k: number): string {
  const piece = m.pieces.get(id) as Expr;
  const out = nameOf(m, id);
  const idOf = new Map([...m.pieces].map(([pid, p]) => [p, pid]));
  const name = (p: Expr): string => {
    const pid = idOf.get(p);
    return pid !== undefined ? nameOf(m, pid) : formatExpression(p);
  };
  const wrapped = (p: Expr): string => {
    const t = name(p);
    return /^[\w.′₀-₉σℓμ]+$/u.test(t) ? t : `(${t})`;
  };
  const u = wrapped(tensorArgs(piece)[k] ?? piece);
  switch (piece.kind) {
    case 'call':
      switch (piece.fn) {
        case 'sin': return `cos(${name(piece.arg)})`;
        case 'cos': return `−sin(${name(piece.arg)})`;
        case 'exp': return out;
        case 'log': return `1/${u}`;
        case 'sqrt': return `1/(2·${out})`;
        case 'abs': return `sign(${name(piece.arg)})`;
        case 'tanh': return `1 − ${out}²`;
        case 'sigmoid': return `${out}·(1 − ${out})`;
        case 'relu': return `[${name(piece.arg)} > 0]`;
        case 'sum': return '1';
        case 'mean': return `1/${(m.lesson.values.get(idOf.get(piece.arg) ?? -1) ?? []).length}`;
      }
      break;
    case 'negate': return '−1';
    case 'power': {
      const p = piece.exponent;
      return p === 1 ? '1' : p === 2 ? `2·${u}` : `${numberText(p)}·${powerText(u, p - 1)}`;
    }
    case 'binary': {
      const [left, right] = [piece.left, piece.right];
      const isLeft = tensorArgs(piece)[k] === left;
      switch (piece.op) {
        case '+': return '1';
        case '−': return isLeft ? '1' : '−1';
        case '·': return isLeft ? name(right) : name(left);
        case '/': return isLeft ? `1/${wrapped(right)}` : `−${wrapped(left)}/${wrapped(right)}²`;
      }
    }
  }
  return '?';
}

/** Enough digits to compare by eye: 0.19661193; a vector as [a, b, c]. */
export function numbers(v: readonly number[], digits = 8): string {
  const one = (x: number): string => (Number.isFinite(x) ? numberText(Number(x.toPrecision(digits))) : String(x));
  return v.length === 1 ? one(v[0]) : `[${v.map(one).join(', ')}]`;
}

/** Gradients known after the first `shown` steps (partial sums while contributions arrive). */
export function knownGradients(m: LessonModel, shown: number): Map<number, number[]> {
  const l = m.lesson;
  const known = new Map<number, number[]>([[l.graph.root, [1]]]);
  for (const s of l.steps.slice(0, shown)) {
    for (const link of s.links) {
      const prev = known.get(link.input);
      known.set(link.input, prev ? prev.map((v, j) => v + link.contribution[j]) : [...link.contribution]);
    }
  }
  return known;
}

/** The lines a step writes: what the node is and what reached it, then one chain rule per input. */
export function stepText(m: LessonModel, s: BackwardStep, before: ReadonlyMap<number, number[]>): { head: string; chains: string[] } {
  const out = nameOf(m, s.node);
  const isRoot = s.node === m.lesson.graph.root;
  const value = numbers(m.lesson.values.get(s.node) ?? []);
  const head = isRoot
    ? `${definition(m, s.node)} = ${value}. Backward starts here: ∂L/∂L = 1.`
    : `${definition(m, s.node)} = ${value}. The gradient that reached ${out}: ∂L/∂${out} = ${numbers(s.dy)}.`;
  const chains = s.links.map((link: ChainLink, k: number) => {
    const x = nameOf(m, link.input);
    const formula = localFormula(m, s.node, k);
    const prev = before.get(link.input);
    const total = prev ? prev.map((v, j) => v + link.contribution[j]) : null;
    const sum = prev && total ? `; added to the ${numbers(prev)} from another path: ∂L/∂${x} = ${numbers(total)}` : '';
    // A broadcast input (one number used by every element) gets the sum of the elements' shares.
    const broadcast = s.dy.length > 1 && link.contribution.length < s.dy.length;
    if (broadcast) {
      return `∂L/∂${x} = Σᵢ ∂L/∂${out}ᵢ · ∂${out}ᵢ/∂${x} = ${numbers(link.contribution)} (${x} is used by all ${s.dy.length} elements of ${out}; their shares add up), with ∂${out}/∂${x} = ${formula}${sum}`;
    }
    // At the root ∂L/∂L = 1, and the local derivative is written by the root's formula,
    // ∂sigmoid(z)/∂z, so no ∂L/∂z stands on both sides.
    const piece = m.pieces.get(s.node) as Expr;
    const text = withNames(m, piece, s.node);
    const local = isRoot ? `∂${/^[\w(]/u.test(text) && !/[ ·/]/.test(text) ? text : `(${text})`}/∂${x}` : `∂${out}/∂${x}`;
    const localValue = numbers(link.local);
    // The formula, then its value; a formula that is just a number (1, −1) is not repeated.
    const same = link.local.every((v) => numbers([v]) === formula);
    // A sum, a difference (outside brackets) or a negative is bracketed before it is multiplied: (1 − t²), (−sin(x)).
    const shown = formula.startsWith('−') || / [+−] /.test(formula.replace(/\([^()]*\)|\[[^\]]*\]/g, '')) ? `(${formula})` : formula;
    const steps = same ? '' : ` × ${shown} = ${numbers(s.dy)}`;
    return `∂L/∂${x} = ∂L/∂${out} · ${local} = ${numbers(s.dy)}${steps} × ${localValue} = ${numbers(link.contribution)}${sum}`;
  });
  return { head, chains };
}
