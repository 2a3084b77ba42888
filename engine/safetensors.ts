// Weights in the safetensors format (Hugging Face), which PyTorch, JAX and most tools read:
//   8 bytes   N, the header's length in bytes, an unsigned 64-bit little-endian integer
//   N bytes   a JSON object: for each tensor  name: { dtype, shape, data_offsets: [begin, end] },
//             and optionally "__metadata__": { string: string }; padded with spaces
//   the rest  the tensors' bytes, little-endian, row-major; offsets count from the first byte here.
// gradlab writes F32, F64 and I32 (float32, float64, int32) and reads those and I64 (into int32,
// when the values fit: PyTorch saves BatchNorm's step counter as int64). Reading checks a file
// as untrusted input: every length, offset and dtype is validated before a byte of data is used.

import type { DType } from './backend';
import { tensor } from './ops';
import { formatShape } from './shape';
import { Tensor } from './tensor';
import type { StateDict } from './nn/state-dict';

const CODES: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32' };
const DTYPES: Record<string, DType> = { F32: 'float32', F64: 'float64', I32: 'int32', I64: 'int32' };
const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4 };
/** Bytes per element in the file, by the header's dtype. */
const FILE_BYTES: Record<string, number> = { F32: 4, F64: 8, I32: 4, I64: 8 };
/** The reference implementation's limit on the header: a larger one is a broken or hostile file. */
const MAX_HEADER = 100_000_000;

/** Names that would not be own data keys of a plain object (a hostile '__proto__' would set the prototype). */
function isPrototypeName(name: string): boolean {
  return name === '__proto__' || name === 'prototype' || name in Object.prototype;
}

function checkName(op: string, name: string): void {
  if (name === '' || name === '__metadata__' || isPrototypeName(name)) throw new Error(`${op}: '${name}' cannot be a tensor's name`);
}

/** Little-endian bytes of a tensor's values (the CPU backend: read at once). */
function bytesOf(name: string, t: Tensor): Uint8Array {
  if (!t.backend.readSync) throw new Error(`toSafetensors: tensor '${name}' is on ${t.backend.name}; move it first with await t.to('cpu')`);
  const values = t.dataSync();
  const out = new Uint8Array(t.size * BYTES[t.dtype]);
  const view = new DataView(out.buffer);
  for (let i = 0; i < t.size; i++) {
    if (t.dtype === 'float64') view.setFloat64(8 * i, values[i], true);
    else if (t.dtype === 'float32') view.setFloat32(4 * i, values[i], true);
    else view.setInt32(4 * i, values[i], true);
  }
  return out;
}

/**
 * A state dict (module.stateDict()) as the bytes of a .safetensors file, tensors in the dict's
 * order. `metadata`: strings stored under "__metadata__" (a model's name, its settings).
 * Tensors must be on the CPU (await t.to('cpu')).
 */
export function toSafetensors(stateDict: StateDict, metadata?: Record<string, string>): Uint8Array {
  if (stateDict === null || typeof stateDict !== 'object' || Array.isArray(stateDict) || stateDict instanceof Tensor) {
    throw new Error('toSafetensors: expects an object of tensors by name (module.stateDict())');
  }
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) throw new Error('toSafetensors: metadata must be an object of strings');
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new Error(`toSafetensors: metadata '${k}' must be a string (safetensors stores strings only), got ${typeof v}`);
    }
    header.__metadata__ = { ...metadata };
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(stateDict)) {
    checkName('toSafetensors', name);
    if (!(t instanceof Tensor)) throw new Error(`toSafetensors: entry '${name}' is not a Tensor`);
    const bytes = bytesOf(name, t);
    header[name] = { dtype: CODES[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8); // data starts 8-byte aligned
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerBytes.length, true); // the high 32 bits stay 0
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

interface HeaderEntry {
  name: string;
  code: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

/** The header of a safetensors file, validated: entries in file order, the metadata, where the data start. */
function parseHeader(bytes: Uint8Array): { entries: HeaderEntry[]; metadata: Record<string, string>; dataStart: number } {
  const op = 'fromSafetensors';
  if (!(bytes instanceof Uint8Array)) throw new Error(`${op}: expects the file's bytes as a Uint8Array (fs.readFileSync(path) is one)`);
  if (bytes.length < 8) throw new Error(`${op}: the file has ${bytes.length} bytes, fewer than the 8 of the header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  const n = high * 2 ** 32 + low;
  if (n > bytes.length - 8) throw new Error(`${op}: the header length is ${n} bytes, beyond the end of the file (${bytes.length} bytes): not a safetensors file, or truncated`);
  if (n > MAX_HEADER) throw new Error(`${op}: the header length is ${n} bytes, above the format's limit of ${MAX_HEADER}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new Error(`${op}: the header is not valid UTF-8 JSON: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${op}: the header must be a JSON object, got ${Array.isArray(parsed) ? 'an array' : String(parsed)}`);
  const dataLength = bytes.length - 8 - n;
  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, raw] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${op}: __metadata__ must be an object of strings`);
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (isPrototypeName(k)) throw new Error(`${op}: '${k}' cannot be a metadata key`);
        if (typeof v !== 'string') throw new Error(`${op}: metadata '${k}' must be a string, got ${JSON.stringify(v)}`);
        metadata[k] = v;
      }
      continue;
    }
    checkName(op, name);
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${op}: tensor '${name}': its header entry must be an object { dtype, shape, data_offsets }`);
    const { dtype: code, shape, data_offsets: offsets, ...rest } = raw as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) throw new Error(`${op}: tensor '${name}': unknown header field '${extra[0]}' (known: dtype, shape, data_offsets)`);
    if (typeof code !== 'string' || !Object.hasOwn(DTYPES, code)) {
      throw new Error(`${op}: tensor '${name}' has dtype ${JSON.stringify(code)}; gradlab reads F32, F64, I32 and I64 (convert in PyTorch with .float() or .double())`);
    }
    const dtype = DTYPES[code];
    if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new Error(`${op}: tensor '${name}' has shape ${JSON.stringify(shape)}; a shape is a list of non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isSafeInteger(o) || o < 0)) {
      throw new Error(`${op}: tensor '${name}' has data_offsets ${JSON.stringify(offsets)}; expected [begin, end], two non-negative integers`);
    }
    const [begin, end] = offsets as number[];
    if (begin > end || end > dataLength) throw new Error(`${op}: tensor '${name}' has data_offsets [${begin}, ${end}], out of the data's range [0, ${dataLength}]`);
    const size = shape.reduce((a: number, d: number) => a * d, 1);
    if (size * FILE_BYTES[code] !== end - begin) {
      throw new Error(`${op}: tensor '${name}' of shape ${formatShape(shape)} and dtype ${code} needs ${size * FILE_BYTES[code]} bytes, its data_offsets give ${end - begin}`);
    }
    entries.push({ name, code, dtype, shape, begin, end });
  }
  // The tensors' bytes must tile the data exactly: no overlaps (one byte read as two tensors), no gaps.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const e of sorted) {
    if (e.begin < covered) throw new Error(`${op}: tensor '${e.name}' (bytes ${e.begin} to ${e.end}) overlaps the tensor before it (which ends at ${covered})`);
    if (e.begin > covered) throw new Error(`${op}: bytes ${covered} to ${e.begin} of the data belong to no tensor`);
    covered = e.end;
  }
  if (covered !== dataLength) throw new Error(`${op}: the data has ${dataLength} bytes but the tensors cover ${covered}`);
  return { entries, metadata, dataStart: 8 + n };
}

/**
 * The tensors of a .safetensors file as a state dict (on the current backend), to pass to
 * module.loadStateDict(). Every length, offset and dtype is checked first; an error names the
 * tensor and what is wrong.
 */
export function fromSafetensors(bytes: Uint8Array): StateDict {
  const { entries, dataStart } = parseHeader(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dict: StateDict = {};
  try {
    for (const e of entries) {
      const size = (e.end - e.begin) / FILE_BYTES[e.code];
      const values = e.dtype === 'float64' ? new Float64Array(size) : e.dtype === 'float32' ? new Float32Array(size) : new Int32Array(size);
      const at = dataStart + e.begin;
      for (let i = 0; i < size; i++) {
        if (e.code === 'F64') values[i] = view.getFloat64(at + 8 * i, true);
        else if (e.code === 'F32') values[i] = view.getFloat32(at + 4 * i, true);
        else if (e.code === 'I32') values[i] = view.getInt32(at + 4 * i, true);
        else {
          const v = view.getBigInt64(at + 8 * i, true);
          if (v < -2147483648n || v > 2147483647n) throw new Error(`fromSafetensors: tensor '${e.name}' (I64) holds ${v} at flat index ${i}, outside int32's range; gradlab has no int64`);
          values[i] = Number(v);
        }
      }
      const bad = values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new Error(`fromSafetensors: tensor '${e.name}' holds ${values[bad]} at flat index ${bad}; gradlab's tensors hold finite numbers only`);
      dict[e.name] = tensor(values, e.shape, { dtype: e.dtype });
    }
  } catch (err) {
    for (const t of Object.values(dict)) t.dispose();
    throw err;
  }
  return dict;
}

/** The "__metadata__" strings of a .safetensors file ({} when it has none). */
export function safetensorsMetadata(bytes: Uint8Array): Record<string, string> {
  return parseHeader(bytes).metadata;
}
