// Reading a checkpoint's JSON straight from its bytes, for a file longer than the longest string
// JavaScript can hold (about 2^29 characters in V8): checkpointJson writes such files piece by
// piece, and this reads them back. Strict JSON (RFC 8259); strings and numbers are decoded by
// JSON.parse itself, one token at a time, so every value means what JSON.parse would make of it.

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** Parse JSON from UTF-8 bytes; a syntax error names the byte offset. */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at byte ${i}`);
  };
  const skip = (): void => {
    while (i < bytes.length && WS.has(bytes[i])) i++;
  };
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const token = (from: number, to: number): unknown => JSON.parse(decoder.decode(bytes.subarray(from, to)));

  const string = (): string => {
    const from = i++;
    while (i < bytes.length && bytes[i] !== 0x22) i += bytes[i] === 0x5c ? 2 : 1;
    if (i >= bytes.length) fail('unterminated string');
    i++;
    return token(from, i) as string;
  };
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const number = (): number => {
    const from = i;
    for (let b = bytes[i]; (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x2b || b === 0x2e || b === 0x65 || b === 0x45; b = bytes[++i]);
    const text = latin1.toString('latin1', from, i);
    if (!JSON_NUMBER.test(text)) fail(`bad number '${text.slice(0, 30)}'`);
    return Number(text);
  };
  const literal = (word: string, value: unknown): unknown => {
    for (let k = 0; k < word.length; k++) if (bytes[i + k] !== word.charCodeAt(k)) fail(`unexpected byte ${bytes[i]}`);
    i += word.length;
    return value;
  };

  // An explicit stack instead of recursion: deep nesting cannot overflow the call stack.
  type Frame = { array: unknown[] } | { object: Record<string, unknown>; key: string };
  const stack: Frame[] = [];
  let result: unknown;
  let done = false;
  const put = (v: unknown): void => {
    const top = stack[stack.length - 1];
    if (!top) {
      result = v;
      done = true;
    } else if ('array' in top) top.array.push(v);
    else Object.defineProperty(top.object, top.key, { value: v, enumerable: true, writable: true, configurable: true });
  };
  skip();
  while (!done) {
    skip();
    if (i >= bytes.length) fail('unexpected end of the file');
    const b = bytes[i];
    let value: unknown;
    let container = false;
    if (b === 0x7b) {
      i++;
      const object: Record<string, unknown> = {};
      skip();
      if (bytes[i] === 0x7d) {
        i++;
        value = object;
      } else {
        if (bytes[i] !== 0x22) fail('expected a key');
        const key = string();
        skip();
        if (bytes[i++] !== 0x3a) fail("expected ':'");
        stack.push({ object, key });
        container = true;
      }
    } else if (b === 0x5b) {
      i++;
      skip();
      if (bytes[i] === 0x5d) {
        i++;
        value = [];
      } else {
        stack.push({ array: [] });
        container = true;
      }
    } else if (b === 0x22) value = string();
    else if (b === 0x2d || (b >= 0x30 && b <= 0x39)) value = number();
    else if (b === 0x74) value = literal('true', true);
    else if (b === 0x66) value = literal('false', false);
    else if (b === 0x6e) value = literal('null', null);
    else fail(`unexpected byte ${b}`);
    if (container) continue;
    put(value);
    // Close finished containers, or move to the next element.
    while (!done) {
      skip();
      const top = stack[stack.length - 1];
      const close = 'array' in top ? 0x5d : 0x7d;
      if (bytes[i] === 0x2c) {
        i++;
        if (!('array' in top)) {
          skip();
          if (bytes[i] !== 0x22) fail('expected a key');
          top.key = string();
          skip();
          if (bytes[i++] !== 0x3a) fail("expected ':'");
        }
        break;
      }
      if (bytes[i] !== close) fail(i >= bytes.length ? 'unexpected end of the file' : `expected ',' or '${String.fromCharCode(close)}'`);
      i++;
      stack.pop();
      put('array' in top ? top.array : top.object);
    }
  }
  skip();
  if (i < bytes.length) fail('unexpected data after the JSON value');
  return result;
}
