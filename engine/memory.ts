// Tensor memory. On the CPU the garbage collector would do, but GPU buffers are not collected:
// a training loop that forgets its intermediates runs out of device memory. So gradlab frees
// tensors explicitly, in one of two ways:
//   - t.dispose() frees one tensor now;
//   - tidy(fn) runs fn and then frees every tensor created inside it, except the ones it
//     returns and the ones marked with keep() (parameters' .grad are kept automatically).
// A tensor's buffer is shared by its reshapes; the buffer goes back to the backend when the
// last tensor using it is disposed. liveTensors() counts tensors not yet disposed (leak tests).

export interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
}

let live = 0;
const scopes: Set<Disposable>[] = [];

/** Called by every new tensor. */
export function trackTensor(t: Disposable): void {
  live++;
  const scope = scopes[scopes.length - 1];
  if (scope) scope.add(t);
}

/** Called when a tensor is disposed. */
export function untrackTensor(t: Disposable): void {
  live--;
  const scope = scopes[scopes.length - 1];
  if (scope) scope.delete(t);
}

/** Number of tensors created and not yet disposed. */
export function liveTensors(): number {
  return live;
}

/** Exempt a tensor from the enclosing tidy() scopes: it lives until disposed by hand. */
export function keep<T extends Disposable>(t: T): T {
  for (const scope of scopes) scope.delete(t);
  return t;
}

/** Collect the tensors in a (possibly nested) result: a tensor, an array or a plain object. */
function collect(value: unknown, out: Disposable[]): void {
  if (value === null || typeof value !== 'object') return;
  if ('dispose' in value && 'isDisposed' in value) {
    out.push(value as Disposable);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collect(v, out);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collect(v, out);
}

/**
 * Run fn and dispose every tensor it created, except those in its result (a tensor, or arrays
 * and plain objects of them) and those kept. Results move to the enclosing scope, if any.
 * fn must be synchronous: an async fn would let other work's tensors into this scope.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Disposable>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (err) {
    // fn threw: nothing it made can be returned, so free it all before passing the error on.
    scopes.pop();
    for (const t of scope) if (!t.isDisposed) t.dispose();
    throw err;
  }
  scopes.pop();
  if (result instanceof Promise) {
    throw new Error('tidy: fn returned a Promise; tidy only works with synchronous functions (await outside it)');
  }
  const survivors: Disposable[] = [];
  collect(result, survivors);
  // Take the results made in this scope out of it before the sweep. Only those move to the
  // enclosing scope: a result made outside it (an input returned unchanged, a parameter) must
  // not be adopted, and later freed, by the enclosing tidy.
  const madeHere: Disposable[] = [];
  for (const t of survivors) if (scope.delete(t)) madeHere.push(t);
  for (const t of scope) if (!t.isDisposed) t.dispose();
  const outer = scopes[scopes.length - 1];
  if (outer) for (const t of madeHere) if (!t.isDisposed) outer.add(t);
  return result;
}
