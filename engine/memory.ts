// Tensor memory. On the CPU the garbage collector would do, but GPU buffers are not collected:
// a training loop that forgets its intermediates runs out of device memory. So gradlab frees
// tensors explicitly, in one of two ways:
//   - t.dispose() frees one tensor now;
//   - tidy(fn) runs fn and then frees every tensor created inside it, except the ones it
//     returns (anywhere in arrays, Maps, Sets or objects' own properties) and the ones marked
//     with keep() (parameters' .grad are kept automatically).
// A tensor's buffer is shared by its reshapes; the buffer goes back to the backend when the
// last tensor using it is disposed. liveTensors() counts tensors not yet disposed (leak tests).

/** What a tidy() says freed the tensors it swept. */
const END_OF_TIDY = 'the end of a tidy()';

export interface Disposable {
  /** `by`: what frees it, for the messages of later uses (a tidy() passes its own). */
  dispose(by?: string): void;
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

/**
 * Collect the tensors reachable from a result: through arrays, Maps (keys and values), Sets, and
 * the own enumerable properties of any other object (plain or a class instance). Each object is
 * visited once, so a cyclic result is fine. Typed arrays hold numbers only and are skipped.
 */
function collect(root: unknown, out: Disposable[]): void {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== 'object' || seen.has(value) || ArrayBuffer.isView(value)) continue;
    seen.add(value);
    if ('dispose' in value && 'isDisposed' in value) out.push(value as Disposable);
    else if (Array.isArray(value)) stack.push(...value);
    else if (value instanceof Map) for (const [k, v] of value) stack.push(k, v);
    else if (value instanceof Set) for (const v of value) stack.push(v);
    else for (const v of Object.values(value)) stack.push(v);
  }
}

/**
 * Run fn and dispose every tensor it created, except those kept and those in its result: every
 * tensor reachable from the result through arrays, Maps, Sets and objects' own enumerable
 * properties (plain objects and class instances alike; cycles are fine). Results move to the
 * enclosing scope, if any. fn must be synchronous: an async fn would let other work's tensors
 * into this scope, so it is refused before it runs (and a returned Promise frees what fn made).
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new Error(`tidy: expected a function, got ${fn === null ? 'null' : typeof fn}`);
  if (fn.constructor?.name === 'AsyncFunction') {
    throw new Error('tidy: fn returned a Promise, or would: it is an async function, refused before it runs; tidy cannot track tensors made after an await (they would leak or be freed under other work). Call tidy inside the async code, around each synchronous part');
  }
  const scope = new Set<Disposable>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (err) {
    // fn threw: nothing it made can be returned, so free it all before passing the error on.
    scopes.pop();
    for (const t of scope) if (!t.isDisposed) t.dispose(END_OF_TIDY);
    throw err;
  }
  scopes.pop();
  if (result instanceof Promise) {
    for (const t of scope) if (!t.isDisposed) t.dispose(END_OF_TIDY);
    result.catch(() => undefined); // its failure, if any, is not the one to report
    throw new Error('tidy: fn returned a Promise; tidy only works with synchronous functions (await outside it). The tensors fn made before returning were freed');
  }
  const survivors: Disposable[] = [];
  collect(result, survivors);
  // Take the results made in this scope out of it before the sweep. Only those move to the
  // enclosing scope: a result made outside it (an input returned unchanged, a parameter) must
  // not be adopted, and later freed, by the enclosing tidy.
  const madeHere: Disposable[] = [];
  for (const t of survivors) if (scope.delete(t)) madeHere.push(t);
  for (const t of scope) if (!t.isDisposed) t.dispose(END_OF_TIDY);
  const outer = scopes[scopes.length - 1];
  if (outer) for (const t of madeHere) if (!t.isDisposed) outer.add(t);
  return result;
}
